// A federation API server for tests: in-process over the real Redis and NATS, https with a
// generated CA, an admin and a read-only token, and kubectl wired to it (context federated-cluster).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { createSealer, generateKey, type Sealer } from '../../libs/infra/crypto/seal.js';
import { createLogger } from '../../libs/infra/log/logger.js';
import { connectBus, type Bus } from '../../libs/infra/nats/bus.js';
import type { Redis } from '../../libs/infra/redis/connection.js';
import { createCertificateAuthority } from '../../libs/infra/tls/certificates.js';
import { startApiServer, type ApiServer, type ApiServerDeps } from '../../services/apiserver/server.js';
import { NATS_URL, testRedis } from './federation.js';
import { kubectlFor, type Kubectl } from './kubectl.js';

export interface TestApiServer {
  readonly server: ApiServer;
  readonly federation: string;
  readonly redis: Redis;
  readonly bus: Bus;
  readonly sealer: Sealer;
  readonly encryptionKey: string;
  readonly adminToken: string;
  readonly readOnlyToken: string;
  readonly caCert: string;
  readonly kubeconfig: string;
  readonly dir: string;
  /** kubectl on context federated-cluster (admin); `viewer` is the read-only user's context. */
  readonly kubectl: Kubectl;
  /** Starts another replica over the same federation (same log, same key). */
  replica(): Promise<ApiServer>;
}

interface Teardown { teardown(fn: () => unknown): void }

export async function startTestApiServer(t: Teardown, over: Partial<ApiServerDeps> = {}): Promise<TestApiServer> {
  const { redis, federation } = testRedis(t, 'api');
  const dir = await mkdtemp(join(tmpdir(), 'kfed-api-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const logger = createLogger({ service: 'apiserver-test', level: process.env.LOG_LEVEL ?? 'warn' });
  const ca = createCertificateAuthority({ now: new Date() });
  const tls = ca.issue({ hosts: ['127.0.0.1', 'localhost'], now: new Date() });
  const encryptionKey = generateKey();
  const sealer = E.getOrElseW((e: { message: string }) => { throw new Error(e.message); })(createSealer(encryptionKey));
  const adminToken = randomBytes(16).toString('hex');
  const readOnlyToken = randomBytes(16).toString('hex');
  const tokens = [{ token: adminToken, user: 'admin', role: 'admin' as const }, { token: readOnlyToken, user: 'viewer', role: 'read-only' as const }];

  const start = async (): Promise<ApiServer> => {
    const bus = await connectBus({ url: NATS_URL, federation, logger, name: 'apiserver-test' });
    const server = await startApiServer({ federation, redis, bus, logger, sealer, host: '127.0.0.1', port: 0, tls, tokens, ...over });
    t.teardown(async () => {
      await server.stop();
      await bus.stop();
    });
    return server;
  };
  const server = await start();
  const bus = await connectBus({ url: NATS_URL, federation, logger, name: 'apiserver-test-client' });
  t.teardown(() => bus.stop());

  const kubeconfig = join(dir, 'kubeconfig');
  const cluster = { server: server.url, 'certificate-authority-data': Buffer.from(ca.cert).toString('base64') };
  await writeFile(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'federated-cluster',
    clusters: [{ name: 'federation', cluster }],
    users: [{ name: 'admin', user: { token: adminToken } }, { name: 'viewer', user: { token: readOnlyToken } }],
    contexts: [
      { name: 'federated-cluster', context: { cluster: 'federation', user: 'admin', namespace: 'default' } },
      { name: 'viewer', context: { cluster: 'federation', user: 'viewer', namespace: 'default' } },
    ],
  }));
  return {
    server, federation, redis, bus, sealer, encryptionKey, adminToken, readOnlyToken, caCert: ca.cert, kubeconfig, dir,
    kubectl: kubectlFor(kubeconfig, dir),
    replica: start,
  };
}
