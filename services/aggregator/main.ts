// The aggregator process: wires Redis, NATS and config into start(deps).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { replicaName } from '../../libs/config/common.js';
import { runService } from '../../libs/infra/lifecycle/service.js';
import { connectBus } from '../../libs/infra/nats/bus.js';
import { connectRedis } from '../../libs/infra/redis/connection.js';
import { createEventLog } from '../../libs/infra/redis/eventlog.js';
import { aggregatorConfig } from './config.js';
import { start } from './aggregator.js';

runService({
  name: 'aggregator',
  config: aggregatorConfig,
  start: async ({ config, logger, metrics }) => {
    const replica = replicaName(config.KFED_REPLICA, hostname(), randomUUID());
    const redis = connectRedis(config.REDIS_URL, `aggregator-${replica}`);
    // The connection reconnects by itself; say so once per failure instead of crashing on the event.
    redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'Redis connection error; reconnecting'));
    const bus = await connectBus({ url: config.NATS_URL, federation: config.KFED_FEDERATION, logger, name: `aggregator-${replica}` });
    const aggregator = await start({
      redis, log: createEventLog(redis, config.KFED_FEDERATION), bus, logger, metrics, replica,
      clock: () => new Date(), newId: randomUUID,
      settings: {
        coalesceMs: config.KFED_AGGREGATOR_COALESCE_MS,
        shards: config.KFED_AGGREGATOR_SHARDS,
        leaseTtlMs: config.KFED_AGGREGATOR_LEASE_TTL_MS,
      },
    });
    return {
      ...aggregator,
      stop: async () => {
        await aggregator.stop();
        await bus.stop();
        redis.disconnect();
      },
    };
  },
});
