// Shard leases in Redis: the replicas of a service split N work shards, renew what they hold, and hand shards over on stop or expiry.
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log/logger.js';
import { fnv1_32 } from '../../placement/planner.js';
import type { Redis } from './connection.js';
import type { Keys } from './keys.js';

const utf8 = new TextEncoder();

/** The shard a work key belongs to: stable across replicas and restarts (FNV-1 of its UTF-8 bytes). */
export const shardOf = (key: string, shards: number): number => fnv1_32(utf8.encode(key)) % shards;

// Membership: a sorted set of replica → expiry in Redis time (no replica's clock matters). Returns
// how many replicas are alive. KEYS: members. ARGV: replica, ttl ms.
const heartbeatScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return redis.call('ZCARD', KEYS[1])
`;

// Extends the leases still held by ARGV[1], and takes back those that expired without another
// replica taking them (a stalled replica that nobody replaced keeps its work); per key 1 (renewed)
// or 0 (lost: another replica holds it). ARGV[2]: ttl ms.
const renewScript = `
local out = {}
for i, key in ipairs(KEYS) do
  local holder = redis.call('GET', key)
  if holder == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    out[i] = 1
  elseif not holder then
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out
`;

// Takes free leases, and those still held under this replica's name (a replica restarted under the
// same name takes back what it held before it died), in KEYS order until ARGV[3] are taken; returns
// the 1-based indexes taken.
const acquireScript = `
local out = {}
local want = tonumber(ARGV[3])
for i, key in ipairs(KEYS) do
  if #out >= want then break end
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    out[#out + 1] = i
  elseif redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2]) then
    out[#out + 1] = i
  end
end
return out
`;

// Deletes the leases still held by ARGV[1].
const releaseScript = `
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key) end
end
return 0
`;

interface LeaseCommands extends Redis {
  kfedLeaseHeartbeat(numberOfKeys: number, ...args: string[]): Promise<number>;
  kfedLeaseRenew(numberOfKeys: number, ...args: string[]): Promise<number[]>;
  kfedLeaseAcquire(numberOfKeys: number, ...args: string[]): Promise<number[]>;
  kfedLeaseRelease(numberOfKeys: number, ...args: string[]): Promise<number>;
}

export interface ShardLeaseOptions {
  readonly redis: Redis;
  readonly keys: Keys;
  /** Names the leases (`<role>-shard-<i>`) and the membership record; the same for every replica of a service. */
  readonly role: string;
  /**
   * This replica's name, unique among the live replicas of the service. Leases left under this name
   * by a process that died are taken back at once by the next process of the same name.
   */
  readonly replica: string;
  readonly shards: number;
  /** A lease not renewed for this long expires; renewals run every ttlMs / 3. */
  readonly ttlMs: number;
  readonly logger: Logger;
  /** Shards this replica now holds: their keys need a fresh look. */
  readonly onAcquired: (shards: readonly number[]) => void;
  /** Shards this replica no longer holds (released to balance the load, or lost). */
  readonly onLost: (shards: readonly number[]) => void;
  /**
   * Shards renewed after their lease had lapsed here: a renewal ran late (a stalled process, a slow
   * Redis), so owns() said false for a while although no other replica took them. Work skipped
   * meanwhile needs doing now. Default: onAcquired.
   */
  readonly onResumed?: (shards: readonly number[]) => void;
  /** Monotonic milliseconds that lease validity is measured in (default performance.now). */
  readonly now?: () => number;
}

export interface ShardLeases {
  /** Whether this replica holds the shard's lease now (held and renewed within its ttl). */
  owns(shard: number): boolean;
  /**
   * Like `owns`, with one more ttl of grace: a replica whose event loop stalls past the ttl keeps the
   * shard until its next renewal says whether another replica took it, while one cut off from Redis
   * still gives it up (after twice the ttl). For work whose overlap with a new holder is harmless.
   */
  holds(shard: number): boolean;
  owned(): readonly number[];
  /** Stops renewing. `release` (default true) gives the leases back at once; false leaves them to expire, as a crash would. Idempotent. */
  stop(options?: { readonly release?: boolean }): Promise<void>;
}

/**
 * Each replica holds at most ceil(shards / live replicas) leases, so that load spreads as replicas
 * join, and takes over free or expired ones. Replicas prefer different shards (an offset from their
 * name's hash), which keeps shards from moving back and forth. A lease is exclusive while it lives;
 * the work itself must still be safe against a replica that stalls past its ttl (the scheduler's
 * appends are optimistic, so a stale replica's decision fails on a version conflict).
 */
export function startShardLeases(options: ShardLeaseOptions): ShardLeases {
  const { keys, role, replica, shards, ttlMs, logger, now = () => performance.now() } = options;
  const onResumed = options.onResumed ?? options.onAcquired;
  const redis = options.redis as LeaseCommands;
  if (typeof redis.kfedLeaseHeartbeat !== 'function') {
    redis.defineCommand('kfedLeaseHeartbeat', { lua: heartbeatScript });
    redis.defineCommand('kfedLeaseRenew', { lua: renewScript });
    redis.defineCommand('kfedLeaseAcquire', { lua: acquireScript });
    redis.defineCommand('kfedLeaseRelease', { lua: releaseScript });
  }
  const log = logger.child({ leases: role, replica });
  const members = keys.record(role, 'replicas');
  const leaseKey = (shard: number): string => keys.lease(`${role}-shard-${shard}`);
  const offset = shardOf(replica, shards);
  const preference = Array.from({ length: shards }, (_, i) => (offset + i) % shards);
  const rank = new Map(preference.map((s, i) => [s, i]));
  const held = new Set<number>();
  let validUntil = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const lose = (lost: readonly number[]): void => {
    if (lost.length === 0) return;
    for (const s of lost) held.delete(s);
    options.onLost(lost);
  };

  const tick = async (): Promise<void> => {
    const started = now();
    const alive = Math.max(1, await redis.kfedLeaseHeartbeat(1, members, replica, String(ttlMs)));
    const target = Math.ceil(shards / alive);
    const mine = [...held].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
    if (mine.length > 0) {
      const renewed = await redis.kfedLeaseRenew(mine.length, ...mine.map(leaseKey), replica, String(ttlMs));
      const lost = mine.filter((_, i) => renewed[i] !== 1);
      if (lost.length > 0) log.warn({ shards: lost }, 'lost shard leases');
      lose(lost);
    }
    // Validity runs from before the renewal was sent, so Redis keeps a lease at least as long as owns() says so.
    const lapsed = now() >= validUntil ? [...held] : [];
    validUntil = started + ttlMs;
    if (stopped) return;
    if (lapsed.length > 0) {
      log.warn({ shards: lapsed }, 'renewed shard leases after they had lapsed here; looking at their work again');
      onResumed(lapsed);
    }
    if (held.size > target) {
      // Give the least preferred back: another replica has come up.
      const extra = [...held].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0)).slice(target);
      lose(extra);
      await redis.kfedLeaseRelease(extra.length, ...extra.map(leaseKey), replica);
      log.info({ shards: extra, replicas: alive }, 'released shard leases to balance the load');
    } else if (held.size < target) {
      const free = preference.filter((s) => !held.has(s));
      const taken = await redis.kfedLeaseAcquire(free.length, ...free.map(leaseKey), replica, String(ttlMs), String(target - held.size));
      const acquired = taken.map((i) => free[i - 1] as number);
      if (acquired.length > 0) {
        for (const s of acquired) held.add(s);
        log.info({ shards: acquired, replicas: alive }, 'acquired shard leases');
        options.onAcquired(acquired);
      }
    }
  };

  const loop = (): void => {
    if (stopped) return;
    running = tick().catch((err: unknown) => {
      log.error({ err }, 'renewing shard leases failed; retrying');
    }).finally(() => {
      if (!stopped) timer = setTimeout(loop, Math.max(10, Math.floor(ttlMs / 3)));
    });
  };
  loop();

  return {
    owns: (shard) => held.has(shard) && now() < validUntil,
    holds: (shard) => held.has(shard) && now() < validUntil + ttlMs,
    owned: () => [...held].sort((a, b) => a - b),
    async stop({ release = true } = {}) {
      if (stopped) return running;
      stopped = true;
      clearTimeout(timer);
      await running;
      const mine = [...held];
      held.clear();
      if (release) {
        if (mine.length > 0) await redis.kfedLeaseRelease(mine.length, ...mine.map(leaseKey), replica);
        await redis.zrem(members, replica);
      }
    },
  };
}
