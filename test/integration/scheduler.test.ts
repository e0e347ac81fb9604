// The scheduler on real Redis and NATS: the article's migration, scaling, failover, several replicas, and a long history replayed.
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { connectBus } from '../../libs/infra/nats/bus.js';
import { connectRedis, deleteMatching } from '../../libs/infra/redis/connection.js';
import { createEventLog, type EventLog } from '../../libs/infra/redis/eventlog.js';
import { redisKeys } from '../../libs/infra/redis/keys.js';
import { runProjection } from '../../libs/infra/redis/projection-runner.js';
import { statusContributions } from '../../libs/federation/contributions.js';
import { objectsOfKind } from '../../libs/federation/state.js';
import { objectStream, type ObjectRef } from '../../libs/events/streams.js';
import { decide, type SchedulingConfig } from '../../libs/scheduling/decide.js';
import { schedulerView } from '../../libs/scheduling/view.js';
import { CLUSTER_SELECTOR_ANNOTATION, PREFERENCES_ANNOTATION } from '../../libs/placement/preferences.js';
import { start, type Scheduler } from '../../services/scheduler/scheduler.js';
import { replayLog } from '../../cli/commands/replay.js';
import { NATS_URL, REDIS_URL, testFederationId } from '../support/federation.js';
import { capturedLogger } from '../support/log-capture.js';
import { tcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';
import { intIn, pick, prng } from '../support/prng.js';
import { runKfed } from '../support/kfed-cli.js';
import { articleReplicaSet, replicaSet, rsRef, type Health } from '../support/federation-objects.js';
import { federationDriver, type FederationDriver } from '../support/scheduler.js';

/** Delays shortened from Federation v1's 60 s and 20 s so that failover runs in a test. */
const FAST: SchedulingConfig = { failoverDelayMs: 1500, recoveryDelayMs: 800 };

interface Teardown { teardown(fn: () => unknown): void }

interface Fixture {
  readonly federation: string;
  readonly log: EventLog;
  readonly fed: FederationDriver;
  replica(name: string, options?: { redisUrl?: string; shards?: number; scheduling?: SchedulingConfig }): Promise<Scheduler>;
  /** Runs `fn` at teardown after the replicas started later than this call have stopped. */
  later(fn: () => Promise<void>): void;
}

/** A private federation; every replica started on it is stopped, then its keys deleted, when the test ends. */
function fixture(t: Teardown): Fixture {
  const federation = testFederationId('sched');
  const redis = connectRedis(REDIS_URL, `test-${federation}`);
  const log = createEventLog(redis, federation);
  const stops: (() => Promise<void>)[] = [];
  t.teardown(async () => {
    for (const stop of stops.reverse()) await stop();
    await deleteMatching(redis, redisKeys(federation).all);
    redis.disconnect();
  });
  return {
    federation, log, fed: federationDriver(log),
    later: (fn) => { stops.push(fn); },
    async replica(name, { redisUrl = REDIS_URL, shards = 8, scheduling = FAST } = {}) {
      const own = connectRedis(redisUrl, `test-${federation}-${name}`);
      own.on('error', () => undefined); // a cut connection reconnects; the test asserts on outcomes
      const { logger } = capturedLogger(name);
      const bus = await connectBus({ url: NATS_URL, federation, logger, name });
      const scheduler = await start({
        redis: own, log: createEventLog(own, federation), bus, logger, replica: name, clock: () => new Date(), newId: randomUUID,
        settings: { scheduling, shards, leaseTtlMs: 1200, concurrency: 16 },
      });
      stops.push(async () => {
        await scheduler.stop();
        await bus.stop();
        own.disconnect();
      });
      await waitFor(`${name} to hold shards`, () => scheduler.owned().length > 0);
      return scheduler;
    },
  };
}

const NY_BERLIN = { 'new-york': 1, berlin: 1 };

t.test('the article: weights 1/1, scaling, weights 20/0 and back, failover and recovery', async (t) => {
  const { fed, replica, federation } = fixture(t);
  await fed.joinCluster('new-york');
  await fed.joinCluster('berlin');
  await fed.health('new-york', 'Ready');
  await fed.health('berlin', 'Ready');
  await replica('one');
  const ref = rsRef();
  const decisions = async (n: number) => waitFor(`${n} decisions`, async () => {
    const d = await fed.decisions(ref);
    return d.length >= n ? d : undefined;
  });

  const created = await fed.apply(ref, articleReplicaSet(4, NY_BERLIN));
  let d = await decisions(1);
  t.same(d[0]?.data.placement, { berlin: 2, 'new-york': 2 });
  t.equal(d[0]?.data.reason, 'first placement');
  t.equal(d[0]?.event.actor, 'system:scheduler');
  t.equal(d[0]?.event.correlationId, created.correlationId, 'the decision continues the change that caused it');
  t.equal(d[0]?.event.causationId, created.id);

  await fed.apply(ref, articleReplicaSet(10, NY_BERLIN, 2));
  d = await decisions(2);
  t.same(d[1]?.data.placement, { berlin: 5, 'new-york': 5 });
  t.equal(d[1]?.data.reason, 'scaled 4→10');
  t.equal(d[1]?.data.generation, 2);

  await fed.apply(ref, articleReplicaSet(10, { 'new-york': 20, berlin: 0 }, 3));
  d = await decisions(3);
  t.same(d[2]?.data.placement, { 'new-york': 10 }, 'every pod moves to new-york');
  t.equal(d[2]?.data.reason, 'weights changed: new-york 1→20, berlin 1→0');

  await fed.apply(ref, articleReplicaSet(10, { 'new-york': 0, berlin: 20 }, 4));
  d = await decisions(4);
  t.same(d[3]?.data.placement, { berlin: 10 }, 'and back to berlin');

  // A change that moves nothing (the same object again, a label) is followed by one that does:
  // exactly one more decision proves the first made none.
  const same = articleReplicaSet(10, { 'new-york': 0, berlin: 20 }, 4);
  await fed.apply(ref, same);
  await fed.apply(ref, { ...same, metadata: { ...same.metadata, labels: { tier: 'web' } } });
  await fed.apply(ref, articleReplicaSet(10, NY_BERLIN, 5));
  d = await decisions(5);
  t.same(d[4]?.data.placement, { berlin: 5, 'new-york': 5 });
  t.equal(d[4]?.data.reason, 'weights changed: new-york 0→1, berlin 20→1');

  t.test('failover after the delay, and back after the recovery delay', async (t) => {
    const lost = await fed.health('berlin', 'Offline');
    const lostAt = Date.now();
    d = await decisions(6);
    const failover = d[5];
    t.same(failover?.data.placement, { 'new-york': 10 });
    t.equal(failover?.data.reason, 'berlin became Offline');
    t.match(failover?.data.clusters.find((c) => c.name === 'berlin'), { state: 'Offline', eligible: false, why: 'NotReady' });
    t.ok(Date.parse(failover?.event.time ?? '') >= lostAt - 50 + FAST.failoverDelayMs, 'not before the failover delay');
    t.equal(failover?.event.causationId, lost.id, 'caused by the health change');
    t.not(failover?.event.correlationId, lost.correlationId, 'a new correlation: no user request caused it');

    const back = await fed.health('berlin', 'Ready');
    const backAt = Date.now();
    d = await decisions(7);
    t.same(d[6]?.data.placement, { berlin: 5, 'new-york': 5 });
    t.equal(d[6]?.data.reason, 'berlin became Ready');
    t.ok(Date.parse(d[6]?.event.time ?? '') >= backAt - 50 + FAST.recoveryDelayMs, 'not before the recovery delay');
    t.equal(d[6]?.event.causationId, back.id);
  });

  t.test('kfed history tells the story', async (t) => {
    const table = await runKfed(['history', 'rs/nginx', '-n', 'default', '--federation', federation, '--redis', REDIS_URL]);
    t.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    t.match(lines[0], /^TIME\s+ACTOR\s+EVENT\s+CHANGE\s+PLACEMENT\s+REASON$/);
    t.ok(lines.some((l) => /admin\s+ObjectApplied\s+replicas 4→10/.test(l)), 'the scale');
    t.ok(lines.some((l) => /system:scheduler\s+PlacementDecided\s+generation 2\s+berlin 2→5, new-york 2→5\s+scaled 4→10$/.test(l)), 'its decision');
    t.ok(lines.some((l) => l.includes('annotation replica-set-preferences changed: weights new-york 1→20, berlin 1→0')), 'the weights');
    t.ok(lines.some((l) => /berlin 5→0, new-york 5→10\s+weights changed: new-york 1→20, berlin 1→0$/.test(l)), 'the move');
    t.ok(lines.some((l) => /berlin 5→0, new-york 5→10\s+berlin became Offline$/.test(l)), 'the failover');
    const kubectlStyle = await runKfed(['history', 'rs/nginx', '-n=default', `--federation=${federation}`, `--redis=${REDIS_URL}`]);
    t.equal(kubectlStyle.stdout, table.stdout, '-n=NS and --flag=value as kubectl takes them');

    const json = await runKfed(['history', 'replicasets.apps', 'nginx', '-o', 'json'], { KFED_FEDERATION: federation, REDIS_URL });
    t.equal(json.code, 0, json.stderr);
    const rows = JSON.parse(json.stdout) as { event: string; reason: string }[];
    t.same(rows.filter((r) => r.event === 'PlacementDecided').map((r) => r.reason).slice(0, 3),
      ['first placement', 'scaled 4→10', 'weights changed: new-york 1→20, berlin 1→0']);

    const cluster = await runKfed(['history', 'cluster/berlin', '--federation', federation]);
    t.match(cluster.stdout, /system:registry\s+ClusterConditionChanged\s+Ready True \(ClusterReady\)→Unknown \(ClusterNotReachable\)/);

    const missing = await runKfed(['history', 'deploy/nginx', '--federation', federation]);
    t.equal(missing.code, 1);
    t.equal(missing.stderr, `kfed history: deployments.apps "nginx" not found in namespace "default" (federation ${federation})\n`);
    const badKind = await runKfed(['history', 'pods/nginx', '--federation', federation]);
    t.equal(badKind.code, 2);
    t.match(badKind.stderr, /serves no resource type "pods"/);
  });
});

t.test('a cluster selector, objects without replicas, and the control-plane namespace', async (t) => {
  const { fed, replica } = fixture(t);
  await fed.joinCluster('new-york', { region: 'us' });
  await fed.joinCluster('berlin', { region: 'eu' });
  await fed.health('new-york', 'Ready');
  await fed.health('berlin', 'Ready');
  await replica('one');
  const cm: ObjectRef = { group: '', kind: 'ConfigMap', namespace: 'default', name: 'site' };
  const system: ObjectRef = { group: '', kind: 'Secret', namespace: 'kfed-system', name: 'berlin' };
  const eu = rsRef('eu-only');
  await fed.apply(system, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'berlin', namespace: 'kfed-system' } });
  await fed.apply(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'site', namespace: 'default' }, data: { a: 'b' } });
  await fed.apply(eu, replicaSet(3, { [CLUSTER_SELECTOR_ANNOTATION]: '[{"key":"region","operator":"=","values":["eu"]}]' }, 1, 'eu-only'));
  const [cmDecision] = await waitFor('the ConfigMap placed', async () => { const d = await fed.decisions(cm); return d.length > 0 ? d : undefined; });
  t.same(cmDecision?.data.placement, { berlin: 0, 'new-york': 0 });
  t.equal(cmDecision?.data.input, null);
  const [euDecision] = await waitFor('the selected RS placed', async () => { const d = await fed.decisions(eu); return d.length > 0 ? d : undefined; });
  t.same(euDecision?.data.placement, { berlin: 3 });
  // The Secret was appended first: had it been placed, its decision would be there by now.
  t.same(await fed.decisions(system), [], 'kfed-system is never placed');
});

t.test('two replicas decide each object exactly once; a replica cut off from Redis hands its shards over', async (t) => {
  const { fed, replica, later } = fixture(t);
  await fed.joinCluster('new-york');
  await fed.joinCluster('berlin');
  await fed.health('new-york', 'Ready');
  await fed.health('berlin', 'Ready');
  const proxy = await tcpProxy({ host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379) });
  later(() => proxy.close());
  const a = await replica('a');
  const b = await replica('b', { redisUrl: `redis://127.0.0.1:${proxy.port}` });
  await waitFor('the shards split between both', () => a.owned().length === 4 && b.owned().length === 4);

  const refs = Array.from({ length: 40 }, (_, i) => rsRef(`web-${i}`));
  const allHave = async (n: number) => {
    for (const ref of refs) await fed.apply(ref, { ...replicaSet(2 * n, {}, n, ref.name) });
    await waitFor(`every object decided ${n} times`, async () => {
      const counts = await Promise.all(refs.map(async (ref) => (await fed.decisions(ref)).length));
      return counts.every((c) => c >= n) ? counts : undefined;
    });
  };
  await allHave(1);
  await allHave(2);
  const counts = await Promise.all(refs.map(async (ref) => (await fed.decisions(ref)).length));
  t.same(counts, refs.map(() => 2), 'one decision per object per change');

  t.test('b loses Redis: its leases expire and a takes every shard', async (t) => {
    await proxy.close();
    await waitFor('a to hold every shard', () => a.owned().length === 8, { timeoutMs: 20_000 });
    await allHave(3);
    const after = await Promise.all(refs.map(async (ref) => (await fed.decisions(ref)).length));
    t.same(after, refs.map(() => 3), 'still exactly one decision per change');
    await proxy.listen(); // lets b stop cleanly at teardown
  });
});

t.test('a long randomised history replays without a mismatch', async (t) => {
  const { fed, replica, federation, log } = fixture(t);
  const rand = prng(20240501);
  const clusterNames = ['new-york', 'berlin', 'tokyo', 'paris'];
  const healthOf = new Map<string, Health>();
  for (const name of clusterNames) {
    await fed.joinCluster(name, { region: name === 'berlin' || name === 'paris' ? 'eu' : 'other' });
    await fed.health(name, 'Ready');
    healthOf.set(name, 'Ready');
  }
  const fast: SchedulingConfig = { failoverDelayMs: 150, recoveryDelayMs: 100 };
  await replica('one', { scheduling: fast });
  await replica('two', { scheduling: fast });
  const refs = Array.from({ length: 8 }, (_, i) => rsRef(`app-${i}`));
  const configMap: ObjectRef = { group: '', kind: 'ConfigMap', namespace: 'default', name: 'settings' };

  const randomPreferences = (): string => {
    const clusters: Record<string, unknown> = {};
    for (const name of clusterNames) {
      if (rand() < 0.2) continue;
      const min = intIn(rand, 0, 2);
      clusters[name] = { weight: intIn(rand, 0, 5), minReplicas: min, ...(rand() < 0.5 ? { maxReplicas: min + intIn(rand, 0, 8) } : {}) };
    }
    if (rand() < 0.3) clusters['*'] = { weight: 1 };
    return JSON.stringify({ rebalance: rand() < 0.5, clusters });
  };

  for (let step = 0; step < 300; step++) {
    const what = rand();
    if (what < 0.45) {
      const ref = pick(rand, refs);
      const annotations: Record<string, string> = rand() < 0.85 ? { [PREFERENCES_ANNOTATION]: randomPreferences() } : {};
      if (rand() < 0.15) annotations[CLUSTER_SELECTOR_ANNOTATION] = '[{"key":"region","operator":"In","values":["eu"]}]';
      await fed.apply(ref, replicaSet(intIn(rand, 0, 30), annotations, step + 1, ref.name));
    } else if (what < 0.7) {
      const ref = pick(rand, refs);
      const status = { clusters: clusterNames.filter(() => rand() < 0.7).map((name) => ({
        name, replicas: intIn(rand, 0, 12), ...(rand() < 0.25 ? { unschedulable: intIn(rand, 1, 4) } : {}) })) };
      await fed.append(ref, 'StatusAggregated', { ref, status }, 'system:aggregator');
    } else if (what < 0.9) {
      const name = pick(rand, clusterNames);
      const health = pick(rand, ['Ready', 'Ready', 'NotReady', 'Offline'] as const);
      if (healthOf.get(name) !== health) await fed.health(name, health);
      healthOf.set(name, health);
    } else {
      await fed.apply(configMap, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default' }, data: { step: String(step) } });
    }
  }

  // Converged: deciding again on the final state, as the scheduler would now, changes nothing and
  // waits for no failover or recovery delay.
  const view = runProjection({ log, logger: capturedLogger('check').logger, projection: schedulerView({ unseal: () => undefined, contributions: statusContributions }) });
  t.teardown(() => view.stop());
  await view.ready;
  await waitFor('the scheduler to converge', () => {
    const s = view.state();
    const clusters = objectsOfKind(s.federation, 'federation/Cluster');
    return [...refs, configMap].every((ref) => {
      const stream = objectStream(ref);
      const stored = s.federation.objects.get(stream);
      const d = stored === undefined ? undefined : decide(stored, clusters, s.decisions.get(stream)?.data, Date.now(), fast);
      return d !== undefined && (d._tag === 'NotPlaced' || d._tag === 'Invalid' || (d._tag === 'Unchanged' && d.nextCheckAt === undefined));
    });
  }, { timeoutMs: 30_000 });

  const report = await replayLog(log, 100);
  t.ok(report.decisions.length >= 50, `many decisions to replay (${report.decisions.length})`);
  t.same(report.decisions.filter((d) => d.mismatch !== undefined), [], 'no mismatch');
  t.equal(report.objects, refs.length + 1);

  const cli = await runKfed(['replay', '--verify', '--federation', federation, '--redis', REDIS_URL]);
  t.equal(cli.code, 0, cli.stderr);
  t.match(cli.stdout, new RegExp(`^replayed ${report.decisions.length} decisions of ${report.objects} objects in federation ${federation}: no mismatch\\n$`));

  t.test('a tampered decision is reported, exit 1', async (t) => {
    const ref = refs[0] as ObjectRef;
    const [last] = (await fed.decisions(ref)).slice(-1);
    if (last === undefined) throw new Error('no decision to tamper with');
    await fed.append(ref, 'PlacementDecided', { ...last.data, placement: { nowhere: 1 } }, 'mallory');
    const r = await runKfed(['replay', '--verify', '--federation', federation]);
    t.equal(r.code, 1);
    t.match(r.stdout, /MISMATCH: (placement|input clusters)/);
    t.match(r.stdout, /: 1 mismatches\n$/);
  });
});
