// End-to-end benchmark: a whole federation as `npm start` runs it (`kfed up`: simulated members, every
// service its own process), driven with the real kubectl. Measures, per change, the time from
// `kubectl apply` returning to every member showing its new share, for 3 clusters × 1 workload,
// 10 × 100 and 100 × 1,000; and the time to converge after kill -9 of every service at once in the
// middle of a rollout. Baseline in the same run: the bench pushes the same kind of change straight to
// every member itself (client-node server-side apply), no federation in between.
//
// The workloads are paused Deployments spread by weight over every member: the federation path is
// that of any workload, and the simulator spends its CPU on the API, not on 100,000 pods.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { parse, stringify } from 'yaml';
import { memberObjects, type MemberObjects } from '../libs/infra/kube-client/member-objects.js';
import { connectRedis, deleteMatching } from '../libs/infra/redis/connection.js';
import { redisKeys } from '../libs/infra/redis/keys.js';
import type { KubeObject } from '../libs/kube-api/object.js';
import { Kubeconfig } from '../libs/kubeconfig/kubeconfig.js';
import { PREFERENCES_ANNOTATION } from '../libs/placement/preferences.js';
import { readMembers, untilFile, watchMembers, type Member } from './_members.js';
import { percentile, printTable } from './_report.js';
import { simulatorGroups } from '../cli/commands/up.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const kfedCli = join(here, '../cli/kfed.js');
const SERVICES = ['apiserver', 'registry', 'scheduler', 'syncer', 'aggregator'] as const;

const progress = (s: string): void => { process.stderr.write(`  ${s}\n`); };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const freePort = (): Promise<number> => new Promise((resolve, reject) => {
  const srv = createServer();
  srv.once('error', reject);
  srv.listen(0, '127.0.0.1', () => {
    const address = srv.address();
    srv.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
  });
});

/** A paused Deployment spread evenly over every member, `share` replicas in each. */
const workload = (name: string, clusters: number, share: number): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name, namespace: 'default', annotations: { [PREFERENCES_ANNOTATION]: JSON.stringify({ rebalance: true, clusters: { '*': { weight: 1 } } }) } },
  spec: {
    replicas: clusters * share, paused: true, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
  },
});

/** What every member's copies show, and waiters for a set of copies to show a given replica count. */
class Copies {
  private readonly latest = new Map<string, number>();
  private readonly waiters = new Set<{ want: Map<string, number>; arrived: Map<string, number>; done: () => void }>();

  seen = (cluster: string, name: string, replicas: number, at: number): void => {
    const key = `${cluster}/${name}`;
    this.latest.set(key, replicas);
    for (const w of this.waiters) {
      if (w.want.get(key) === replicas && !w.arrived.has(key)) {
        w.arrived.set(key, at);
        if (w.arrived.size === w.want.size) w.done();
      }
    }
  };

  /** Resolves with each copy's arrival time once every copy in `want` shows its count (those already there count from now). */
  expect(want: Map<string, number>, label: string, timeoutMs: number): { arrived: Promise<Map<string, number>>; count: () => number } {
    const arrived = new Map<string, number>();
    const now = performance.now();
    for (const [key, replicas] of want) if (this.latest.get(key) === replicas) arrived.set(key, now);
    let done: () => void = () => undefined;
    const finished = new Promise<void>((r) => { done = r; });
    const waiter = { want, arrived, done };
    if (arrived.size < want.size) this.waiters.add(waiter);
    else done();
    const started = performance.now();
    const promise = (async () => {
      let last = performance.now();
      for (;;) {
        const settled = await Promise.race([finished.then(() => true), sleep(1000).then(() => false)]);
        if (settled) break;
        const elapsed = performance.now() - started;
        if (elapsed > timeoutMs) {
          this.waiters.delete(waiter);
          const missing = [...want.keys()].filter((k) => !arrived.has(k));
          throw new Error(`${label}: ${missing.length} of ${want.size} member copies never showed the change in ${Math.round(elapsed / 1000)} s, e.g. ${missing.slice(0, 3).join(', ')}`);
        }
        if (performance.now() - last > 10_000) {
          progress(`${label}: ${arrived.size.toLocaleString('en-US')} of ${want.size.toLocaleString('en-US')} member copies (${Math.round(elapsed / 1000)} s)`);
          last = performance.now();
        }
      }
      this.waiters.delete(waiter);
      return arrived;
    })();
    return { arrived: promise, count: () => arrived.size };
  }
}

interface Federation {
  readonly proc: ChildProcess;
  readonly id: string;
  readonly kubeconfig: string;
  readonly members: Member[];
  readonly api: { readonly server: string; readonly ca: string; readonly token: string };
  /** Every line kfed up has printed so far. */
  readonly printed: string[];
  stop(): Promise<void>;
}

async function startFederation(dir: string, clusters: number): Promise<Federation> {
  const id = `bench-${randomUUID().slice(0, 8)}`;
  const kubeconfig = join(dir, 'kubeconfig');
  const stateDir = join(dir, 'state');
  const port = await freePort();
  const names = Array.from({ length: clusters }, (_, i) => `member-${i}`);
  const proc = spawn(process.execPath, [kfedCli, 'up', '--clusters', names.join(','), '--kubeconfig', kubeconfig, '--api-port', String(port), '--federation', id, '--state-dir', stateDir], {
    env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const printed: string[] = [];
  let buf = '';
  proc.stdout?.setEncoding('utf8');
  proc.stdout?.on('data', (d: string) => {
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      printed.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGINT');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
  };
  try {
    const started = performance.now();
    while (!printed.some((l) => l.includes('is up.'))) {
      if (proc.exitCode !== null) throw new Error(`kfed up exited with ${proc.exitCode}:\n${printed.join('\n')}`);
      if (performance.now() - started > 300_000) throw new Error(`kfed up not up after 300 s:\n${printed.join('\n')}`);
      await sleep(100);
    }
    progress(`kfed up: ${clusters} members joined in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // kfed up runs the members SIMULATOR_GROUP to a simulator process, each with its state file.
    const groups = simulatorGroups(names);
    const stateFiles = groups.length === 1 ? ['simulator.json'] : groups.map((_, i) => `simulator-${i}.json`);
    const members: Member[] = [];
    for (const file of stateFiles) {
      await untilFile(join(stateDir, file), proc);
      members.push(...await readMembers(join(stateDir, file), kubeconfig));
    }
    const cfg = Kubeconfig.decode(parse(await readFile(kubeconfig, 'utf8')));
    if (E.isLeft(cfg)) throw new Error(`unreadable kubeconfig ${kubeconfig}`);
    const cluster = cfg.right.clusters?.find((c) => c.name === `kfed-${id}`)?.cluster;
    const user = cfg.right.users?.find((u) => u.name === `kfed-${id}-admin`)?.user;
    const api = { server: cluster?.server ?? '', ca: Buffer.from(cluster?.['certificate-authority-data'] ?? '', 'base64').toString(), token: user?.token ?? '' };
    return { proc, id, kubeconfig, members, api, printed, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function kubectl(f: Federation, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string; returnedAt: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn('kubectl', ['--kubeconfig', f.kubeconfig, '--context', 'federated-cluster', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code, stdout, stderr, returnedAt: performance.now() }));
  });
}

async function untilClustersReady(f: Federation, clusters: number): Promise<void> {
  const started = performance.now();
  for (;;) {
    const r = await kubectl(f, ['get', 'clusters', '-o', 'json']);
    const items = r.code === 0 ? ((JSON.parse(r.stdout) as { items: KubeObject[] }).items) : [];
    const ready = items.filter((c) => ((c['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [])
      .some((k) => k.type === 'Ready' && k.status === 'True')).length;
    if (ready === clusters) return;
    if (performance.now() - started > 120_000) throw new Error(`only ${ready} of ${clusters} clusters Ready after 120 s`);
    await sleep(1000);
  }
}

const everyCopy = (members: readonly Member[], names: readonly string[], share: (name: string) => number): Map<string, number> =>
  new Map(names.flatMap((n) => members.map((m) => [`${m.name}/${n}`, share(n)] as const)));

/** Merge-patches spec.replicas of each workload through the federation API, `concurrency` at a time. */
async function patchReplicas(f: Federation, replicas: ReadonlyMap<string, number>, concurrency: number): Promise<void> {
  const agent = new Agent({ ca: f.api.ca, keepAlive: true, maxSockets: concurrency });
  const patch = (name: string, n: number): Promise<void> => new Promise((resolve, reject) => {
    const body = JSON.stringify({ spec: { replicas: n } });
    const req = request(`${f.api.server}/apis/apps/v1/namespaces/default/deployments/${name}`, {
      method: 'PATCH', agent, headers: { authorization: `Bearer ${f.api.token}`, 'content-type': 'application/merge-patch+json' },
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PATCH ${name}: HTTP ${res.statusCode ?? 0}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
  const queue = [...replicas];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await patch(next[0], next[1]);
  }));
  agent.destroy();
}

/** The pids of kfed up's service processes (not the simulator, not NATS or Redis). */
async function servicePids(f: Federation): Promise<{ pid: number; name: string }[]> {
  const ps = spawn('ps', ['-o', 'pid=,args=', '--ppid', String(f.proc.pid)]);
  let out = '';
  ps.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise((r) => ps.on('exit', r));
  const pattern = new RegExp(`/services/(${SERVICES.join('|')})/main\\.js`);
  return out.trim().split('\n').flatMap((l) => {
    const m = pattern.exec(l);
    return m === null ? [] : [{ pid: Number(l.trim().split(/\s+/)[0]), name: m[1] ?? '' }];
  });
}

interface Scenario { readonly clusters: number; readonly workloads: number; readonly samples: number; readonly targetP99Ms?: number }

interface Figures {
  readonly applyReturnedToAllMs: number[];
  readonly copyMs: number[];
  readonly baselineMs: number[];
  readonly kill: { readonly inFlight: number; readonly copies: number; readonly servicesBackS: number; readonly convergedS: number };
  readonly setupS: number;
}

async function scenario(s: Scenario, dir: string): Promise<Figures> {
  const { clusters, workloads, samples } = s;
  const f = await startFederation(dir, clusters);
  const copies = new Copies();
  const stopWatch = watchMembers(f.members, copies.seen);
  const redis = connectRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `bench-${f.id}`);
  try {
    await untilClustersReady(f, clusters);
    const names = Array.from({ length: workloads }, (_, i) => `web-${i}`);
    const share = new Map(names.map((n) => [n, 1]));

    // Setup, not measured: every workload created with kubectl apply, 1 replica in each member.
    const setupStarted = performance.now();
    const manifests = join(dir, 'workloads.yaml');
    await writeFile(manifests, names.map((n) => stringify(workload(n, clusters, 1))).join('---\n'));
    const all = copies.expect(everyCopy(f.members, names, () => 1), 'setup', 900_000);
    const created = await kubectl(f, ['apply', '-f', manifests]);
    if (created.code !== 0) throw new Error(`kubectl apply: ${created.stderr}`);
    await all.arrived;
    const setupS = (performance.now() - setupStarted) / 1000;
    progress(`setup: ${workloads} workloads on ${clusters} members (${(workloads * clusters).toLocaleString('en-US')} copies) in ${setupS.toFixed(1)} s`);

    // Measured: one change at a time, each a kubectl apply of one workload with a new share.
    const applyReturnedToAllMs: number[] = [];
    const copyMs: number[] = [];
    const one = join(dir, 'one.yaml');
    for (let i = 0; i < samples; i += 1) {
      const name = names[i % workloads] as string;
      const next = (share.get(name) ?? 1) === 1 ? 2 : 1;
      share.set(name, next);
      await writeFile(one, stringify(workload(name, clusters, next)));
      const waiting = copies.expect(everyCopy(f.members, [name], () => next), `change ${i + 1}`, 120_000);
      const r = await kubectl(f, ['apply', '-f', one]);
      if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
      const arrived = [...(await waiting.arrived).values()].map((at) => Math.max(0, at - r.returnedAt));
      applyReturnedToAllMs.push(Math.max(...arrived));
      copyMs.push(...arrived);
    }

    // Baseline: the bench pushes a change of the same size itself, straight to every member.
    const clients: MemberObjects[] = f.members.map((m) => memberObjects(
      { cluster: m.name, server: m.server, caData: Buffer.from(m.ca).toString('base64'), token: m.token, insecureSkipTlsVerify: false },
      { fieldManager: 'bench', requestTimeoutMs: 30_000, maxSockets: 8 },
    ));
    const direct = (n: number): KubeObject => {
      const o = workload('baseline', 1, n);
      return { ...o, metadata: { name: 'baseline', namespace: 'default' } };
    };
    const push = async (n: number): Promise<void> => {
      const results = await Promise.all(clients.map((c) => c.apply(direct(n))));
      const failed = results.find(E.isLeft);
      if (failed !== undefined && E.isLeft(failed)) throw new Error(`baseline apply: ${failed.left.message}`);
    };
    await push(1);
    const baselineMs: number[] = [];
    for (let i = 0; i < samples; i += 1) {
      const n = i % 2 === 0 ? 2 : 1;
      const waiting = copies.expect(everyCopy(f.members, ['baseline'], () => n), `baseline ${i + 1}`, 120_000);
      const t0 = performance.now();
      await push(n);
      const arrived = [...(await waiting.arrived).values()];
      baselineMs.push(Math.max(...arrived) - t0);
    }
    clients.forEach((c) => c.close());

    // kill -9 of every service at once with a change of every workload accepted but not yet rolled
    // out: the services behind the API are frozen (SIGSTOP) while the changes are written, then all
    // five are killed, and the supervisor restarts them; everything must come back from the log.
    const target = new Map(names.map((n) => [n, (share.get(n) ?? 1) === 1 ? 2 : 1]));
    const rollout = copies.expect(everyCopy(f.members, names, (n) => target.get(n) ?? 0), 'after kill -9', 900_000);
    const pids = await servicePids(f);
    if (pids.length !== SERVICES.length) throw new Error(`expected ${SERVICES.length} service processes under kfed up, found ${pids.length}`);
    for (const { pid, name } of pids) if (name !== 'apiserver') process.kill(pid, 'SIGSTOP');
    await patchReplicas(f, new Map([...target].map(([n, sh]) => [n, sh * clusters])), 32);
    const printedBefore = f.printed.length;
    const killedAt = performance.now();
    for (const { pid } of pids) process.kill(pid, 'SIGKILL');
    const inFlight = rollout.count();
    let servicesBackS = NaN;
    const back = (async () => {
      while (f.printed.slice(printedBefore).filter((l) => l.includes(' is back')).length < SERVICES.length) await sleep(50);
      servicesBackS = (performance.now() - killedAt) / 1000;
    })();
    await rollout.arrived;
    const convergedS = (performance.now() - killedAt) / 1000;
    await Promise.race([back, sleep(60_000)]);
    progress(`kill -9 of ${pids.length} services with ${inFlight} of ${target.size * clusters} copies changed: converged ${convergedS.toFixed(1)} s after`);
    return { applyReturnedToAllMs, copyMs, baselineMs, kill: { inFlight, copies: target.size * clusters, servicesBackS, convergedS }, setupS };
  } finally {
    stopWatch();
    await f.stop();
    await deleteMatching(redis, redisKeys(f.id).all);
    redis.disconnect();
  }
}

const SCENARIOS: readonly Scenario[] = [
  { clusters: 3, workloads: 1, samples: 30 },
  { clusters: 10, workloads: 100, samples: 100, targetP99Ms: 250 },
  { clusters: 100, workloads: 1000, samples: 100, targetP99Ms: 2000 },
];

export async function run(args: string[]): Promise<void> {
  const only = args.indexOf('--only');
  const pick = only >= 0 ? (args[only + 1] ?? '') : '';
  const samplesArg = args.indexOf('--samples');
  const chosen = SCENARIOS.filter((s) => pick === '' || pick === `${s.clusters}x${s.workloads}`)
    .map((s) => (samplesArg >= 0 ? { ...s, samples: Number(args[samplesArg + 1]) } : s));
  if (chosen.length === 0) throw new Error(`--only takes one of ${SCENARIOS.map((s) => `${s.clusters}x${s.workloads}`).join(', ')}`);
  const latency = [];
  const kills = [];
  for (const s of chosen) {
    const dir = await mkdtemp(join(tmpdir(), 'kfed-bench-e2e-'));
    try {
      process.stderr.write(`${s.clusters} clusters × ${s.workloads} workloads:\n`);
      let r: Figures;
      try {
        r = await scenario(s, dir);
      } catch (err) {
        // A size this machine cannot carry is a finding: reported in its row, the other sizes still printed.
        const failed = { 'clusters × workloads': `${s.clusters} × ${s.workloads.toLocaleString('en-US')}`, 'did not complete': (err as Error).message.replace(/\s+/g, ' ').slice(0, 200) };
        latency.push(failed);
        kills.push(failed);
        process.stderr.write(`  failed: ${(err as Error).message}\n`);
        continue;
      }
      latency.push({
        'clusters × workloads': `${s.clusters} × ${s.workloads.toLocaleString('en-US')}`, changes: r.applyReturnedToAllMs.length,
        'p50 ms': percentile(r.applyReturnedToAllMs, 50), 'p99 ms': percentile(r.applyReturnedToAllMs, 99), 'max ms': percentile(r.applyReturnedToAllMs, 100),
        'target p99 ms': s.targetP99Ms ?? '',
        'per copy p50 ms': percentile(r.copyMs, 50), 'per copy p99 ms': percentile(r.copyMs, 99),
        'baseline p50 ms': percentile(r.baselineMs, 50), 'baseline p99 ms': percentile(r.baselineMs, 99),
        'setup s': r.setupS,
      });
      kills.push({
        'clusters × workloads': `${s.clusters} × ${s.workloads.toLocaleString('en-US')}`, 'copies changed': r.kill.copies,
        'shown before the kill': r.kill.inFlight, 'services back s': r.kill.servicesBackS, 'converged s': r.kill.convergedS,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  printTable('kubectl apply returned → every member shows the change (one change at a time; per copy: each member on its own); baseline = the bench pushes a change straight to every member (client-node server-side apply, from the start of the push), same run', latency);
  printTable('kill -9 of every service at once, a change of every workload accepted but not yet rolled out (the services behind the API frozen while it was written): time from the kill until kfed up has every service back, and until every member copy shows the change', kills);
}
