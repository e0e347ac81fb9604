// Benchmark of the aggregator under a storm: 10,000 member reports per second for 10 s over 100 objects × 10 clusters.
// Reports: StatusAggregated events written and status lag (report sent → a StatusAggregated showing it in the log), p50/p99,
// per coalescing interval; baseline in the same run: no coalescing, every report appended as its own event.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { expectAny, type NewEvent } from '../libs/events/envelope.js';
import { objectStream, type ObjectRef } from '../libs/events/streams.js';
import type { KubeObject } from '../libs/kube-api/object.js';
import { MemberStatusReported, SYNCED_CONDITION, type MemberObjectReport } from '../libs/sync/member-status.js';
import { createLogger } from '../libs/infra/log/logger.js';
import { connectBus, type Bus } from '../libs/infra/nats/bus.js';
import { connectRedis, deleteMatching, type Redis } from '../libs/infra/redis/connection.js';
import { createEventLog, type EventLog } from '../libs/infra/redis/eventlog.js';
import { redisKeys } from '../libs/infra/redis/keys.js';
import { start as startAggregator } from '../services/aggregator/aggregator.js';
import { percentile, printTable } from './_report.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const OBJECTS = 100;
const CLUSTERS = Array.from({ length: 10 }, (_, i) => `member-${i}`);
const SECONDS = 10;
const PER_TICK = 100; // reports every 10 ms: 10,000 per second

const ref = (name: string): ObjectRef => ({ group: 'apps', kind: 'ReplicaSet', namespace: 'default', name });
const names = Array.from({ length: OBJECTS }, (_, i) => `web-${i}`);
const event = (type: string, data: unknown): NewEvent => ({
  id: randomUUID(), type, time: new Date().toISOString(), correlationId: randomUUID(), causationId: null, actor: 'bench', data,
});
const object = (name: string): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default', uid: randomUUID(), generation: 1 },
  spec: { replicas: CLUSTERS.length, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } } } },
});
/** member-0's report carries a sequence number as its replicas: status.replicas = seq + 9 tells which reports a status covers. */
const report = (name: string, replicas: number): MemberObjectReport => ({
  key: objectStream(ref(name)), present: true, federationGeneration: 1, replicas, readyReplicas: 1, availableReplicas: 1,
  fullyLabeledReplicas: 1, updatedReplicas: 0, unschedulable: 0, conditions: [{ type: SYNCED_CONDITION, status: 'True', reason: 'Synced', message: '' }],
});

interface Federation { readonly redis: Redis; readonly log: EventLog; readonly bus: Bus; readonly federation: string; close(): Promise<void> }

async function federation(): Promise<Federation> {
  const id = `bench-${randomUUID().slice(0, 8)}`;
  const redis = connectRedis(redisUrl, id);
  const log = createEventLog(redis, id);
  const bus = await connectBus({ url: natsUrl, federation: id, logger: createLogger({ service: 'bench', level: 'warn' }), name: id });
  await log.appendBatch(names.map((n) => ({
    stream: objectStream(ref(n)), expected: expectAny,
    events: [event('ObjectApplied', { ref: ref(n), object: object(n) }), event('PlacementDecided', { ref: ref(n), placement: Object.fromEntries(CLUSTERS.map((c) => [c, 1])) })],
  })));
  return { redis, log, bus, federation: id, close: async () => { await bus.stop(); await deleteMatching(redis, redisKeys(id).all); redis.disconnect(); } };
}

/** Send times of member-0's sequence numbers, per object. */
type SentAt = Map<string, number[]>;
const newSentAt = (): SentAt => new Map(names.map((n) => [n, [] as number[]]));

/** Sends the storm; `deliver` carries one tick's reports; `sentAt` records when each sequence number left. */
async function storm(sentAt: SentAt, deliver: (cluster: string, reports: MemberObjectReport[]) => void): Promise<void> {
  const seq = new Map(names.map((n) => [n, 0]));
  const started = performance.now();
  for (let tick = 0; tick < SECONDS * 100; tick++) {
    // Each tick: one cluster reports on PER_TICK objects (cluster 0 every tenth tick, with the next sequence number).
    const cluster = CLUSTERS[tick % CLUSTERS.length] as string;
    const batch = names.slice(0, PER_TICK).map((n) => {
      if (cluster !== CLUSTERS[0]) return report(n, 1);
      const s = (seq.get(n) ?? 0) + 1;
      seq.set(n, s);
      (sentAt.get(n) as number[])[s] = performance.now();
      return report(n, s);
    });
    deliver(cluster, batch);
    const due = started + (tick + 1) * 10;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
  }
}

interface Row { readonly events: number; readonly lags: number[] }

/** Follows the log: for each StatusAggregated of an object, every sequence number it covers gets its lag. */
function follow(f: Federation, sentAt: SentAt): { stop(): Promise<Row> } {
  const abort = new AbortController();
  const covered = new Map(names.map((n) => [n, 0]));
  const lags: number[] = [];
  let events = 0;
  const running = (async () => {
    for await (const batch of f.log.tail(await f.log.head(), abort.signal, { blockMs: 200 })) {
      const now = performance.now();
      for (const e of batch.events) {
        if (e.type !== 'StatusAggregated') continue;
        events++;
        // An event carries the fields that changed: one without replicas covers no new report of member-0.
        const replicas = (e.data as { status: { replicas?: number } }).status.replicas;
        if (replicas === undefined) continue;
        const name = e.stream.slice(e.stream.lastIndexOf('/') + 1);
        const upTo = replicas - (CLUSTERS.length - 1);
        const sent = sentAt.get(name) ?? [];
        for (let s = (covered.get(name) ?? 0) + 1; s <= upTo; s++) if (sent[s] !== undefined) lags.push(now - (sent[s] as number));
        covered.set(name, Math.max(covered.get(name) ?? 0, upTo));
      }
    }
  })().catch(() => undefined);
  return { stop: async () => { abort.abort(); await running; return { events, lags }; } };
}

async function withAggregator(coalesceMs: number): Promise<Row> {
  const f = await federation();
  try {
    const aggregator = await startAggregator({
      redis: f.redis, log: f.log, bus: f.bus, logger: createLogger({ service: 'bench-aggregator', level: 'warn' }), replica: 'bench',
      clock: () => new Date(), newId: randomUUID, settings: { shards: 8, leaseTtlMs: 5000, coalesceMs },
    });
    while (aggregator.owned().length < 8) await new Promise((r) => setTimeout(r, 20));
    const sent = newSentAt();
    const following = follow(f, sent);
    await storm(sent, (cluster, reports) => f.bus.publish(f.bus.subjects.member.status(cluster), MemberStatusReported, { cluster, objects: reports }));
    await new Promise((r) => setTimeout(r, coalesceMs * 2 + 1000)); // the last reports reach the log
    await aggregator.stop();
    return await following.stop();
  } finally {
    await f.close();
  }
}

/** No coalescing: every report of member-0 becomes its own StatusAggregated (appended 100 at a time as they come). */
async function everyReport(): Promise<Row> {
  const f = await federation();
  try {
    const sent = newSentAt();
    const following = follow(f, sent);
    const appends: Promise<unknown>[] = [];
    await storm(sent, (_cluster, reports) => {
      appends.push(f.log.appendBatch(reports.map((r) => ({
        stream: r.key, expected: expectAny,
        events: [event('StatusAggregated', { ref: ref(r.key.slice(r.key.lastIndexOf('/') + 1)), status: { replicas: r.replicas + CLUSTERS.length - 1 } })],
      }))));
    });
    await Promise.all(appends);
    await new Promise((r) => setTimeout(r, 1000));
    return await following.stop();
  } finally {
    await f.close();
  }
}

export async function run(): Promise<void> {
  const rows = [];
  const row = (what: string, r: Row) => ({
    aggregation: what, reports: SECONDS * 100 * PER_TICK, 'events written': r.events,
    'lag p50 ms': percentile(r.lags, 50), 'lag p99 ms': percentile(r.lags, 99), 'lag max ms': percentile(r.lags, 100),
  });
  for (const coalesceMs of [200, 1000, 50]) rows.push(row(`coalesced every ${coalesceMs} ms${coalesceMs === 200 ? ' (default)' : ''}`, await withAggregator(coalesceMs)));
  rows.push(row('baseline: every report appended', await everyReport()));
  printTable(`Aggregator storm: ${SECONDS * 100 * PER_TICK} member reports in ${SECONDS} s (10,000/s) over ${OBJECTS} objects × ${CLUSTERS.length} clusters; lag = report sent → StatusAggregated in the log showing it`, rows);
}
