// Benchmark of the event log: append throughput against raw XADD, append latency, replay rate.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as E from 'fp-ts/lib/Either.js';
import { connectRedis, deleteMatching } from '../libs/infra/redis/connection.js';
import { createEventLog } from '../libs/infra/redis/eventlog.js';
import { runProjection } from '../libs/infra/redis/projection-runner.js';
import { createLogger } from '../libs/infra/log/logger.js';
import { expectVersion, type NewEvent } from '../libs/events/envelope.js';
import { percentile, printTable } from './_report.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function sampleEvent(i: number): NewEvent {
  const name = `web-${i % 1000}`;
  return {
    id: randomUUID(), type: 'ObjectApplied', time: new Date().toISOString(),
    correlationId: randomUUID(), causationId: null, actor: 'admin',
    data: {
      ref: { group: 'apps', kind: 'ReplicaSet', namespace: 'default', name },
      object: {
        apiVersion: 'apps/v1', kind: 'ReplicaSet',
        metadata: { name, namespace: 'default', uid: randomUUID(), resourceVersion: String(i), generation: 1, labels: { app: 'web' },
          annotations: { 'federation.kubernetes.io/replica-set-preferences': '{"rebalance":true,"clusters":{"*":{"weight":1}}}' } },
        spec: { replicas: 10, selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] } } },
      },
    },
  };
}

export async function run(args: string[]): Promise<void> {
  const total = Number(args[0] ?? 100_000);
  const batch = 100;
  const redis = connectRedis(redisUrl, 'bench-eventlog');
  const federation = `bench-${randomUUID().slice(0, 8)}`;
  const log = createEventLog(redis, federation);
  const rawKey = `${log.keys.log}-raw`;
  const events = Array.from({ length: batch }, (_, i) => sampleEvent(i));
  const bodies = events.map((e) => JSON.stringify(e));
  try {
    // Raw pipelined XADD: the ceiling — one stream, no check, no second index.
    let t0 = performance.now();
    for (let done = 0; done < total; done += batch) {
      const p = redis.pipeline();
      for (const body of bodies) p.xadd(rawKey, '*', 'e', body);
      await p.exec();
    }
    const rawRate = total / ((performance.now() - t0) / 1000);

    // kfed appends: version check + global log + stream index, one event per aggregate stream, pipelined.
    const versions = new Map<string, number>();
    t0 = performance.now();
    for (let done = 0; done < total; done += batch) {
      const requests = events.map((e, i) => {
        const stream = `object:apps/ReplicaSet/default/web-${(done + i) % 5000}`;
        return { stream, expected: expectVersion(versions.get(stream) ?? 0), events: [e] };
      });
      const results = await log.appendBatch(requests);
      results.forEach((r, i) => {
        if (E.isLeft(r)) throw new Error(`unexpected conflict on ${r.left.stream}`);
        versions.set(requests[i]!.stream, r.right.version);
      });
    }
    const logRate = total / ((performance.now() - t0) / 1000);

    // Single appends, one at a time: the latency a writer sees.
    const latencies: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const stream = 'object:apps/ReplicaSet/default/latency';
      const s = performance.now();
      const r = await log.append(stream, expectVersion(i), [events[i % batch]!]);
      latencies.push(performance.now() - s);
      if (E.isLeft(r)) throw new Error('unexpected conflict');
    }

    // Replay: rebuild a projection from the whole global log.
    const logger = createLogger({ service: 'bench', level: 'warn' });
    let folded = 0;
    t0 = performance.now();
    const projection = runProjection({
      log, logger, chunk: 5000,
      projection: { name: 'count', initial: () => 0, evolve: (n) => { folded++; return n + 1; } },
    });
    await projection.ready;
    const replaySeconds = (performance.now() - t0) / 1000;
    await projection.stop();

    printTable(`event log (${total} events of ${bodies[0]!.length} bytes, batches of ${batch})`, [
      { measure: 'raw pipelined XADD (baseline)', value: Math.round(rawRate), unit: 'events/s', target: '' },
      { measure: 'kfed appendBatch (version check + global log)', value: Math.round(logRate), unit: 'events/s', target: '' },
      { measure: 'ratio kfed / raw', value: logRate / rawRate, unit: '', target: '>= 0.5' },
      { measure: 'single append latency p50', value: percentile(latencies, 50), unit: 'ms', target: '' },
      { measure: 'single append latency p99', value: percentile(latencies, 99), unit: 'ms', target: '' },
      { measure: `replay of the global log (${folded} events)`, value: Math.round(folded / replaySeconds), unit: 'events/s', target: '>= 200000' },
    ]);
  } finally {
    await deleteMatching(redis, log.keys.all);
    await redis.del(rawKey);
    redis.disconnect();
  }
}
