// The scheduler's decider as given/when/then: clusters and the last decision given, an object changes or time passes, then a decision (or none).
import t from 'tap';
import { decide, DEFAULT_SCHEDULING, type Decision, type PlacementDecidedData } from '../../../libs/scheduling/decide.js';
import type { KubeObject } from '../../../libs/kube-api/object.js';
import { CLUSTER_SELECTOR_ANNOTATION, PREFERENCES_ANNOTATION } from '../../../libs/placement/preferences.js';
import { articleReplicaSet, cluster, replicaSet, stored, type Health } from '../../support/federation-objects.js';

const T0 = Date.parse('2024-05-01T10:00:00.000Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();
const LONG_AGO = at(-3_600_000);
const both = (ny: Health = 'Ready', berlin: Health = 'Ready', since = LONG_AGO): KubeObject[] =>
  [cluster('new-york', ny, since), cluster('berlin', berlin, since)];

const decided = (d: Decision): PlacementDecidedData => {
  if (d._tag !== 'Decided') throw new Error(`expected a decision, got ${JSON.stringify(d)}`);
  return d.data;
};
/** The decision for `object` when `previous` was recorded, at time T0 + `ms`. */
const when = (object: KubeObject, clusters: KubeObject[], previous?: PlacementDecidedData, ms = 0): Decision =>
  decide(stored(object), clusters, previous, T0 + ms, DEFAULT_SCHEDULING);

const first = decided(when(articleReplicaSet(4, { 'new-york': 1, berlin: 1 }), both()));

t.test('the article: weights 1/1, scale, weights 20/0 and back', async (t) => {
  t.same(first.placement, { berlin: 2, 'new-york': 2 });
  t.equal(first.reason, 'first placement');
  t.same(first.previous, null);
  t.same(first.input, {
    preferences: JSON.parse(articleReplicaSet(4, { 'new-york': 1, berlin: 1 }).metadata.annotations?.[PREFERENCES_ANNOTATION] ?? ''),
    totalReplicas: 4, clusters: ['berlin', 'new-york'], key: 'default/nginx',
  });
  t.equal(first.plannerVersion, 1);

  const scaled = decided(when(articleReplicaSet(10, { 'new-york': 1, berlin: 1 }, 2), both(), first));
  t.same(scaled.placement, { berlin: 5, 'new-york': 5 });
  t.equal(scaled.reason, 'scaled 4→10');
  t.same(scaled.previous, { berlin: 2, 'new-york': 2 });
  t.equal(scaled.generation, 2);

  const moved = decided(when(articleReplicaSet(10, { 'new-york': 20, berlin: 0 }, 3), both(), scaled));
  t.same(moved.placement, { 'new-york': 10 }, 'a cluster planned 0 is not listed: its copy goes');
  t.equal(moved.reason, 'weights changed: new-york 1→20, berlin 1→0');

  const back = decided(when(articleReplicaSet(10, { 'new-york': 0, berlin: 20 }, 4), both(), moved));
  t.same(back.placement, { berlin: 10 });
  t.equal(back.reason, 'weights changed: new-york 20→0, berlin 0→20');

  t.same(when(articleReplicaSet(10, { 'new-york': 0, berlin: 20 }, 4), both(), back), { _tag: 'Unchanged' }, 'nothing changed: no decision');
});

t.test('failover: a cluster not Ready keeps its replicas for the failover delay, then they move', async (t) => {
  const rs = articleReplicaSet(10, { 'new-york': 1, berlin: 1 });
  const given = decided(when(rs, both()));
  const lostAt = at(-10_000);
  t.same(when(rs, both('Ready', 'Offline', lostAt), given), { _tag: 'Unchanged', nextCheckAt: T0 - 10_000 + 60_000 },
    'within the delay: unchanged, decide again when it ends');

  const failedOver = decided(when(rs, both('Ready', 'Offline', lostAt), given, 50_000));
  t.same(failedOver.placement, { 'new-york': 10 });
  t.equal(failedOver.reason, 'berlin became Offline');
  t.match(failedOver.clusters.find((c) => c.name === 'berlin'), { state: 'Offline', eligible: false, why: 'NotReady' });

  const notReady = decided(when(rs, both('Ready', 'NotReady', lostAt), given, 50_000));
  t.equal(notReady.reason, 'berlin became NotReady');

  t.test('and it comes back the recovery delay after it is Ready again', async (t) => {
    const backAt = 100_000;
    const recovering = when(rs, both('Ready', 'Ready', at(backAt)), failedOver, backAt + 5_000);
    t.same(recovering, { _tag: 'Unchanged', nextCheckAt: T0 + backAt + 20_000 });
    const recovered = decided(when(rs, both('Ready', 'Ready', at(backAt)), failedOver, backAt + 20_000));
    t.same(recovered.placement, { berlin: 5, 'new-york': 5 });
    t.equal(recovered.reason, 'berlin became Ready');
  });

  t.test('a decision during the failover delay records the cluster as still in', async (t) => {
    const scaled = decided(when(articleReplicaSet(6, { 'new-york': 1, berlin: 1 }), both('Ready', 'Offline', lostAt), given));
    t.same(scaled.placement, { berlin: 3, 'new-york': 3 });
    t.match(scaled.clusters.find((c) => c.name === 'berlin'), { eligible: true, why: 'FailoverDelay', until: at(50_000) });
    t.equal(scaled.reason, `scaled 10→6; berlin became Offline (keeps its replicas until ${at(50_000)})`);
    const later = decided(when(articleReplicaSet(6, { 'new-york': 1, berlin: 1 }), both('Ready', 'Offline', lostAt), scaled, 50_000));
    t.equal(later.reason, 'berlin Offline for longer than the failover delay (60s)');
    t.test('one that recovers within the delay never lost its replicas', async (t) => {
      const r = when(articleReplicaSet(6, { 'new-york': 1, berlin: 1 }), both('Ready', 'Ready', at(-1000)), scaled);
      t.same(r, { _tag: 'Unchanged' });
    });
  });
});

t.test('clusters the previous decision did not know are in as soon as they are Ready', async (t) => {
  const rs = replicaSet(6, { [PREFERENCES_ANNOTATION]: JSON.stringify({ rebalance: true, clusters: { '*': { weight: 1 } } }) });
  const given = decided(when(rs, both()));
  const three = decided(when(rs, [...both(), cluster('tokyo', 'Ready', at(-1000))], given));
  t.same(three.placement, { berlin: 2, 'new-york': 2, tokyo: 2 });
  t.equal(three.reason, 'tokyo joined');
  const unknown = when(rs, [...both(), cluster('paris', 'Unknown', at(-1000))], given);
  t.same(unknown, { _tag: 'Unchanged' }, 'a cluster never probed is not Ready');
  const gone = decided(when(rs, [cluster('berlin', 'Ready', LONG_AGO)], given));
  t.equal(gone.reason, 'new-york left the federation');
});

t.test('the cluster selector filters on Cluster labels', async (t) => {
  const selector = JSON.stringify([{ key: 'region', operator: 'In', values: ['eu'] }]);
  const clusters = [cluster('new-york', 'Ready', LONG_AGO, { region: 'us' }), cluster('berlin', 'Ready', LONG_AGO, { region: 'eu' })];
  const rs = replicaSet(4, { [CLUSTER_SELECTOR_ANNOTATION]: selector });
  const d = decided(when(rs, clusters));
  t.same(d.placement, { berlin: 4 });
  t.match(d.clusters, [{ name: 'berlin', why: 'Ready' }, { name: 'new-york', why: 'NotSelected', eligible: false }]);
  const everywhere = decided(when(replicaSet(4), clusters, d));
  t.same(everywhere.placement, { berlin: 2, 'new-york': 2 });
  t.equal(everywhere.reason, 'new-york now selected');
  t.equal(decided(when(rs, clusters, everywhere)).reason, 'new-york no longer selected');
  t.match(when(replicaSet(4, { [CLUSTER_SELECTOR_ANNOTATION]: '[{"key":"region","operator":"Near"}]' }), clusters),
    { _tag: 'Invalid', message: /cluster-selector: \[0\]\.operator: "Near" is not a valid selector operator/ });
});

t.test('capacity: unschedulable pods cap a cluster at what it runs, the rest overflows', async (t) => {
  const rs = articleReplicaSet(10, { 'new-york': 1, berlin: 1 });
  const given = decided(when(rs, both()));
  const full: KubeObject = { ...rs, status: { clusters: [{ name: 'berlin', replicas: 5, unschedulable: 3 }, { name: 'new-york', replicas: 5 }] } };
  const d = decided(when(full, both(), given));
  t.same(d.input?.capacity, { berlin: 2 });
  t.same(d.placement, { berlin: 2, 'new-york': 8 });
  t.same(d.overflow, { berlin: 3 });
  t.equal(d.reason, 'berlin over capacity by 3');
  t.notOk(d.input !== null && 'current' in d.input, 'rebalance true: running counts are not an input');
  const freed = decided(when(rs, both(), d));
  t.equal(freed.reason, 'berlin no longer over capacity');
});

t.test('rebalance false keeps what runs: current counts are recorded', async (t) => {
  const rs = { ...replicaSet(4), status: { clusters: [{ name: 'berlin', replicas: 4 }, { name: 'gone', replicas: 3 }] } };
  const d = decided(when(rs, both()));
  t.same(d.input?.current, { berlin: 4 }, 'only eligible clusters');
  t.same(d.placement, { berlin: 4 });
});

t.test('kinds', async (t) => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'site', namespace: 'default' }, data: { a: 'b' } };
  const placed = decide(stored(cm, { group: '', kind: 'ConfigMap', namespace: 'default', name: 'site' }),
    both('Ready', 'Offline'), undefined, T0, DEFAULT_SCHEDULING);
  t.match(placed, { _tag: 'Decided', data: { input: null, placement: { 'new-york': 0 }, overflow: {} } });
  t.same(decided(placed).placement, { 'new-york': 0 });

  const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default' }, spec: { parallelism: 3, completions: 9 } };
  const j = decided(decide(stored(job, { group: 'batch', kind: 'Job', namespace: 'default', name: 'pi' }), both(), undefined, T0, DEFAULT_SCHEDULING));
  t.equal(j.input?.totalReplicas, 3, 'a Job is spread by parallelism');

  const zero = decided(when(replicaSet(0), both()));
  t.same(zero.placement, { berlin: 0, 'new-york': 0 }, 'scaled to 0: the copies stay, with 0 replicas');

  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'berlin', namespace: 'kfed-system' } };
  t.match(decide(stored(secret, { group: '', kind: 'Secret', namespace: 'kfed-system', name: 'berlin' }), both(), undefined, T0, DEFAULT_SCHEDULING),
    { _tag: 'NotPlaced' });
  t.match(decide(stored(cluster('berlin', 'Ready', LONG_AGO), { group: 'federation', kind: 'Cluster', namespace: '', name: 'berlin' }),
    both(), undefined, T0, DEFAULT_SCHEDULING), { _tag: 'NotPlaced' });
  const deleting = replicaSet(3);
  t.match(when({ ...deleting, metadata: { ...deleting.metadata, deletionTimestamp: at(0) } }, both()), { _tag: 'NotPlaced' });
});

t.test('invalid input keeps the previous placement', async (t) => {
  t.match(when(replicaSet(3, { [PREFERENCES_ANNOTATION]: '{"clusters":{"berlin":{"wieght":1}}}' }), both()),
    { _tag: 'Invalid', message: /replica-set-preferences: clusters\.berlin\.wieght: unknown field/ });
  t.match(when({ ...replicaSet(3), spec: { replicas: -1 } }, both()), { _tag: 'Invalid', message: 'spec.replicas: must be a non-negative integer' });
});

t.test('no eligible cluster', async (t) => {
  const d = decided(when(replicaSet(3), both('Offline', 'NotReady')));
  t.same(d.placement, {});
  t.equal(d.reason, 'first placement; no eligible cluster');
  t.match(when(replicaSet(3), []), { _tag: 'Decided', data: { placement: {}, clusters: [], reason: 'first placement; no eligible cluster' } });
});

t.test('reasons name every change of preferences and running counts', async (t) => {
  const prefs = (p: unknown): KubeObject => replicaSet(10, { [PREFERENCES_ANNOTATION]: JSON.stringify(p) });
  const given = decided(when(prefs({ rebalance: true, clusters: { berlin: { weight: 1, maxReplicas: 10 }, 'new-york': { weight: 1 } } }), both()));
  const cases: [string, unknown, string][] = [
    ['a limit', { rebalance: true, clusters: { berlin: { weight: 1, maxReplicas: 2 }, 'new-york': { weight: 1 } } },
      'limits changed: berlin maxReplicas 10→2'],
    ['an entry dropped, rebalance off', { clusters: { berlin: { weight: 1, maxReplicas: 10 } } },
      'weights changed: new-york 1→none; rebalance true→false'],
  ];
  for (const [name, p, reason] of cases) t.equal(decided(when(prefs(p), both(), given)).reason, reason, name);

  const keep = { clusters: { '*': { weight: 1 } } };
  const running = (b: number, ny: number): KubeObject => ({ ...prefs(keep), status: { clusters: [{ name: 'berlin', replicas: b }, { name: 'new-york', replicas: ny }] } });
  const first = decided(when(running(10, 0), both()));
  t.same(first.placement, { berlin: 10 });
  t.equal(decided(when(running(2, 8), both(), first)).reason, 'running replicas changed: berlin 10→2, new-york 0→8');
});
