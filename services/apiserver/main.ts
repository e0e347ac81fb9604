// Federation API server process: wiring only.
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { parseTokenFile } from '../../libs/federation/access.js';
import { createSealer } from '../../libs/infra/crypto/seal.js';
import { runService } from '../../libs/infra/lifecycle/service.js';
import { connectBus } from '../../libs/infra/nats/bus.js';
import { connectRedis } from '../../libs/infra/redis/connection.js';
import { loadOrCreateServingFiles } from '../../libs/infra/tls/files.js';
import { apiServerConfig } from './config.js';
import { startApiServer } from './server.js';

runService({
  name: 'apiserver',
  config: apiServerConfig,
  async start({ config, logger, metrics }) {
    const sealer = createSealer(config.KFED_ENCRYPTION_KEY);
    if (E.isLeft(sealer)) throw new Error(sealer.left.message);
    let tokens;
    if (config.KFED_API_TOKEN_FILE !== '') {
      const parsed = parseTokenFile(readFileSync(config.KFED_API_TOKEN_FILE, 'utf8'));
      if (E.isLeft(parsed)) throw new Error(`${config.KFED_API_TOKEN_FILE}: ${parsed.left}`);
      tokens = parsed.right;
    }
    const tls = config.KFED_API_INSECURE_HTTP
      ? undefined
      : loadOrCreateServingFiles(config.KFED_API_TLS_DIR, ['127.0.0.1', 'localhost', config.KFED_API_HOST], new Date());
    if (tls?.created === true) logger.info({ dir: config.KFED_API_TLS_DIR }, 'created a CA and serving certificate');
    const redis = connectRedis(config.REDIS_URL, 'kfed-apiserver');
    const bus = await connectBus({ url: config.NATS_URL, federation: config.KFED_FEDERATION, logger, name: 'kfed-apiserver' });
    const server = await startApiServer({
      federation: config.KFED_FEDERATION, redis, bus, logger, metrics, sealer: sealer.right,
      host: config.KFED_API_HOST, port: config.KFED_API_PORT,
      ...(tls === undefined ? {} : { tls: { cert: tls.cert, key: tls.key } }),
      ...(tokens === undefined ? {} : { tokens }),
      bodyLimitBytes: config.KFED_API_BODY_LIMIT, watchWindow: config.KFED_API_WATCH_WINDOW,
      natsQueue: config.KFED_API_NATS_QUEUE, catchUpMs: config.KFED_API_CATCH_UP_MS,
    });
    return {
      ...server,
      async stop() {
        await server.stop();
        await bus.stop();
        redis.disconnect();
      },
    };
  },
});
