// The real kubectl (1.32, and 1.27/1.33 where installed) against the API handler served over https with a token.
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { example } from '../support/examples.js';
import { kubectlVersions, startKubeTestServer, type KubeTestServer } from '../support/kube-test-server.js';
import { waitFor } from '../support/wait.js';
import { deployments } from '../../libs/kube-api/resources.js';

const deploymentsKind = deployments.storage;

const articleReplicaSet = example('nginx.yaml');

const deployment = (name: string, replicas: number, extra = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
${extra}`;

async function file(s: KubeTestServer, name: string, content: string): Promise<string> {
  const p = join(s.dir, name);
  await writeFile(p, content);
  return p;
}

for (const version of kubectlVersions) {
  t.test(`kubectl 1.${version}`, async (t) => {
    const s = await startKubeTestServer();
    t.teardown(() => s.close());
    const k = (...args: string[]) => s.kubectl(args, { version });
    const ok = async (args: string[], env?: Record<string, string>): Promise<string> => {
      const r = await s.kubectl(args, { version, ...(env === undefined ? {} : { env }) });
      t.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };

    await t.test('discovery: api-resources with short names on apps/v1 only', async (t) => {
      const out = await ok(['api-resources']);
      t.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      t.match(out, /^replicasets\s+rs\s+apps\/v1\s+true\s+ReplicaSet$/m);
      t.match(out, /^replicasets\s+extensions\/v1beta1\s+true\s+ReplicaSet$/m);
      t.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    });

    await t.test('create: the article ReplicaSet without a selector, and a Deployment', async (t) => {
      t.match(await ok(['create', '-f', await file(s, 'nginx.yaml', articleReplicaSet)]), 'replicaset.extensions/nginx created');
      t.match(await ok(['create', '-f', await file(s, 'web.yaml', deployment('web', 2))]), 'deployment.apps/web created');
      const rs = JSON.parse(await ok(['get', 'rs', 'nginx', '-o', 'json'])) as { apiVersion: string; spec: { selector: unknown } };
      t.equal(rs.apiVersion, 'apps/v1');
      t.same(rs.spec.selector, { matchLabels: { app: 'nginx' } });
      const again = await k('create', '-f', join(s.dir, 'web.yaml'));
      t.equal(again.code, 1);
      t.match(again.stderr, 'Error from server (AlreadyExists): error when creating');
      t.match(again.stderr, 'deployments.apps "web" already exists');
    });

    await t.test('get: tables, wide, yaml, name, selectors, all namespaces', async (t) => {
      t.match(await ok(['get', 'rs']), /^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\nnginx\s+4\s+0\s+0\s+\d+s\n$/);
      t.match(await ok(['get', 'deploy', '-o', 'wide']), /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\nweb\s+0\/2\s+0\s+0\s+\d+s\s+web\s+nginx:1\.25\s+app=web\n$/);
      t.match(await ok(['get', 'rs', 'nginx', '-o', 'yaml']), /matchLabels:\n\s+app: nginx/);
      t.equal(await ok(['get', 'deploy', '-o', 'name']), 'deployment.apps/web\n');
      t.match(await ok(['get', 'deploy', '-l', 'app=web']), /\nweb\s/);
      const none = await k('get', 'deploy', '-l', 'app!=web');
      t.match(none.stderr, 'No resources found in default namespace.');
      t.match(await ok(['get', 'deploy', '-A']), /^NAMESPACE\s+NAME\s+READY.*\ndefault\s+web\s+0\/2/);
      t.match(await ok(['get', 'deploy', '--show-labels']), /app=web/);
      t.match(await ok(['get', 'all']), /replicaset\.apps\/nginx/);
      const missing = await k('get', 'deploy', 'nope');
      t.equal(missing.code, 1);
      t.match(missing.stderr, 'Error from server (NotFound): deployments.apps "nope" not found');
    });

    await t.test('get -w prints changes', async (t) => {
      const child = s.spawnKubectl(['get', 'deploy', '-w'], { version });
      t.teardown(() => child.kill());
      let out = '';
      child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
      await waitFor('the initial table', () => /web\s+0\/2/.test(out));
      await ok(['scale', 'deploy', 'web', '--replicas=3']);
      await waitFor('the change', () => /web\s+0\/3/.test(out));
      t.equal(out.match(/^NAME/gm)?.length, 1, 'one header');
      t.equal(out.match(/^web/gm)?.length, 2, 'initial row and one change, no duplicates');
    });

    await t.test('apply twice, then after an edit', async (t) => {
      const p = await file(s, 'app.yaml', deployment('app', 2));
      t.match(await ok(['apply', '-f', p]), 'deployment.apps/app created');
      t.match(await ok(['apply', '-f', p]), 'deployment.apps/app unchanged');
      await file(s, 'app.yaml', deployment('app', 5));
      t.match(await ok(['apply', '-f', p]), 'deployment.apps/app configured');
      t.equal(await ok(['get', 'deploy', 'app', '-o', 'jsonpath={.spec.replicas} {.metadata.generation}']), '5 2');
    });

    await t.test('server-side apply, a conflict, and forcing it', async (t) => {
      const p = await file(s, 'ssa.yaml', deployment('ssa', 3));
      t.match(await ok(['apply', '--server-side', '-f', p]), 'deployment.apps/ssa serverside-applied');
      await ok(['scale', 'deploy', 'ssa', '--replicas=1']);
      await file(s, 'ssa.yaml', deployment('ssa', 4));
      const conflict = await k('apply', '--server-side', '-f', p);
      t.equal(conflict.code, 1);
      t.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl[^"]*" using apps\/v1: \.spec\.replicas/);
      t.match(conflict.stderr, '--force-conflicts');
      t.match(await ok(['apply', '--server-side', '--force-conflicts', '-f', p]), 'serverside-applied');
      t.equal(await ok(['get', 'deploy', 'ssa', '-o', 'jsonpath={.spec.replicas}']), '4');
    });

    await t.test('edit, label, annotate, scale', async (t) => {
      const editor = await file(s, 'editor.sh', '#!/bin/sh\nsed -i "s/replicas: [0-9]*/replicas: 7/" "$1"\n');
      await s.kubectl(['version', '--client'], { version });
      t.match(await ok(['edit', 'deploy', 'web'], { EDITOR: `sh ${editor}` }), 'deployment.apps/web edited');
      t.equal(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']), '7');
      t.match(await ok(['label', 'deploy', 'web', 'tier=frontend']), 'deployment.apps/web labeled');
      t.match(await ok(['annotate', 'deploy', 'web', 'note=hello']), /deployment\.apps\/web annotate/);
      t.match(await ok(['label', 'deploy', 'web', 'tier-']), 'deployment.apps/web unlabeled');
      t.match(await ok(['scale', 'rs', 'nginx', '--replicas=10']), 'replicaset.apps/nginx scaled');
      t.match(await ok(['get', 'rs', 'nginx']), /nginx\s+10\s/);
      const stale = await k('label', 'deploy', 'web', 'x=y', '--resource-version=1');
      t.equal(stale.code, 1);
      t.match(stale.stderr, 'Error from server (Conflict): Operation cannot be fulfilled on deployments.apps "web"');
    });

    await t.test('patch: strategic, merge, json', async (t) => {
      t.match(await ok(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}']), 'deployment.apps/web patched');
      t.match(await ok(['patch', 'deploy', 'web', '-p', '{"spec":{"replicas":7}}']), 'deployment.apps/web patched (no change)');
      t.match(await ok(['patch', 'deploy', 'web', '--type=merge', '-p', '{"metadata":{"labels":{"m":"1"}}}']), 'patched');
      t.match(await ok(['patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":2}]']), 'patched');
      const d = JSON.parse(await ok(['get', 'deploy', 'web', '-o', 'json'])) as { spec: { replicas: number; template: { spec: { containers: { image: string; ports: unknown }[] } } }; metadata: { labels: Record<string, string> } };
      t.equal(d.spec.replicas, 2);
      t.equal(d.metadata.labels['m'], '1');
      t.equal(d.spec.template.spec.containers[0]?.image, 'nginx:1.27');
      t.same(d.spec.template.spec.containers[0]?.ports, [{ containerPort: 80 }], 'strategic merge kept the container ports');
      const bad = await k('patch', 'deploy', 'web', '--type=json', '-p', '[{"op":"remove","path":"/spec/nope"}]');
      t.equal(bad.code, 1);
      t.match(bad.stderr, 'The request is invalid');
      t.match(await ok(['patch', 'deploy', 'web', '--subresource=scale', '--type=merge', '-p', '{"spec":{"replicas":9}}']), 'patched');
    });

    await t.test('diff exits 1 on differences', async (t) => {
      const p = await file(s, 'app.yaml', deployment('app', 6));
      const r = await k('diff', '-f', p);
      t.equal(r.code, 1, r.stderr);
      t.match(r.stdout, /-\s+replicas: 5\n\+\s+replicas: 6/);
      t.equal(await ok(['get', 'deploy', 'app', '-o', 'jsonpath={.spec.replicas}']), '5', 'diff did not write');
    });

    await t.test('replace with a stale resourceVersion is a Conflict', async (t) => {
      const cur = await ok(['get', 'deploy', 'app', '-o', 'yaml']);
      await ok(['label', 'deploy', 'app', 'moved=on']);
      const r = await k('replace', '-f', await file(s, 'cur.yaml', cur));
      t.equal(r.code, 1);
      t.match(r.stderr, 'Error from server (Conflict): error when replacing');
      t.match(r.stderr, 'Operation cannot be fulfilled on deployments.apps "app": the object has been modified; please apply your changes to the latest version and try again');
    });

    await t.test('bad inputs', async (t) => {
      const malformed = await k('create', '-f', await file(s, 'mal.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n'));
      t.equal(malformed.code, 1);
      t.match(malformed.stderr, 'error converting YAML to JSON');
      const negative = await k('create', '-f', await file(s, 'neg.yaml', deployment('bad', -1)));
      t.equal(negative.code, 1);
      t.match(negative.stderr, 'The Deployment "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
      const unknown = await k('create', '-f', await file(s, 'unk.yaml', deployment('unk', 1, '  paused: false\n  x: 1\n')));
      t.equal(unknown.code, 1);
      t.match(unknown.stderr, 'strict decoding error: unknown field "spec.x"');
    });

    await t.test('create from generators (protobuf bodies)', async (t) => {
      t.match(await ok(['create', 'namespace', 'team']), 'namespace/team created');
      t.match(await ok(['create', 'secret', 'generic', 'creds', '--from-literal=token=abc']), 'secret/creds created');
      t.equal(await ok(['get', 'secret', 'creds', '-o', 'jsonpath={.data.token}']), 'YWJj');
      t.match(await ok(['create', 'configmap', 'cfg', '-n', 'team', '--from-literal=k=v']), 'configmap/cfg created');
      t.match(await ok(['get', 'cm', '-A']), /team\s+cfg\s+1\s/);
      t.match(await ok(['get', 'ns']), /^team\s+Active\s/m);
      t.match(await ok(['create', 'deployment', 'gen', '--image=nginx:1.25', '--port=80', '--replicas=3']), 'deployment.apps/gen created');
      t.match(await ok(['get', 'deploy', 'gen', '-o', 'wide']), /gen\s+0\/3\s+0\s+0\s+\d+s\s+nginx\s+nginx:1\.25\s+app=gen/);
      t.match(await ok(['create', 'service', 'clusterip', 'gen', '--tcp=80:8080']), 'service/gen created');
      t.equal(await ok(['get', 'svc', 'gen', '-o', 'jsonpath={.spec.ports[0].targetPort} {.spec.selector.app}']), '8080 gen');
    });

    await t.test('describe lists events', async (t) => {
      t.match(await ok(['describe', 'deploy', 'web']), /Events:\s+<none>/);
    });

    await t.test('delete waits for the object to go', async (t) => {
      t.match(await ok(['delete', 'deploy', 'web']), 'deployment.apps "web" deleted');
      const gone = await k('get', 'deploy', 'web');
      t.match(gone.stderr, 'NotFound');
      t.equal((await k('delete', 'deploy', 'web', '--ignore-not-found')).code, 0);
      t.match(await ok(['delete', 'deploy', '-l', 'app=ssa']), 'deployment.apps "ssa" deleted');
    });

    await t.test('delete waits while finalizers hold the object', async (t) => {
      await ok(['create', '-f', await file(s, 'held.yaml', deployment('held', 1).replace('  labels: {app: held}', '  labels: {app: held}\n  finalizers: [example.com/hold]'))]);
      const child = s.spawnKubectl(['delete', 'deploy', 'held'], { version });
      let out = '';
      child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await waitFor('the deletion mark', async () => (await s.store.get(deploymentsKind, 'default', 'held'))?.metadata.deletionTimestamp);
      t.equal(child.exitCode, null, 'kubectl waits for the object to go');
      await ok(['patch', 'deploy', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
      t.equal(await exited, 0);
      t.match(out, 'deployment.apps "held" deleted');
    });
  });
}
