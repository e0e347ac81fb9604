// Benchmark of the federation API: the same Kubernetes API handler over the event log (kfed) and over
// memory (the baseline, no log), both served over https with a bearer token, measured in one run.
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';
import * as E from 'fp-ts/lib/Either.js';
import { federationAdmission } from '../libs/federation/admission.js';
import { federationTypes } from '../libs/federation/types.js';
import { createApiHandler } from '../libs/kube-api/handler.js';
import { MemoryStore } from '../libs/kube-api/memory-store.js';
import { versionInfo } from '../libs/kube-api/discovery.js';
import { createSealer, generateKey } from '../libs/infra/crypto/seal.js';
import { serveKubeApi } from '../libs/infra/http/kube-server.js';
import { createLogger } from '../libs/infra/log/logger.js';
import { connectBus } from '../libs/infra/nats/bus.js';
import { connectRedis, deleteMatching } from '../libs/infra/redis/connection.js';
import { redisKeys } from '../libs/infra/redis/keys.js';
import { createCertificateAuthority } from '../libs/infra/tls/certificates.js';
import { startApiServer } from '../services/apiserver/server.js';
import { percentile, printTable, type Row } from './_report.js';


interface Target { readonly url: string; readonly close: () => Promise<void> }

const token = randomBytes(16).toString('hex');
const ca = createCertificateAuthority({ now: new Date() });
const tls = ca.issue({ hosts: ['127.0.0.1'], now: new Date() });
const agent = new Agent({ keepAlive: true, maxSockets: 64, ca: ca.cert });

function call(url: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${url}${path}`, {
      method, agent,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(data === undefined ? {} : { 'content-type': contentType }) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

const rs = (name: string, ns: string) => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: ns, labels: { app: 'web' },
    annotations: { 'federation.kubernetes.io/replica-set-preferences': '{"rebalance":true,"clusters":{"*":{"weight":1}}}' } },
  spec: { replicas: 3, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
});

/** Runs `n` calls of `f` with `concurrency` in flight; returns per-call latencies (ms) and the rate. */
async function load(n: number, concurrency: number, f: (i: number) => Promise<void>): Promise<{ rate: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      const s = performance.now();
      await f(i);
      latencies.push(performance.now() - s);
    }
  }));
  return { rate: n / ((performance.now() - t0) / 1000), latencies };
}

async function expectStatus(p: Promise<{ status: number; body: string }>, ok: number[]): Promise<void> {
  const r = await p;
  if (!ok.includes(r.status)) throw new Error(`unexpected HTTP ${r.status}: ${r.body.slice(0, 200)}`);
}

/** Watchers on one collection; counts events and their lag behind the write that caused them. */
function startWatchers(url: string, ns: string, count: number, rv: string, written: Map<string, number>) {
  const lags: number[] = [];
  let delivered = 0;
  const watchAgent = new Agent({ keepAlive: false, ca: ca.cert, maxSockets: Infinity });
  const reqs = Array.from({ length: count }, () => {
    const req = request(`${url}/apis/apps/v1/namespaces/${ns}/replicasets?watch=true&resourceVersion=${rv}`, {
      agent: watchAgent, headers: { authorization: `Bearer ${token}` },
    }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const name = (JSON.parse(line) as { object: { metadata: { name: string } } }).object.metadata.name;
          const at = written.get(name);
          if (at !== undefined) lags.push(performance.now() - at);
          delivered++;
        }
      });
    });
    req.on('error', () => undefined);
    req.end();
    return req;
  });
  return { lags, delivered: () => delivered, close: () => { reqs.forEach((r) => r.destroy()); watchAgent.destroy(); } };
}

async function measure(label: string, target: Target, quick: boolean): Promise<Row[]> {
  const ns = 'default';
  const n = quick ? 500 : 2000;
  const rows: Row[] = [];
  const creates = await load(n, 32, (i) => expectStatus(call(target.url, 'POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, rs(`web-${i}`, ns)), [201]));
  rows.push({ server: label, measure: `creates (${n}, 32 in flight)`, value: Math.round(creates.rate), unit: 'req/s', target: '>= 1000' });
  const gets = await load(n * 5, 32, (i) => expectStatus(call(target.url, 'GET', `/apis/apps/v1/namespaces/${ns}/replicasets/web-${i % n}`), [200]));
  rows.push({ server: label, measure: `GETs (${n * 5}, 32 in flight)`, value: Math.round(gets.rate), unit: 'req/s', target: '>= 5000' });
  // LIST of 1,000 objects.
  const listNs = 'lists';
  await expectStatus(call(target.url, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: listNs } }), [201, 409]);
  await load(1000, 32, (i) => expectStatus(call(target.url, 'POST', `/apis/apps/v1/namespaces/${listNs}/replicasets`, rs(`item-${i}`, listNs)), [201]));
  const lists = await load(quick ? 20 : 50, 4, () => expectStatus(call(target.url, 'GET', `/apis/apps/v1/namespaces/${listNs}/replicasets?limit=500`), [200]));
  rows.push({ server: label, measure: 'LISTs of 1,000 objects', value: lists.rate, unit: 'lists/s', target: '' });

  // Mutating latency at a steady 200 writes/s.
  const writes = quick ? 400 : 1000;
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: writes }, async (_, i) => {
    const due = t0 + (i * 1000) / 200;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    const s = performance.now();
    await expectStatus(call(target.url, 'PATCH', `/apis/apps/v1/namespaces/${ns}/replicasets/web-${i % n}`,
      { metadata: { labels: { round: String(i) } } }, 'application/merge-patch+json'), [200]);
    latencies.push(performance.now() - s);
  }));
  rows.push({ server: label, measure: 'mutating latency p50 at 200 writes/s', value: percentile(latencies, 50), unit: 'ms', target: '' });
  rows.push({ server: label, measure: 'mutating latency p99 at 200 writes/s', value: percentile(latencies, 99), unit: 'ms', target: '<= 25' });

  // Watch fan-out: 1,000 watchers, 100 writes.
  const watchNs = 'watched';
  await expectStatus(call(target.url, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: watchNs } }), [201, 409]);
  const listed = JSON.parse((await call(target.url, 'GET', `/apis/apps/v1/namespaces/${watchNs}/replicasets`)).body) as { metadata: { resourceVersion: string } };
  const written = new Map<string, number>();
  const watchers = startWatchers(target.url, watchNs, 1000, listed.metadata.resourceVersion, written);
  await new Promise((r) => setTimeout(r, 2000));
  const events = 100;
  const w0 = performance.now();
  for (let i = 0; i < events; i++) {
    written.set(`w-${i}`, performance.now());
    await expectStatus(call(target.url, 'POST', `/apis/apps/v1/namespaces/${watchNs}/replicasets`, rs(`w-${i}`, watchNs)), [201]);
  }
  const deadline = performance.now() + 30_000;
  while (watchers.delivered() < events * 1000 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const seconds = (performance.now() - w0) / 1000;
  watchers.close();
  rows.push({ server: label, measure: `watch fan-out: events delivered to 1,000 watchers (${watchers.delivered()}/${events * 1000})`, value: Math.round(watchers.delivered() / seconds), unit: 'events/s', target: '' });
  rows.push({ server: label, measure: 'watch lag p99 (write sent → event received)', value: percentile(watchers.lags, 99), unit: 'ms', target: '' });
  return rows;
}

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const memory = new MemoryStore();
  const handler = createApiHandler({
    types: federationTypes, store: memory, clock: () => new Date(), newUid: randomUUID, version: versionInfo(), admission: [federationAdmission],
  });
  const baselineServer = await serveKubeApi({ handler, port: 0, tls, authenticate: (t) => (t === token ? { name: 'admin' } : undefined) });
  for (const ns of ['default']) {
    await expectStatus(call(baselineServer.url, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }), [201, 409]);
  }
  const baseline: Target = { url: baselineServer.url, close: () => baselineServer.close() };

  const federation = `bench-${randomBytes(3).toString('hex')}`;
  const logger = createLogger({ service: 'bench', level: 'warn' });
  const redis = connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'bench-apiserver');
  const bus = await connectBus({ url: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', federation, logger, name: 'bench-apiserver' });
  const sealer = createSealer(generateKey());
  if (E.isLeft(sealer)) throw new Error(sealer.left.message);
  const server = await startApiServer({
    federation, redis, bus, logger, sealer: sealer.right, host: '127.0.0.1', port: 0, tls,
    tokens: [{ token, user: 'admin', role: 'admin' }],
  });
  const kfed: Target = { url: server.url, close: () => server.stop() };
  try {
    const rows = [...await measure('memory (baseline)', baseline, quick), ...await measure('kfed (event log)', kfed, quick)];
    printTable('federation API server: kfed over the event log vs the same handler over memory', rows);
  } finally {
    await baseline.close();
    await kfed.close();
    await bus.stop();
    await deleteMatching(redis, redisKeys(federation).all);
    redis.disconnect();
    agent.destroy();
  }
}
