// Rendering a member's copy of a federated object, and telling whether a live copy still holds it.
import t from 'tap';
import type { KubeObject } from '../../../libs/kube-api/object.js';
import {
  diffNeeded, FEDERATED_OBJECT_ANNOTATION, FEDERATION_GENERATION_ANNOTATION, holds, MANAGED_BY_LABEL, render, TEMPLATE_HASH_ANNOTATION,
  toServedVersion,
} from '../../../libs/sync/render.js';
import { PREFERENCES_ANNOTATION } from '../../../libs/placement/preferences.js';
import { articleReplicaSet, stored } from '../../support/federation-objects.js';

const served = (o: KubeObject): KubeObject => ({
  ...o,
  metadata: {
    ...o.metadata, resourceVersion: '42', creationTimestamp: '2024-05-01T10:00:00Z', finalizers: ['x'],
    managedFields: [{ manager: 'kubectl' }], ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u' }],
    annotations: { ...o.metadata.annotations, 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'kfed.io/orphan': 'true', team: 'web' },
  },
  status: { replicas: 10, placement: { berlin: 5, 'new-york': 5 } },
});

t.test('a ReplicaSet copy: the placed replicas, federation metadata stripped, kfed label and annotations added', async (t) => {
  const fed = served(articleReplicaSet(10, { berlin: 1, 'new-york': 1 }, 3));
  const copy = render(stored(fed), 5, 'kfed');
  t.equal(copy.apiVersion, 'apps/v1');
  t.equal((copy['spec'] as { replicas: number }).replicas, 5);
  t.equal(copy['status'], undefined);
  t.same(Object.keys(copy.metadata).sort(), ['annotations', 'labels', 'name', 'namespace']);
  t.same(copy.metadata.labels, { [MANAGED_BY_LABEL]: 'kfed' });
  const a = copy.metadata.annotations ?? {};
  t.equal(a['team'], 'web', 'user annotations travel');
  t.equal(a[PREFERENCES_ANNOTATION], undefined, 'placement preferences stay in the federation');
  t.equal(a['kubectl.kubernetes.io/last-applied-configuration'], undefined);
  t.equal(a['kfed.io/orphan'], undefined);
  t.equal(a[FEDERATED_OBJECT_ANNOTATION], 'apps/ReplicaSet/default/nginx');
  t.equal(a[FEDERATION_GENERATION_ANNOTATION], '3');
  t.match(a[TEMPLATE_HASH_ANNOTATION], /^[0-9a-f]{8}$/);
  t.not(render(stored(fed), 4, 'kfed').metadata.annotations?.[TEMPLATE_HASH_ANNOTATION], a[TEMPLATE_HASH_ANNOTATION], 'another share, another hash');
  t.same(render(stored(fed), 5, 'kfed'), copy, 'deterministic');
});

t.test('legacy group versions are converted to what members serve', async (t) => {
  const cases: { name: string; input: KubeObject; apiVersion: string; check: (o: KubeObject) => void }[] = [
    {
      name: 'extensions/v1beta1 ReplicaSet without a selector',
      input: { apiVersion: 'extensions/v1beta1', kind: 'ReplicaSet', metadata: { name: 'nginx', namespace: 'default' },
        spec: { replicas: 4, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.10' }] } } } },
      apiVersion: 'apps/v1',
      check: (o) => t.same((o['spec'] as { selector: unknown }).selector, { matchLabels: { app: 'nginx' } }),
    },
    {
      name: 'extensions/v1beta1 Ingress with old-style backends',
      input: { apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: 'web', namespace: 'default' },
        spec: { backend: { serviceName: 'nginx', servicePort: 80 }, rules: [{ host: 'a', http: { paths: [{ path: '/', backend: { serviceName: 'api', servicePort: 'http' } }] } }] } },
      apiVersion: 'networking.k8s.io/v1',
      check: (o) => t.same(o['spec'], {
        defaultBackend: { service: { name: 'nginx', port: { number: 80 } } },
        rules: [{ host: 'a', http: { paths: [{ pathType: 'ImplementationSpecific', path: '/', backend: { service: { name: 'api', port: { name: 'http' } } } }] } }],
      }),
    },
    {
      name: 'apps/v1 stays as it is',
      input: articleReplicaSet(4, { berlin: 1 }),
      apiVersion: 'apps/v1',
      check: (o) => t.same(o, articleReplicaSet(4, { berlin: 1 })),
    },
  ];
  for (const c of cases) {
    const out = toServedVersion(c.input);
    t.equal(out.apiVersion, c.apiVersion, c.name);
    c.check(out);
  }
});

t.test('a Service copy leaves cluster IPs to the member', async (t) => {
  const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
    spec: { type: 'ClusterIP', clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ports: [{ port: 80 }] } };
  const copy = render({ object: svc, ref: { group: '', kind: 'Service', namespace: 'default', name: 'web' } }, 0, 'kfed');
  t.same(copy['spec'], { type: 'ClusterIP', ports: [{ port: 80 }] });
});

t.test('holds: live holds everything desired says; member-side additions do not count', async (t) => {
  const cases: [string, unknown, unknown, boolean][] = [
    ['equal scalars', 5, 5, true],
    ['changed scalar', 4, 5, false],
    ['extra live fields', { a: 1, b: 2 }, { a: 1 }, true],
    ['missing field', { b: 2 }, { a: 1 }, false],
    ['defaults inside list elements', [{ name: 'c', image: 'x', imagePullPolicy: 'Always' }], [{ name: 'c', image: 'x' }], true],
    ['an extra list element', [{ name: 'a' }, { name: 'b' }], [{ name: 'a' }], false],
    ['empty desired map, nothing live', undefined, {}, true],
    ['empty desired list, nothing live', undefined, [], true],
    ['null desired, nothing live', undefined, null, true],
    ['string vs number', '5', 5, false],
  ];
  for (const [name, live, desired, want] of cases) t.equal(holds(live, desired), want, name);
});

t.test('diffNeeded: a member-side edit of a field kfed owns, or a changed template, needs an apply', async (t) => {
  const desired = render(stored(articleReplicaSet(10, { berlin: 1 })), 5, 'kfed');
  const live: KubeObject = {
    ...desired,
    metadata: { ...desired.metadata, uid: 'u1', resourceVersion: '7', labels: { ...desired.metadata.labels, extra: 'member' } },
    spec: { ...(desired['spec'] as object), minReadySeconds: 0 },
    status: { replicas: 5 },
  };
  t.equal(diffNeeded(desired, live), false, 'member additions and status are not drift');
  t.equal(diffNeeded(desired, { ...live, spec: { ...(live['spec'] as object), replicas: 7 } }), true, 'spec.replicas edited in the member');
  const { [MANAGED_BY_LABEL]: _gone, ...labels } = live.metadata.labels ?? {};
  t.equal(diffNeeded(desired, { ...live, metadata: { ...live.metadata, labels } }), true, 'kfed label removed');
  const next = render(stored(articleReplicaSet(10, { berlin: 1 })), 6, 'kfed');
  t.equal(diffNeeded(next, live), true, 'a new share of replicas');
});
