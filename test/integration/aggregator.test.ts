// The aggregator: member status folded into federated status, as kubectl shows it, through failover, and under a storm of reports.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { objectStream } from '../../libs/events/streams.js';
import { getArray, getNumber, getString } from '../../libs/kube-api/json.js';
import type { KubeObject } from '../../libs/kube-api/object.js';
import { PREFERENCES_ANNOTATION } from '../../libs/placement/preferences.js';
import { MemberStatusReported, SYNCED_CONDITION, type MemberObjectReport } from '../../libs/sync/member-status.js';
import { connectBus } from '../../libs/infra/nats/bus.js';
import { createLogger } from '../../libs/infra/log/logger.js';
import { connectRedis, deleteMatching } from '../../libs/infra/redis/connection.js';
import { createEventLog } from '../../libs/infra/redis/eventlog.js';
import { redisKeys } from '../../libs/infra/redis/keys.js';
import { start as startAggregator } from '../../services/aggregator/aggregator.js';
import { preferences, replicaSet, rsRef } from '../support/federation-objects.js';
import { NATS_URL, REDIS_URL, testFederationId } from '../support/federation.js';
import { federationDriver } from '../support/scheduler.js';
import { startControlPlane, TEST_AGGREGATOR } from '../support/control-plane.js';
import { prng } from '../support/prng.js';
import { waitFor } from '../support/wait.js';

const nginx = (replicas: number): KubeObject => ({
  apiVersion: 'extensions/v1beta1', kind: 'ReplicaSet',
  metadata: { name: 'nginx', namespace: 'default', annotations: { [PREFERENCES_ANNOTATION]: preferences({ 'new-york': 1, berlin: 1 }) } },
  spec: { replicas, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.10' }] } } },
});

/** A `kubectl get rs` row as columns by header name. */
function row(stdout: string): Record<string, string> {
  const [header = '', ...rows] = stdout.trim().split('\n');
  const names = header.trim().split(/\s+/);
  const cells = (rows[rows.length - 1] ?? '').trim().split(/\s+/);
  return Object.fromEntries(names.map((n, i) => [n, cells[i] ?? '']));
}
const clustersColumn = (s: string | undefined): string[] => (s ?? '').split(',').sort();

t.test('kubectl get rs shows the sums and the per-cluster counts; berlin offline drops READY to 5, failover brings it back to 10 in new-york', async (t) => {
  const p = await startControlPlane(t);
  await p.scheduler('scheduler', { failoverDelayMs: 4000, recoveryDelayMs: 800 });
  await p.registry();
  await p.syncer();
  await p.aggregator();
  const created = await p.api.kubectl.run(['create', '-f', '-'], { stdin: JSON.stringify(nginx(10)) });
  t.equal(created.code, 0, created.stderr);

  const ready = await waitFor('READY 10', async () => {
    const r = row((await p.api.kubectl.run(['get', 'rs', 'nginx'])).stdout);
    return r['READY'] === '10' ? r : undefined;
  });
  t.match(ready, { NAME: 'nginx', DESIRED: '10', CURRENT: '10', READY: '10' });
  t.same(clustersColumn(ready['CLUSTERS']), ['berlin=5', 'new-york=5']);
  const yaml = (await p.api.kubectl.run(['get', 'rs', 'nginx', '-o', 'yaml'])).stdout;
  t.match(yaml, /type: Propagated/);
  t.match(yaml, /observedGeneration: 1/);

  const watch = p.api.kubectl.spawn(['get', 'rs', 'nginx', '-w']);
  let watched = '';
  watch.stdout?.on('data', (d: Buffer) => { watched += d.toString(); });
  t.teardown(() => { watch.kill(); });

  await p.sim.sim.fault('berlin', { action: 'offline' });
  const degraded = await waitFor('READY to drop to 5', async () => {
    const o = await p.federated({ resource: 'replicasets', namespace: 'default', name: 'nginx' });
    return getNumber(o, 'status', 'readyReplicas') === 5 ? o : undefined;
  });
  t.equal(getNumber(degraded, 'status', 'replicas'), 10, 'berlin\'s replicas are still counted as running, not as ready');

  const failedOver = await waitFor('READY 10 again, all in new-york', async () => {
    const r = row((await p.api.kubectl.run(['get', 'rs', 'nginx'])).stdout);
    return r['READY'] === '10' && r['CLUSTERS'] === 'new-york=10' ? r : undefined;
  }, { timeoutMs: 30000 });
  t.match(failedOver, { DESIRED: '10', CURRENT: '10' });
  await waitFor('kubectl get -w to have shown both', () => /\s5\s+berlin=5,new-york=5|\s5\s+new-york=5,berlin=5/.test(watched) && /new-york=10/.test(watched));
  t.pass('kubectl get -w followed READY 10 → 5 → 10');
});

t.test('Deployments: replicas, updatedReplicas and observedGeneration summed over clusters', async (t) => {
  const p = await startControlPlane(t);
  await p.controllers();
  const created = await p.api.kubectl.run(['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=4']);
  t.equal(created.code, 0, created.stderr);
  const o = await waitFor('4 updated replicas', async () => {
    const d = await p.federated({ resource: 'deployments', namespace: 'default', name: 'web' });
    return getNumber(d, 'status', 'updatedReplicas') === 4 && getNumber(d, 'status', 'availableReplicas') === 4 ? d : undefined;
  });
  t.match(o?.['status'], { replicas: 4, readyReplicas: 4, observedGeneration: 1 });
  t.same(getArray(o, 'status', 'clusters').map((c) => [getString(c, 'name'), getNumber(c, 'replicas')]).sort(), [['berlin', 2], ['new-york', 2]]);
  const available = getArray(o, 'status', 'conditions').find((c) => getString(c, 'type') === 'Available');
  t.match(available, { status: 'True', reason: 'MinimumReplicasAvailable' });
});

t.test('a storm of member reports (10,000 per second for 10 s) yields a bounded number of StatusAggregated events', async (t) => {
  const federation = testFederationId('storm');
  const redis = connectRedis(REDIS_URL, `test-${federation}`);
  t.teardown(async () => {
    await deleteMatching(redis, redisKeys(federation).all);
    redis.disconnect();
  });
  const log = createEventLog(redis, federation);
  const fed = federationDriver(log);
  const objects = 100;
  const clusters = Array.from({ length: 10 }, (_, i) => `member-${i}`);
  const placement = Object.fromEntries(clusters.map((c) => [c, 1]));
  const names = Array.from({ length: objects }, (_, i) => `web-${i}`);
  for (const name of names) {
    const ref = rsRef(name);
    await fed.apply(ref, replicaSet(clusters.length, {}, 1, name));
    await fed.append(ref, 'PlacementDecided', { ref, placement }, 'system:scheduler');
  }

  const logger = createLogger({ service: 'storm-test', level: process.env.LOG_LEVEL ?? 'warn' });
  const bus = await connectBus({ url: NATS_URL, federation, logger, name: 'storm-test' });
  t.teardown(() => bus.stop());
  const aggregator = await startAggregator({
    redis, log, bus, logger, replica: 'storm', clock: () => new Date(), newId: randomUUID, settings: { ...TEST_AGGREGATOR, coalesceMs: 200 },
  });
  t.teardown(() => aggregator.stop());
  await waitFor('the aggregator to hold its shards', () => aggregator.owned().length === TEST_AGGREGATOR.shards);
  const before = (await log.readLog('0', 100_000)).events.filter((e) => e.type === 'StatusAggregated').length;

  const report = (name: string, ready: number): MemberObjectReport => ({
    key: objectStream(rsRef(name)), present: true, federationGeneration: 1, replicas: 1, readyReplicas: ready, availableReplicas: ready,
    fullyLabeledReplicas: 1, updatedReplicas: 0, unschedulable: 0, conditions: [{ type: SYNCED_CONDITION, status: 'True', reason: 'Synced', message: '' }],
  });
  // 10,000 reports per second: every 10 ms, one message per cluster with 10 reports, each pod ready or not at random.
  const rand = prng(7);
  const started = Date.now();
  let sent = 0;
  for (let tick = 0; tick < 1000; tick++) {
    for (const [ci, cluster] of clusters.entries()) {
      const batch = Array.from({ length: 10 }, (_, i) => report(names[(tick * 10 + i + ci) % objects] as string, rand() < 0.5 ? 0 : 1));
      bus.publish(bus.subjects.member.status(cluster), MemberStatusReported, { cluster, objects: batch });
      sent += batch.length;
    }
    const due = started + (tick + 1) * 10;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
  }
  const stormMs = Date.now() - started;
  // The last state every object converges to: ready in every cluster.
  for (const cluster of clusters) {
    bus.publish(bus.subjects.member.status(cluster), MemberStatusReported, { cluster, objects: names.map((n) => report(n, 1)) });
  }
  await waitFor('every object to show 10 ready replicas', async () => {
    const { events } = await log.readLog('0', 1_000_000);
    const last = new Map<string, number>();
    for (const e of events) {
      // Each event carries the fields that changed; readyReplicas stands until one carries it again.
      const ready = e.type === 'StatusAggregated' ? (e.data as { status: { readyReplicas?: number } }).status.readyReplicas : undefined;
      if (ready !== undefined) last.set(e.stream, ready);
    }
    return names.every((n) => last.get(objectStream(rsRef(n))) === clusters.length);
  }, { timeoutMs: 30000 });

  const events = (await log.readLog('0', 1_000_000)).events.filter((e) => e.type === 'StatusAggregated').length - before;
  // At most one event per object per coalescing interval, plus one for the final state.
  const bound = objects * (Math.ceil(stormMs / 200) + 2);
  t.comment(`${sent} member reports in ${stormMs} ms → ${events} StatusAggregated events (bound ${bound})`);
  t.ok(sent >= 100_000, 'the storm sent 100,000 reports');
  t.ok(events <= bound, `${events} events ≤ ${bound}`);
  t.ok(events < sent / 10, 'coalesced: far fewer events than reports');
});
