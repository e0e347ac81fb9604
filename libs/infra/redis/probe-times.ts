// When each member cluster was last probed: one small Redis hash the registry writes on every probe
// and the API server reads to show a current lastProbeTime, without an event per probe in the log.
import type { Redis } from './connection.js';
import type { Keys } from './keys.js';

export interface ProbeTimes {
  record(cluster: string, at: Date): Promise<void>;
  forget(cluster: string): Promise<void>;
  /** ISO times by cluster, for those of `clusters` that have one. */
  read(clusters: readonly string[]): Promise<Map<string, string>>;
}

export function probeTimes(redis: Redis, keys: Keys): ProbeTimes {
  const key = keys.record('registry', 'probe-times');
  return {
    async record(cluster, at) {
      await redis.hset(key, cluster, at.toISOString());
    },
    async forget(cluster) {
      await redis.hdel(key, cluster);
    },
    async read(clusters) {
      const out = new Map<string, string>();
      if (clusters.length === 0) return out;
      const values = await redis.hmget(key, ...clusters);
      clusters.forEach((c, i) => {
        const v = values[i];
        if (typeof v === 'string') out.set(c, v);
      });
      return out;
    },
  };
}
