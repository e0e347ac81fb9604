// Shard leases against the real Redis: taking shards, losing them, and a lease that lapsed here but was never lost.
import t from 'tap';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../../libs/infra/log/logger.js';
import type { Redis } from '../../libs/infra/redis/connection.js';
import { redisKeys } from '../../libs/infra/redis/keys.js';
import { startShardLeases } from '../../libs/infra/redis/leases.js';
import { testRedis } from '../support/federation.js';
import { waitFor } from '../support/wait.js';

const logger = createLogger({ service: 'leases-test', level: process.env.LOG_LEVEL ?? 'silent' });
const SHARDS = 4;
const all = Array.from({ length: SHARDS }, (_, i) => i);

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

t.test('a replica alone takes every shard; a lease deleted behind its back is lost, then taken again', async (t) => {
  const { redis, federation } = testRedis(t, 'leases');
  const r = replica(t, redis, federation, 3000);
  await waitFor('every shard', () => r.leases.owned().length === SHARDS);
  t.same(r.calls.acquired, [all]);
  t.ok(all.every((s) => r.leases.owns(s)));

  await redis.del(redisKeys(federation).lease('test-shard-2'));
  await waitFor('shard 2 lost and taken again', () => r.calls.lost.length > 0 && r.calls.acquired.length > 1);
  t.same(r.calls.lost, [[2]]);
  t.same(r.calls.acquired, [all, [2]]);
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
