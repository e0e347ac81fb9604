// Benchmark of the federation API: the same Kubernetes API handler over the event log (kfed) and over
// memory (the baseline, no log), both served over https with a bearer token, measured in one run.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { generateKey } from '../libs/infra/crypto/seal.js';
import { connectRedis, deleteMatching } from '../libs/infra/redis/connection.js';
import { redisKeys } from '../libs/infra/redis/keys.js';
import { percentile, printTable, type Row } from './_report.js';


const token = randomBytes(16).toString('hex');
let agent = new Agent({ keepAlive: true, maxSockets: 64 });

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
  const watchAgent = new Agent({ keepAlive: false, ca: agent.options.ca, maxSockets: Infinity });
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

async function measure(label: string, url: string, ca: string, quick: boolean): Promise<Row[]> {
  agent.destroy();
  agent = new Agent({ keepAlive: true, maxSockets: 64, ca });
  const target = { url };
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

/** Starts a server process and resolves with its URL once `ready` recognises a line of its stdout. */
function spawnServer(args: string[], env: Record<string, string>, ready: (line: string) => string | undefined): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    const onData = (c: Buffer): void => {
      buf += c.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const url = ready(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        if (url !== undefined) {
          child.stdout?.off('data', onData);
          child.stdout?.resume();
          resolve({ url, child });
          return;
        }
      }
    };
    child.stdout?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

const stopChild = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); });

export async function run(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = await mkdtemp(join(tmpdir(), 'kfed-bench-api-'));
  let ca = '';
  const baseline = await spawnServer([join(here, '_memory-api.js')], { BENCH_TOKEN: token }, (line) => {
    const parsed = JSON.parse(line) as { url: string; ca: string };
    ca = parsed.ca;
    return parsed.url;
  });

  const federation = `bench-${randomBytes(3).toString('hex')}`;
  await writeFile(join(dir, 'tokens'), `${token},admin,admin\n`);
  const kfed = await spawnServer([join(here, '..', 'services', 'apiserver', 'main.js')], {
    KFED_FEDERATION: federation, KFED_API_PORT: '0', KFED_API_TLS_DIR: join(dir, 'tls'), KFED_API_TOKEN_FILE: join(dir, 'tokens'),
    KFED_ENCRYPTION_KEY: generateKey(), LOG_LEVEL: 'info',
  }, (line) => {
    const entry = JSON.parse(line) as { msg?: string; url?: string };
    return entry.msg === 'federation API serving' ? entry.url : undefined;
  });
  const redis = connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'bench-apiserver');
  try {
    const memoryRows = await measure('memory (baseline)', baseline.url, ca, quick);
    const kfedCa = await readFile(join(dir, 'tls', 'ca.crt'), 'utf8');
    const kfedRows = await measure('kfed (event log)', kfed.url, kfedCa, quick);
    printTable('federation API server (its own process): kfed over the event log vs the same handler over memory', [...memoryRows, ...kfedRows]);
  } finally {
    await stopChild(baseline.child);
    await stopChild(kfed.child);
    await deleteMatching(redis, redisKeys(federation).all);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}
