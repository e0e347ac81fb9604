// The article, end to end: `kfed up --no-join`, the members registered with kubectl as the article
// does, the weighted ReplicaSet moved from cluster to cluster, and every move explained and replayed.
import t from 'tap';
import { runKfed } from '../support/kfed-cli.js';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../cli/up/infra.js';
import { example, examplesDir } from '../support/examples.js';
import { NATS_URL, REDIS_URL, testRedis } from '../support/federation.js';
import { kubectlFor } from '../support/kubectl.js';
import { distDir } from '../support/processes.js';
import { waitFor } from '../support/wait.js';


t.test('the article\'s walkthrough against kfed up', async (t) => {
  const { federation } = testRedis(t, 'seed');
  const dir = await mkdtemp(join(tmpdir(), 'kfed-seed-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, 'kubeconfig');
  const apiPort = await freePort();
  const env = {
    NATS_URL, REDIS_URL, KFED_REGISTRY_PERIOD_MS: '1000', KFED_SIM_POD_READY_DELAY_MS: '200', LOG_LEVEL: 'info',
  };

  // kfed up --no-join, in the background; its output shows progress and the commands to try.
  let upOutput = '';
  const up = spawn(process.execPath, [join(distDir, 'cli', 'kfed.js'), 'up', '--no-join',
    '--kubeconfig', kubeconfig, '--api-port', String(apiPort), '--federation', federation, '--state-dir', join(dir, 'state')],
  { env: { ...process.env, ...env } });
  up.stdout.on('data', (d: Buffer) => { upOutput += d.toString(); });
  up.stderr.on('data', (d: Buffer) => { upOutput += d.toString(); });
  const upExited = new Promise<number | null>((resolve) => up.on('close', resolve));
  t.teardown(async () => {
    if (up.exitCode === null) up.kill('SIGINT');
    await upExited;
  });
  await waitFor('kfed up to report the federation up', () => {
    if (up.exitCode !== null) throw new Error(`kfed up exited: ${upOutput}`);
    return upOutput.includes('is up');
  }, { timeoutMs: 90_000 });
  t.match(upOutput, /✓ federation API/);
  t.match(upOutput, /kubectl --context=federated-cluster get clusters/);

  const kubectl = kubectlFor(kubeconfig, dir);
  const k = async (...args: string[]) => {
    const r = await kubectl.run(args);
    return r;
  };
  const fed = (...args: string[]) => k('--context=federated-cluster', ...args);

  // The article's first commands: switch between the members and list their nodes.
  for (const context of ['sanfrancisco', 'newyork', 'berlin']) {
    t.equal((await k('config', 'use-context', context)).stdout.trim(), `Switched to context "${context}".`);
    const nodes = await k('get', 'nodes');
    t.equal(nodes.code, 0, nodes.stderr);
    t.match(nodes.stdout, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n(.*-node-\d+\s+Ready\s.*\n){3}$/);
  }

  // Step 4 of the article: a Secret with each member's kubeconfig, then the Cluster objects.
  for (const [cluster, file, variable] of [['new-york', 'newyork.yaml', 'NEWYORK_SERVER_ADDRESS'], ['berlin', 'berlin.yaml', 'BERLIN_SERVER_ADDRESS']] as const) {
    const view = await k('config', 'view', '--minify', '--flatten', `--context=${cluster}`);
    t.equal(view.code, 0, view.stderr);
    const memberKubeconfig = join(dir, `${cluster}.kubeconfig`);
    await writeFile(memberKubeconfig, view.stdout);
    let r = await fed('create', 'secret', 'generic', cluster, `--from-file=kubeconfig=${memberKubeconfig}`, '-n', 'kfed-system');
    t.equal(r.stdout.trim(), `secret/${cluster} created`, r.stderr);
    const server = (await k('config', 'view', '--minify', `--context=${cluster}`, '-o', 'jsonpath={.clusters[0].cluster.server}')).stdout;
    const manifest = join(dir, file);
    await writeFile(manifest, example(file, { [variable]: server }));
    r = await fed('create', '-f', manifest);
    t.equal(r.stdout.trim(), `cluster.federation/${cluster} created`, r.stderr);
  }
  await waitFor('both clusters Ready', async () => {
    const r = await fed('get', 'clusters');
    return /berlin\s+True/.test(r.stdout) && /new-york\s+True/.test(r.stdout) ? r : undefined;
  }, { timeoutMs: 30_000 });

  const pods = async (cluster: string): Promise<number> =>
    (await k(`--context=${cluster}`, 'get', 'pods', '-l', 'app=nginx', '-o', 'name')).stdout.split('\n').filter((l) => l !== '').length;
  const memberReplicas = async (cluster: string): Promise<string> =>
    (await k(`--context=${cluster}`, 'get', 'rs', 'nginx', '-o', 'jsonpath={.spec.replicas}', '--ignore-not-found')).stdout;
  const settle = (what: string, ny: number, berlin: number) => waitFor(what, async () =>
    (await pods('new-york')) === ny && (await pods('berlin')) === berlin, { timeoutMs: 30_000 });

  let r = await fed('create', '-f', join(examplesDir, 'nginx.yaml'));
  t.equal(r.stdout.trim(), 'replicaset.extensions/nginx created', r.stderr);
  r = await fed('scale', 'rs', 'nginx', '--replicas=10');
  t.equal(r.code, 0, r.stderr);
  await settle('5 pods in each cluster', 5, 5);
  t.equal(await memberReplicas('new-york'), '5');
  t.equal(await memberReplicas('berlin'), '5');

  r = await fed('apply', '-f', join(examplesDir, 'nginx-new-york.yaml'));
  t.equal(r.code, 0, r.stderr);
  await settle('all 10 pods in new-york', 10, 0);
  t.equal(await memberReplicas('new-york'), '10');

  r = await fed('apply', '-f', join(examplesDir, 'nginx-berlin.yaml'));
  t.equal(r.code, 0, r.stderr);
  await settle('all 10 pods in berlin', 0, 10);
  t.equal(await memberReplicas('berlin'), '10');
  await waitFor('the federation to report 10 ready in berlin', async () =>
    /nginx\s+10\s+10\s+10\s+berlin=10/.test((await fed('get', 'rs', 'nginx')).stdout), { timeoutMs: 30_000 });

  const cliEnv = { KFED_FEDERATION: federation, REDIS_URL };
  const history = await runKfed(['history', 'rs/nginx'], cliEnv);
  t.equal(history.code, 0, history.stderr);
  t.match(history.stdout, /scaled 4→10/);
  t.match(history.stdout, /berlin 5→0, new-york 5→10\s+weights changed: new-york none→20, berlin none→0/);
  t.match(history.stdout, /new-york 10→0, berlin 0→10\s+weights changed: new-york 20→0, berlin 0→20/);
  const replay = await runKfed(['replay', '--verify'], cliEnv);
  t.equal(replay.code, 0, replay.stdout + replay.stderr);
  t.match(replay.stdout, /no mismatch/i);

  up.kill('SIGINT');
  t.equal(await upExited, 0, 'Ctrl-C stops the federation cleanly');
});
