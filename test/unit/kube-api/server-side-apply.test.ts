import t from 'tap';
import * as E from 'fp-ts/lib/Either.js';
import {
  conflictCauses, conflictMessage, recordUpdate, serverSideApply, type ApplyConflict, type KubeObjectLike,
} from '../../../libs/kube-api/apply.js';

const t0 = '2025-01-01T00:00:00Z';
const t1 = '2025-01-01T00:01:00Z';
const t2 = '2025-01-01T00:02:00Z';

function manifest(over: { replicas?: number; labels?: Record<string, string>; ports?: boolean } = {}): KubeObjectLike {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'default', ...(over.labels === undefined ? {} : { labels: over.labels }) },
    spec: {
      replicas: over.replicas ?? 3,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ...(over.ports === false ? {} : { ports: [{ containerPort: 80 }] }) }] },
      },
    },
  };
}

const applied = (r: E.Either<ApplyConflict, KubeObjectLike>): KubeObjectLike => {
  if (E.isLeft(r)) throw new Error(`unexpected conflict: ${conflictMessage(r.left, 'apps/v1')}`);
  return r.right;
};
const managed = (o: KubeObjectLike) => o.metadata?.managedFields as { manager: string; operation: string; time: string; fieldsV1: Record<string, unknown> }[];
const withoutManaged = (o: KubeObjectLike) => {
  const { managedFields: _m, ...meta } = o.metadata ?? {};
  return { ...o, metadata: meta };
};

const specFields = {
  'f:replicas': {},
  'f:selector': {},
  'f:template': {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': {
      '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80}': { '.': {}, 'f:containerPort': {} } },
    } } },
  },
};

t.test('first apply creates the object and records Apply ownership in FieldsV1', async (t) => {
  const created = applied(serverSideApply(undefined, manifest(), 'kubectl', false, t0, 'apps/v1'));
  t.strictSame(withoutManaged(created), manifest());
  t.strictSame(managed(created), [{
    manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: t0, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': specFields },
  }]);
});

t.test('re-applying the same config changes nothing, not even the time', async (t) => {
  const created = applied(serverSideApply(undefined, manifest(), 'kubectl', false, t0, 'apps/v1'));
  const again = applied(serverSideApply(created, manifest(), 'kubectl', false, t1, 'apps/v1'));
  t.strictSame(again, created);
});

t.test('a field changed by an Update manager conflicts; force takes it over', async (t) => {
  const created = recordUpdate(undefined, manifest(), 'kubectl-client-side-apply', t0, 'apps/v1');
  t.strictSame(managed(created).map((m) => [m.manager, m.operation]), [['kubectl-client-side-apply', 'Update']]);
  t.strictSame(managed(created)[0]?.fieldsV1, { 'f:spec': specFields });

  const conflict = serverSideApply(created, manifest({ replicas: 5 }), 'kubectl', false, t1, 'apps/v1');
  t.ok(E.isLeft(conflict));
  if (E.isLeft(conflict)) {
    t.strictSame(conflict.left.conflicts, [{ manager: 'kubectl-client-side-apply', field: '.spec.replicas', operation: 'Update', apiVersion: 'apps/v1' }]);
    t.equal(conflictMessage(conflict.left, 'apps/v1'), 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    t.strictSame(conflictCauses(conflict.left, 'apps/v1'), [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }]);
  }

  // Applying values equal to live is no conflict: ownership is shared.
  const shared = applied(serverSideApply(created, manifest(), 'kubectl', false, t1, 'apps/v1'));
  t.strictSame(managed(shared).map((m) => m.manager), ['kubectl-client-side-apply', 'kubectl']);

  const forced = applied(serverSideApply(created, manifest({ replicas: 5 }), 'kubectl', true, t1, 'apps/v1'));
  t.equal((forced.spec as { replicas: number }).replicas, 5);
  const [csa, ssa] = managed(forced);
  t.equal(csa?.manager, 'kubectl-client-side-apply');
  t.notOk('f:replicas' in ((csa?.fieldsV1['f:spec'] ?? {}) as object), 'the Update manager lost .spec.replicas');
  t.equal(ssa?.manager, 'kubectl');
  t.strictSame(ssa?.fieldsV1, { 'f:spec': specFields });
});

t.test('after a scale by another manager, applying the old replicas conflicts', async (t) => {
  const created = applied(serverSideApply(undefined, manifest(), 'kubectl', false, t0, 'apps/v1'));
  const scaled = recordUpdate(created, { ...created, spec: { ...(created.spec as object), replicas: 10 } }, 'kubectl-scale', t1, 'apps/v1');
  t.strictSame(managed(scaled).map((m) => [m.manager, m.operation, m.time]), [['kubectl', 'Apply', t0], ['kubectl-scale', 'Update', t1]]);
  t.strictSame(managed(scaled)[1]?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  const r = serverSideApply(scaled, manifest(), 'kubectl', false, t2, 'apps/v1');
  t.ok(E.isLeft(r) && conflictMessage(r.left, 'apps/v1') === 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas');
  // Leaving replicas out of the applied config hands the field to the scaler: no conflict, and it stays.
  const { replicas: _r, ...specWithoutReplicas } = manifest().spec as Record<string, unknown>;
  const handedOver = applied(serverSideApply(scaled, { ...manifest(), spec: specWithoutReplicas }, 'kubectl', false, t2, 'apps/v1'));
  t.equal((handedOver.spec as { replicas: number }).replicas, 10);
});

t.test('fields dropped from the applied config are removed unless someone else owns them', async (t) => {
  const created = applied(serverSideApply(undefined, manifest({ labels: { app: 'nginx', tier: 'web' } }), 'kubectl', false, t0, 'apps/v1'));
  const slimmer = applied(serverSideApply(created, manifest({ labels: { app: 'nginx' }, ports: false }), 'kubectl', false, t1, 'apps/v1'));
  t.strictSame(slimmer.metadata?.labels, { app: 'nginx' });
  const container = (slimmer.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0];
  t.strictSame(container, { name: 'nginx', image: 'nginx:1.25' });
  t.strictSame(managed(slimmer)[0]?.fieldsV1, {
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': { ...specFields, 'f:template': { ...specFields['f:template'], 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } } },
  });
  t.equal(managed(slimmer)[0]?.time, t1);

  // A label another manager also set survives its removal from the applied config.
  const labelled = recordUpdate(created, { ...created, metadata: { ...created.metadata, labels: { app: 'nginx', tier: 'web', team: 'a' } } }, 'kubectl-label', t1, 'apps/v1');
  const coOwned = applied(serverSideApply(labelled, manifest({ labels: { app: 'nginx' } }), 'kubectl', false, t2, 'apps/v1'));
  t.strictSame(coOwned.metadata?.labels, { app: 'nginx', team: 'a' }, 'tier (only kubectl) removed, team (kubectl-label) kept');
});

t.test('identity and server-maintained metadata are never owned nor conflicts', async (t) => {
  const live = { ...manifest(), metadata: { name: 'nginx', namespace: 'default', uid: 'u1', resourceVersion: '7', generation: 2, creationTimestamp: t0 } };
  const tracked = recordUpdate(undefined, live, 'kubectl-create', t0, 'apps/v1');
  t.strictSame(Object.keys(managed(tracked)[0]?.fieldsV1 ?? {}), ['f:spec']);
  const r = applied(serverSideApply(tracked, { ...manifest(), apiVersion: 'apps/v1', metadata: { name: 'nginx', namespace: 'default', resourceVersion: '3' } }, 'kubectl', false, t1, 'apps/v1'));
  t.equal(r.metadata?.resourceVersion, '7', 'the live resourceVersion stays; the caller sets a new one');
  t.equal(r.metadata?.uid, 'u1');
});

t.test('an object never tracked belongs to before-first-apply', async (t) => {
  const r = serverSideApply(manifest({ replicas: 2 }), manifest({ replicas: 4 }), 'kubectl', false, t1, 'apps/v1');
  t.ok(E.isLeft(r) && conflictMessage(r.left, 'apps/v1') === 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
});

t.test('several conflicts are worded as kube-apiserver does', async (t) => {
  const created = recordUpdate(undefined, manifest(), 'kubectl-client-side-apply', t0, 'apps/v1');
  const changed = manifest({ replicas: 5 });
  (changed.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image = 'nginx:2';
  const r = serverSideApply(created, changed, 'kubectl', false, t1, 'apps/v1');
  t.ok(E.isLeft(r));
  if (E.isLeft(r)) {
    t.equal(conflictMessage(r.left, 'apps/v1'), [
      'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:',
      '- .spec.replicas',
      '- .spec.template.spec.containers[name="nginx"].image',
    ].join('\n'));
  }
});

t.test('recordUpdate: removed fields leave every manager, changed ones move to the updater', async (t) => {
  const two = manifest();
  const spec = two.spec as { template: { spec: { containers: unknown[] } } };
  spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox' });
  const created = recordUpdate(undefined, two, 'kubectl-create', t0, 'apps/v1');
  const edited = recordUpdate(created, { ...manifest({ replicas: 7 }), metadata: created.metadata }, 'kubectl-edit', t1, 'apps/v1');
  const [create, edit] = managed(edited);
  t.notOk(JSON.stringify(create?.fieldsV1).includes('sidecar'), 'the removed container left the creator');
  t.notOk(JSON.stringify(create?.fieldsV1).includes('f:replicas'), 'replicas moved to the editor');
  t.strictSame(edit?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  t.equal(edit?.operation, 'Update');
  const unchanged = recordUpdate(edited, edited, 'kubectl-edit', t2, 'apps/v1');
  t.equal(managed(unchanged)[1]?.time, t1, 'a no-op update keeps the time');
});

t.test('a kind without a schema: metadata is tracked like any kind, the rest field by field', async (t) => {
  const cluster = (spec: Record<string, unknown>): KubeObjectLike => ({
    apiVersion: 'federation/v1beta1', kind: 'Cluster', metadata: { name: 'berlin', labels: { region: 'eu' }, finalizers: ['kfed.io/cleanup'] }, spec,
  });
  const first = applied(serverSideApply(undefined, cluster({ server: 'http://a', secretRef: { name: 's' } }), 'kubectl', false, t0, 'federation/v1beta1'));
  t.strictSame(managed(first)[0]?.fieldsV1, {
    'f:metadata': { 'f:finalizers': { 'v:"kfed.io/cleanup"': {} }, 'f:labels': { 'f:region': {} } },
    'f:spec': { 'f:secretRef': { 'f:name': {} }, 'f:server': {} },
  });
  const second = applied(serverSideApply(first, cluster({ server: 'http://b' }), 'kubectl', false, t1, 'federation/v1beta1'));
  t.strictSame(second.spec, { server: 'http://b' });
});
