// Shard leases against the real Redis: taking shards, losing them to another replica, a lease that
// lapsed here but was never lost, and a replica restarted under its name taking its leases back at once.
import t from 'tap';
import { performance } from 'node:perf_hooks';
import { replicaName } from '../../libs/config/common.js';
import { createLogger } from '../../libs/infra/log/logger.js';
import type { Redis } from '../../libs/infra/redis/connection.js';
import { redisKeys } from '../../libs/infra/redis/keys.js';
import { startShardLeases, type ShardLeases } from '../../libs/infra/redis/leases.js';
import { testRedis } from '../support/federation.js';
import { capturedLogger } from '../support/log-capture.js';
import { waitFor } from '../support/wait.js';

const logger = createLogger({ service: 'leases-test', level: process.env.LOG_LEVEL ?? 'silent' });
const SHARDS = 4;
const all = Array.from({ length: SHARDS }, (_, i) => i);
// Far longer than any test step: nothing in the restart test may pass by a lease expiring.
const TTL_MS = 120_000;

/** One replica's leases with its callbacks recorded, on a clock the test can move forward. */
function replica(t: { teardown(fn: () => unknown): void }, redis: Redis, federation: string, ttlMs: number) {
  let skew = 0;
  const calls: { acquired: number[][]; lost: number[][]; resumed: number[][] } = { acquired: [], lost: [], resumed: [] };
  const leases = startShardLeases({
    redis, keys: redisKeys(federation), role: 'test', replica: 'r1', shards: SHARDS, ttlMs, logger,
    onAcquired: (s) => calls.acquired.push([...s].sort()),
    onLost: (s) => calls.lost.push([...s].sort()),
    onResumed: (s) => calls.resumed.push([...s].sort()),
    now: () => performance.now() + skew,
  });
  t.teardown(() => leases.stop());
  return { leases, calls, skip: (ms: number) => { skew += ms; } };
}

t.test('a replica restarted under its name takes its leases back at once; another name waits for expiry', async (t) => {
  const { redis, federation } = testRedis(t, 'leases');
  const keys = redisKeys(federation);
  const running: ShardLeases[] = [];
  t.teardown(async () => { for (const l of running) await l.stop(); });
  const leases = (replica: string): ShardLeases => {
    const l = startShardLeases({
      redis, keys, role: 'test', replica, shards: SHARDS, ttlMs: TTL_MS, logger: capturedLogger().logger,
      onAcquired: () => undefined, onLost: () => undefined,
    });
    running.push(l);
    return l;
  };

  const first = leases('worker-a');
  await waitFor('worker-a to hold every shard', () => first.owned().length === SHARDS);
  await first.stop({ release: false }); // as kill -9 leaves them: held, unrenewed

  const other = leases('worker-b');
  await waitFor('worker-b to have joined', async () => (await redis.zscore(keys.record('test', 'replicas'), 'worker-b')) !== null);
  const restarted = leases('worker-a');
  // Two live names now (worker-a, worker-b): each aims at half the shards.
  const reclaimed = await waitFor('the restarted worker-a to hold its shards again', () => (restarted.owned().length === SHARDS / 2 ? restarted.owned() : undefined));
  t.equal(reclaimed.length, SHARDS / 2, 'worker-a took back its share without waiting for the leases to expire');
  t.same(other.owned(), [], 'worker-b could take none of the leases worker-a left behind');
  for (const s of reclaimed) t.equal(await redis.get(keys.lease(`test-shard-${s}`)), 'worker-a');
});

t.test('a lease that expired unclaimed is renewed by its holder; one another replica took is lost', async (t) => {
  const { redis, federation } = testRedis(t, 'leases');
  const keys = redisKeys(federation);
  const lost: number[] = [];
  const l = startShardLeases({
    redis, keys, role: 'test', replica: 'worker-a', shards: 2, ttlMs: 900, logger: capturedLogger().logger,
    onAcquired: () => undefined, onLost: (shards) => lost.push(...shards),
  });
  t.teardown(() => l.stop());
  await waitFor('worker-a to hold both shards', () => l.owned().length === 2);
  // As if worker-a had stalled past the ttl and nobody took its leases: the keys are gone.
  await redis.del(keys.lease('test-shard-0'), keys.lease('test-shard-1'));
  await waitFor('both leases to be worker-a\'s again', async () => (await redis.get(keys.lease('test-shard-0'))) === 'worker-a' && (await redis.get(keys.lease('test-shard-1'))) === 'worker-a');
  t.same(lost, [], 'nothing was given up');
  t.same(l.owned(), [0, 1]);
  // Another replica took shard 1 meanwhile: worker-a's next renewal finds it lost.
  await redis.set(keys.lease('test-shard-1'), 'worker-b', 'PX', 60_000);
  await waitFor('worker-a to give shard 1 up', () => lost.includes(1));
  t.same(l.owned(), [0]);
  t.equal(await redis.get(keys.lease('test-shard-1')), 'worker-b');
});

t.test('KFED_REPLICA names the replica; empty gives a fresh name per process', async (t) => {
  t.equal(replicaName('syncer-1', 'host', 'ffffffff-0000'), 'syncer-1');
  t.equal(replicaName('', 'host', '0123456789abcdef'), 'host-01234567');
  t.not(replicaName('', 'host', 'aaaaaaaa'), replicaName('', 'host', 'bbbbbbbb'));
});

t.test('a lease that lapsed here while Redis still held it is resumed: owns() false meanwhile, onResumed once renewed', async (t) => {
  const { redis, federation } = testRedis(t, 'leases');
  // Renewals every 2 s: the lease in Redis outlives the jump of the clock below by far.
  const r = replica(t, redis, federation, 6000);
  await waitFor('every shard', () => r.leases.owned().length === SHARDS);

  r.skip(6000); // as if the process had stalled past the validity of its last renewal
  t.ok(all.every((s) => !r.leases.owns(s)), 'lapsed: owns() says false');
  t.same(r.leases.owned(), all, 'still held: nothing was lost');

  await waitFor('the shards resumed', () => r.calls.resumed.length > 0, { timeoutMs: 10_000 });
  t.same(r.calls.resumed, [all]);
  t.ok(all.every((s) => r.leases.owns(s)), 'owned again');
  t.same(r.calls.lost, []);
  t.same(r.calls.acquired, [all], 'nothing was acquired anew');
});
