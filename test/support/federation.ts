// A private federation id per test, and the Redis connection to go with it, cleaned up on teardown.
import { randomBytes } from 'node:crypto';
import { connectRedis, deleteMatching, type Redis } from '../../libs/infra/redis/connection.js';
import { redisKeys } from '../../libs/infra/redis/keys.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

export function testFederationId(label = 't'): string {
  return `${label}-${randomBytes(4).toString('hex')}`.toLowerCase();
}

interface Teardown { teardown(fn: () => unknown): void }

/** A Redis connection and a fresh federation id whose keys are deleted when the test ends. */
export function testRedis(t: Teardown, label?: string): { redis: Redis; federation: string } {
  const federation = testFederationId(label);
  const redis = connectRedis(REDIS_URL, `test-${federation}`);
  t.teardown(async () => {
    await deleteMatching(redis, redisKeys(federation).all);
    redis.disconnect();
  });
  return { redis, federation };
}
