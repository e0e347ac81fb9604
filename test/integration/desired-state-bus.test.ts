// Desired state over NATS: the same validation, authorisation and append as HTTP; `kfed publish`.
import t from 'tap';
import { runKfed } from '../support/kfed-cli.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestApiServer } from '../support/apiserver.js';
import { example } from '../support/examples.js';
import { NATS_URL } from '../support/federation.js';

/** A ConfigMap and the article's ReplicaSet in one file. */
const manifest = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: fast}
---
${example('nginx.yaml')}`;

t.test('kfed publish applies, reports unchanged, deletes; errors are kubectl-like', async (t) => {
  const api = await startTestApiServer(t);
  const path = join(api.dir, 'objects.yaml');
  await writeFile(path, manifest);
  const common = ['--nats', NATS_URL, '--federation', api.federation];

  let r = await runKfed(['publish', '-f', path, ...common, '--token', api.adminToken]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'configmap/settings created\nreplicaset.extensions/nginx created\n');
  const rv = (await api.kubectl.run(['get', 'rs', 'nginx', '-o', 'jsonpath={.metadata.resourceVersion} {.metadata.managedFields[0].manager}'])).stdout;
  t.match(rv, /^\d+ kfed-publish$/);

  r = await runKfed(['publish', '-f', path, ...common], { KFED_TOKEN: api.adminToken });
  t.equal(r.stdout, 'configmap/settings unchanged\nreplicaset.extensions/nginx unchanged\n', r.stderr);

  await writeFile(path, manifest.replace('replicas: 4', 'replicas: 6'));
  r = await runKfed(['publish', '-f', path, ...common, '--token', api.adminToken]);
  t.equal(r.stdout, 'configmap/settings unchanged\nreplicaset.extensions/nginx configured\n');
  t.equal((await api.kubectl.run(['get', 'rs', 'nginx', '-o', 'jsonpath={.spec.replicas}'])).stdout, '6');

  const before = await api.redis.xlen(`kfed:{${api.federation}}:log`);
  await writeFile(path, manifest.replace('replicas: 4', 'replicas: -2'));
  r = await runKfed(['publish', '-f', path, ...common, '--token', api.adminToken]);
  t.equal(r.code, 1);
  t.match(r.stderr, /Error from server \(Invalid\): ReplicaSet.extensions "nginx" is invalid: spec.replicas: Invalid value: -2/);
  r = await runKfed(['publish', '-f', path, ...common]);
  t.equal(r.code, 1);
  t.match(r.stderr, /Error from server \(Unauthorized\)/);
  r = await runKfed(['publish', '-f', path, ...common, '--token', api.readOnlyToken]);
  t.match(r.stderr, /Error from server \(Forbidden\)/);
  t.equal(await api.redis.xlen(`kfed:{${api.federation}}:log`), before, 'rejected requests stored nothing');

  await writeFile(path, manifest);
  r = await runKfed(['publish', '-f', path, ...common, '--token', api.adminToken, '--delete']);
  t.equal(r.stdout, 'configmap/settings deleted\nreplicaset.extensions/nginx deleted\n', r.stderr);
  t.equal((await api.kubectl.run(['get', 'rs'])).stderr.trim(), 'No resources found in default namespace.');

  r = await runKfed(['publish', '-f', path, '--nats', NATS_URL, '--federation', 'nobody-listens-here', '--timeout', '2000']);
  t.equal(r.code, 1);
  t.match(r.stderr, /no federation API server answers/);
  await writeFile(path, 'kind: [unclosed');
  r = await runKfed(['publish', '-f', path, ...common]);
  t.equal(r.code, 2);
});
