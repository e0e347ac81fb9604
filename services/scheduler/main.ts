// The scheduler process: wires Redis, NATS and config into start(deps).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { replicaName } from '../../libs/config/common.js';
import { runService } from '../../libs/infra/lifecycle/service.js';
import { connectBus } from '../../libs/infra/nats/bus.js';
import { connectRedis } from '../../libs/infra/redis/connection.js';
import { createEventLog } from '../../libs/infra/redis/eventlog.js';
import { schedulerConfig } from './config.js';
import { start } from './scheduler.js';

runService({
  name: 'scheduler',
  config: schedulerConfig,
  start: async ({ config, logger, metrics }) => {
    const replica = replicaName(config.KFED_REPLICA, hostname(), randomUUID());
    const redis = connectRedis(config.REDIS_URL, `scheduler-${replica}`);
    // The connection reconnects by itself; say so once per failure instead of crashing on the event.
    redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'Redis connection error; reconnecting'));
    const bus = await connectBus({ url: config.NATS_URL, federation: config.KFED_FEDERATION, logger, name: `scheduler-${replica}` });
    const scheduler = await start({
      redis, log: createEventLog(redis, config.KFED_FEDERATION), bus, logger, metrics, replica,
      clock: () => new Date(), newId: randomUUID,
      settings: {
        scheduling: { failoverDelayMs: config.KFED_SCHEDULER_FAILOVER_DELAY_MS, recoveryDelayMs: config.KFED_SCHEDULER_RECOVERY_DELAY_MS },
        shards: config.KFED_SCHEDULER_SHARDS,
        leaseTtlMs: config.KFED_SCHEDULER_LEASE_TTL_MS,
        concurrency: config.KFED_SCHEDULER_CONCURRENCY,
      },
    });
    return {
      ...scheduler,
      stop: async () => {
        await scheduler.stop();
        await bus.stop();
        redis.disconnect();
      },
    };
  },
});
