// The syncer service: makes each member cluster it serves hold what the federation placed there, and reports what the members run.
import * as E from 'fp-ts/lib/Either.js';
import { Counter, Gauge } from 'prom-client';
import { objectStream, parseObjectStream } from '../../libs/events/streams.js';
import { statusContributions } from '../../libs/federation/contributions.js';
import { memberAccess, type MemberAccess } from '../../libs/federation/member-access.js';
import { objectsOfKind } from '../../libs/federation/state.js';
import { SYSTEM_NAMESPACE } from '../../libs/federation/types.js';
import { getString } from '../../libs/kube-api/json.js';
import { matchesLabels, type LabelSelector } from '../../libs/kube-api/selectors.js';
import { desiredFor } from '../../libs/sync/desired.js';
import { MemberResyncRequested, MemberStatusReported } from '../../libs/sync/member-status.js';
import { syncView } from '../../libs/sync/view.js';
import type { ReplicaDeps } from '../../libs/infra/lifecycle/replica.js';
import { stopOnce, type Service } from '../../libs/infra/lifecycle/service.js';
import type { BusSubscription } from '../../libs/infra/nats/bus.js';
import { createGate } from '../../libs/infra/lifecycle/gate.js';
import { shardOf, startShardLeases } from '../../libs/infra/redis/leases.js';
import { runProjection } from '../../libs/infra/redis/projection-runner.js';
import { startClusterSync, type ClusterSync, type ClusterSyncSettings } from './cluster-sync.js';

const CLUSTER_KIND = 'federation/Cluster';

export interface SyncerSettings extends ClusterSyncSettings {
  /** Which clusters this syncer may serve, by their Cluster labels. */
  readonly selector: LabelSelector;
  /** Syncers of one pool split the clusters between them (lease role `syncer-<pool>`). */
  readonly pool: string;
  readonly shards: number;
  readonly leaseTtlMs: number;
  /** Object reads and writes in flight at once across every member this replica serves. */
  readonly maxInFlight: number;
  /** Collection lists in flight at once across every member this replica serves. */
  readonly maxListsInFlight: number;
  /** This syncer's address as members see it (picks serverAddressByClientCIDRs). */
  readonly clientAddress: string;
}

export interface SyncerDeps extends ReplicaDeps {
  /** Opens Secret data sealed in the log (member kubeconfigs, propagated Secrets). */
  readonly unseal: (sealed: string, context: string) => string | undefined;
  readonly settings: SyncerSettings;
}

export interface Syncer extends Service {
  /** The member clusters this replica serves now. */
  clusters(): readonly string[];
}

const sameAccess = (a: MemberAccess, b: MemberAccess): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Starts a syncer replica. It folds the log into a SyncView, holds leases on a share of the cluster
 * shards of its pool, and serves every Cluster its selector picks in the shards it holds: per
 * cluster a queue of object keys fed by placement changes, member informers and a periodic resync.
 * A lease lost to expiry may leave two replicas writing one cluster for a moment: both write the
 * same rendered objects with server-side apply, which is idempotent.
 */
export async function start(deps: SyncerDeps): Promise<Syncer> {
  const { log, bus, settings } = deps;
  const federation = bus.federation;
  const logger = deps.logger.child({ replica: deps.replica });
  const view = runProjection({ log, logger, projection: syncView({ unseal: deps.unseal, contributions: statusContributions, changeWindow: 0 }) });
  const writes = deps.metrics === undefined ? undefined
    : new Counter({ name: 'kfed_syncer_writes_total', help: 'Writes to member clusters', labelNames: ['verb'], registers: [deps.metrics] });
  const served = deps.metrics === undefined ? undefined
    : new Gauge({ name: 'kfed_syncer_clusters', help: 'Member clusters this replica serves', registers: [deps.metrics] });

  const syncs = new Map<string, ClusterSync>();
  /** Clusters each object was placed on at the last look: a placement change also concerns the clusters it left. */
  const placedBefore = new Map<string, readonly string[]>();
  const accessProblems = new Map<string, string>();
  const accessCache = new Map<string, { readonly version: string; readonly access: ReturnType<typeof memberAccess> }>();
  let owns: (shard: number) => boolean = () => false;

  const gate = createGate(settings.maxInFlight);
  const listGate = createGate(settings.maxListsInFlight);
  const startSync = (cluster: string, access: MemberAccess): ClusterSync => startClusterSync({
    cluster, access, federation, logger, settings, gate, listGate,
    desired: (stream) => desiredFor(view.state(), stream, cluster, federation),
    placed: () => view.state().byCluster.get(cluster) ?? [],
    publish: (objects) => bus.publish(bus.subjects.member.status(cluster), MemberStatusReported, { cluster, objects }),
    wrote: (verb) => writes?.inc({ verb }),
  });

  /** Serves exactly the clusters that match the selector, lie in a held shard and can be reached with their credentials. */
  const reconcileOwnership = (): void => {
    if (lifecycle.stopping()) return;
    const s = view.state();
    const wanted = new Map<string, MemberAccess>();
    for (const cluster of objectsOfKind(s.federation, CLUSTER_KIND)) {
      const name = cluster.metadata.name ?? '';
      if (!matchesLabels(settings.selector, cluster.metadata.labels) || !owns(shardOf(name, settings.shards))) continue;
      const secretName = getString(cluster, 'spec', 'secretRef', 'name');
      const secret = secretName === undefined ? undefined
        : s.federation.objects.get(objectStream({ group: '', kind: 'Secret', namespace: SYSTEM_NAMESPACE, name: secretName }))?.object;
      // Parsing a kubeconfig per cluster on every look would cost a thousand clusters dearly: only when the Cluster or its Secret changed.
      const version = `${cluster.metadata.resourceVersion ?? ''}/${secret?.metadata.resourceVersion ?? ''}`;
      let known = accessCache.get(name);
      if (known?.version !== version) accessCache.set(name, (known = { version, access: memberAccess(cluster, secret, settings.clientAddress) }));
      const access = known.access;
      if (E.isLeft(access)) {
        if (accessProblems.get(name) !== access.left.message) logger.warn({ cluster: name, problem: access.left.message }, 'cannot reach member cluster');
        accessProblems.set(name, access.left.message);
        continue;
      }
      accessProblems.delete(name);
      wanted.set(name, access.right);
    }
    for (const [name, sync] of syncs) {
      const access = wanted.get(name);
      if (access !== undefined && sameAccess(access, sync.access)) continue;
      syncs.delete(name);
      void sync.stop();
    }
    for (const [name, access] of wanted) if (!syncs.has(name)) syncs.set(name, startSync(name, access));
    served?.set(syncs.size);
  };

  await view.ready;
  for (const [stream, placement] of view.state().placements) placedBefore.set(stream, Object.keys(placement));
  const unsubscribe = view.onApplied((events) => {
    let clustersChanged = false;
    const s = view.state();
    for (const e of events) {
      const ref = parseObjectStream(e.stream);
      if (ref === undefined || e.type === 'StatusAggregated') continue;
      if ((ref.group === 'federation' && ref.kind === 'Cluster') || (ref.namespace === SYSTEM_NAMESPACE && ref.kind === 'Secret')) {
        clustersChanged = true;
        continue;
      }
      const now = Object.keys(s.placements.get(e.stream) ?? {});
      const clusters = new Set([...(placedBefore.get(e.stream) ?? []), ...now]);
      if (now.length === 0) placedBefore.delete(e.stream);
      else placedBefore.set(e.stream, now);
      for (const cluster of clusters) syncs.get(cluster)?.enqueue(e.stream);
      // A copy kept by the orphan annotation outlives its placement: changes of the object itself concern it too.
      if (e.type === 'ObjectApplied' || e.type === 'ObjectDeleted') {
        for (const [cluster, sync] of syncs) if (!clusters.has(cluster) && sync.holds(e.stream)) sync.enqueue(e.stream);
      }
    }
    if (clustersChanged) reconcileOwnership();
  });

  const leases = startShardLeases({
    redis: deps.redis, keys: log.keys, role: `syncer-${settings.pool}`, replica: deps.replica, shards: settings.shards,
    ttlMs: settings.leaseTtlMs, logger,
    onAcquired: reconcileOwnership,
    onLost: reconcileOwnership,
  });
  // Members are served while their shard is held, with a grace of one ttl: a syncer that stalls (a busy
  // event loop) keeps its members until a renewal says whether another replica took them. Overlapping
  // for that moment is harmless (both apply the same desired state), while dropping every member and
  // listing it again on each stall made a busy syncer busier.
  owns = leases.holds;
  // Leases can also lapse without a renewal failing (a stalled process): look again as often as they are renewed.
  const ownershipTimer = setInterval(reconcileOwnership, Math.max(50, Math.floor(settings.leaseTtlMs / 3)));
  const resyncRequests: BusSubscription = bus.subscribe(bus.subjects.member.resync(), MemberResyncRequested, () => syncs.forEach((s) => s.resendReports()));
  // Before the first await: reconcileOwnership asks it whether the syncer is stopping.
  const lifecycle = stopOnce(async () => {
    unsubscribe();
    clearInterval(ownershipTimer);
    await resyncRequests.stop();
    await Promise.all([...syncs.values()].map((s) => s.stop()));
    syncs.clear();
    await leases.stop();
    await view.stop();
  });
  await bus.flush();

  logger.info({ pool: settings.pool, shards: settings.shards, selector: settings.selector }, 'syncer started');
  return { clusters: () => [...syncs.keys()].sort(), ready: () => !lifecycle.stopping(), stopped: lifecycle.stopped, stop: lifecycle.stop };
}
