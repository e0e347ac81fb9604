// `kfed join` and `kfed unjoin` (built, from dist/) against the test federation API and simulated members.
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join as joinPath } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { memberAccess } from '../../libs/federation/member-access.js';
import type { KubeObject } from '../../libs/kube-api/object.js';
import { startTestApiServer } from '../support/apiserver.js';
import { runKfed, type CliRun } from '../support/kfed-cli.js';
import { startTestSimulator } from '../support/membersim.js';
import { FAST_REGISTRY, startTestRegistry } from '../support/registry.js';
import { waitFor } from '../support/wait.js';

t.test('join, join again, the registry probes it, unjoin twice; clear errors; no token printed', async (t) => {
  const api = await startTestApiServer(t);
  const sim = await startTestSimulator(t, 'new-york');
  await startTestRegistry(t, api, 'registry', { ...FAST_REGISTRY, probe: { ...FAST_REGISTRY.probe, periodMs: 1000, timeoutMs: 500 } });
  // Without tap's process-tracking hook (NODE_OPTIONS), which makes each kfed start four times slower.
  const env = { KUBECONFIG: `${api.kubeconfig}:${sim.kubeconfig}`, HOME: api.dir, NODE_OPTIONS: '' };
  const member = sim.sim.cluster('new-york');
  const runs: CliRun[] = [];
  const kfed = async (...args: string[]): Promise<CliRun> => {
    const r = await runKfed(args, env);
    runs.push(r);
    return r;
  };

  const first = await kfed('join', 'new-york', '--cluster-context', 'new-york');
  t.equal(first.code, 0, first.stderr);
  t.equal(first.stdout, 'secret/new-york created\ncluster.federation/new-york created\n');
  const again = await kfed('join', 'new-york', '--cluster-context', 'new-york');
  t.equal(again.stdout, 'secret/new-york unchanged\ncluster.federation/new-york unchanged\n', 'idempotent');
  const rotated = joinPath(api.dir, 'rotated.kubeconfig');
  await writeFile(rotated, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'ny', cluster: { server: member?.server, 'certificate-authority-data': Buffer.from(member?.caCert ?? '').toString('base64') } }],
    users: [{ name: 'ny', user: { token: 'rotated-token' } }], contexts: [{ name: 'ny', context: { cluster: 'ny', user: 'ny' } }],
  }));
  const changed = await runKfed(['join', 'new-york', '--cluster-context', 'ny'], { ...env, KUBECONFIG: `${rotated}:${api.kubeconfig}` });
  t.equal(changed.stdout, 'secret/new-york configured\ncluster.federation/new-york unchanged\n', 'new credentials replace the Secret');
  t.equal((await kfed('join', 'new-york', '--cluster-context', 'new-york')).stdout, 'secret/new-york configured\ncluster.federation/new-york unchanged\n');

  const get = await api.kubectl.run(['get', 'secret', 'new-york', '-n', 'kfed-system', '-o', 'json']);
  const cluster = await api.kubectl.run(['get', 'cluster', 'new-york', '-o', 'json']);
  const access = memberAccess(JSON.parse(cluster.stdout) as KubeObject, JSON.parse(get.stdout) as KubeObject, '127.0.0.1');
  t.match(access, E.right({ cluster: 'new-york', server: member?.server, token: member?.token, caData: Buffer.from(member?.caCert ?? '').toString('base64') }),
    'the Secret holds the member\'s server, CA and token');

  const listed = await waitFor('new-york Ready in kubectl get clusters', async () => {
    const r = await api.kubectl.run(['get', 'clusters']);
    return /\nnew-york\s+True\s/.test(r.stdout) ? r.stdout : undefined;
  });
  t.match(listed, /\nnew-york\s+True\s+us-east/, 'the registry probed the joined member');

  t.test('clear errors', async (t) => {
    const unknown = await kfed('join', 'x', '--cluster-context', 'nowhere');
    t.equal(unknown.code, 2);
    t.match(unknown.stderr, /context "nowhere" not found in the kubeconfig \(contexts: federated-cluster, new-york, viewer\)/);
    const noFederation = await kfed('join', 'x', '--cluster-context', 'new-york', '--kubeconfig', sim.kubeconfig);
    t.equal(noFederation.code, 2);
    t.match(noFederation.stderr, /context "federated-cluster" not found/);
    const forbidden = await kfed('join', 'other', '--cluster-context', 'new-york', '--context', 'viewer');
    t.equal(forbidden.code, 1);
    t.match(forbidden.stderr, /^kfed join: Error from server \(Forbidden\): /);
    const down = joinPath(api.dir, 'down.kubeconfig');
    await writeFile(down, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'f', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token: api.adminToken } }], contexts: [{ name: 'federated-cluster', context: { cluster: 'f', user: 'u' } }],
    }));
    const unreachable = await runKfed(['join', 'x', '--cluster-context', 'new-york'], { ...env, KUBECONFIG: `${down}:${sim.kubeconfig}` });
    runs.push(unreachable);
    t.equal(unreachable.code, 1);
    t.match(unreachable.stderr, /cannot reach the federation API at https:\/\/127\.0\.0\.1:1 \(context "federated-cluster"\): connection refused/);
  });

  t.test('unjoin removes both, and again reports them not found', async (t) => {
    const removed = await kfed('unjoin', 'new-york');
    t.equal(removed.code, 0, removed.stderr);
    t.equal(removed.stdout, 'cluster.federation/new-york deleted\nsecret/new-york deleted\n');
    const gone = await kfed('unjoin', 'new-york');
    t.equal(gone.code, 0);
    t.equal(gone.stdout, 'cluster.federation/new-york not found\nsecret/new-york not found\n');
    t.match((await api.kubectl.run(['get', 'clusters'])).stderr, /No resources found/);
  });

  t.test('no output holds a credential', async (t) => {
    const printed = runs.map((r) => r.stdout + r.stderr).join('\n');
    t.notOk(printed.includes(member?.token ?? '?'), 'the member token');
    t.notOk(printed.includes(api.adminToken), 'the federation token');
  });
});

