// Registry replicas for tests: in-process over the test API server's federation, with short periods and captured logs.
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { Registry as MetricsRegistry } from 'prom-client';
import type { MemberCredentials } from '../../libs/federation/join.js';
import { connectBus } from '../../libs/infra/nats/bus.js';
import { connectRedis } from '../../libs/infra/redis/connection.js';
import { createEventLog } from '../../libs/infra/redis/eventlog.js';
import { start, type Registry, type RegistrySettings } from '../../services/registry/registry.js';
import type { TestApiServer } from './apiserver.js';
import { NATS_URL, REDIS_URL } from './federation.js';
import { capturedLogger } from './log-capture.js';
import type { TestSimulator } from './membersim.js';

/** Short periods so that thresholds run out in a test: 3 failures take about a second. */
export const FAST_REGISTRY: RegistrySettings = {
  probe: { periodMs: 300, timeoutMs: 250, failureThreshold: 3, successThreshold: 1 },
  nodesEvery: 5, clientAddress: '127.0.0.1', shards: 8, leaseTtlMs: 600,
};

export interface TestRegistry {
  readonly registry: Registry;
  readonly lines: Record<string, unknown>[];
  readonly metrics: MetricsRegistry;
}

interface Teardown { teardown(fn: () => unknown): void }

export async function startTestRegistry(t: Teardown, api: TestApiServer, name = 'registry', settings: RegistrySettings = FAST_REGISTRY): Promise<TestRegistry> {
  const redis = connectRedis(REDIS_URL, `test-${api.federation}-${name}`);
  const { logger, lines } = capturedLogger(name);
  const bus = await connectBus({ url: NATS_URL, federation: api.federation, logger, name });
  const metrics = new MetricsRegistry();
  const registry = await start({
    redis, log: createEventLog(redis, api.federation), bus, logger, metrics, replica: name, clock: () => new Date(), newId: randomUUID,
    unseal: (sealed, context) => E.getOrElseW(() => undefined)(api.sealer.unseal(sealed, context)),
    settings,
  });
  t.teardown(async () => {
    await registry.stop();
    await bus.stop();
    redis.disconnect();
  });
  return { registry, lines, metrics };
}

/** The server and credentials of a simulated cluster, as its kubeconfig context holds them. */
export function simulatedCredentials(sim: TestSimulator, cluster: string): MemberCredentials {
  const c = sim.sim.cluster(cluster);
  if (c === undefined) throw new Error(`no simulated cluster ${cluster}`);
  return { server: c.server, caData: Buffer.from(c.caCert).toString('base64'), token: c.token };
}
