// The health state machine: probe results, thresholds, timestamps and messages (never credentials).
import t from 'tap';
import type { ClusterCondition } from '../../../libs/events/types.js';
import { conditionsFor, failedChecks, healthOf, observe, withProbeTime, type HealthState, type ProbeResult, type Thresholds } from '../../../libs/registry/health.js';
import type { KubeObject } from '../../../libs/kube-api/object.js';

const target = { cluster: 'berlin', server: 'https://10.0.0.1:6443' };
const thresholds: Thresholds = { failure: 3, success: 1 };
const at = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const healthy: ProbeResult = { _tag: 'Healthy', endpoint: '/readyz' };
const unhealthy: ProbeResult = { _tag: 'Unhealthy', endpoint: '/readyz', code: 500, detail: '[-]etcd failed: reason withheld' };
const rejected: ProbeResult = { _tag: 'Rejected', code: 401 };
const unreachable: ProbeResult = { _tag: 'Unreachable', reason: 'connection refused' };
const misconfigured: ProbeResult = { _tag: 'Misconfigured', message: 'secret kfed-system/berlin (the credentials of cluster berlin) does not exist' };

/** Feeds results one per second from an empty state; returns the health after each and whether it was a transition. */
function run(results: readonly ProbeResult[], th: Thresholds = thresholds, start: HealthState = { conditions: [], failures: 0, successes: 0 }) {
  let state = start;
  return results.map((r, i) => {
    const o = observe(state, r, at(i), th, target);
    state = o.state;
    return { health: healthOf(o.state.conditions), changed: o.changed, state };
  });
}

t.test('thresholds: Ready is left after N failures and entered after M successes', async (t) => {
  const cases: { name: string; results: ProbeResult[]; th?: Thresholds; health: string[]; changed: boolean[] }[] = [
    { name: 'a healthy member is Ready at the first probe', results: [healthy, healthy], health: ['Ready', 'Ready'], changed: [true, false] },
    { name: 'unreachable from the start: Offline at once', results: [unreachable], health: ['Offline'], changed: [true] },
    {
      name: 'Ready survives two failures, the third makes it Offline',
      results: [healthy, unreachable, unreachable, unreachable], health: ['Ready', 'Ready', 'Ready', 'Offline'], changed: [true, false, false, true],
    },
    {
      name: 'a healthy probe resets the failure count',
      results: [healthy, unhealthy, unhealthy, healthy, unhealthy, unhealthy], health: ['Ready', 'Ready', 'Ready', 'Ready', 'Ready', 'Ready'],
      changed: [true, false, false, false, false, false],
    },
    {
      name: 'unhealthy after the threshold is NotReady; then unreachable is Offline at once',
      results: [healthy, unhealthy, unhealthy, unhealthy, unreachable], health: ['Ready', 'Ready', 'Ready', 'NotReady', 'Offline'],
      changed: [true, false, false, true, true],
    },
    {
      name: 'success threshold 2: the second healthy probe makes it Ready',
      th: { failure: 1, success: 2 }, results: [unreachable, healthy, healthy], health: ['Offline', 'Offline', 'Ready'], changed: [true, false, true],
    },
    {
      name: 'success threshold 2 from never probed: nothing to record until then',
      th: { failure: 1, success: 2 }, results: [healthy, healthy], health: ['Unknown', 'Ready'], changed: [false, true],
    },
    { name: 'failure threshold 1: the first failure leaves Ready', th: { failure: 1, success: 1 }, results: [healthy, rejected], health: ['Ready', 'NotReady'], changed: [true, true] },
    { name: 'a misconfigured member is not Ready', results: [misconfigured], health: ['NotReady'], changed: [true] },
  ];
  for (const c of cases) {
    const out = run(c.results, c.th);
    t.same(out.map((o) => o.health), c.health, c.name);
    t.same(out.map((o) => o.changed), c.changed, `${c.name}: transitions`);
  }
});

t.test('conditions as Federation v1 wrote them, with both types always present', async (t) => {
  const cases: [ProbeResult, Pick<ClusterCondition, 'type' | 'status' | 'reason'>[]][] = [
    [healthy, [{ type: 'Ready', status: 'True', reason: 'ClusterReady' }, { type: 'Offline', status: 'False', reason: 'ClusterReachable' }]],
    [unhealthy, [{ type: 'Ready', status: 'False', reason: 'ClusterNotReady' }, { type: 'Offline', status: 'False', reason: 'ClusterReachable' }]],
    [rejected, [{ type: 'Ready', status: 'False', reason: 'ClusterNotReady' }, { type: 'Offline', status: 'False', reason: 'ClusterReachable' }]],
    [unreachable, [{ type: 'Ready', status: 'Unknown', reason: 'ClusterNotReachable' }, { type: 'Offline', status: 'True', reason: 'ClusterNotReachable' }]],
    [misconfigured, [{ type: 'Ready', status: 'False', reason: 'ClusterNotReady' }, { type: 'Offline', status: 'Unknown', reason: 'ClusterNotProbed' }]],
  ];
  for (const [result, expected] of cases) t.match(conditionsFor(result, target), expected, result._tag);
});

t.test('messages name the cluster and the server, never credentials', async (t) => {
  const messages = (r: ProbeResult, server = target.server): string[] => conditionsFor(r, { ...target, server }).map((c) => c.message ?? '');
  t.equal(messages(healthy)[0], 'cluster berlin at https://10.0.0.1:6443: /readyz responded with ok');
  t.equal(messages(unhealthy)[0], 'cluster berlin at https://10.0.0.1:6443: /readyz responded with 500 Internal Server Error: [-]etcd failed: reason withheld');
  t.equal(messages(rejected)[0], 'cluster berlin at https://10.0.0.1:6443: the member rejected kfed\'s credentials (401 Unauthorized)');
  t.equal(messages({ _tag: 'Rejected', code: 403 })[0], 'cluster berlin at https://10.0.0.1:6443: the member rejected kfed\'s credentials (403 Forbidden)');
  t.equal(messages(unreachable)[1], 'cluster berlin at https://10.0.0.1:6443 is not reachable: connection refused');
  t.equal(messages(healthy, 'https://admin:s3cr3t@10.0.0.1:6443')[0], 'cluster berlin at https://10.0.0.1:6443: /readyz responded with ok',
    'user info in a server URL is not shown');
});

t.test('lastProbeTime moves on every probe, lastTransitionTime only when a status changes', async (t) => {
  const out = run([healthy, healthy, unhealthy, unhealthy, unhealthy, unreachable]);
  const ready = (i: number) => out[i]?.state.conditions.find((c) => c.type === 'Ready');
  const offline = (i: number) => out[i]?.state.conditions.find((c) => c.type === 'Offline');
  t.equal(ready(1)?.lastProbeTime, at(1).toISOString());
  t.equal(ready(1)?.lastTransitionTime, at(0).toISOString());
  t.equal(ready(3)?.lastProbeTime, at(3).toISOString(), 'a failure under the threshold still moves lastProbeTime');
  t.equal(ready(4)?.status, 'False');
  t.equal(ready(4)?.lastTransitionTime, at(4).toISOString());
  t.equal(offline(4)?.lastTransitionTime, at(0).toISOString(), 'Offline stayed False since the first probe');
  t.equal(offline(5)?.status, 'True');
  t.equal(offline(5)?.lastTransitionTime, at(5).toISOString());
  t.equal(ready(5)?.status, 'Unknown');
  t.equal(ready(5)?.lastTransitionTime, at(5).toISOString());
});

t.test('a replica taking over starts from the recorded conditions: no spurious transition', async (t) => {
  const recorded = run([healthy])[0]?.state.conditions ?? [];
  const o = observe({ conditions: recorded, failures: 0, successes: 0 }, healthy, at(30), thresholds, target);
  t.equal(o.changed, false);
  t.equal(o.state.conditions[0]?.lastTransitionTime, at(0).toISOString());
});

t.test('served Clusters show the newer probe time only', async (t) => {
  const conditions = run([healthy])[0]?.state.conditions ?? [];
  const cluster: KubeObject = { apiVersion: 'federation/v1beta1', kind: 'Cluster', metadata: { name: 'berlin' }, status: { conditions, zones: ['a'] } };
  const later = withProbeTime(cluster, at(9).toISOString());
  t.same((later['status'] as { conditions: ClusterCondition[] }).conditions.map((c) => c.lastProbeTime), [at(9).toISOString(), at(9).toISOString()]);
  t.same((later['status'] as { zones: string[] }).zones, ['a']);
  t.equal(withProbeTime(cluster, at(0).toISOString()), cluster, 'an older record changes nothing');
  const unprobed: KubeObject = { apiVersion: 'federation/v1beta1', kind: 'Cluster', metadata: { name: 'x' } };
  t.equal(withProbeTime(unprobed, at(9).toISOString()), unprobed);
});

t.test('failed checks: the [-] lines of a health body, short and on one line', async (t) => {
  t.equal(failedChecks('[+]ping ok\n[-]etcd failed: reason withheld\nhealthz check failed\n'), '[-]etcd failed: reason withheld');
  t.equal(failedChecks('<html>bad gateway</html>'), '');
  t.equal(failedChecks(`[-]${'x'.repeat(300)}`).length, 200);
});
