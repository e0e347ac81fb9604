// Redis connections for kfed: one place that knows the client options.
import { Redis } from 'ioredis';

export type { Redis };

/**
 * Services wait for a reconnect instead of failing: a Redis restart is an ordinary event for them.
 * `failFast` (command-line tools) fails commands when Redis is unreachable, so a person sees why.
 */
export function connectRedis(url: string, name: string, { failFast = false }: { readonly failFast?: boolean } = {}): Redis {
  return new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: failFast ? 1 : null,
    enableAutoPipelining: true,
    retryStrategy: failFast ? () => null : (attempt) => Math.min(100 * 2 ** Math.min(attempt, 6), 5000),
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
