import t from 'tap';
import { formatAge, formatDuration } from '../../../libs/kube-api/printers.js';
import { deployments, namespaces, pods, replicaSets, secrets } from '../../../libs/kube-api/resources.js';
import { negotiateTable, toTable } from '../../../libs/kube-api/table.js';
import type { KubeObject } from '../../../libs/kube-api/object.js';

t.test('durations print like kubectl', async (t) => {
  const s = 1000;
  const cases: [number, string][] = [
    [0, '0s'], [5 * s, '5s'], [119 * s, '119s'], [120 * s, '2m'], [182 * s, '3m2s'], [600 * s, '10m'],
    [179 * 60 * s, '179m'], [3 * 3600 * s, '3h'], [4 * 3600 * s + 5 * 60 * s, '4h5m'], [20 * 3600 * s, '20h'],
    [2 * 86400 * s, '2d'], [3 * 86400 * s + 4 * 3600 * s, '3d4h'], [12 * 86400 * s, '12d'], [-500, '0s'], [-5 * s, '<invalid>'],
    [(2 * 365 + 30) * 86400 * s, '2y30d'], [9 * 365 * 86400 * s, '9y'],
  ];
  for (const [ms, want] of cases) t.equal(formatDuration(ms), want, want);
  t.equal(formatAge(undefined, new Date()), '<unknown>');
  t.equal(formatAge('2025-01-01T00:00:00Z', new Date('2025-01-01T00:00:42Z')), '42s');
});

t.test('Table negotiation', async (t) => {
  t.equal(negotiateTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'), 'v1');
  t.equal(negotiateTable('application/json;as=Table;v=v1beta1;g=meta.k8s.io'), 'v1beta1');
  t.equal(negotiateTable('application/json'), undefined);
  t.equal(negotiateTable(undefined), undefined);
});

const now = new Date('2025-01-01T00:10:00Z');
const meta = (name: string, extra: object = {}): KubeObject['metadata'] =>
  ({ name, namespace: 'default', creationTimestamp: '2025-01-01T00:07:00Z', resourceVersion: '7', ...extra });

t.test('rows carry PartialObjectMetadata with kind and apiVersion', async (t) => {
  const d: KubeObject = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: meta('web', { labels: { app: 'web' }, managedFields: [{ manager: 'x' }] }),
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'a', image: 'nginx:1' }, { name: 'b', image: 'busybox' }] } } },
    status: { readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 },
  };
  const table = toTable(deployments, [d], { version: 'v1', now, listMeta: { resourceVersion: '9' }, includeObject: 'Metadata', withColumns: true });
  t.equal(table.kind, 'Table');
  t.equal(table.apiVersion, 'meta.k8s.io/v1');
  t.same(table.metadata, { resourceVersion: '9' });
  t.same(table.columnDefinitions.map((c) => [c.name, c.priority]), [
    ['Name', 0], ['Ready', 0], ['Up-to-date', 0], ['Available', 0], ['Age', 0], ['Containers', 1], ['Images', 1], ['Selector', 1],
  ]);
  t.same(table.rows[0]?.cells, ['web', '1/3', 2, 1, '3m', 'a,b', 'nginx:1,busybox', 'app=web']);
  t.same(table.rows[0]?.object, {
    kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2025-01-01T00:07:00Z', resourceVersion: '7', labels: { app: 'web' } },
  });
  const full = toTable(deployments, [d], { version: 'v1', now, listMeta: {}, includeObject: 'Object', withColumns: false });
  t.same(full.rows[0]?.object, d);
  t.same(full.columnDefinitions, []);
  const none = toTable(deployments, [d], { version: 'v1', now, listMeta: {}, includeObject: 'None', withColumns: true });
  t.equal(none.rows[0]?.object, undefined);
});

t.test('built-in printers', async (t) => {
  const cell = (type: typeof pods, obj: { metadata: KubeObject['metadata']; [k: string]: unknown }): unknown[] =>
    type.table.cells({ ...obj, apiVersion: 'v1', kind: type.kind }, now);
  t.same(cell(replicaSets, { metadata: meta('nginx'), spec: { replicas: 4 }, status: { replicas: 2, readyReplicas: 1 } }).slice(0, 5),
    ['nginx', 4, 2, 1, '3m']);
  t.same(cell(pods, {
    metadata: meta('p'), spec: { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'n1' },
    status: { phase: 'Running', podIP: '10.0.0.1', containerStatuses: [{ ready: true, restartCount: 2 }, { ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
  }), ['p', '1/2', 'CrashLoopBackOff', '3', '3m', '10.0.0.1', 'n1', '<none>', '<none>']);
  t.same(cell(namespaces, { metadata: meta('team'), status: { phase: 'Active' } }), ['team', 'Active', '3m']);
  t.same(cell(secrets, { metadata: meta('s'), type: 'Opaque', data: { a: 'eA==', b: 'eQ==' } }), ['s', 'Opaque', 2, '3m']);
});
