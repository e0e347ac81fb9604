// Redis connections for kfed: one place that knows the client options.
import { Redis } from 'ioredis';

export type { Redis };

export function connectRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    // Commands wait for a reconnect instead of failing fast: a Redis restart is an ordinary event.
    maxRetriesPerRequest: null,
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 6), 5000),
  });
}

/** Delete every key matching a pattern (SCAN, never KEYS). */
export async function deleteMatching(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (found.length > 0) deleted += await redis.unlink(...found);
  } while (cursor !== '0');
  return deleted;
}
