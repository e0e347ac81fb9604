// A client-node informer on ReplicaSets of a simulated cluster sees every change, also across forced watch closes.
import * as k8s from '@kubernetes/client-node';
import t from 'tap';
import { startTestSimulator } from '../support/membersim.js';
import { waitFor } from '../support/wait.js';

const replicaSet = (replicas: number): k8s.V1ReplicaSet => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
  },
});

t.test('informer on ReplicaSets through watch closes', async (t) => {
  const { sim, kubeConfig } = await startTestSimulator(t, 'berlin');
  const kc = kubeConfig('berlin');
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const informer = k8s.makeInformer(kc, '/apis/apps/v1/namespaces/default/replicasets', () => apps.listNamespacedReplicaSet({ namespace: 'default' }));
  const seen: string[] = [];
  let connects = 0;
  const record = (type: string) => (rs: k8s.V1ReplicaSet): void => {
    seen.push(`${type} ${rs.metadata?.name ?? ''} spec=${rs.spec?.replicas ?? ''} ready=${rs.status?.readyReplicas ?? 0}`);
  };
  informer.on('add', record('add'));
  informer.on('update', record('update'));
  informer.on('delete', record('delete'));
  informer.on('connect', () => { connects += 1; });
  informer.on('error', () => undefined); // the informer restarts itself; errors are not expected here
  await informer.start();
  t.teardown(() => informer.stop());

  /** The informer's view equals the server's: same objects at the same resourceVersions. */
  const caughtUp = async (): Promise<boolean> => {
    const server = (await apps.listNamespacedReplicaSet({ namespace: 'default' })).items.map((r) => `${r.metadata?.name ?? ''}@${r.metadata?.resourceVersion ?? ''}`);
    const cached = informer.list('default').map((r) => `${r.metadata?.name ?? ''}@${r.metadata?.resourceVersion ?? ''}`);
    return JSON.stringify(server.sort()) === JSON.stringify(cached.sort());
  };

  await apps.createNamespacedReplicaSet({ namespace: 'default', body: replicaSet(2) });
  await waitFor('add, then status updates up to 2 ready', () => seen.includes('add web spec=2 ready=0') && seen.includes('update web spec=2 ready=2'));
  await waitFor('informer caught up', caughtUp);

  // Close every watch, then change at once: the informer re-watches from its last resourceVersion and misses nothing.
  const before = connects;
  const closed = await sim.fault('berlin', { action: 'close-watches' });
  t.equal(closed._tag, 'Right');
  await apps.patchNamespacedReplicaSetScale(
    { name: 'web', namespace: 'default', body: { spec: { replicas: 3 } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  await waitFor('the informer reconnects', () => connects > before);
  await waitFor('scale to 3 seen through the close', () => seen.includes('update web spec=3 ready=3'));
  await waitFor('informer caught up after the close', caughtUp);

  await sim.fault('berlin', { action: 'close-watches' });
  await apps.deleteNamespacedReplicaSet({ name: 'web', namespace: 'default' });
  await waitFor('delete seen through the close', () => seen.some((s) => s.startsWith('delete web')));
  await waitFor('informer empty like the server', caughtUp);
  t.equal(informer.list('default').length, 0);
  t.ok(seen.filter((s) => s.startsWith('add')).length === 1, `one add: ${seen.join('; ')}`);
});
