// The registry process: wires Redis, NATS, the encryption key and config into start(deps).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { replicaName } from '../../libs/config/common.js';
import * as E from 'fp-ts/lib/Either.js';
import { createSealer } from '../../libs/infra/crypto/seal.js';
import { runService } from '../../libs/infra/lifecycle/service.js';
import { connectBus } from '../../libs/infra/nats/bus.js';
import { connectRedis } from '../../libs/infra/redis/connection.js';
import { createEventLog } from '../../libs/infra/redis/eventlog.js';
import { registryConfig } from './config.js';
import { start } from './registry.js';

runService({
  name: 'registry',
  config: registryConfig,
  start: async ({ config, logger, metrics }) => {
    const sealer = createSealer(config.KFED_ENCRYPTION_KEY);
    if (E.isLeft(sealer)) throw new Error(sealer.left.message);
    const replica = replicaName(config.KFED_REPLICA, hostname(), randomUUID());
    const redis = connectRedis(config.REDIS_URL, `registry-${replica}`);
    // The connection reconnects by itself; say so once per failure instead of crashing on the event.
    redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'Redis connection error; reconnecting'));
    const bus = await connectBus({ url: config.NATS_URL, federation: config.KFED_FEDERATION, logger, name: `registry-${replica}` });
    const registry = await start({
      redis, log: createEventLog(redis, config.KFED_FEDERATION), bus, logger, metrics, replica,
      clock: () => new Date(), newId: randomUUID,
      unseal: (sealed, context) => E.getOrElseW(() => undefined)(sealer.right.unseal(sealed, context)),
      settings: {
        probe: {
          periodMs: config.KFED_REGISTRY_PERIOD_MS,
          timeoutMs: config.KFED_REGISTRY_TIMEOUT_MS,
          failureThreshold: config.KFED_REGISTRY_FAILURE_THRESHOLD,
          successThreshold: config.KFED_REGISTRY_SUCCESS_THRESHOLD,
        },
        nodesEvery: config.KFED_REGISTRY_NODES_EVERY,
        clientAddress: config.KFED_CLIENT_ADDRESS,
        shards: config.KFED_REGISTRY_SHARDS,
        leaseTtlMs: config.KFED_REGISTRY_LEASE_TTL_MS,
      },
    });
    return {
      ...registry,
      stop: async () => {
        await registry.stop();
        await bus.stop();
        redis.disconnect();
      },
    };
  },
});
