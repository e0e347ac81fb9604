// Shard leases on real Redis: a replica that dies keeps its shards away from other names until the
// leases expire, but a replica restarted under the same name takes them back at once.
import t from 'tap';
import { redisKeys } from '../../libs/infra/redis/keys.js';
import { startShardLeases, type ShardLeases } from '../../libs/infra/redis/leases.js';
import { replicaName } from '../../libs/config/common.js';
import { testRedis } from '../support/federation.js';
import { capturedLogger } from '../support/log-capture.js';
import { waitFor } from '../support/wait.js';

const SHARDS = 4;
// Far longer than any test step: nothing here may pass by a lease expiring.
const TTL_MS = 120_000;

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
