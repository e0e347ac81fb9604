// Scheduler benchmark: plans/s of kfed's planner against the baseline port of the Go planner, then decisions/s and latency of the scheduler service end to end, each against a same-run baseline.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { expectAny, type NewEvent } from '../libs/events/envelope.js';
import { objectStream, type ObjectRef } from '../libs/events/streams.js';
import { createLogger } from '../libs/infra/log/logger.js';
import { connectRedis, deleteMatching } from '../libs/infra/redis/connection.js';
import { createEventLog, type EventLog } from '../libs/infra/redis/eventlog.js';
import { runProjection } from '../libs/infra/redis/projection-runner.js';
import { plan, type PlanInput, type PlanResult } from '../libs/placement/planner.js';
import { PREFERENCES_ANNOTATION } from '../libs/placement/preferences.js';
import { baselinePlan } from './_baseline-planner.js';
import { percentile, printTable, type Row } from './_report.js';

const SIZES = [3, 10, 100, 1000] as const;
/** Plans/s of Federation v1's Go planner for this workload, as reported in the planner's issue. */
const GO_PLANS_PER_SECOND: Readonly<Record<number, number>> = { 3: 1_480_000, 10: 420_000, 100: 33_000, 1000: 2_700 };
const KEYS = 16; // objects planned in turn, so that the tie hashes differ between plans

type Workload = (clusters: readonly string[], key: string) => PlanInput;

/** The workload: "*" weight 1, rebalance on, 10 replicas per cluster. */
const evenSplit: Workload = (clusters, key) => ({
  preferences: { rebalance: true, clusters: { '*': { weight: 1 } } }, totalReplicas: 10 * clusters.length, clusters, key,
});
/** One replica more than divides evenly: the last round's order matters, so clusters are hashed and sorted. */
const unevenSplit: Workload = (clusters, key) => ({ ...evenSplit(clusters, key), totalReplicas: 10 * clusters.length + 1 });
/** The default (rebalance false) scaling up by one with 10 running everywhere: Go spends a round per running replica. */
const scaleUpByOne: Workload = (clusters, key) => ({
  preferences: { rebalance: false, clusters: { '*': { weight: 1 } } }, totalReplicas: 10 * clusters.length + 1, clusters, key,
  current: Object.fromEntries(clusters.map((c) => [c, 10])),
});

function plansPerSecond(planner: (input: PlanInput) => PlanResult, inputs: readonly PlanInput[], ms: number): number {
  let sink = 0;
  // Runs batches of doubling size for `duration` ms; returns [plans, elapsed ms].
  const timed = (duration: number): [number, number] => {
    let done = 0;
    let size = 1;
    const t0 = performance.now();
    let elapsed = 0;
    while (elapsed < duration) {
      for (let k = 0; k < size; k++) sink += Object.keys(planner(inputs[(done + k) % inputs.length] as PlanInput).overflow).length;
      done += size;
      size = Math.min(size * 2, 10_000);
      elapsed = performance.now() - t0;
    }
    return [done, elapsed];
  };
  timed(Math.max(100, ms / 4)); // warm-up: let the JIT settle
  const [done, elapsed] = timed(ms);
  if (sink < 0) throw new Error('unreachable');
  return (done / elapsed) * 1000;
}

function measure(workload: Workload, ms: number, withGo: boolean): Row[] {
  return SIZES.map((n) => {
    const clusters = Array.from({ length: n }, (_, i) => `member-${String(i).padStart(4, '0')}`);
    const inputs = Array.from({ length: KEYS }, (_, k) => workload(clusters, `default/app-${k}`));
    for (const input of inputs) {
      if (canonical(plan(input)) !== canonical(baselinePlan(input))) {
        throw new Error(`planner and baseline disagree at ${n} clusters`);
      }
    }
    const kfed = plansPerSecond(plan, inputs, ms);
    const baseline = plansPerSecond(baselinePlan, inputs, ms);
    const row: Row = { clusters: n, 'kfed plans/s': Math.round(kfed), 'baseline plans/s': Math.round(baseline), 'vs baseline': `${(kfed / baseline).toFixed(1)}x` };
    return withGo ? { ...row, 'Go reference plans/s': GO_PLANS_PER_SECOND[n] ?? '', 'vs Go': `${(kfed / (GO_PLANS_PER_SECOND[n] ?? NaN)).toFixed(1)}x` } : row;
  });
}

const canonical = (r: PlanResult): string =>
  JSON.stringify([Object.entries(r.plan).sort(), Object.entries(r.overflow).sort()]);

export async function run(args: string[]): Promise<void> {
  const msArg = args.indexOf('--ms');
  const ms = msArg >= 0 ? Number(args[msArg + 1]) : 500;
  if (!(ms > 0)) throw new Error('usage: npm run bench -- scheduler [--ms MILLISECONDS_PER_MEASUREMENT] [--objects N]');

  printTable('Replica planner: "*" weight 1, rebalance on, 10 replicas per cluster (baseline = Go planner ported line by line, same run)',
    measure(evenSplit, ms, true));
  printTable('Replica planner: 10 per cluster + 1 (order decides the last replica)', measure(unevenSplit, ms, false));
  printTable('Replica planner: rebalance off, 10 running per cluster, scale up by one', measure(scaleUpByOne, ms, false));

  await endToEnd(args);
}

// ---- End-to-end placement decisions ----

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const CLUSTERS = ['new-york', 'berlin', 'tokyo'];
/** Karmada's published scheduling latency p99 (ms), the target. */
const KARMADA_P99_MS = 32;

const rsRef = (name: string): ObjectRef => ({ group: 'apps', kind: 'ReplicaSet', namespace: 'default', name });

function applied(ref: ObjectRef, replicas: number, actor = 'bench'): NewEvent {
  const weights = Object.fromEntries(CLUSTERS.map((c, i) => [c, { minReplicas: 0, maxReplicas: 100, weight: i + 1 }]));
  return {
    id: randomUUID(), type: 'ObjectApplied', time: new Date().toISOString(),
    correlationId: randomUUID(), causationId: null, actor,
    data: {
      ref,
      object: {
        apiVersion: 'apps/v1', kind: 'ReplicaSet',
        metadata: { name: ref.name, namespace: ref.namespace, uid: randomUUID(), generation: 1,
          annotations: { [PREFERENCES_ANNOTATION]: JSON.stringify({ rebalance: true, clusters: weights }) } },
        spec: { replicas, selector: { matchLabels: { app: ref.name } },
          template: { metadata: { labels: { app: ref.name } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } },
      },
    },
  };
}

/** Appends `events`, one per object stream, in batches of `batch` (each stream new). */
async function appendAll(log: EventLog, events: readonly NewEvent[], batch: number): Promise<void> {
  for (let i = 0; i < events.length; i += batch) {
    const slice = events.slice(i, i + batch);
    const results = await log.appendBatch(slice.map((e) => ({ stream: objectStream((e.data as { ref: ObjectRef }).ref), expected: expectAny, events: [e] })));
    if (results.some(E.isLeft)) throw new Error('unexpected conflict');
  }
}

/** The scheduler as deployed: its own process (dist/services/scheduler/main.js), one replica. */
function spawnScheduler(federation: string): ChildProcess {
  const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'services', 'scheduler', 'main.js');
  return spawn(process.execPath, [main], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, KFED_FEDERATION: federation, REDIS_URL: redisUrl, NATS_URL: natsUrl, LOG_LEVEL: 'warn', KFED_SCHEDULER_SHARDS: '8' },
  });
}

async function endToEnd(args: readonly string[]): Promise<void> {
  const nArg = args.indexOf('--objects');
  const objects = nArg >= 0 ? Number(args[nArg + 1]) : 5000;
  const samples = 500;
  const batch = 100;
  const redis = connectRedis(redisUrl, 'bench-scheduler');
  const federation = `bench-${randomUUID().slice(0, 8)}`;
  const baselineFederation = `${federation}-raw`;
  const log = createEventLog(redis, federation);
  const baselineLog = createEventLog(redis, baselineFederation);
  const logger = createLogger({ service: 'bench', level: 'warn' });
  let scheduler: ChildProcess | undefined;
  const decidedAt = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  const view = runProjection({
    log, logger, projection: { name: 'decisions', initial: () => null, evolve: (s: null) => s },
  });
  try {
    // Baseline: the same number of ObjectApplied appends, in the same batches, with no scheduler.
    const baselineEvents = Array.from({ length: objects }, (_, i) => applied(rsRef(`web-${i}`), 10));
    let t0 = performance.now();
    await appendAll(baselineLog, baselineEvents, batch);
    const appendRate = objects / ((performance.now() - t0) / 1000);

    for (const name of CLUSTERS) {
      const ref: ObjectRef = { group: 'federation', kind: 'Cluster', namespace: '', name };
      const now = new Date(Date.now() - 3_600_000).toISOString();
      await log.append(objectStream(ref), expectAny, [
        { id: randomUUID(), type: 'ObjectApplied', time: now, correlationId: randomUUID(), causationId: null, actor: 'bench',
          data: { ref, object: { apiVersion: 'federation/v1beta1', kind: 'Cluster', metadata: { name } } } },
        { id: randomUUID(), type: 'ClusterConditionChanged', time: now, correlationId: randomUUID(), causationId: null, actor: 'bench',
          data: { cluster: name, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterReady', lastTransitionTime: now }] } } },
      ]);
    }
    await view.ready;
    view.onApplied((events) => {
      const at = performance.now();
      for (const e of events) {
        if (e.type !== 'PlacementDecided' || decidedAt.has(e.stream)) continue;
        decidedAt.set(e.stream, at);
        waiting.get(e.stream)?.();
      }
    });
    const child = (scheduler = spawnScheduler(federation));
    const exited = new Promise<never>((_, reject) => child.on('exit', (code) => reject(new Error(`the scheduler exited (${String(code)})`))));
    exited.catch(() => undefined);
    const decided = (stream: string): Promise<void> => Promise.race([exited, new Promise<void>((resolve) => {
      if (decidedAt.has(stream)) resolve();
      else waiting.set(stream, resolve);
    })]);

    // Warm-up: the scheduler is up once it decides a first object.
    const warm = rsRef('warm-up');
    await log.append(objectStream(warm), expectAny, [applied(warm, 3)]);
    await decided(objectStream(warm));

    // Throughput: N objects appended as fast as the log takes them; until each has its decision.
    const events = Array.from({ length: objects }, (_, i) => applied(rsRef(`web-${i}`), 10));
    t0 = performance.now();
    await appendAll(log, events, batch);
    await Promise.all(events.map((e) => decided(objectStream((e.data as { ref: ObjectRef }).ref))));
    const decisionRate = objects / ((performance.now() - t0) / 1000);

    // Latency: one object at a time, from its append to its decision in the log.
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const ref = rsRef(`latency-${i}`);
      const s = performance.now();
      await log.append(objectStream(ref), expectAny, [applied(ref, 1 + (i % 20))]);
      await decided(objectStream(ref));
      latencies.push((decidedAt.get(objectStream(ref)) as number) - s);
    }

    printTable(`Scheduler end to end (separate process, ${CLUSTERS.length} clusters, ${objects} ReplicaSets; baseline = appending the same ${objects} events, no scheduler)`, [
      { measure: 'baseline: ObjectApplied appends (batches of 100)', value: Math.round(appendRate), unit: 'events/s', target: '' },
      { measure: 'decisions end to end (append → PlacementDecided in the log)', value: Math.round(decisionRate), unit: 'decisions/s', target: '>= 2000' },
      { measure: 'decisions / baseline appends', value: decisionRate / appendRate, unit: '', target: '' },
      { measure: `scheduling latency p50 (${samples} objects, one at a time)`, value: percentile(latencies, 50), unit: 'ms', target: '' },
      { measure: 'scheduling latency p99', value: percentile(latencies, 99), unit: 'ms', target: `< ${KARMADA_P99_MS} (Karmada)` },
    ]);
  } finally {
    scheduler?.kill('SIGTERM');
    await view.stop();
    await deleteMatching(redis, log.keys.all);
    await deleteMatching(redis, baselineLog.keys.all);
    redis.disconnect();
  }
}
