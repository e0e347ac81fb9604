// The syncer against simulated members, with the API server, the scheduler and the aggregator: what the federation decides is what the members hold.
import t from 'tap';
import type * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../../libs/kube-api/object.js';
import { getArray, getNumber, getString } from '../../libs/kube-api/json.js';
import { PREFERENCES_ANNOTATION } from '../../libs/placement/preferences.js';
import { ADOPT_ANNOTATION, FEDERATED_OBJECT_ANNOTATION, MANAGED_BY_LABEL, ORPHAN_ANNOTATION } from '../../libs/sync/render.js';
import { preferences } from '../support/federation-objects.js';
import { startControlPlane, type ControlPlane, type ObjectAt } from '../support/control-plane.js';
import type { SyncerSettings } from '../../services/syncer/syncer.js';
import { startTestApiServer } from '../support/apiserver.js';
import { waitFor } from '../support/wait.js';

const rs = (name = 'nginx'): ObjectAt => ({ resource: 'replicasets', namespace: 'default', name });
const cm = (name: string): ObjectAt => ({ resource: 'configmaps', namespace: 'default', name });

/** The article's ReplicaSet (extensions/v1beta1, no selector) with weights per cluster. */
function nginx(replicas: number, weights: Record<string, number>, annotations: Record<string, string> = {}, name = 'nginx'): KubeObject {
  return {
    apiVersion: 'extensions/v1beta1', kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', annotations: { [PREFERENCES_ANNOTATION]: preferences(weights), ...annotations } },
    spec: { replicas, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.10' }] } } },
  };
}

const replicasIn = async (p: ControlPlane, cluster: string, name = 'nginx'): Promise<number | undefined> => {
  const copy = await p.inMember(cluster, rs(name));
  return copy === undefined ? undefined : getNumber(copy, 'spec', 'replicas');
};

/** Waits until every member holds `want` replicas of the ReplicaSet (undefined: no copy). */
const holds = (p: ControlPlane, want: Record<string, number | undefined>, name = 'nginx'): Promise<true> =>
  waitFor(`members to hold ${JSON.stringify(want)}`, async () => {
    for (const [cluster, n] of Object.entries(want)) if ((await replicasIn(p, cluster, name)) !== n) return false;
    return true;
  });

const apply = async (p: ControlPlane, manifest: KubeObject): Promise<void> => {
  const r = await p.api.kubectl.run(['apply', '-f', '-'], { stdin: JSON.stringify(manifest) });
  if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
};


const clusterCondition = (o: KubeObject | undefined, cluster: string, type: string): unknown =>
  getArray(o, 'status', 'clusters').find((c) => getString(c, 'name') === cluster) === undefined ? undefined
    : getArray(getArray(o, 'status', 'clusters').find((c) => getString(c, 'name') === cluster), 'conditions').find((c) => getString(c, 'type') === type);

t.test('the article: 5/5 appears as two ReplicaSets of 5, a weight change moves them, deleting removes both copies', async (t) => {
  const p = await startControlPlane(t);
  await p.controllers();
  await apply(p, nginx(10, { 'new-york': 1, berlin: 1 }));
  await holds(p, { berlin: 5, 'new-york': 5 });

  const copy = await p.inMember('berlin', rs()) as KubeObject;
  t.equal(copy.metadata.labels?.[MANAGED_BY_LABEL], p.api.federation, 'the copy carries the managed-by label');
  t.equal(copy.metadata.annotations?.[FEDERATED_OBJECT_ANNOTATION], 'apps/ReplicaSet/default/nginx');
  t.equal(copy.metadata.annotations?.[PREFERENCES_ANNOTATION], undefined, 'placement preferences stay in the federation');
  t.same((copy['spec'] as { selector: unknown }).selector, { matchLabels: { app: 'nginx' } }, 'the legacy ReplicaSet got its selector from the template labels');

  await apply(p, nginx(10, { 'new-york': 20, berlin: 0 }));
  await holds(p, { berlin: undefined, 'new-york': 10 });
  await apply(p, nginx(10, { 'new-york': 0, berlin: 20 }));
  await holds(p, { berlin: 10, 'new-york': undefined });

  const deleted = await p.api.kubectl.run(['delete', 'rs', 'nginx']);
  t.equal(deleted.code, 0, deleted.stderr);
  await holds(p, { berlin: undefined, 'new-york': undefined });
});

t.test('orphaning keeps the copies: by annotation, and by propagationPolicy Orphan', async (t) => {
  const p = await startControlPlane(t);
  await p.controllers();
  await apply(p, nginx(4, { 'new-york': 1, berlin: 1 }, { [ORPHAN_ANNOTATION]: 'true' }));
  await holds(p, { berlin: 2, 'new-york': 2 });
  await apply(p, nginx(4, { 'new-york': 1, berlin: 0 }, { [ORPHAN_ANNOTATION]: 'true' }));
  await holds(p, { 'new-york': 4 });
  t.equal(await replicasIn(p, 'berlin'), 2, 'no longer placed on berlin, but the orphan annotation keeps the copy');

  t.equal((await p.api.kubectl.run(['delete', 'rs', 'nginx'])).code, 0);
  await waitFor('the copies to be released', async () => {
    const copies = await Promise.all(p.clusters.map((c) => p.inMember(c, rs())));
    return copies.every((c) => c !== undefined && c.metadata.labels?.[MANAGED_BY_LABEL] === undefined);
  });
  t.same([await replicasIn(p, 'berlin'), await replicasIn(p, 'new-york')], [2, 4], 'the members keep running them, no longer managed');

  await apply(p, nginx(2, { 'new-york': 1, berlin: 1 }, {}, 'web'));
  await holds(p, { berlin: 1, 'new-york': 1 }, 'web');
  const deleted = await p.api.kubectl.run(['delete', 'rs', 'web', '--cascade=orphan']);
  t.equal(deleted.code, 0, deleted.stderr);
  await waitFor('the orphaned copies to be released', async () => {
    const copies = await Promise.all(p.clusters.map((c) => p.inMember(c, rs('web'))));
    return copies.every((c) => c !== undefined && c.metadata.labels?.[MANAGED_BY_LABEL] === undefined);
  });
});

t.test('drift: a member-side edit of spec.replicas, or a deletion, is reverted', async (t) => {
  const p = await startControlPlane(t);
  await p.controllers();
  await apply(p, nginx(10, { 'new-york': 1, berlin: 1 }));
  await holds(p, { berlin: 5, 'new-york': 5 });

  const scaled = await p.memberKubectl('berlin').run(['scale', 'rs', 'nginx', '--replicas=7']);
  t.equal(scaled.code, 0, scaled.stderr);
  await holds(p, { berlin: 5 });
  t.pass('spec.replicas edited in berlin went back to 5');

  const removed = await p.memberKubectl('new-york').run(['delete', 'rs', 'nginx']);
  t.equal(removed.code, 0, removed.stderr);
  await holds(p, { 'new-york': 5 });
  t.pass('the copy deleted in new-york is back');
});

t.test('an unmanaged object of the same name is left alone and reported, unless adoption is asked', async (t) => {
  const p = await startControlPlane(t);
  await p.controllers();
  const theirs = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'nginx', namespace: 'default', labels: { owner: 'berlin-team' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'nginx' } }, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.9' }] } } },
  };
  await p.member('berlin').create(theirs as k8s.KubernetesObject);
  await apply(p, nginx(10, { 'new-york': 1, berlin: 1 }));
  await holds(p, { 'new-york': 5 });

  const reported = await waitFor('berlin to report AlreadyExists', async () => {
    const o = await p.federated(rs());
    const c = clusterCondition(o, 'berlin', 'Synced');
    return getString(c, 'reason') === 'AlreadyExists' ? o : undefined;
  });
  const propagated = getArray(reported, 'status', 'conditions').find((c) => getString(c, 'type') === 'Propagated');
  t.match(propagated, { status: 'False', reason: 'AlreadyExists' });
  t.match(getString(propagated, 'message'), /berlin: AlreadyExists: .*kfed does not manage it/);
  const left = await p.inMember('berlin', rs());
  t.equal(getNumber(left, 'spec', 'replicas'), 1, 'berlin\'s own ReplicaSet is untouched');
  t.equal(left?.metadata.labels?.[MANAGED_BY_LABEL], undefined);

  const yaml = await p.api.kubectl.run(['get', 'rs', 'nginx', '-o', 'yaml']);
  t.match(yaml.stdout, /reason: AlreadyExists/, 'the per-cluster condition shows in -o yaml');
  const described = await p.api.kubectl.run(['describe', 'rs', 'nginx']);
  t.match(described.stdout, /Propagated\s+False\s+AlreadyExists/, 'and in kubectl describe');

  await apply(p, nginx(10, { 'new-york': 1, berlin: 1 }, { [ADOPT_ANNOTATION]: 'true' }));
  await holds(p, { berlin: 5, 'new-york': 5 });
  const adopted = await p.inMember('berlin', rs());
  t.equal(adopted?.metadata.labels?.[MANAGED_BY_LABEL], p.api.federation, 'adopted');
});

t.test('a write the member rejects becomes a per-cluster condition with the member\'s message; a failing member does not hold up the others', async (t) => {
  const p = await startControlPlane(t);
  // A member whose credentials only allow reading: another Kubernetes API (a second federation) with a read-only token.
  const readOnly = await startTestApiServer(t);
  await p.join('paris', { server: readOnly.server.url, ca: readOnly.caCert, token: readOnly.readOnlyToken }, { region: 'eu-west' });
  await p.controllers();
  await apply(p, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { mode: 'fast' } });
  await waitFor('the ConfigMap in berlin and new-york', async () =>
    (await Promise.all(['berlin', 'new-york'].map((c) => p.inMember(c, cm('settings'))))).every((o) => o !== undefined));
  const forbidden = await waitFor('paris to report the refused write', async () => {
    const o = await p.federated(cm('settings'));
    return getString(clusterCondition(o, 'paris', 'Synced'), 'reason') === 'Forbidden' ? o : undefined;
  });
  t.match(getString(clusterCondition(forbidden, 'paris', 'Synced'), 'message'), /forbidden: User "viewer" cannot/, 'the member\'s own message');
  t.match(getArray(forbidden, 'status', 'conditions').find((c) => getString(c, 'type') === 'Propagated'), { status: 'False', reason: 'Forbidden' });
  const yaml = await p.api.kubectl.run(['get', 'configmap', 'settings', '-o', 'yaml']);
  t.match(yaml.stdout, /reason: Forbidden/, 'visible in -o yaml');

  // Server errors are retried with backoff and reported meanwhile.
  await p.sim.sim.fault('berlin', { action: 'write-errors', value: 1 });
  await apply(p, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { mode: 'slow' } });
  await waitFor('new-york to hold the new data while berlin fails', async () => getString(await p.inMember('new-york', cm('settings')), 'data', 'mode') === 'slow');
  const failing = await waitFor('berlin to report the failed write', async () => {
    const o = await p.federated(cm('settings'));
    return getString(clusterCondition(o, 'berlin', 'Synced'), 'status') === 'False' ? o : undefined;
  });
  t.match(clusterCondition(failing, 'berlin', 'Synced'), { reason: 'InternalError' });
  await p.sim.sim.fault('berlin', { action: 'write-errors', value: 0 });
  await waitFor('berlin to hold the new data', async () => getString(await p.inMember('berlin', cm('settings')), 'data', 'mode') === 'slow');
});

t.test('control-plane Secrets are never propagated; other Secrets are, in clear', async (t) => {
  const p = await startControlPlane(t);
  await p.controllers();
  await p.federation.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'default' }, stringData: { password: 's3cret' } } as k8s.KubernetesObject);
  const secret = await waitFor('the Secret in berlin', () => p.inMember('berlin', { resource: 'secrets', namespace: 'default', name: 'db' }));
  t.equal(Buffer.from(getString(secret, 'data', 'password') ?? '', 'base64').toString(), 's3cret');
  for (const cluster of p.clusters) {
    t.equal(await p.inMember(cluster, { resource: 'namespaces', name: 'kfed-system' }), undefined, `no kfed-system in ${cluster}`);
    t.equal(await p.inMember(cluster, { resource: 'secrets', namespace: 'kfed-system', name: cluster }), undefined);
  }
});

t.test('syncers split the clusters; a syncer\'s clusters are taken over when it stops; a selector keeps a pool to its region', async (t) => {
  const p = await startControlPlane(t, 'berlin,new-york,paris,tokyo');
  await p.scheduler();
  await p.aggregator();
  // Two pools with selectors that do not overlap: eu-central, and the rest of the world (served by two syncers).
  const rest: Partial<SyncerSettings> = { selector: [{ key: 'region', operator: 'NotIn', values: ['eu-central'] }] };
  const a = await p.syncer('syncer-a', rest);
  const b = await p.syncer('syncer-b', rest);
  const eu = await p.syncer('syncer-eu', { pool: 'eu', selector: [{ key: 'region', operator: 'In', values: ['eu-central'] }] });
  // Each cluster is served by exactly one of them (which one depends on the shards each holds).
  await waitFor('syncers a and b to share new-york, paris and tokyo', () => [...a.clusters(), ...b.clusters()].sort().join(',') === 'new-york,paris,tokyo');
  await waitFor('the eu pool to serve berlin', () => eu.clusters().length > 0);
  t.same(eu.clusters(), ['berlin'], 'the eu pool serves only the cluster its selector picks');

  await a.stop();
  await waitFor('syncer b to serve the clusters a served', () => b.clusters().length === 3);
  await apply(p, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after', namespace: 'default' }, data: { k: 'v' } });
  await waitFor('the ConfigMap in every member', async () =>
    (await Promise.all(p.clusters.map((c) => p.inMember(c, cm('after'))))).every((o) => o !== undefined));
});
