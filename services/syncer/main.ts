// The syncer process: wires Redis, NATS and config into start(deps).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { replicaName } from '../../libs/config/common.js';
import * as E from 'fp-ts/lib/Either.js';
import { createSealer } from '../../libs/infra/crypto/seal.js';
import { runService } from '../../libs/infra/lifecycle/service.js';
import { connectBus } from '../../libs/infra/nats/bus.js';
import { connectRedis } from '../../libs/infra/redis/connection.js';
import { createEventLog } from '../../libs/infra/redis/eventlog.js';
import { syncerConfig } from './config.js';
import { start } from './syncer.js';

runService({
  name: 'syncer',
  config: syncerConfig,
  start: async ({ config, logger, metrics }) => {
    const sealer = createSealer(config.KFED_ENCRYPTION_KEY);
    if (E.isLeft(sealer)) throw new Error(sealer.left.message);
    const replica = replicaName(config.KFED_REPLICA, hostname(), randomUUID());
    const redis = connectRedis(config.REDIS_URL, `syncer-${replica}`);
    // The connection reconnects by itself; say so once per failure instead of crashing on the event.
    redis.on('error', (err: Error) => logger.warn({ err: err.message }, 'Redis connection error; reconnecting'));
    const bus = await connectBus({ url: config.NATS_URL, federation: config.KFED_FEDERATION, logger, name: `syncer-${replica}` });
    const syncer = await start({
      redis, log: createEventLog(redis, config.KFED_FEDERATION), bus, logger, metrics, replica,
      unseal: (sealed, context) => E.getOrElseW(() => undefined)(sealer.right.unseal(sealed, context)),
      settings: {
        selector: config.KFED_SYNCER_SELECTOR,
        pool: config.KFED_SYNCER_POOL,
        shards: config.KFED_SYNCER_SHARDS,
        leaseTtlMs: config.KFED_SYNCER_LEASE_TTL_MS,
        concurrency: config.KFED_SYNCER_CONCURRENCY,
        maxInFlight: config.KFED_SYNCER_MAX_IN_FLIGHT,
        maxListsInFlight: config.KFED_SYNCER_MAX_LISTS_IN_FLIGHT,
        resyncMs: config.KFED_SYNCER_RESYNC_MS,
        reportIntervalMs: config.KFED_SYNCER_REPORT_INTERVAL_MS,
        reportResendMs: config.KFED_SYNCER_REPORT_RESEND_MS,
        requestTimeoutMs: config.KFED_SYNCER_REQUEST_TIMEOUT_MS,
        backoff: { initialMs: 200, maxMs: config.KFED_SYNCER_BACKOFF_MAX_MS },
        clientAddress: config.KFED_CLIENT_ADDRESS,
      },
    });
    return {
      ...syncer,
      stop: async () => {
        await syncer.stop();
        await bus.stop();
        redis.disconnect();
      },
    };
  },
});
