// The federation API with the real kubectl: the article's commands verbatim, the everyday ones, and bad input.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import { example } from '../support/examples.js';
import { kubectlFor, kubectlVersions } from '../support/kubectl.js';
import { waitFor } from '../support/wait.js';

async function file(api: TestApiServer, name: string, content: string): Promise<string> {
  const path = join(api.dir, name);
  await writeFile(path, content);
  return path;
}

t.test('the article: register clusters and run a weighted ReplicaSet with kubectl', async (t) => {
  const api = await startTestApiServer(t);
  const k = (...args: string[]) => api.kubectl.run(['--context=federated-cluster', ...args]);

  const newyork = await file(api, 'newyork.yaml', example('newyork.yaml', { NEWYORK_SERVER_ADDRESS: 'https://127.0.0.1:18082' }));
  let r = await k('create', '-f', newyork);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout.trim(), 'cluster.federation/new-york created');
  const berlin = await file(api, 'berlin.yaml', example('berlin.yaml', { BERLIN_SERVER_ADDRESS: 'https://127.0.0.1:18081' }));
  t.equal((await k('create', '-f', berlin)).code, 0);

  r = await k('get', 'clusters');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^NAME\s+READY\s+REGION\s+ZONES\s+AGE\n/);
  t.match(r.stdout, /berlin\s+Unknown\s+<none>\s+<none>/);
  t.match(r.stdout, /new-york\s+Unknown/);
  r = await k('get', 'clusters', '-o', 'wide');
  t.match(r.stdout, /new-york.*https:\/\/127\.0\.0\.1:18082/);

  const nginx = await file(api, 'nginx.yaml', example('nginx.yaml'));
  r = await k('create', '-f', nginx);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout.trim(), 'replicaset.extensions/nginx created');
  r = await k('get', 'rs', 'nginx', '-o', 'json');
  const created = JSON.parse(r.stdout) as { apiVersion: string; spec: { replicas: number; selector: unknown } };
  t.equal(created.apiVersion, 'apps/v1', 'served as the same object as apps/v1');
  t.same(created.spec.selector, { matchLabels: { app: 'nginx' } }, 'selector defaulted from the template labels');
  r = await k('get', 'replicasets.extensions', 'nginx', '-o', 'jsonpath={.apiVersion}');
  t.equal(r.stdout, 'extensions/v1beta1');

  r = await k('scale', 'rs', 'nginx', '--replicas=10');
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout.trim(), 'replicaset.apps/nginx scaled');

  // The article's flow: add the annotation, then apply the file; apply a second time changes nothing.
  const weighted = await file(api, 'nginx-new-york.yaml', example('nginx-new-york.yaml'));
  r = await k('apply', '-f', weighted);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /replicaset.extensions\/nginx configured/);
  t.match(r.stderr, /missing the kubectl.kubernetes.io\/last-applied-configuration annotation/);
  r = await k('apply', '-f', weighted);
  t.equal(r.stdout.trim(), 'replicaset.extensions/nginx unchanged');
  r = await k('get', 'rs', 'nginx', '-o', 'json');
  const live = JSON.parse(r.stdout) as { spec: { replicas: number }; metadata: { annotations: Record<string, string> } };
  t.equal(live.spec.replicas, 10, 'apply keeps the scaled replica count');
  t.match(live.metadata.annotations['federation.kubernetes.io/replica-set-preferences'], /"weight": 20/);
  const back = await file(api, 'nginx-berlin.yaml', example('nginx-berlin.yaml'));
  r = await k('apply', '-f', back);
  t.match(r.stdout, /configured/);

  r = await k('get', 'rs');
  t.match(r.stdout, /^NAME\s+DESIRED\s+CURRENT\s+READY\s+CLUSTERS\s+AGE\n/);
  t.match(r.stdout, /nginx\s+10\s+0\s+0\s+<none>/);
});

t.test('everyday kubectl: get variants, watch, edit, label, annotate, diff, server-side apply, delete', async (t) => {
  const api = await startTestApiServer(t);
  const k = (...args: string[]) => api.kubectl.run(['--context=federated-cluster', ...args]);
  const deploy = await file(api, 'web.yaml', [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web', '  labels: {tier: front}', 'spec:', '  replicas: 3',
    '  selector: {matchLabels: {app: web}}', '  template:', '    metadata: {labels: {app: web}}',
    '    spec: {containers: [{name: web, image: "nginx:1.25", ports: [{containerPort: 80}]}]}', '',
  ].join('\n'));
  let r = await k('apply', '-f', deploy);
  t.equal(r.stdout.trim(), 'deployment.apps/web created', r.stderr);

  r = await k('get', 'deploy', '-o', 'wide');
  t.match(r.stdout, /CONTAINERS\s+IMAGES\s+SELECTOR/);
  t.match(r.stdout, /web\s+3\s+0\s+0\s+<none>\s+\S+\s+web\s+nginx:1\.25\s+app=web/);
  r = await k('get', 'deploy', '-l', 'tier=front', '-o', 'name');
  t.equal(r.stdout.trim(), 'deployment.apps/web');
  r = await k('get', 'deploy', '-l', 'tier!=front', '-o', 'name');
  t.equal(r.stdout.trim(), '');
  r = await k('get', 'deploy', '-A');
  t.match(r.stdout, /^NAMESPACE\s+NAME/);
  t.match(r.stdout, /default\s+web/);
  r = await k('get', 'deploy', 'web', '-o', 'yaml');
  t.match(r.stdout, /resourceVersion: "\d+"/);

  const watcher = api.kubectl.spawn(['--context=federated-cluster', 'get', 'deploy', 'web', '-w', '-o', 'name']);
  let watched = '';
  watcher.stdout?.on('data', (d: Buffer) => { watched += d.toString(); });
  t.teardown(() => { watcher.kill(); });
  await waitFor('the watch to print the current object', () => watched.includes('deployment.apps/web'));

  r = await k('label', 'deploy', 'web', 'team=blue');
  t.equal(r.stdout.trim(), 'deployment.apps/web labeled', r.stderr);
  r = await k('annotate', 'deploy', 'web', 'owner=ops');
  t.equal(r.stdout.trim(), 'deployment.apps/web annotated', r.stderr);
  await waitFor('the watch to see the changes', () => watched.split('deployment.apps/web').length - 1 >= 3);

  const sed = await file(api, 'edit.sh', '#!/bin/sh\nsed -i "s/replicas: 3/replicas: 6/" "$1"\n');
  r = await api.kubectl.run(['--context=federated-cluster', 'edit', 'deploy', 'web'], { env: { EDITOR: `sh ${sed}`, KUBE_EDITOR: `sh ${sed}` } });
  t.equal(r.stdout.trim(), 'deployment.apps/web edited', r.stderr);
  r = await k('get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas} {.metadata.labels.team} {.metadata.annotations.owner}');
  t.equal(r.stdout, '6 blue ops');

  const changed = await file(api, 'web2.yaml', readFileSync(deploy, 'utf8').replace('nginx:1.25', 'nginx:1.27'));
  r = await k('diff', '-f', changed);
  t.equal(r.code, 1, 'diff exits 1 when there are differences');
  t.match(r.stdout, /-\s+- image: nginx:1\.25|-.*nginx:1\.25/);
  t.match(r.stdout, /\+.*nginx:1\.27/);

  r = await k('apply', '--server-side', '-f', changed);
  t.equal(r.code, 1, 'a server-side apply that takes over replicas conflicts');
  t.match(r.stderr, /Apply failed with 2 conflicts/);
  t.match(r.stderr, /conflicts with "kubectl-edit" using apps\/v1:\s+- \.spec\.replicas/);
  r = await k('apply', '--server-side', '--force-conflicts', '-f', changed);
  t.equal(r.stdout.trim(), 'deployment.apps/web serverside-applied', r.stderr);

  r = await k('delete', 'deploy', 'web');
  t.equal(r.stdout.trim(), 'deployment.apps "web" deleted', r.stderr);
  r = await k('get', 'deploy', 'web');
  t.equal(r.code, 1);
  t.match(r.stderr, /Error from server \(NotFound\): deployments.apps "web" not found/);
});

t.test('bad input gets kubectl\'s usual errors and changes nothing', async (t) => {
  const api = await startTestApiServer(t);
  const k = (...args: string[]) => api.kubectl.run(['--context=federated-cluster', ...args]);
  const before = await api.redis.xlen(`kfed:{${api.federation}}:log`);

  const malformed = await file(api, 'bad.yaml', 'apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: x\n');
  let r = await k('create', '-f', malformed);
  t.equal(r.code, 1);
  t.match(r.stderr, /error/i);

  const negative = await file(api, 'neg.yaml', example('nginx.yaml').replace('replicas: 4', 'replicas: -1'));
  r = await k('create', '-f', negative);
  t.equal(r.code, 1);
  t.match(r.stderr, /The ReplicaSet "nginx" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0/);

  const broken = await file(api, 'broken.yaml', example('nginx-even.yaml').replace('"weight": 1\n', '"weight": -3\n'));
  r = await k('create', '-f', broken);
  t.equal(r.code, 1);
  t.match(r.stderr, /metadata.annotations\[federation.kubernetes.io\/replica-set-preferences\]: Invalid value: .*clusters.new-york.weight: must be greater than or equal to 0/s);
  const notJson = await file(api, 'notjson.yaml', example('nginx-even.yaml').replace('"rebalance": true,', '"rebalance": true,,'));
  r = await k('create', '-f', notJson);
  t.equal(r.code, 1);
  t.match(r.stderr, /replica-set-preferences/);

  const unknownField = await file(api, 'unknown.yaml', example('nginx.yaml').replace('replicas: 4', 'replicas: 4\n replicaz: 5'));
  r = await k('create', '-f', unknownField);
  t.equal(r.code, 1);
  t.match(r.stderr, /strict decoding error: unknown field "spec.replicaz"/);

  const cluster = await file(api, 'badcluster.yaml', example('newyork.yaml', { NEWYORK_SERVER_ADDRESS: 'not a url' }).replace('0.0.0.0/0', '0.0.0.0/99'));
  r = await k('create', '-f', cluster);
  t.equal(r.code, 1);
  t.match(r.stderr, /spec.serverAddressByClientCIDRs\[0\].clientCIDR: Invalid value/);
  t.match(r.stderr, /spec.serverAddressByClientCIDRs\[0\].serverAddress: Invalid value/);

  t.equal(await api.redis.xlen(`kfed:{${api.federation}}:log`), before, 'nothing reached the log');

  // A stale resourceVersion on replace is a 409 Conflict.
  const nginx = await file(api, 'nginx.yaml', example('nginx.yaml'));
  t.equal((await k('create', '-f', nginx)).code, 0);
  const stale = (await k('get', 'rs', 'nginx', '-o', 'yaml')).stdout;
  t.equal((await k('scale', 'rs', 'nginx', '--replicas=5')).code, 0);
  const stalePath = await file(api, 'stale.yaml', stale);
  r = await k('replace', '-f', stalePath);
  t.equal(r.code, 1);
  t.match(r.stderr, /Error from server \(Conflict\): error when replacing .*Operation cannot be fulfilled on replicasets.apps "nginx": the object has been modified/s);
});

t.test('roles: the read-only user can read but not write', async (t) => {
  const api = await startTestApiServer(t);
  const nginx = await file(api, 'nginx.yaml', example('nginx.yaml'));
  let r = await api.kubectl.run(['--context=viewer', 'create', '-f', nginx]);
  t.equal(r.code, 1);
  t.match(r.stderr, /Forbidden/);
  r = await api.kubectl.run(['--context=viewer', 'get', 'rs']);
  t.equal(r.code, 0, r.stderr);
  r = await api.kubectl.run(['--context=viewer', 'get', 'rs', '--token', 'not-a-valid-token-at-all']);
  t.equal(r.code, 1);
  t.match(r.stderr, /provide credentials/);
});

t.test('Secrets: stringData is stored as data, sealed in the log, readable through the API', async (t) => {
  const api = await startTestApiServer(t);
  const k = (...args: string[]) => api.kubectl.run(['--context=federated-cluster', ...args]);
  const secret = await file(api, 'secret.yaml', 'apiVersion: v1\nkind: Secret\nmetadata: {name: creds, namespace: kfed-system}\nstringData: {password: hunter2-very-secret}\n');
  let r = await k('create', '-f', secret);
  t.equal(r.stdout.trim(), 'secret/creds created', r.stderr);
  r = await k('get', 'secret', 'creds', '-n', 'kfed-system', '-o', 'jsonpath={.data.password}');
  t.equal(Buffer.from(r.stdout, 'base64').toString(), 'hunter2-very-secret');
  const raw = JSON.stringify(await api.redis.xrange(`kfed:{${api.federation}}:log`, '-', '+'));
  t.notMatch(raw, /hunter2/);
  t.notMatch(raw, new RegExp(Buffer.from('hunter2-very-secret').toString('base64').slice(0, 12)));
});

t.test('replicas: a watch on one apiserver sees writes made through another', async (t) => {
  const api = await startTestApiServer(t);
  const second = await api.replica();
  const kubeconfig2 = await file(api, 'kubeconfig2', readFileSync(api.kubeconfig, 'utf8').replace(api.server.url, second.url));
  const k2 = kubectlFor(kubeconfig2, api.dir);
  const watcher = k2.spawn(['--context=federated-cluster', 'get', 'configmaps', '-w', '-o', 'name']);
  let watched = '';
  watcher.stdout?.on('data', (d: Buffer) => { watched += d.toString(); });
  t.teardown(() => { watcher.kill(); });
  await waitFor('the watch to start', () => watcher.pid !== undefined);
  const r = await api.kubectl.run(['--context=federated-cluster', 'create', 'configmap', 'shared', '--from-literal=a=b']);
  t.equal(r.code, 0, r.stderr);
  await waitFor('the second replica\'s watch to see the write', () => watched.includes('configmap/shared'));
});

for (const version of kubectlVersions.filter((v) => v !== '32')) {
  t.test(`kubectl 1.${version}: create, apply, scale, get`, async (t) => {
    const api = await startTestApiServer(t);
    const k = (...args: string[]) => api.kubectl.run(['--context=federated-cluster', ...args], { version });
    const nginx = await file(api, 'nginx.yaml', example('nginx.yaml'));
    let r = await k('create', '-f', nginx);
    t.equal(r.code, 0, r.stderr);
    r = await k('scale', 'rs', 'nginx', '--replicas=10');
    t.equal(r.code, 0, r.stderr);
    const weighted = await file(api, 'w.yaml', example('nginx-new-york.yaml'));
    r = await k('apply', '-f', weighted);
    t.equal(r.code, 0, r.stderr);
    r = await k('get', 'rs', 'nginx');
    t.match(r.stdout, /nginx\s+10\s+/);
  });
}
