// The simulator as a process (the build in dist/), its kubeconfig merged into an existing one, and `kfed sim` against it.
import { execFile, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import t from 'tap';
import { parse } from 'yaml';
import { Kubeconfig } from '../../libs/kubeconfig/kubeconfig.js';
import { SimulatorState } from '../../libs/simulator/faults.js';
import { kubectlAt } from '../support/membersim.js';
import { waitFor } from '../support/wait.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = (p: string): string => join(root, 'dist', p);

/** Builds dist/ unless it is newer than every source this test runs. */
function ensureBuilt(): Promise<void> {
  const built = [dist('services/membersim/main.js'), dist('cli/commands/sim.js')];
  const sources = ['services/membersim/main.ts', 'services/membersim/simulator.ts', 'services/membersim/cluster.ts', 'cli/commands/sim.ts', 'libs/simulator/faults.ts']
    .map((s) => join(root, s));
  const newest = Math.max(...sources.map((s) => statSync(s).mtimeMs));
  if (built.every((b) => existsSync(b) && statSync(b).mtimeMs >= newest)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root }, (err, stdout) => {
      if (err === null) resolve();
      else reject(new Error(`build failed: ${stdout}`));
    });
  });
}

function kfed(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [dist('cli/kfed.js'), ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : (err as { code?: number }).code ?? 1, stdout, stderr });
    });
  });
}

t.test('membersim process and kfed sim fault', async (t) => {
  await ensureBuilt();
  const dir = await mkdtemp(join(tmpdir(), 'kfed-membersim-proc-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, 'config');
  const state = join(dir, 'state.json');
  // What `kfed up` will have put there: the federation's context must survive the simulator's writes.
  await writeFile(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: federation',
    'clusters: [{name: fed, cluster: {server: "https://127.0.0.1:1"}}]',
    'users: [{name: fed-admin, user: {token: secret}}]',
    'contexts: [{name: federation, context: {cluster: fed, user: fed-admin}}]', '',
  ].join('\n'));

  const proc = spawn(process.execPath, [dist('services/membersim/main.js')], {
    env: {
      ...process.env, LOG_LEVEL: 'warn', KFED_SIM_CLUSTERS: 'berlin:nodes=2,new-york:nodes=1',
      KFED_SIM_KUBECONFIG: kubeconfig, KFED_SIM_STATE: state, KFED_SIM_POD_READY_DELAY_MS: '100',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  t.teardown(() => { if (proc.exitCode === null) proc.kill('SIGKILL'); });

  const started = await waitFor('the state file', async () => {
    if (!existsSync(state)) return undefined;
    const decoded = SimulatorState.decode(JSON.parse(await readFile(state, 'utf8')));
    return E.isRight(decoded) ? decoded.right : undefined;
  }, { timeoutMs: 30_000 });
  t.same(started.clusters.map((c) => [c.name, c.region]), [['berlin', 'eu-central'], ['new-york', 'us-east']]);

  const cfg = Kubeconfig.decode(parse(await readFile(kubeconfig, 'utf8')));
  t.ok(E.isRight(cfg));
  if (E.isRight(cfg)) {
    t.equal(cfg.right['current-context'], 'federation', 'the current context stays');
    t.same(cfg.right.contexts?.map((c) => c.name), ['federation', 'berlin', 'new-york']);
    t.same(cfg.right.users?.map((u) => u.name), ['fed-admin', 'berlin-admin', 'new-york-admin']);
    t.match(cfg.right.clusters?.[1], { name: 'berlin', cluster: { server: started.clusters[0]?.server, extensions: [{ name: 'kfed.io/simulator' }] } });
  }

  const berlin = kubectlAt(kubeconfig, dir, 'berlin');
  const nodes = await berlin.run(['get', 'nodes', '--no-headers']);
  t.equal(nodes.code, 0, nodes.stderr);
  t.equal(nodes.stdout.trim().split('\n').length, 2);
  const contexts = await berlin.run(['config', 'get-contexts', '-o', 'name']);
  t.same(contexts.stdout.trim().split('\n').sort(), ['berlin', 'federation', 'new-york'], 'kubectl loads the kubeconfig with the extensions');

  const offline = await kfed(['sim', 'fault', 'berlin', 'offline', '--kubeconfig', kubeconfig]);
  t.equal(offline.code, 0, offline.stderr);
  t.match(offline.stdout, `berlin: offline (${started.clusters[0]?.server ?? ''} refuses connections)`);
  const refused = await berlin.run(['get', 'nodes']);
  t.equal(refused.code, 1);
  t.match(refused.stderr, 'refused');
  t.equal((await kubectlAt(kubeconfig, dir, 'new-york').run(['get', 'nodes'])).code, 0, 'new-york still answers');

  // $KUBECONFIG is the default file.
  const online = await kfed(['sim', 'fault', 'berlin', 'online'], { KUBECONFIG: kubeconfig });
  t.equal(online.code, 0, online.stderr);
  await waitFor('berlin answers on the same port', async () => (await berlin.run(['get', 'nodes'])).code === 0);

  t.equal((await kfed(['sim', 'fault', 'berlin', 'write-errors', '1', '--kubeconfig', kubeconfig])).code, 0);
  const failedWrite = await berlin.run(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }));
  t.equal(failedWrite.code, 1);
  t.match(failedWrite.stderr, 'InternalError');
  t.equal((await kfed(['sim', 'fault', 'berlin', 'write-errors', '0', '--kubeconfig', kubeconfig])).code, 0);

  const status = await kfed(['sim', 'status', '--kubeconfig', kubeconfig]);
  t.equal(status.code, 0, status.stderr);
  t.match(status.stdout, /berlin\s+https:\/\/127\.0\.0\.1:\d+\s+online/);

  const errors: [string[], number, RegExp][] = [
    [['sim', 'fault', 'tokyo', 'offline'], 1, /no context or cluster "tokyo" .*known: berlin, fed, federation, new-york/],
    [['sim', 'fault', 'federation', 'offline'], 1, /cluster "fed" .* was not started by the kfed simulator/],
    [['sim', 'fault', 'berlin', 'latency'], 2, /latency needs milliseconds/],
    [['sim', 'fault', 'berlin', 'explode'], 2, /unknown action "explode"/],
    [['sim', 'fault', 'berlin'], 2, /usage:/],
  ];
  for (const [args, code, message] of errors) {
    const r = await kfed([...args, '--kubeconfig', kubeconfig]);
    t.equal(r.code, code, args.join(' '));
    t.match(r.stderr, message);
  }

  proc.kill('SIGTERM');
  t.equal(await exited, 0, stderr);
  const gone = await kfed(['sim', 'fault', 'berlin', 'offline', '--kubeconfig', kubeconfig]);
  t.equal(gone.code, 1);
  t.match(gone.stderr, /the simulator at http:\/\/127\.0\.0\.1:\d+ is not reachable \(ECONNREFUSED\): is it still running\?/);
});
