// @kubernetes/client-node 1.4 against the API handler over https: generic objects, errors, and an informer.
import t from 'tap';
import * as k8s from '@kubernetes/client-node';
import { startKubeTestServer, type KubeTestServer } from '../support/kube-test-server.js';
import { waitFor } from '../support/wait.js';

function kubeConfig(s: KubeTestServer): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: s.url, caData: Buffer.from(s.caCert).toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'tester', token: s.token }],
    contexts: [{ name: 'test', cluster: 'test', user: 'tester', namespace: 'default' }],
    currentContext: 'test',
  });
  return kc;
}

const deployment = (name: string, replicas = 1): k8s.V1Deployment => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name, namespace: 'default', labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } },
  },
});

t.test('KubernetesObjectApi: create, read, patch, delete, errors', async (t) => {
  const s = await startKubeTestServer();
  t.teardown(() => s.close());
  const api = k8s.KubernetesObjectApi.makeApiClient(kubeConfig(s));
  const created = await api.create(deployment('web', 2));
  t.equal(created.metadata?.name, 'web');
  t.ok(created.metadata?.uid);
  t.ok(created.metadata?.creationTimestamp instanceof Date, 'typed model with a Date');
  const read = await api.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' } });
  t.equal(read.metadata?.resourceVersion, created.metadata?.resourceVersion);
  const patched = await api.patch(
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels: { tier: 'web' } } },
    undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch,
  );
  t.same(patched.metadata?.labels, { app: 'web', tier: 'web' });
  const applied = await api.patch(deployment('web', 5), undefined, undefined, 'client', true, k8s.PatchStrategy.ServerSideApply);
  t.equal((applied as k8s.V1Deployment).spec?.replicas, 5);
  const secret = await api.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, stringData: { a: 'b' } } as k8s.V1Secret);
  t.same((secret as k8s.V1Secret).data, { a: 'Yg==' });
  await api.delete({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' } });
  const missing = await api.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' } }).then(
    () => undefined,
    (e: unknown) => e as { code: number; body: string },
  );
  t.equal(missing?.code, 404);
  t.match(JSON.parse(missing?.body ?? '{}'), { kind: 'Status', reason: 'NotFound', message: 'deployments.apps "web" not found' });
});

t.test('an informer sees adds, updates and deletes, also across a watch the server closed', async (t) => {
  const s = await startKubeTestServer();
  t.teardown(() => s.close());
  const kc = kubeConfig(s);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('before') });
  const informer = k8s.makeInformer(kc, '/apis/apps/v1/namespaces/default/deployments', () => apps.listNamespacedDeployment({ namespace: 'default' }));
  const seen: string[] = [];
  let connects = 0;
  informer.on('add', (d) => seen.push(`add ${d.metadata?.name}`));
  informer.on('update', (d) => seen.push(`update ${d.metadata?.name} ${d.spec?.replicas}`));
  informer.on('delete', (d) => seen.push(`delete ${d.metadata?.name}`));
  informer.on('connect', () => { connects += 1; });
  informer.on('error', (e) => seen.push(`error ${String(e)}`));
  await informer.start();
  t.teardown(() => informer.stop());
  await waitFor('the listed object', () => seen.includes('add before'));

  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('web') });
  await waitFor('add', () => seen.includes('add web'));
  await apps.patchNamespacedDeployment({ name: 'web', namespace: 'default', body: { spec: { replicas: 3 } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  await waitFor('update', () => seen.includes('update web 3'));

  const before = connects;
  s.endWatches();
  await waitFor('the informer to watch again', () => connects > before);
  await apps.patchNamespacedDeployment({ name: 'web', namespace: 'default', body: { spec: { replicas: 4 } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
  await waitFor('update after the re-watch', () => seen.includes('update web 4'));
  await apps.deleteNamespacedDeployment({ name: 'web', namespace: 'default' });
  await waitFor('delete', () => seen.includes('delete web'));
  t.same(informer.list('default').map((d) => d.metadata?.name), ['before']);
  t.notOk(seen.some((e) => e.startsWith('error')), seen.join('\n'));
  t.equal(seen.filter((e) => e === 'add web').length, 1, 'no duplicate adds after the re-watch');
});
