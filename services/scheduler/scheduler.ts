// The scheduler service: decides where every federated object runs and records each change as a PlacementDecided.
import * as E from 'fp-ts/lib/Either.js';
import { Counter } from 'prom-client';
import { expectVersion, type NewEvent } from '../../libs/events/envelope.js';
import { parseObjectStream } from '../../libs/events/streams.js';
import { statusContributions } from '../../libs/federation/contributions.js';
import { objectsOfKind } from '../../libs/federation/state.js';
import { isDnsLabel } from '../../libs/config/codecs.js';
import { decide, type PlacementDecidedData, type SchedulingConfig } from '../../libs/scheduling/decide.js';
import { causeOf, schedulerView, type SchedulerView } from '../../libs/scheduling/view.js';
import { createReconciler, type ReconcileResult } from '../../libs/infra/lifecycle/reconciler.js';
import type { EventStamping, ReplicaDeps } from '../../libs/infra/lifecycle/replica.js';
import { stopOnce, type Service } from '../../libs/infra/lifecycle/service.js';
import type { BusSubscription } from '../../libs/infra/nats/bus.js';
import { KeysChanged } from '../../libs/infra/nats/hints.js';
import { shardOf, startShardLeases } from '../../libs/infra/redis/leases.js';
import { runProjection } from '../../libs/infra/redis/projection-runner.js';

export const SCHEDULER_ACTOR = 'system:scheduler';
const CLUSTER_KIND = 'federation/Cluster';
/** Attempts at one object's decision that keep losing races before the reconciler retries it later. */
const MAX_ATTEMPTS = 5;

export interface SchedulerSettings {
  readonly scheduling: SchedulingConfig;
  readonly shards: number;
  readonly leaseTtlMs: number;
  readonly concurrency: number;
  /** How long a decision waits for the projection to show the log up to a given point. */
  readonly catchUpMs?: number;
}

export interface SchedulerDeps extends ReplicaDeps, EventStamping {
  readonly settings: SchedulerSettings;
}

export interface Scheduler extends Service {
  /** Shards whose objects this replica decides now. */
  owned(): readonly number[];
}

/**
 * Starts a scheduler replica. It folds the log into a SchedulerView, holds leases on a share of the
 * object shards, and reconciles each object of its shards whenever something that can move it
 * changes: the object, its aggregated status, any Cluster, or a failover/recovery delay running out.
 *
 * Exactly-once decisions: a shard is leased to one replica at a time, and every decision is
 * appended with the object stream's version as the scheduler saw it. A replica that decided on a
 * stale view (or kept working past its lease) gets a VersionConflict, catches up, and decides again
 * on the newer state, where the placement it wanted is usually recorded already: it appends nothing.
 */
export async function start(deps: SchedulerDeps): Promise<Scheduler> {
  const { log, bus, clock, newId, settings } = deps;
  const logger = deps.logger.child({ replica: deps.replica });
  const catchUpMs = settings.catchUpMs ?? 5000;
  // The scheduler never needs Secret data: it leaves it sealed.
  const view = runProjection({ log, logger, projection: schedulerView({ unseal: () => undefined, contributions: statusContributions, changeWindow: 0 }) });
  const decided = deps.metrics === undefined ? undefined
    : new Counter({ name: 'kfed_scheduler_decisions_total', help: 'PlacementDecided events appended', registers: [deps.metrics] });
  const conflicts = deps.metrics === undefined ? undefined
    : new Counter({ name: 'kfed_scheduler_conflicts_total', help: 'Decisions that lost an append race and were re-decided', registers: [deps.metrics] });

  let owns: (shard: number) => boolean = () => false;
  const mine = (stream: string): boolean => owns(shardOf(stream, settings.shards));
  const clusterStreams = (s: SchedulerView): Iterable<string> => s.federation.byKind.get(CLUSTER_KIND) ?? [];

  /** Tells the syncers of the clusters whose count of this object changed. */
  const hintSyncers = (stream: string, d: PlacementDecidedData): void => {
    const before = d.previous ?? {};
    for (const name of new Set([...Object.keys(before), ...Object.keys(d.placement)])) {
      if (before[name] !== d.placement[name] && isDnsLabel(name)) bus.publish(bus.subjects.cluster.sync(name), KeysChanged, { keys: [stream] });
    }
  };

  const after = (nextCheckAt: number | undefined, now: number): ReconcileResult =>
    nextCheckAt === undefined ? 'done' : { retryAfterMs: Math.max(0, nextCheckAt - now) + 1 };

  const reconcile = async (stream: string): Promise<ReconcileResult> => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (!mine(stream)) return 'done';
      const s = view.state();
      const stored = s.federation.objects.get(stream);
      if (stored === undefined) return 'done';
      const now = clock();
      const d = decide(stored, objectsOfKind(s.federation, CLUSTER_KIND), s.decisions.get(stream)?.data, now.getTime(), settings.scheduling);
      switch (d._tag) {
        case 'NotPlaced': return 'done';
        case 'Invalid':
          logger.warn({ key: stream, problem: d.message }, 'cannot place the object; its placement stays as it was');
          return 'done';
        case 'Unchanged': return after(d.nextCheckAt, now.getTime());
        case 'Decided': break;
      }
      const { cause, own } = causeOf(s, stream, clusterStreams(s));
      const correlationId = own && cause !== undefined ? cause.correlationId : newId();
      const event: NewEvent = {
        id: newId(), type: 'PlacementDecided', time: now.toISOString(), correlationId, causationId: cause?.id ?? null,
        actor: SCHEDULER_ACTOR, data: d.data,
      };
      const appended = await log.append(stream, expectVersion(s.federation.versions.get(stream) ?? 0), [event]);
      if (E.isRight(appended)) {
        decided?.inc();
        logger.info({ key: stream, correlationId, placement: d.data.placement, reason: d.data.reason }, 'placement decided');
        hintSyncers(stream, d.data);
        // The next run of this key must see this decision as the previous one.
        await view.waitFor(appended.right.positions[0] as string, catchUpMs);
        return after(d.nextCheckAt, now.getTime());
      }
      conflicts?.inc();
      logger.debug({ key: stream, expected: appended.left.expected, actual: appended.left.actual }, 'lost an append race; deciding again');
      await view.waitFor(await log.head(), catchUpMs);
    }
    return { retryAfterMs: 100 };
  };

  const reconciler = createReconciler({ name: 'placement', reconcile, logger, concurrency: settings.concurrency });
  const enqueue = (stream: string): void => {
    if (mine(stream)) reconciler.enqueue(stream);
  };
  const enqueueAll = (filter: (stream: string) => boolean): void => {
    for (const [stream, { ref }] of view.state().federation.objects) {
      if (!(ref.group === 'federation' && ref.kind === 'Cluster') && filter(stream)) enqueue(stream);
    }
  };

  await view.ready;
  const unsubscribe = view.onApplied((events) => {
    let clustersChanged = false;
    for (const e of events) {
      // Decisions are this service's own output; capacity is not an input of the planner.
      if (e.type === 'PlacementDecided' || e.type === 'ClusterCapacityObserved') continue;
      const ref = parseObjectStream(e.stream);
      if (ref === undefined) continue;
      if (ref.group === 'federation' && ref.kind === 'Cluster') clustersChanged = true;
      else enqueue(e.stream);
    }
    if (clustersChanged) enqueueAll(() => true);
  });

  const leases = startShardLeases({
    redis: deps.redis, keys: log.keys, role: 'scheduler', replica: deps.replica, shards: settings.shards, ttlMs: settings.leaseTtlMs, logger,
    onAcquired: (shards) => {
      // The previous holder may have decided moments ago: see its decisions before deciding.
      const taken = new Set(shards);
      void log.head().then((head) => view.waitFor(head, catchUpMs)).then(
        () => enqueueAll((stream) => taken.has(shardOf(stream, settings.shards))),
        (err: unknown) => logger.error({ err }, 'catching up after taking shards failed'),
      );
    },
    onLost: (shards) => logger.info({ shards }, 'no longer deciding these shards'),
  });
  owns = leases.owns;

  const nudges: BusSubscription = bus.subscribe(bus.subjects.reconcile('scheduler'), KeysChanged, ({ keys }) => keys.forEach(enqueue));

  const lifecycle = stopOnce(async () => {
    unsubscribe();
    await nudges.stop();
    await reconciler.stop();
    await leases.stop();
    await view.stop();
  });
  logger.info({ shards: settings.shards, scheduling: settings.scheduling }, 'scheduler started');
  return { owned: leases.owned, ready: () => !lifecycle.stopping(), stopped: lifecycle.stopped, stop: lifecycle.stop };
}
