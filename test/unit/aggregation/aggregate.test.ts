// Folding member reports into a federated object's status: sums, per-cluster counts, conditions, observedGeneration.
import t from 'tap';
import { aggregate, statusChange, type ClusterStatus, type Condition, type StatusChange } from '../../../libs/aggregation/aggregate.js';
import { statusContributions } from '../../../libs/federation/contributions.js';
import { getRecord } from '../../../libs/kube-api/json.js';
import type { KubeObject } from '../../../libs/kube-api/object.js';
import { SYNCED_CONDITION, type MemberObjectReport } from '../../../libs/sync/member-status.js';
import { articleReplicaSet, rsRef } from '../../support/federation-objects.js';

const NOW = '2024-05-01T10:00:00Z';
const LATER = '2024-05-01T10:05:00Z';
const synced = { type: SYNCED_CONDITION, status: 'True' as const, reason: 'Synced', message: 'holds the copy' };

function report(over: Partial<MemberObjectReport> = {}): MemberObjectReport {
  return {
    key: 'object:apps/ReplicaSet/default/nginx', present: true, federationGeneration: 1, replicas: 5, readyReplicas: 5, availableReplicas: 5,
    fullyLabeledReplicas: 5, updatedReplicas: 0, unschedulable: 0, conditions: [synced], ...over,
  };
}

const rs = (status?: Record<string, unknown>, generation = 1): KubeObject => ({ ...articleReplicaSet(10, { berlin: 1, 'new-york': 1 }, generation), ...(status === undefined ? {} : { status }) });
const run = (object: KubeObject, placement: Record<string, number> | undefined, reports: Record<string, MemberObjectReport>, over: { ready?: (c: string) => boolean; now?: string } = {}) =>
  aggregate({ stored: { object, ref: rsRef() }, placement, reports: new Map(Object.entries(reports)), clusterReady: over.ready ?? (() => true), now: over.now ?? NOW });
const conditions = (s: Record<string, unknown>): Condition[] => s['conditions'] as Condition[];
const cond = (s: Record<string, unknown>, type: string): Condition | undefined => conditions(s).find((c) => c.type === type);
const clusters = (s: Record<string, unknown>): ClusterStatus[] => s['clusters'] as ClusterStatus[];

t.test('5/5 placement with both clusters ready: sums, per-cluster counts, conditions true', async (t) => {
  const s = run(rs(), { berlin: 5, 'new-york': 5 }, { berlin: report(), 'new-york': report() });
  t.match(s, { replicas: 10, readyReplicas: 10, availableReplicas: 10, fullyLabeledReplicas: 10, observedGeneration: 1 });
  t.same(clusters(s).map((c) => [c.name, c.replicas, c.readyReplicas]), [['berlin', 5, 5], ['new-york', 5, 5]]);
  t.match(cond(s, 'Scheduled'), { status: 'True', message: 'placed on berlin=5, new-york=5' });
  t.match(cond(s, 'Propagated'), { status: 'True', reason: 'Propagated' });
  t.match(cond(s, 'Available'), { status: 'True', message: '10 of 10 replicas available' });
});

t.test('conditions explain what is missing', async (t) => {
  const cases: { name: string; placement?: Record<string, number>; reports: Record<string, MemberObjectReport>; type: string; status: string; reason: string; message?: RegExp }[] = [
    { name: 'before the scheduler decides', reports: {}, type: 'Scheduled', status: 'False', reason: 'Pending' },
    { name: 'no eligible cluster', placement: {}, reports: {}, type: 'Scheduled', status: 'False', reason: 'NoClusters' },
    { name: 'a cluster not reported yet', placement: { berlin: 5, 'new-york': 5 }, reports: { berlin: report() }, type: 'Propagated', status: 'False', reason: 'Pending', message: /^new-york: Pending/ },
    {
      name: 'an unmanaged object in the way', placement: { berlin: 5, 'new-york': 5 },
      reports: { 'new-york': report({ present: false, conditions: [{ type: SYNCED_CONDITION, status: 'False', reason: 'AlreadyExists', message: 'not ours' }] }) },
      type: 'Propagated', status: 'False', reason: 'AlreadyExists', message: /berlin: Pending.*new-york: AlreadyExists: not ours/,
    },
    {
      name: 'a write the member rejected', placement: { berlin: 10 },
      reports: { berlin: report({ conditions: [{ type: SYNCED_CONDITION, status: 'False', reason: 'Invalid', message: 'spec.replicas: Invalid value' }] }) },
      type: 'Propagated', status: 'False', reason: 'Invalid', message: /berlin: Invalid: spec.replicas: Invalid value/,
    },
    { name: 'pods not ready', placement: { berlin: 10 }, reports: { berlin: report({ replicas: 10, readyReplicas: 3, availableReplicas: 3 }) }, type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: /3 of 10/ },
  ];
  for (const c of cases) {
    const got = cond(run(rs(), c.placement, c.reports), c.type);
    t.match(got, { status: c.status, reason: c.reason }, c.name);
    if (c.message !== undefined) t.match(got?.message, c.message, c.name);
  }
});

t.test('a cluster that is not Ready (or unreachable) counts no ready replicas; after failover it is no longer listed', async (t) => {
  const both = { berlin: report(), 'new-york': report() };
  const offline = run(rs(), { berlin: 5, 'new-york': 5 }, both, { ready: (c) => c !== 'berlin' });
  t.match(offline, { replicas: 10, readyReplicas: 5, availableReplicas: 5 });
  const unreachable = run(rs(), { berlin: 5, 'new-york': 5 }, {
    ...both, berlin: report({ conditions: [{ type: SYNCED_CONDITION, status: 'False', reason: 'Unreachable', message: 'connect ECONNREFUSED' }] }),
  });
  t.match(unreachable, { readyReplicas: 5 });
  const failedOver = run(rs(), { 'new-york': 10 }, { ...both, 'new-york': report({ replicas: 10, readyReplicas: 10, availableReplicas: 10, fullyLabeledReplicas: 10 }) });
  t.match(failedOver, { replicas: 10, readyReplicas: 10 });
  t.same(clusters(failedOver).map((c) => c.name), ['new-york']);
});

t.test('observedGeneration waits for every placed cluster and never goes back', async (t) => {
  const placement = { berlin: 5, 'new-york': 5 };
  const gen2 = (status?: Record<string, unknown>) => rs(status, 2);
  t.equal(run(gen2({ observedGeneration: 1 }), placement, { berlin: report({ federationGeneration: 2 }), 'new-york': report({ federationGeneration: 1 }) })['observedGeneration'], 1);
  t.equal(run(gen2({ observedGeneration: 1 }), placement, { berlin: report({ federationGeneration: 2 }), 'new-york': report({ federationGeneration: 2 }) })['observedGeneration'], 2);
  t.equal(run(gen2({ observedGeneration: 2 }), { ...placement, paris: 1 }, { berlin: report({ federationGeneration: 2 }) })['observedGeneration'], 2);
});

t.test('a restarted aggregator keeps per-cluster entries it has no report for yet; conditions keep their transition time', async (t) => {
  const first = run(rs(), { berlin: 5, 'new-york': 5 }, { berlin: report(), 'new-york': report() });
  const restarted = run(rs(first), { berlin: 5, 'new-york': 5 }, {}, { now: LATER });
  t.same(restarted, first, 'nothing changes, so nothing to append');
  t.equal(statusChange(rs(first), restarted), undefined, 'no change to append');
  const degraded = run(rs(first), { berlin: 5, 'new-york': 5 }, { berlin: report({ readyReplicas: 2, availableReplicas: 2 }) }, { now: LATER });
  t.not(statusChange(rs(first), degraded), undefined, 'a change to append');
  t.equal(cond(degraded, 'Available')?.lastTransitionTime, LATER);
  t.equal(cond(degraded, 'Scheduled')?.lastTransitionTime, NOW);
});

t.test('a StatusAggregated carries only what changed, and folding it gives the whole status back', async (t) => {
  const names = Array.from({ length: 20 }, (_, i) => `member-${i}`);
  const placement = Object.fromEntries(names.map((n) => [n, 1]));
  const all = (over: (n: string) => Partial<MemberObjectReport>): Record<string, MemberObjectReport> =>
    Object.fromEntries(names.map((n) => [n, report({ replicas: 1, readyReplicas: 0, availableReplicas: 0, fullyLabeledReplicas: 1, ...over(n) })]));
  const fold = (object: KubeObject, change: StatusChange): KubeObject => {
    const next = statusContributions['StatusAggregated']?.(object, { ref: rsRef(), ...change }, rsRef());
    if (next === undefined) throw new Error('StatusAggregated folds into the object');
    return next;
  };

  const first = run(rs(), placement, all(() => ({})));
  const firstChange = statusChange(rs(), first);
  if (firstChange === undefined) throw new Error('a first status is a change');
  t.same(firstChange.status['clusters'], first['clusters'], 'nothing to build on: every entry, as status.clusters');
  t.equal(firstChange.clusterChanges, undefined);
  let served = fold(rs(), firstChange);
  t.same(served['status'], first);

  // One cluster's pod turns ready: one entry and the sums, nothing else.
  const oneReady = run(served, placement, all((n) => (n === 'member-7' ? { readyReplicas: 1, availableReplicas: 1 } : {})), { now: LATER });
  const change = statusChange(served, oneReady);
  if (change === undefined) throw new Error('a new ready replica is a change');
  t.same(Object.keys(change.status).sort(), ['availableReplicas', 'conditions', 'readyReplicas'], 'only the fields that changed');
  t.same(change.clusterChanges?.set.map((c) => c['name']), ['member-7'], 'only the entry that changed');
  t.same(change.clusterChanges?.order, names);
  t.comment(`change ${JSON.stringify(change).length} bytes, whole status ${JSON.stringify(oneReady).length}`);
  t.ok(JSON.stringify(change).length * 3 < JSON.stringify(oneReady).length, 'a fraction of the whole status');
  served = fold(served, change);
  t.same(served['status'], oneReady, 'folded: exactly the whole status');
  t.equal(statusChange(served, oneReady), undefined, 'and nothing left to append');

  // A cluster leaves the placement, another joins: the order says which stay, and where.
  const moved = { ...placement, 'member-3': undefined, 'member-20': 1 } as Record<string, number | undefined>;
  const next = Object.fromEntries(Object.entries(moved).filter((e): e is [string, number] => e[1] !== undefined));
  const reshaped = run(served, next, { ...all(() => ({})), 'member-20': report() }, { now: LATER });
  const reshape = statusChange(served, reshaped);
  if (reshape === undefined) throw new Error('a new placement is a change');
  t.same(reshape.clusterChanges?.set.map((c) => c['name']), ['member-7', 'member-20'], 'member-7 went back to not ready; member-20 is new');
  t.same(clusters(getRecord(fold(served, reshape), 'status')).map((c) => c.name), Object.keys(next));
  t.same(fold(served, reshape)['status'], reshaped);

  // Events written before changes were carried (whole statuses) still fold as they did.
  t.same(fold(served, { status: first })['status'], first);
});
