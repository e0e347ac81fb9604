// A whole federation in-process for end-to-end tests: API server, simulated members joined as Clusters, and the scheduler, syncer and aggregator on demand.
import { randomUUID } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import * as E from 'fp-ts/lib/Either.js';
import type { SchedulingConfig } from '../../libs/scheduling/decide.js';
import { createLogger, type Logger } from '../../libs/infra/log/logger.js';
import { connectBus } from '../../libs/infra/nats/bus.js';
import { connectRedis } from '../../libs/infra/redis/connection.js';
import { createEventLog, type EventLog } from '../../libs/infra/redis/eventlog.js';
import type { KubeObject } from '../../libs/kube-api/object.js';
import { start as startScheduler, type Scheduler } from '../../services/scheduler/scheduler.js';
import { start as startSyncer, type Syncer, type SyncerSettings } from '../../services/syncer/syncer.js';
import { start as startAggregator, type Aggregator, type AggregatorSettings } from '../../services/aggregator/aggregator.js';
import { startTestApiServer, type TestApiServer } from './apiserver.js';
import { REDIS_URL, NATS_URL } from './federation.js';
import { kubectlAt, startTestSimulator, type ContextKubectl, type TestSimulator } from './membersim.js';
import { federationDriver, type FederationDriver } from './scheduler.js';
import { kubeGet } from './kube-http.js';
import { startTestRegistry, type TestRegistry } from './registry.js';

/** Delays shortened from Federation v1's 60 s and 20 s so that failover runs in a test. */
export const FAST_SCHEDULING: SchedulingConfig = { failoverDelayMs: 1500, recoveryDelayMs: 800 };

export const TEST_SYNCER: SyncerSettings = {
  selector: [], pool: 'default', shards: 8, leaseTtlMs: 1500, concurrency: 8, maxInFlight: 64, maxListsInFlight: 4, resyncMs: 30_000, reportIntervalMs: 50,
  reportResendMs: 30_000, requestTimeoutMs: 3000, backoff: { initialMs: 100, maxMs: 1000 }, clientAddress: '127.0.0.1',
};

export const TEST_AGGREGATOR: AggregatorSettings = { shards: 8, leaseTtlMs: 1500, coalesceMs: 100 };

interface Teardown { teardown(fn: () => unknown): void }

export interface ControlPlane {
  readonly api: TestApiServer;
  readonly sim: TestSimulator;
  readonly log: EventLog;
  readonly fed: FederationDriver;
  readonly clusters: readonly string[];
  /** Joins another member (Secret, Cluster, reported Ready). */
  join(name: string, member: MemberEndpoint, labels: Record<string, string>): Promise<void>;
  /** client-node on the federation (admin). */
  readonly federation: k8s.KubernetesObjectApi;
  /** client-node on a member. */
  member(cluster: string): k8s.KubernetesObjectApi;
  /** An object as the federation serves it, raw JSON (client-node's models drop status.clusters); undefined when absent. */
  federated(o: ObjectAt): Promise<KubeObject | undefined>;
  /** An object as a member serves it, raw JSON. */
  inMember(cluster: string, o: ObjectAt): Promise<KubeObject | undefined>;
  /** kubectl 1.32 at a member's context. */
  memberKubectl(cluster: string): ContextKubectl;
  scheduler(name?: string, scheduling?: SchedulingConfig): Promise<Scheduler>;
  syncer(name?: string, settings?: Partial<SyncerSettings>): Promise<Syncer>;
  aggregator(name?: string, settings?: Partial<AggregatorSettings>): Promise<Aggregator>;
  /** The registry, probing the members every 300 ms (Offline after about a second). */
  registry(name?: string): Promise<TestRegistry>;
  /** Scheduler, syncer and aggregator with test settings (cluster health as joined: Ready). */
  controllers(): Promise<void>;
}

/** How to reach a member: what `kfed join` puts into its kubeconfig Secret. */
export interface MemberEndpoint {
  readonly server: string;
  /** PEM of the CA that signed the member's serving certificate. */
  readonly ca: string;
  readonly token: string;
}

function kubeconfigOf(name: string, m: MemberEndpoint): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': name,
    clusters: [{ name, cluster: { server: m.server, 'certificate-authority-data': Buffer.from(m.ca).toString('base64') } }],
    users: [{ name: `${name}-user`, user: { token: m.token } }],
    contexts: [{ name, context: { cluster: name, user: `${name}-user` } }],
  });
}

/**
 * Starts the API server and the simulated members (`clusters` in KFED_SIM_CLUSTERS syntax), joins each
 * member (its kubeconfig Secret in kfed-system, its Cluster labelled with its region) and reports it
 * Ready as the registry would.
 */
export async function startControlPlane(t: Teardown, clusters = 'berlin,new-york'): Promise<ControlPlane> {
  const api = await startTestApiServer(t);
  const sim = await startTestSimulator(t, clusters);
  const log = createEventLog(api.redis, api.federation);
  const fed = federationDriver(log);
  const fedKc = new k8s.KubeConfig();
  fedKc.loadFromFile(api.kubeconfig);
  const federation = k8s.KubernetesObjectApi.makeApiClient(fedKc);
  const names = sim.sim.clusters.map((c) => c.spec.name);
  const join = async (name: string, member: MemberEndpoint, labels: Record<string, string>): Promise<void> => {
    await federation.create({
      apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'kfed-system' },
      data: { kubeconfig: Buffer.from(kubeconfigOf(name, member)).toString('base64') },
    } as k8s.KubernetesObject);
    await federation.create({
      apiVersion: 'federation/v1beta1', kind: 'Cluster', metadata: { name, labels },
      spec: { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: member.server }], secretRef: { name } },
    } as k8s.KubernetesObject);
    await fed.health(name, 'Ready');
  };
  for (const c of sim.sim.clusters) await join(c.spec.name, { server: c.server, ca: c.caCert, token: c.token }, { region: c.spec.region });
  const logger: Logger = createLogger({ service: 'control-plane-test', level: process.env.LOG_LEVEL ?? 'warn' });

  /** A replica's own Redis connection and bus, closed after the replica stops. */
  const connections = async (name: string) => {
    const redis = connectRedis(REDIS_URL, `test-${api.federation}-${name}`);
    redis.on('error', () => undefined);
    const bus = await connectBus({ url: NATS_URL, federation: api.federation, logger, name });
    return { redis, bus, log: createEventLog(redis, api.federation), close: async () => { await bus.stop(); redis.disconnect(); } };
  };
  const run = async <S extends { stop(): Promise<void> }>(name: string, make: (c: Awaited<ReturnType<typeof connections>>) => Promise<S>): Promise<S> => {
    const c = await connections(name);
    const service = await make(c);
    t.teardown(async () => {
      await service.stop();
      await c.close();
    });
    return service;
  };

  const plane: ControlPlane = {
    api, sim, log, fed, clusters: names, federation, join,
    member: (cluster) => k8s.KubernetesObjectApi.makeApiClient(sim.kubeConfig(cluster)),
    federated: async (o) => (await kubeGet({ url: api.server.url, ca: api.caCert, token: api.adminToken }, pathOf(o))) as KubeObject | undefined,
    inMember: async (cluster, o) => {
      const c = sim.sim.cluster(cluster);
      if (c === undefined) throw new Error(`no simulated cluster ${cluster}`);
      return (await kubeGet({ url: c.server, ca: c.caCert, token: c.token }, pathOf(o))) as KubeObject | undefined;
    },
    memberKubectl: (cluster) => kubectlAt(sim.kubeconfig, sim.dir, cluster),
    scheduler: (name = 'scheduler', scheduling = FAST_SCHEDULING) => run(name, (c) => startScheduler({
      redis: c.redis, log: c.log, bus: c.bus, logger: logger.child({ replica: name }), replica: name, clock: () => new Date(), newId: randomUUID,
      settings: { scheduling, shards: 8, leaseTtlMs: 1500, concurrency: 16 },
    })),
    syncer: (name = 'syncer', settings = {}) => run(name, (c) => startSyncer({
      redis: c.redis, log: c.log, bus: c.bus, logger: logger.child({ replica: name }), replica: name,
      unseal: (sealed, context) => E.getOrElseW(() => undefined)(api.sealer.unseal(sealed, context)),
      settings: { ...TEST_SYNCER, ...settings },
    })),
    aggregator: (name = 'aggregator', settings = {}) => run(name, (c) => startAggregator({
      redis: c.redis, log: c.log, bus: c.bus, logger: logger.child({ replica: name }), replica: name, clock: () => new Date(), newId: randomUUID,
      settings: { ...TEST_AGGREGATOR, ...settings },
    })),
    registry: (name = 'registry') => startTestRegistry(t, api, name),
    async controllers() {
      await plane.scheduler();
      await plane.syncer();
      await plane.aggregator();
    },
  };
  return plane;
}

/** An object's path: `rs/default/nginx`-like shorthands for the kinds the tests use. */
export interface ObjectAt {
  readonly resource: 'replicasets' | 'deployments' | 'configmaps' | 'secrets' | 'namespaces';
  readonly name: string;
  readonly namespace?: string;
}

const groups: Record<ObjectAt['resource'], string> = {
  replicasets: '/apis/apps/v1', deployments: '/apis/apps/v1', configmaps: '/api/v1', secrets: '/api/v1', namespaces: '/api/v1',
};

export const pathOf = (o: ObjectAt): string =>
  `${groups[o.resource]}${o.namespace === undefined ? '' : `/namespaces/${o.namespace}`}/${o.resource}/${o.name}`;
