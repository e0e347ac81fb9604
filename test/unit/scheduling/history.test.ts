// History rows, change descriptions, replay checks and kubectl-style kind names.
import t from 'tap';
import type { EventEnvelope } from '../../../libs/events/envelope.js';
import { objectStream } from '../../../libs/events/streams.js';
import { resolveFederationType } from '../../../libs/federation/kind-names.js';
import { decide, DEFAULT_SCHEDULING, type PlacementDecidedData } from '../../../libs/scheduling/decide.js';
import { describeObjectChange, historyRows } from '../../../libs/scheduling/history.js';
import { describeMove } from '../../../libs/scheduling/reason.js';
import { replayMismatch } from '../../../libs/scheduling/replay.js';
import { formatHistory } from '../../../cli/commands/history.js';
import { articleReplicaSet, cluster, conditions, replicaSet, rsRef, stored } from '../../support/federation-objects.js';

const T0 = Date.parse('2024-05-01T10:00:00.000Z');
const clusters = [cluster('new-york', 'Ready', '2024-05-01T09:00:00Z'), cluster('berlin', 'Ready', '2024-05-01T09:00:00Z')];
const decision = (replicas: number, weights: Record<string, number>, previous?: PlacementDecidedData): PlacementDecidedData => {
  const d = decide(stored(articleReplicaSet(replicas, weights)), clusters, previous, T0, DEFAULT_SCHEDULING);
  if (d._tag !== 'Decided') throw new Error('expected a decision');
  return d.data;
};

t.test('desired-state changes in words', async (t) => {
  const cases: [string, ReturnType<typeof replicaSet> | undefined, ReturnType<typeof replicaSet>, string][] = [
    ['created', undefined, replicaSet(4), 'created'],
    ['scaled', articleReplicaSet(4, { 'new-york': 1, berlin: 1 }), articleReplicaSet(10, { 'new-york': 1, berlin: 1 }), 'replicas 4→10'],
    ['weights', articleReplicaSet(10, { 'new-york': 1, berlin: 1 }), articleReplicaSet(10, { 'new-york': 20, berlin: 0 }),
      'annotation replica-set-preferences changed: weights new-york 1→20, berlin 1→0'],
    ['annotation added', replicaSet(4), articleReplicaSet(4, { berlin: 1 }), 'annotation replica-set-preferences added'],
    ['same', replicaSet(4), replicaSet(4), 'no change to the desired state'],
  ];
  for (const [name, a, b, want] of cases) t.equal(describeObjectChange(a, b), want, name);

  const image = replicaSet(4);
  const newer = JSON.parse(JSON.stringify(image).replace('nginx:1.10', 'nginx:1.11')) as typeof image;
  t.equal(describeObjectChange(image, newer), 'image of nginx nginx:1.10→nginx:1.11');
  const ports = { ...image, spec: { ...(image['spec'] as object), minReadySeconds: 5, paused: false } };
  t.equal(describeObjectChange(image, ports), 'changed spec.minReadySeconds, spec.paused');
  const cmA = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { password: 'a' } };
  const cmB = { ...cmA, data: { password: 'b' } };
  t.equal(describeObjectChange(cmA, cmB), 'changed data.password', 'values are never shown');
});

t.test('placement moves in words', async (t) => {
  t.equal(describeMove({ 'new-york': 5, berlin: 5 }, { 'new-york': 10 }, true), 'new-york 5→10, berlin 5→0');
  t.equal(describeMove(null, { berlin: 2, 'new-york': 2 }, true), 'berlin 0→2, new-york 0→2');
  t.equal(describeMove({ a: 3 }, { a: 3, b: 1 }, true), 'a 3, b 0→1');
  t.equal(describeMove({ a: 0, b: 0 }, { a: 0, c: 0 }, false), 'a, -b, +c');
  t.equal(describeMove(null, {}, true), 'nowhere');
});

t.test('history rows of a stream', async (t) => {
  const stream = objectStream(rsRef());
  let position = 0;
  const envelope = (type: string, data: unknown, actor = 'admin'): EventEnvelope => {
    position++;
    return { id: `e${position}`, type, stream, version: position, position: String(position * 10), time: new Date(T0 + position * 1000).toISOString(),
      correlationId: `c${position}`, causationId: null, actor, data };
  };
  const d1 = decision(4, { 'new-york': 1, berlin: 1 });
  const d2 = decision(10, { 'new-york': 1, berlin: 1 }, d1);
  const events = [
    envelope('ObjectApplied', { ref: rsRef(), object: articleReplicaSet(4, { 'new-york': 1, berlin: 1 }) }),
    envelope('PlacementDecided', d1, 'system:scheduler'),
    envelope('ObjectApplied', { ref: rsRef(), object: articleReplicaSet(10, { 'new-york': 1, berlin: 1 }) }),
    envelope('StatusAggregated', { ref: rsRef(), status: { replicas: 4 } }, 'system:aggregator'),
    envelope('PlacementDecided', d2, 'system:scheduler'),
    envelope('ObjectDeleted', { ref: rsRef(), uid: 'u', propagationPolicy: 'Background' }),
  ];
  const rows = historyRows(events);
  t.same(rows.map((r) => [r.actor, r.event, r.change, r.placement, r.reason]), [
    ['admin', 'ObjectApplied', 'created', '', ''],
    ['system:scheduler', 'PlacementDecided', 'generation 1', 'berlin 0→2, new-york 0→2', 'first placement'],
    ['admin', 'ObjectApplied', 'replicas 4→10', '', ''],
    ['system:scheduler', 'PlacementDecided', 'generation 1', 'berlin 2→5, new-york 2→5', 'scaled 4→10'],
    ['admin', 'ObjectDeleted', 'deleted (propagation Background)', '', ''],
  ]);
  const table = formatHistory(rows).split('\n');
  t.match(table[0], /^TIME\s+ACTOR\s+EVENT\s+CHANGE\s+PLACEMENT\s+REASON$/);
  t.match(table[4], /^2024-05-01T10:00:05Z\s+system:scheduler\s+PlacementDecided\s+generation 1\s+berlin 2→5, new-york 2→5\s+scaled 4→10$/);
  t.match(table[1], /ObjectApplied\s+created\s+-\s+-$/);

  const health = historyRows([
    envelope('ClusterConditionChanged', { cluster: 'berlin', status: { conditions: conditions('Ready', '2024-05-01T10:00:00Z') } }, 'system:registry'),
    envelope('ClusterConditionChanged', { cluster: 'berlin', status: { conditions: conditions('Offline', '2024-05-01T10:01:00Z') } }, 'system:registry'),
  ]);
  t.same(health.map((r) => r.change), [
    'Ready unset→True (ClusterReady)',
    'Ready True (ClusterReady)→Unknown (ClusterNotReachable); Offline unset→True (ClusterNotReachable)',
  ]);
});

t.test('replay: a recorded decision re-runs bit for bit; a tampered one does not', async (t) => {
  const d = decision(10, { 'new-york': 1, berlin: 1 });
  t.equal(replayMismatch(d), undefined);
  const roundTripped = JSON.parse(JSON.stringify(d)) as PlacementDecidedData;
  t.equal(replayMismatch(roundTripped), undefined, 'after JSON');
  t.equal(replayMismatch({ ...d, placement: { berlin: 4, 'new-york': 6 } }),
    'placement: recorded {"berlin":4,"new-york":6}, replayed {"berlin":5,"new-york":5}');
  t.match(replayMismatch({ ...d, overflow: { berlin: 1 } }), /^overflow: recorded/);
  t.match(replayMismatch({ ...d, plannerVersion: 0 }), /recorded by planner version 0/);
  t.match(replayMismatch({ ...d, clusters: d.clusters.slice(1) }), /are not the eligible clusters/);
  const cm = decide(stored({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } },
    { group: '', kind: 'ConfigMap', namespace: 'default', name: 'c' }), clusters, undefined, T0, DEFAULT_SCHEDULING);
  if (cm._tag !== 'Decided') throw new Error('expected a decision');
  t.equal(replayMismatch(cm.data), undefined);
  t.match(replayMismatch({ ...cm.data, placement: { berlin: 0 } }), /is not the eligible clusters/);
});

t.test('kubectl-style kind names', async (t) => {
  for (const name of ['rs', 'replicaset', 'ReplicaSets', 'replicaset.apps', 'replicasets.extensions']) {
    t.match(resolveFederationType(name)?.storage, { group: 'apps', kind: 'ReplicaSet' }, name);
  }
  t.equal(resolveFederationType('rs')?.group, 'apps', 'apps before extensions');
  t.match(resolveFederationType('deploy')?.storage, { kind: 'Deployment' });
  t.match(resolveFederationType('cluster')?.storage, { group: 'federation', kind: 'Cluster', namespaced: false });
  t.match(resolveFederationType('svc')?.storage, { group: '', kind: 'Service' });
  t.equal(resolveFederationType('pods'), undefined, 'the federation serves no pods');
  t.equal(resolveFederationType('replicaset.batch'), undefined);
});
