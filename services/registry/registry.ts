// The registry service: probes every member cluster once per period and records its health and capacity changes.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { isDnsLabel } from '../../libs/config/codecs.js';
import { Counter, Gauge, Histogram, type Registry as MetricsRegistry } from 'prom-client';
import { expectVersion, type NewEvent } from '../../libs/events/envelope.js';
import { objectStream, parseObjectStream } from '../../libs/events/streams.js';
import { ClusterCondition } from '../../libs/events/types.js';
import { statusContributions } from '../../libs/federation/contributions.js';
import { INSECURE_ANNOTATION, memberAccess, serverAddressFor, type AccessError, type MemberAccess } from '../../libs/federation/member-access.js';
import { federationState, kindKey, type FederationState } from '../../libs/federation/state.js';
import { SYSTEM_NAMESPACE } from '../../libs/federation/types.js';
import { getArray, getPath, getString } from '../../libs/kube-api/json.js';
import type { KubeObject } from '../../libs/kube-api/object.js';
import { failedChecks, healthOf, observe, type ProbeResult } from '../../libs/registry/health.js';
import { observationChanged, summarizeNodes, type ClusterObservation } from '../../libs/registry/nodes.js';
import { nextProbeAt, probeOffset, probeSettingsFor, type ProbeSettings } from '../../libs/registry/probe-settings.js';
import { memberHttp, type MemberAnswer, type MemberHttp } from '../../libs/infra/kube-client/member-http.js';
import type { EventStamping, ReplicaDeps } from '../../libs/infra/lifecycle/replica.js';
import { stopOnce, type Service } from '../../libs/infra/lifecycle/service.js';
import { KeysChanged } from '../../libs/infra/nats/hints.js';
import { shardOf, startShardLeases } from '../../libs/infra/redis/leases.js';
import { probeTimes } from '../../libs/infra/redis/probe-times.js';
import { runProjection } from '../../libs/infra/redis/projection-runner.js';

export const REGISTRY_ACTOR = 'system:registry';
const CLUSTER_KIND = kindKey({ group: 'federation', kind: 'Cluster' });
const clusterRef = (name: string) => ({ group: 'federation', kind: 'Cluster', namespace: '', name });
const secretStream = (name: string): string => objectStream({ group: '', kind: 'Secret', namespace: SYSTEM_NAMESPACE, name });
/** Appends that keep losing races (e.g. to a user editing the Cluster) before the result is dropped until the next probe. */
const MAX_ATTEMPTS = 5;
/** Nodes per page when reading a member's node list. */
const NODE_PAGE = 500;
const Conditions = t.array(ClusterCondition);

export interface RegistrySettings {
  /** The federation's probe settings; Cluster annotations override them per cluster. */
  readonly probe: ProbeSettings;
  /** Nodes and version are read on every this many-th probe, and whenever the health result changes. */
  readonly nodesEvery: number;
  /** The registry's own address: picks the serverAddressByClientCIDRs entry. */
  readonly clientAddress: string;
  /** Clusters are split into this many shards (by name); each is probed by the replica holding its lease. */
  readonly shards: number;
  readonly leaseTtlMs: number;
  /** How long an append waits for the read model to show the log up to a given point. */
  readonly catchUpMs?: number;
}

/**
 * Besides leases, `redis` holds the probe times; `bus` carries health hints (cluster.health.<cluster>)
 * for whoever wants to react before the log tail shows the change.
 */
export interface RegistryDeps extends ReplicaDeps, EventStamping {
  /** Opens the sealed data of kubeconfig Secrets (KFED_ENCRYPTION_KEY); undefined when it does not open. */
  readonly unseal: (sealed: string, context: string) => string | undefined;
  readonly settings: RegistrySettings;
}

export interface Registry extends Service {
  /** Shards whose clusters this replica probes now. */
  owned(): readonly number[];
}

/** How to reach one member, rebuilt only when its Cluster spec or Secret changes. */
interface Connection {
  readonly key: string;
  readonly access: E.Either<AccessError, MemberAccess>;
  readonly http?: MemberHttp;
}

/** A cluster this replica probes. */
interface Member {
  readonly name: string;
  readonly stream: string;
  readonly shard: number;
  settings: ProbeSettings;
  problems: string;
  offsetMs: number;
  dueAt: number;
  timer?: NodeJS.Timeout;
  round?: Promise<void>;
  abort?: AbortController;
  rounds: number;
  failures: number;
  successes: number;
  lastHealth?: ProbeResult['_tag'];
  /** The member refused kfed's credentials when its nodes were last read (health endpoints may not ask for any). */
  rejected?: number;
  connection?: Connection;
  removed: boolean;
}

const metricsOf = (registry: MetricsRegistry | undefined) => {
  const registers = registry === undefined ? [] : [registry];
  return {
    probes: new Counter({ name: 'kfed_registry_probes_total', help: 'Probe rounds by result', labelNames: ['result'], registers }),
    lateness: new Histogram({
      name: 'kfed_registry_probe_lateness_seconds', help: 'How long after its slot in the period a probe started', registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
    duration: new Histogram({
      name: 'kfed_registry_probe_duration_seconds', help: 'Duration of a probe round (health, and nodes when read)', registers,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    skipped: new Counter({ name: 'kfed_registry_probes_skipped_total', help: 'Slots skipped because the previous round of the cluster was still running', registers }),
    transitions: new Counter({ name: 'kfed_registry_condition_changes_total', help: 'ClusterConditionChanged events appended', registers }),
    observations: new Counter({ name: 'kfed_registry_capacity_changes_total', help: 'ClusterCapacityObserved events appended', registers }),
    conflicts: new Counter({ name: 'kfed_registry_conflicts_total', help: 'Appends that lost a race and were decided again', registers }),
    clusters: new Gauge({ name: 'kfed_registry_clusters', help: 'Clusters this replica probes', registers }),
  };
};

/** A health endpoint's answer as a probe result; undefined when the endpoint does not exist (404). */
function healthResult(endpoint: string, a: Extract<MemberAnswer, { _tag: 'Answered' }>): ProbeResult | undefined {
  if (a.status === 200) return { _tag: 'Healthy', endpoint };
  if (a.status === 401 || a.status === 403) return { _tag: 'Rejected', code: a.status };
  if (a.status === 404) return undefined;
  return { _tag: 'Unhealthy', endpoint, code: a.status, detail: failedChecks(a.body) };
}

/** A member's nodes and version: read, refused (401/403), or failed in another way (retried next time). */
type NodesRead =
  | { readonly _tag: 'Read'; readonly observation: ClusterObservation }
  | { readonly _tag: 'Rejected'; readonly code: number }
  | { readonly _tag: 'Failed'; readonly reason: string };

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

async function readNodes(member: MemberHttp, timeoutMs: number, signal: AbortSignal): Promise<NodesRead> {
  const nodes: unknown[] = [];
  let next: string | undefined = '';
  while (next !== undefined) {
    const page = await member.get(`/api/v1/nodes?limit=${NODE_PAGE}${next === '' ? '' : `&continue=${encodeURIComponent(next)}`}`, timeoutMs, signal);
    if (page._tag === 'Unreachable') return { _tag: 'Failed', reason: page.reason };
    if (page.status === 401 || page.status === 403) return { _tag: 'Rejected', code: page.status };
    if (page.status !== 200) return { _tag: 'Failed', reason: `listing nodes answered ${page.status}` };
    const list = parseJson(page.body);
    nodes.push(...getArray(list, 'items'));
    const token = getString(list, 'metadata', 'continue');
    next = token === undefined || token === '' ? undefined : token;
  }
  const version = await member.get('/version', timeoutMs, signal);
  const gitVersion = version._tag === 'Answered' && version.status === 200 ? getString(parseJson(version.body), 'gitVersion') : undefined;
  return { _tag: 'Read', observation: summarizeNodes(nodes, gitVersion) };
}

const resultLabel = (r: ProbeResult): string => r._tag.toLowerCase();

/**
 * Starts a registry replica. It folds the log into the federation's read model, holds leases on a
 * share of the cluster shards, and probes each cluster of its shards on that cluster's own timer, at
 * a fixed offset in the period (so probes spread over the period, and a slow member delays no other).
 * A transition of a cluster's conditions, or a change of what its nodes offer, is appended to the
 * Cluster's stream at the version the read model shows; a lost race re-reads and decides again.
 * A replica that takes a shard over starts from the conditions recorded in the read model.
 */
export async function start(deps: RegistryDeps): Promise<Registry> {
  const { log, clock, newId, settings } = deps;
  const logger = deps.logger.child({ replica: deps.replica });
  const catchUpMs = settings.catchUpMs ?? 5000;
  const metrics = metricsOf(deps.metrics);
  const times = probeTimes(deps.redis, log.keys);
  const view = runProjection({ log, logger, projection: federationState({ unseal: deps.unseal, contributions: statusContributions, changeWindow: 0 }) });
  await view.ready;

  const members = new Map<string, Member>();
  const held = new Set<number>();
  let owns: (shard: number) => boolean = () => false;

  const clusterOf = (s: FederationState, name: string): KubeObject | undefined => s.objects.get(objectStream(clusterRef(name)))?.object;
  const recordedConditions = (cluster: KubeObject): ClusterCondition[] =>
    E.getOrElseW(() => [] as ClusterCondition[])(Conditions.decode(getPath(cluster, 'status', 'conditions') ?? []));

  /** The member's connection for the Cluster and Secret as they are now; a new one when either changed. */
  const connect = (m: Member, cluster: KubeObject): Connection => {
    const s = view.state();
    const secretName = getString(cluster, 'spec', 'secretRef', 'name');
    const secret = secretName === undefined ? undefined : s.objects.get(secretStream(secretName))?.object;
    const key = JSON.stringify([
      getPath(cluster, 'spec', 'serverAddressByClientCIDRs'), secretName, cluster.metadata.annotations?.[INSECURE_ANNOTATION],
      secret?.metadata.resourceVersion,
    ]);
    if (m.connection?.key === key) return m.connection;
    m.connection?.http?.close();
    const access = memberAccess(cluster, secret, settings.clientAddress);
    m.connection = { key, access, ...(E.isRight(access) ? { http: memberHttp(access.right) } : {}) };
    m.rejected = undefined;
    return m.connection;
  };

  const probeHealth = async (http: MemberHttp, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> => {
    for (const endpoint of ['/readyz', '/healthz']) {
      const a = await http.get(endpoint, timeoutMs, signal);
      if (a._tag === 'Unreachable') return a;
      const r = healthResult(endpoint, a);
      if (r !== undefined) return r;
    }
    return { _tag: 'Unhealthy', endpoint: '/healthz', code: 404, detail: '' };
  };

  /** Appends what changed (conditions, capacity) to the Cluster's stream, re-deciding after a lost race. */
  const report = async (m: Member, result: ProbeResult, observed: ClusterObservation | undefined, server: string, now: Date): Promise<void> => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (!owns(m.shard) || m.removed) return;
      const s = view.state();
      const cluster = clusterOf(s, m.name);
      if (cluster === undefined) return;
      const recorded = recordedConditions(cluster);
      const next = observe({ conditions: recorded, failures: m.failures, successes: m.successes }, result, now,
        { failure: m.settings.failureThreshold, success: m.settings.successThreshold }, { cluster: m.name, server });
      const capacity = observed !== undefined && observationChanged(cluster['status'], observed) ? observed : undefined;
      const correlationId = newId();
      const event = (type: string, data: unknown): NewEvent => ({
        id: newId(), type, time: now.toISOString(), correlationId, causationId: null, actor: REGISTRY_ACTOR, data,
      });
      const events = [
        ...(next.changed ? [event('ClusterConditionChanged', { cluster: m.name, status: { conditions: next.state.conditions } })] : []),
        ...(capacity === undefined ? [] : [event('ClusterCapacityObserved', { cluster: m.name, status: capacity })]),
      ];
      if (events.length === 0) {
        m.failures = next.state.failures;
        m.successes = next.state.successes;
        return;
      }
      const appended = await log.append(m.stream, expectVersion(s.versions.get(m.stream) ?? 0), events);
      if (E.isRight(appended)) {
        m.failures = next.state.failures;
        m.successes = next.state.successes;
        if (next.changed) {
          metrics.transitions.inc();
          const ready = next.state.conditions.find((c) => c.type === 'Ready');
          logger.info({ cluster: m.name, key: m.stream, correlationId, from: healthOf(recorded), to: healthOf(next.state.conditions), message: ready?.message },
            'cluster health changed');
        }
        if (capacity !== undefined) {
          metrics.observations.inc();
          logger.info({ cluster: m.name, key: m.stream, correlationId, ...capacity }, 'cluster capacity observed');
        }
        if (isDnsLabel(m.name)) deps.bus.publish(deps.bus.subjects.cluster.health(m.name), KeysChanged, { keys: [m.stream] });
        await view.waitFor(appended.right.positions[appended.right.positions.length - 1] as string, catchUpMs);
        return;
      }
      metrics.conflicts.inc();
      logger.debug({ cluster: m.name, expected: appended.left.expected, actual: appended.left.actual }, 'lost an append race; deciding again');
      await view.waitFor(await log.head(), catchUpMs);
    }
    logger.warn({ cluster: m.name }, 'kept losing append races; the next probe tries again');
  };

  /** One probe round: health, nodes when due, then what changed into the log and the probe time into Redis. */
  const probe = async (m: Member, signal: AbortSignal): Promise<void> => {
    const started = performance.now();
    const cluster = clusterOf(view.state(), m.name);
    if (cluster === undefined) return;
    const { access, http } = connect(m, cluster);
    const timeoutMs = m.settings.timeoutMs;
    let result: ProbeResult;
    let observed: ClusterObservation | undefined;
    if (E.isLeft(access) || http === undefined) {
      result = { _tag: 'Misconfigured', message: E.isLeft(access) ? access.left.message : 'no connection' };
    } else {
      result = await probeHealth(http, timeoutMs, signal);
      const due = m.rounds % settings.nodesEvery === 0 || m.rejected !== undefined || result._tag !== m.lastHealth;
      m.lastHealth = result._tag;
      if (due && result._tag !== 'Unreachable' && !signal.aborted) {
        const nodes = await readNodes(http, timeoutMs, signal);
        if (nodes._tag === 'Read') {
          m.rejected = undefined;
          observed = nodes.observation;
        } else if (nodes._tag === 'Rejected') {
          m.rejected = nodes.code;
        } else {
          logger.debug({ cluster: m.name, reason: nodes.reason }, 'reading nodes failed; retrying with a later probe');
        }
      }
      if (result._tag === 'Healthy' && m.rejected !== undefined) result = { _tag: 'Rejected', code: m.rejected };
    }
    if (signal.aborted) return;
    m.rounds++;
    metrics.probes.inc({ result: resultLabel(result) });
    const now = clock();
    const server = E.isRight(access) ? access.right.server : serverAddressFor(cluster, settings.clientAddress) ?? `(no address for ${settings.clientAddress})`;
    await report(m, result, observed, server, now);
    if (owns(m.shard) && !m.removed) await times.record(m.name, now);
    metrics.duration.observe((performance.now() - started) / 1000);
  };

  const schedule = (m: Member, afterMs: number): void => {
    m.dueAt = nextProbeAt(afterMs, m.offsetMs, m.settings.periodMs);
    clearTimeout(m.timer);
    m.timer = setTimeout(() => fire(m), Math.max(0, m.dueAt - clock().getTime()));
  };

  function fire(m: Member): void {
    if (m.removed) return;
    const dueAt = m.dueAt;
    const now = clock().getTime();
    // The next slot first: a slow round never shifts the cadence (and a timer firing early never repeats a slot).
    schedule(m, Math.max(now, dueAt));
    if (!owns(m.shard)) return;
    if (m.round !== undefined) {
      metrics.skipped.inc();
      return;
    }
    metrics.lateness.observe(Math.max(0, now - dueAt) / 1000);
    const abort = new AbortController();
    m.abort = abort;
    m.round = probe(m, abort.signal)
      .catch((err: unknown) => logger.error({ cluster: m.name, err: err instanceof Error ? err.message : String(err) }, 'probe round failed'))
      .finally(() => {
        m.round = undefined;
        if (m.removed) m.connection?.http?.close();
      });
  }

  const remove = (m: Member): void => {
    m.removed = true;
    clearTimeout(m.timer);
    m.abort?.abort();
    if (m.round === undefined) m.connection?.http?.close();
    members.delete(m.name);
    metrics.clusters.set(members.size);
  };

  /** Brings one cluster's prober in line with the read model and the shards held: start, adjust or stop it. */
  const sync = (name: string): void => {
    const cluster = clusterOf(view.state(), name);
    const shard = shardOf(name, settings.shards);
    const existing = members.get(name);
    if (cluster === undefined || !held.has(shard) || lifecycle.stopping()) {
      if (existing !== undefined) remove(existing);
      if (cluster === undefined && held.has(shard)) {
        times.forget(name).catch((err: unknown) => logger.warn({ cluster: name, err: String(err) }, 'could not forget the probe time'));
      }
      return;
    }
    const { settings: probe, problems } = probeSettingsFor(cluster.metadata.annotations, settings.probe);
    const m: Member = existing ?? {
      name, stream: objectStream(clusterRef(name)), shard, settings: probe, problems: '', offsetMs: probeOffset(name, probe.periodMs),
      dueAt: 0, rounds: 0, failures: 0, successes: 0, removed: false,
    };
    const text = problems.join('; ');
    if (text !== m.problems && text !== '') logger.warn({ cluster: name, problems }, 'ignoring invalid probe annotations');
    m.problems = text;
    if (existing === undefined) {
      members.set(name, m);
      metrics.clusters.set(members.size);
      schedule(m, clock().getTime());
    } else if (probe.periodMs !== m.settings.periodMs) {
      m.settings = probe;
      m.offsetMs = probeOffset(name, probe.periodMs);
      schedule(m, clock().getTime());
    } else {
      m.settings = probe;
    }
  };

  const clusterNames = (): string[] => [...(view.state().byKind.get(CLUSTER_KIND) ?? [])].map((s) => parseObjectStream(s)?.name ?? '');

  const unsubscribe = view.onApplied((events) => {
    const names = new Set<string>();
    for (const e of events) {
      const ref = parseObjectStream(e.stream);
      if (ref?.group === 'federation' && ref.kind === 'Cluster') names.add(ref.name);
    }
    names.forEach(sync);
  });

  const leases = startShardLeases({
    redis: deps.redis, keys: log.keys, role: 'registry', replica: deps.replica, shards: settings.shards, ttlMs: settings.leaseTtlMs, logger,
    onAcquired: (shards) => {
      // The previous holder may have recorded a transition moments ago: start from it, not from older conditions.
      void log.head().then((head) => view.waitFor(head, catchUpMs)).then(
        () => {
          const taken = shards.filter((s) => owns(s));
          for (const s of taken) held.add(s);
          clusterNames().filter((n) => taken.includes(shardOf(n, settings.shards))).forEach(sync);
        },
        (err: unknown) => logger.error({ err }, 'catching up after taking shards failed'),
      );
    },
    onLost: (shards) => {
      for (const s of shards) held.delete(s);
      for (const m of [...members.values()]) if (shards.includes(m.shard)) remove(m);
    },
  });
  owns = leases.owns;

  const lifecycle = stopOnce(async () => {
    unsubscribe();
    const rounds = [...members.values()].map((m) => m.round);
    for (const m of [...members.values()]) remove(m);
    await Promise.all(rounds);
    await leases.stop();
    await view.stop();
  });
  logger.info({ shards: settings.shards, probe: settings.probe, nodesEvery: settings.nodesEvery }, 'registry started');
  return { owned: leases.owned, ready: () => !lifecycle.stopping(), stopped: lifecycle.stopped, stop: lifecycle.stop };
}
