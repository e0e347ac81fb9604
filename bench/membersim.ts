// Benchmark of the member-cluster simulator: GET/s and PATCH/s against one cluster (baseline: a bare https server),
// memory per idle cluster and start time with 100 clusters in one process.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { parse } from 'yaml';
import { randomUUID } from 'node:crypto';
import { versionInfo } from '../libs/kube-api/discovery.js';
import { createApiHandler } from '../libs/kube-api/handler.js';
import { MemoryStore } from '../libs/kube-api/memory-store.js';
import { builtinTypes } from '../libs/kube-api/resources.js';
import { Kubeconfig } from '../libs/kubeconfig/kubeconfig.js';
import { SimulatorState } from '../libs/simulator/faults.js';
import { percentile, printTable } from './_report.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const mainJs = join(here, '../services/membersim/main.js');

interface Target { readonly url: string; readonly ca: string; readonly token: string }
interface Started { readonly proc: ChildProcess; readonly ms: number; readonly targets: Target[] }

async function startSimulator(dir: string, clusters: string): Promise<Started> {
  const state = join(dir, `${clusters.length}.state.json`);
  const kubeconfig = join(dir, `${clusters.length}.kubeconfig`);
  const t0 = performance.now();
  const proc = spawn(process.execPath, [mainJs], {
    env: { ...process.env, LOG_LEVEL: 'warn', KFED_SIM_CLUSTERS: clusters, KFED_SIM_STATE: state, KFED_SIM_KUBECONFIG: kubeconfig, KFED_SIM_NODES: '3' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  while (!existsSync(state)) {
    if (proc.exitCode !== null) throw new Error(`membersim exited with ${proc.exitCode}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  const decoded = SimulatorState.decode(JSON.parse(await readFile(state, 'utf8')));
  const cfg = Kubeconfig.decode(parse(await readFile(kubeconfig, 'utf8')));
  if (E.isLeft(decoded) || E.isLeft(cfg)) throw new Error('unreadable simulator state or kubeconfig');
  const targets = decoded.right.clusters.map((c) => {
    const cluster = cfg.right.clusters?.find((x) => x.name === c.name)?.cluster;
    const user = cfg.right.users?.find((u) => u.name === `${c.name}-admin`)?.user;
    return { url: c.server, ca: Buffer.from(cluster?.['certificate-authority-data'] ?? '', 'base64').toString(), token: user?.token ?? '' };
  });
  return { proc, ms, targets };
}

async function startBaseline(body: string): Promise<{ proc: ChildProcess; target: Target }> {
  const proc = spawn(process.execPath, [join(here, '_baseline-https-server.js')], { env: { ...process.env, BASELINE_BODY: body }, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => proc.stdout?.once('data', (d: Buffer) => resolve(d.toString())));
  const { port, ca } = JSON.parse(line) as { port: number; ca: string };
  return { proc, target: { url: `https://127.0.0.1:${port}`, ca, token: 'baseline' } };
}

function send(t: Target, agent: Agent, method: string, path: string, body?: string, contentType = 'application/json'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}${path}`, { method, agent, ca: t.ca, headers: { authorization: `Bearer ${t.token}`, 'content-type': contentType } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Requests per second with `concurrency` keep-alive connections for `seconds`; every answer must be 200. */
async function rate(t: Target, concurrency: number, seconds: number, next: (i: number) => { method: string; path: string; body?: string; contentType?: string }): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const until = performance.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      const r = next(done);
      const res = await send(t, agent, r.method, r.path, r.body, r.contentType);
      if (res.status !== 200) failed += 1;
      done += 1;
    }
  }));
  agent.destroy();
  if (failed > 0) throw new Error(`${failed} of ${done} requests failed`);
  return done / ((performance.now() - t0) / 1000);
}

/** The kube-api handler over a memory store, called directly: what the API machinery costs without HTTP and TLS. */
async function handlerOnly(deploymentJson: string, seconds: number): Promise<number> {
  const store = new MemoryStore();
  const handler = createApiHandler({ types: builtinTypes, store, clock: () => new Date(), newUid: randomUUID, version: versionInfo() });
  const { metadata: _m, status: _s, ...rest } = JSON.parse(deploymentJson) as Record<string, unknown>;
  const body = new TextEncoder().encode(JSON.stringify({ ...rest, metadata: { name: 'web' } }));
  await handler({ method: 'POST', path: '/apis/apps/v1/namespaces/default/deployments', query: new URLSearchParams(), headers: { 'content-type': 'application/json' }, body });
  const req = { method: 'GET', path: '/apis/apps/v1/namespaces/default/deployments/web', query: new URLSearchParams(), headers: {} };
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const r = await handler(req);
    if (r._tag !== 'complete' || r.status !== 200) throw new Error('in-process GET failed');
    n += 1;
  }
  return n / ((performance.now() - t0) / 1000);
}

const rssMb = async (pid: number): Promise<number> => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
};

const stop = async (p: ChildProcess): Promise<void> => {
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await exited;
};

export async function run(args: string[]): Promise<void> {
  const seconds = Number(args[0] ?? 5);
  const concurrency = 16;
  const many = 100;
  const dir = await mkdtemp(join(tmpdir(), 'kfed-bench-membersim-'));
  try {
    // Throughput: one cluster with a Deployment and a ConfigMap to read and patch.
    const one = await startSimulator(dir, 'bench');
    const sim = one.targets[0] as Target;
    const seed = new Agent({ keepAlive: true });
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } },
    };
    await send(sim, seed, 'POST', '/apis/apps/v1/namespaces/default/deployments', JSON.stringify(deployment));
    await send(sim, seed, 'POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bench' }, data: { k: 'v' } }));
    const getPath = '/apis/apps/v1/namespaces/default/deployments/web';
    const sample = await send(sim, seed, 'GET', getPath);
    seed.destroy();
    const baseline = await startBaseline(sample.body);

    const get = { method: 'GET', path: getPath };
    const patch = (i: number) => ({
      method: 'PATCH', path: '/api/v1/namespaces/default/configmaps/bench',
      body: JSON.stringify({ metadata: { labels: { n: String(i) } } }), contentType: 'application/merge-patch+json',
    });
    // Alternate short rounds and take medians: the machine is shared, so load from others hits both sides alike.
    const rounds = Math.max(1, Math.round(seconds));
    const median = (xs: number[]): number => percentile(xs, 50);
    const measure = async (next: Parameters<typeof rate>[3]): Promise<[number, number]> => {
      const simRates: number[] = [];
      const baseRates: number[] = [];
      for (let i = 0; i < rounds; i++) {
        simRates.push(await rate(sim, concurrency, 1, next));
        baseRates.push(await rate(baseline.target, concurrency, 1, next));
      }
      return [median(simRates), median(baseRates)];
    };
    await rate(sim, concurrency, 0.5, () => get); // warm-up: JIT and TLS sessions
    const [simGet, baseGet] = await measure(() => get);
    const [simPatch, basePatch] = await measure(patch);
    await stop(baseline.proc);
    const idleOne = await rssMb(one.proc.pid ?? 0);
    const inProcess = await handlerOnly(sample.body, Math.max(1, rounds / 2));
    await stop(one.proc);

    // 100 idle clusters of 3 nodes each against one: memory and start time.
    const single = await startSimulator(dir, 'solo');
    await new Promise((r) => setTimeout(r, 2000));
    const rssSingle = await rssMb(single.proc.pid ?? 0);
    await stop(single.proc);
    const fleet = await startSimulator(dir, Array.from({ length: many }, (_, i) => `c${i}`).join(','));
    await new Promise((r) => setTimeout(r, 2000));
    const rssFleet = await rssMb(fleet.proc.pid ?? 0);
    await stop(fleet.proc);
    const perCluster = (rssFleet - rssSingle) / (many - 1);

    printTable(`membersim: one cluster, ${concurrency} keep-alive https connections, median of ${rounds} alternating 1 s rounds`, [
      { measure: 'GET deployment (req/s)', membersim: Math.round(simGet), 'baseline (bare https, same body)': Math.round(baseGet), 'membersim/baseline': simGet / baseGet, target: '>= 3000' },
      { measure: 'PATCH configmap, merge (req/s)', membersim: Math.round(simPatch), 'baseline (bare https, same body)': Math.round(basePatch), 'membersim/baseline': simPatch / basePatch, target: '' },
      { measure: 'GET deployment, API handler alone, in-process (req/s)', membersim: Math.round(inProcess), 'baseline (bare https, same body)': '', 'membersim/baseline': '', target: '' },
      { measure: 'RSS after the runs (MB)', membersim: Math.round(idleOne), 'baseline (bare https, same body)': '', 'membersim/baseline': '', target: '' },
    ]);
    printTable(`membersim: ${many} idle clusters (3 nodes each) in one process vs one`, [
      { measure: 'start until the state file is written (ms)', [`${many} clusters`]: Math.round(fleet.ms), '1 cluster (baseline)': Math.round(single.ms), target: '< 5000' },
      { measure: 'RSS after 2 s idle (MB)', [`${many} clusters`]: Math.round(rssFleet), '1 cluster (baseline)': Math.round(rssSingle), target: '' },
      { measure: 'memory per idle cluster (MB)', [`${many} clusters`]: perCluster, '1 cluster (baseline)': '', target: '<= 5' },
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
