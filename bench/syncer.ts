// Benchmark of the syncer: time from a PlacementDecided appended to the member object updated (seen on a watch of the member),
// p50/p99, for 10 and 100 simulated clusters × 100 objects; baseline in the same run: the same change applied straight to
// the members with client-node (server-side apply), no kfed in between. The objects are paused Deployments: the syncer
// path is that of any workload, and the simulator spends its CPU on the API rather than on thousands of pods.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { expectAny, type NewEvent } from '../libs/events/envelope.js';
import { objectStream, type ObjectRef } from '../libs/events/streams.js';
import { createSealer, generateKey } from '../libs/infra/crypto/seal.js';
import { connectRedis, deleteMatching } from '../libs/infra/redis/connection.js';
import { createEventLog, type AppendRequest, type EventLog } from '../libs/infra/redis/eventlog.js';
import { redisKeys } from '../libs/infra/redis/keys.js';
import { memberObjects } from '../libs/infra/kube-client/member-objects.js';
import { render } from '../libs/sync/render.js';
import type { KubeObject } from '../libs/kube-api/object.js';
import { startSimulator, watchMembers, type Member } from './_members.js';
import { percentile, printTable } from './_report.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const OBJECTS = 100;

const event = (type: string, data: unknown): NewEvent => ({
  id: randomUUID(), type, time: new Date().toISOString(), correlationId: randomUUID(), causationId: null, actor: 'bench', data,
});
const deploymentRef = (name: string): ObjectRef => ({ group: 'apps', kind: 'Deployment', namespace: 'default', name });
const deployment = (name: string): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'default', uid: randomUUID(), generation: 1 },
  spec: { replicas: 0, paused: true, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
});

interface Result { readonly p50: number; readonly p99: number; readonly max: number; readonly samples: number; readonly seconds: number }

const summary = (latencies: number[], seconds: number): Result => ({
  p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: percentile(latencies, 100), samples: latencies.length, seconds,
});

/**
 * Changes every object's share in every cluster from `from` to `to`, one object every `gapMs` (0: all at once),
 * via `change(object)`; returns the latency from each change's start to each member copy showing it.
 */
async function rollout(members: readonly Member[], names: readonly string[], to: number, gapMs: number, change: (name: string) => Promise<void>): Promise<Result> {
  const started = new Map<string, number>();
  const latencies: number[] = [];
  const pending = new Set(names.flatMap((n) => members.map((m) => `${m.name}/${n}`)));
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => { done = r; });
  const stop = watchMembers(members, (cluster, name, replicas, at) => {
    const key = `${cluster}/${name}`;
    const t0 = started.get(name);
    if (t0 === undefined || replicas !== to || !pending.delete(key)) return;
    latencies.push(at - t0);
    if (pending.size === 0) done();
  });
  await new Promise((r) => setTimeout(r, 500)); // the watches are open
  const t0 = performance.now();
  const changes: Promise<void>[] = [];
  for (const name of names) {
    started.set(name, performance.now());
    changes.push(change(name));
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  }
  await Promise.all(changes);
  const timeout = setTimeout(done, 120_000);
  await finished;
  clearTimeout(timeout);
  stop();
  if (pending.size > 0) throw new Error(`${pending.size} member copies never showed the change, e.g. ${[...pending].slice(0, 5).join(" ")} after ${Math.round(performance.now() - t0)} ms`);
  return summary(latencies, (performance.now() - t0) / 1000);
}

async function scenario(clusters: number, gapMs: number, dir: string): Promise<{ kfed: Result; baseline: Result }> {
  const sim = await startSimulator(dir, clusters, { KFED_SIM_NODES: '1', KFED_SIM_PODS_PER_NODE: '1000', KFED_SIM_POD_READY_DELAY_MS: '200' });
  const federation = `bench-${randomUUID().slice(0, 8)}`;
  const redis = connectRedis(redisUrl, `bench-${federation}`);
  const log: EventLog = createEventLog(redis, federation);
  const key = generateKey();
  const sealer = E.getOrElseW(() => { throw new Error('sealer'); })(createSealer(key));
  let syncer: ChildProcess | undefined;
  try {
    // The members join as the API server would record it: a sealed kubeconfig Secret and a Cluster each.
    const joins: AppendRequest[] = sim.members.flatMap((m) => {
      const secretRef: ObjectRef = { group: '', kind: 'Secret', namespace: 'kfed-system', name: m.name };
      const kubeconfig = JSON.stringify({
        apiVersion: 'v1', kind: 'Config', 'current-context': m.name,
        clusters: [{ name: m.name, cluster: { server: m.server, 'certificate-authority-data': Buffer.from(m.ca).toString('base64') } }],
        users: [{ name: m.name, user: { token: m.token } }], contexts: [{ name: m.name, context: { cluster: m.name, user: m.name } }],
      });
      const clusterRef: ObjectRef = { group: 'federation', kind: 'Cluster', namespace: '', name: m.name };
      return [
        { stream: objectStream(secretRef), expected: expectAny, events: [event('ObjectApplied', {
          ref: secretRef, object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: m.name, namespace: 'kfed-system' }, type: 'Opaque' },
          sealed: sealer.seal(JSON.stringify({ kubeconfig: Buffer.from(kubeconfig).toString('base64') }), objectStream(secretRef)),
        })] },
        { stream: objectStream(clusterRef), expected: expectAny, events: [event('ObjectApplied', {
          ref: clusterRef, object: { apiVersion: 'federation/v1beta1', kind: 'Cluster', metadata: { name: m.name }, spec: { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: m.server }], secretRef: { name: m.name } } },
        })] },
      ];
    });
    await log.appendBatch(joins);
    const names = Array.from({ length: OBJECTS }, (_, i) => `web-${i}`);
    const placement = (n: number) => Object.fromEntries(sim.members.map((m) => [m.name, n]));
    await log.appendBatch(names.map((n) => ({ stream: objectStream(deploymentRef(n)), expected: expectAny, events: [
      event('ObjectApplied', { ref: deploymentRef(n), object: deployment(n) }), event('PlacementDecided', { ref: deploymentRef(n), placement: placement(0) }),
    ] })));

    syncer = spawn(process.execPath, [join(here, '../services/syncer/main.js')], {
      env: { ...process.env, LOG_LEVEL: process.env.BENCH_SYNCER_LOG ?? 'warn', KFED_FEDERATION: federation, KFED_ENCRYPTION_KEY: key, REDIS_URL: redisUrl, NATS_URL: natsUrl, KFED_SYNCER_CONCURRENCY: '16' },
      stdio: ['ignore', process.env.BENCH_SYNCER_LOG === undefined ? 'ignore' : 'inherit', 'inherit'],
    });
    // Warm-up: every copy created with 0 replicas; then the measured rollout to 1 replica per cluster.
    const warm = new Set<string>();
    const stopWarm = watchMembers(sim.members, (c, n) => { warm.add(`${c}/${n}`); });
    while (warm.size < OBJECTS * clusters) await new Promise((r) => setTimeout(r, 100));
    stopWarm();

    const kfed = await rollout(sim.members, names, 1, gapMs, async (n) => {
      await log.append(objectStream(deploymentRef(n)), expectAny, [event('PlacementDecided', { ref: deploymentRef(n), placement: placement(1) })]);
    });

    // Baseline: the same change, applied by the bench itself with client-node, straight to every member.
    const clients = sim.members.map((m) => memberObjects(
      { cluster: m.name, server: m.server, caData: Buffer.from(m.ca).toString('base64'), token: m.token, insecureSkipTlsVerify: false },
      { fieldManager: 'bench', requestTimeoutMs: 30_000, maxSockets: 16 },
    ));
    const baseNames = names.map((n) => n.replace('web', 'base'));
    const copy = (n: string, replicas: number): KubeObject => render({ object: deployment(n), ref: deploymentRef(n) }, replicas, 'baseline');
    const applied = async (c: (typeof clients)[number], o: KubeObject): Promise<void> => {
      const r = await c.apply(o);
      if (E.isLeft(r)) throw new Error(`baseline apply of ${o.metadata.name ?? ''}: ${r.left.message}`);
    };
    await Promise.all(clients.map(async (c) => { for (const n of baseNames) await applied(c, copy(n, 0)); }));
    const baseline = await rollout(sim.members, baseNames, 1, gapMs, async (n) => {
      await Promise.all(clients.map((c) => applied(c, copy(n, 1))));
    });
    clients.forEach((c) => c.close());
    return { kfed, baseline };
  } finally {
    syncer?.kill('SIGKILL');
    sim.proc.kill('SIGKILL');
    await deleteMatching(redis, redisKeys(federation).all);
    redis.disconnect();
  }
}

export async function run(args: string[]): Promise<void> {
  // Paced: 200 member writes per second offered (one decision touches every cluster), well within what one simulator
  // process serves for all its clusters; then every decision at once (a burst, bound by the simulator's throughput).
  const rateArg = args.indexOf('--writes-per-second');
  const writesPerSecond = rateArg >= 0 ? Number(args[rateArg + 1]) : 200;
  const clustersArg = args.indexOf('--clusters');
  const sizes = clustersArg >= 0 ? [Number(args[clustersArg + 1])] : [10, 100];
  const dir = await mkdtemp(join(tmpdir(), 'kfed-bench-syncer-'));
  const rows = [];
  try {
    for (const clusters of sizes) {
      for (const gapMs of [Math.round((1000 * clusters) / writesPerSecond), 0]) {
        const { kfed, baseline } = await scenario(clusters, gapMs, dir);
        const load = gapMs === 0 ? `all ${OBJECTS} at once` : `1 every ${gapMs} ms (${writesPerSecond} writes/s)`;
        const target = clusters <= 10 ? 100 : 1000;
        rows.push({
          clusters, objects: OBJECTS, decisions: load, 'member writes': kfed.samples,
          'kfed p50 ms': kfed.p50, 'kfed p99 ms': kfed.p99, 'kfed max ms': kfed.max, 'target p99 ms': target,
          'baseline p50 ms': baseline.p50, 'baseline p99 ms': baseline.p99,
        });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  printTable('Syncer: PlacementDecided appended → member Deployment updated (seen on a watch of the member); baseline = the bench applies the same change to the members itself (client-node server-side apply), same run', rows);
}
