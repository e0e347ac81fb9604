// The aggregator service: folds member status reports into the status of federated objects, appended as StatusAggregated.
import * as E from 'fp-ts/lib/Either.js';
import { Counter } from 'prom-client';
import { comparePositions, expectVersion, type NewEvent } from '../../libs/events/envelope.js';
import { objectStream, parseObjectStream } from '../../libs/events/streams.js';
import { aggregate, statusChange } from '../../libs/aggregation/aggregate.js';
import { statusContributions } from '../../libs/federation/contributions.js';
import { getArray } from '../../libs/kube-api/json.js';
import { clusterHealth, notPlacedBecause } from '../../libs/scheduling/decide.js';
import { MemberResyncRequested, MemberStatusReported, type MemberObjectReport } from '../../libs/sync/member-status.js';
import { syncView } from '../../libs/sync/view.js';
import type { EventStamping, ReplicaDeps } from '../../libs/infra/lifecycle/replica.js';
import { stopOnce, type Service } from '../../libs/infra/lifecycle/service.js';
import type { BusSubscription } from '../../libs/infra/nats/bus.js';
import { subjectTail } from '../../libs/infra/nats/subjects.js';
import type { AppendRequest } from '../../libs/infra/redis/eventlog.js';
import { shardOf, startShardLeases } from '../../libs/infra/redis/leases.js';
import { runProjection } from '../../libs/infra/redis/projection-runner.js';

export const AGGREGATOR_ACTOR = 'system:aggregator';

export interface AggregatorSettings {
  readonly shards: number;
  readonly leaseTtlMs: number;
  /** Objects whose reports changed are aggregated together once per this interval: at most one StatusAggregated per object per interval. */
  readonly coalesceMs: number;
  /** How long a flush waits for the read model to show its own appends. */
  readonly catchUpMs?: number;
}

export interface AggregatorDeps extends ReplicaDeps, EventStamping {
  readonly settings: AggregatorSettings;
}

export interface Aggregator extends Service {
  /** Object shards this replica aggregates now. */
  owned(): readonly number[];
}

/**
 * Starts an aggregator replica. Every replica hears every member report (member.status.*) and keeps
 * the latest per (object, cluster); objects are split between replicas by shard leases, and only
 * the holder of an object's shard appends its status. Appends carry the stream version the replica
 * saw, so a replica working past its lease loses to the new holder instead of writing twice.
 */
export async function start(deps: AggregatorDeps): Promise<Aggregator> {
  const { log, bus, settings } = deps;
  const logger = deps.logger.child({ replica: deps.replica });
  const catchUpMs = settings.catchUpMs ?? 5000;
  // Secrets are neither placed differently nor counted: their data stays sealed here.
  const view = runProjection({ log, logger, projection: syncView({ unseal: () => undefined, contributions: statusContributions, changeWindow: 0 }) });
  const appended = deps.metrics === undefined ? undefined
    : new Counter({ name: 'kfed_aggregator_events_total', help: 'StatusAggregated events appended', registers: [deps.metrics] });

  /** stream → cluster → the latest report. */
  const reports = new Map<string, Map<string, MemberObjectReport>>();
  const dirty = new Set<string>();
  let owns: (shard: number) => boolean = () => false;
  const mine = (stream: string): boolean => owns(shardOf(stream, settings.shards));

  const onReports = ({ cluster, objects }: MemberStatusReported, subject: string): void => {
    // The subject names the cluster; a payload that says otherwise is not trusted with another cluster's counts.
    if (subjectTail(subject) !== cluster) return;
    for (const r of objects) {
      let perCluster = reports.get(r.key);
      if (!r.present && r.conditions[0]?.reason === 'NotPlaced') {
        perCluster?.delete(cluster);
        if (perCluster?.size === 0) reports.delete(r.key);
      } else {
        if (perCluster === undefined) reports.set(r.key, (perCluster = new Map()));
        perCluster.set(cluster, r);
      }
      dirty.add(r.key);
    }
  };

  const clusterReady = (name: string): boolean => {
    const c = view.state().federation.objects.get(objectStream({ group: 'federation', kind: 'Cluster', namespace: '', name }))?.object;
    // No word from the registry yet is not bad news: only conditions that do not say Ready are.
    return c === undefined || getArray(c, 'status', 'conditions').length === 0 || clusterHealth(c).state === 'Ready';
  };

  /** The append that brings one object's status up to date, if it needs one. */
  const requestFor = (stream: string, now: Date): AppendRequest | undefined => {
    const s = view.state();
    const stored = s.federation.objects.get(stream);
    const placement = s.placements.get(stream);
    if (stored === undefined || placement === undefined || notPlacedBecause(stored.ref) !== undefined) return undefined;
    const status = aggregate({ stored, placement, reports: reports.get(stream) ?? new Map(), clusterReady, now: now.toISOString() });
    const change = statusChange(stored.object, status);
    if (change === undefined) return undefined;
    const event: NewEvent = {
      id: deps.newId(), type: 'StatusAggregated', time: now.toISOString(), correlationId: deps.newId(), causationId: null,
      actor: AGGREGATOR_ACTOR, data: { ref: stored.ref, ...change },
    };
    return { stream, expected: expectVersion(s.federation.versions.get(stream) ?? 0), events: [event] };
  };

  let flushing: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    const now = deps.clock();
    const requests: AppendRequest[] = [];
    for (const stream of dirty) {
      dirty.delete(stream);
      if (!mine(stream)) continue;
      const request = requestFor(stream, now);
      if (request !== undefined) requests.push(request);
    }
    if (requests.length === 0) return;
    const results = await log.appendBatch(requests);
    logger.debug({ appends: requests.length }, 'aggregated status appended');
    let last = '0';
    results.forEach((r, i) => {
      const stream = (requests[i] as AppendRequest).stream;
      if (E.isRight(r)) {
        appended?.inc();
        const position = r.right.positions[0] as string;
        if (comparePositions(position, last) > 0) last = position;
      } else {
        dirty.add(stream); // another writer got there first: aggregate again on the newer state
      }
    });
    // The next flush must see these statuses as current, or it would append them again.
    if (last !== '0') await view.waitFor(last, catchUpMs);
  };
  const timer = setInterval(() => {
    flushing = flushing.then(flush).catch((err: unknown) => logger.error({ err }, 'appending aggregated status failed; retrying'));
  }, settings.coalesceMs);

  await view.ready;
  const unsubscribe = view.onApplied((events) => {
    const s = view.state();
    for (const e of events) {
      if (e.type === 'StatusAggregated') continue;
      const ref = parseObjectStream(e.stream);
      if (ref === undefined) continue;
      if (ref.group === 'federation' && ref.kind === 'Cluster') {
        // Health changes what counts as ready on every object placed there.
        if (e.type === 'ClusterConditionChanged') for (const stream of s.byCluster.get(ref.name) ?? []) dirty.add(stream);
      } else if (e.type === 'ObjectDeleted') {
        reports.delete(e.stream);
        dirty.delete(e.stream);
      } else {
        dirty.add(e.stream);
      }
    }
  });
  const subscription: BusSubscription = bus.subscribe(bus.subjects.member.status('*'), MemberStatusReported, (m, d) => onReports(m, d.subject));
  await bus.flush();

  const askForReports = (reason: string): void => bus.publish(bus.subjects.member.resync(), MemberResyncRequested, { reason });
  const aggregateAgain = (shards: readonly number[]): void => {
    const taken = new Set(shards);
    for (const stream of view.state().placements.keys()) if (taken.has(shardOf(stream, settings.shards))) dirty.add(stream);
  };
  const leases = startShardLeases({
    redis: deps.redis, keys: log.keys, role: 'aggregator', replica: deps.replica, shards: settings.shards, ttlMs: settings.leaseTtlMs, logger,
    onAcquired: (shards) => {
      aggregateAgain(shards);
      askForReports('an aggregator took over objects');
    },
    // Reports kept arriving while the lease had lapsed; only the flushes that skipped these objects are owed.
    onResumed: aggregateAgain,
    onLost: (shards) => logger.info({ shards }, 'no longer aggregating these shards'),
  });
  owns = leases.owns;

  const lifecycle = stopOnce(async () => {
    clearInterval(timer);
    unsubscribe();
    await subscription.stop();
    await flushing;
    await leases.stop();
    await view.stop();
  });
  logger.info({ shards: settings.shards, coalesceMs: settings.coalesceMs }, 'aggregator started');
  return { owned: leases.owned, ready: () => !lifecycle.stopping(), stopped: lifecycle.stopped, stop: lifecycle.stop };
}
