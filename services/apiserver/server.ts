// The federation API server: the Kubernetes API over the event log, on HTTP(S) and on the bus.
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { Registry } from 'prom-client';
import { Histogram } from 'prom-client';
import { statusContributions } from '../../libs/federation/contributions.js';
import { allowed, userOf, type TokenEntry } from '../../libs/federation/access.js';
import { federationAdmission } from '../../libs/federation/admission.js';
import { federationState, type FederationState } from '../../libs/federation/state.js';
import { federationTypes, SYSTEM_NAMESPACE } from '../../libs/federation/types.js';
import { createApiHandler, type ApiHandler } from '../../libs/kube-api/handler.js';
import type { ApiRequest } from '../../libs/kube-api/request.js';
import type { Sealer } from '../../libs/infra/crypto/seal.js';
import { serveKubeApi, type KubeServer } from '../../libs/infra/http/kube-server.js';
import { stopOnce, type Service } from '../../libs/infra/lifecycle/service.js';
import type { Logger } from '../../libs/infra/log/logger.js';
import type { Bus, BusSubscription } from '../../libs/infra/nats/bus.js';
import type { Redis } from '../../libs/infra/redis/connection.js';
import { createEventLog } from '../../libs/infra/redis/eventlog.js';
import { probeTimes } from '../../libs/infra/redis/probe-times.js';
import { runProjection, type RunningProjection } from '../../libs/infra/redis/projection-runner.js';
import { serveDesiredState } from './desired-bus.js';
import { createEventStore } from './event-store.js';
import { withProbeTimes } from './probe-times.js';

export const apiVersionInfo = {
  major: '1', minor: '32', gitVersion: 'v1.32.0-kfed', gitCommit: 'kfed', gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z', goVersion: 'node', compiler: 'tsc', platform: `${process.platform}/${process.arch}`,
};

export interface ApiServerDeps {
  readonly federation: string;
  readonly redis: Redis;
  readonly bus: Bus;
  readonly logger: Logger;
  readonly sealer: Sealer;
  readonly host: string;
  readonly port: number;
  /** PEM serving certificate; without it the API speaks plain http. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Without tokens, anonymous requests act as admin (local experiments). */
  readonly tokens?: readonly TokenEntry[];
  readonly metrics?: Registry;
  readonly clock?: () => Date;
  readonly bodyLimitBytes?: number;
  readonly watchWindow?: number;
  readonly natsQueue?: string;
  readonly catchUpMs?: number;
}

export interface ApiServer extends Service {
  readonly url: string;
  readonly port: number;
  /** The read model, for tests and tools that run in-process. */
  readonly state: RunningProjection<FederationState>;
}

/** Namespaces every federation has: where objects go by default, and where member credentials live. */
const builtinNamespaces = ['default', SYSTEM_NAMESPACE];

export async function startApiServer(deps: ApiServerDeps): Promise<ApiServer> {
  const { logger, sealer } = deps;
  const clock = deps.clock ?? (() => new Date());
  const log = createEventLog(deps.redis, deps.federation);
  const state = runProjection({
    log, logger,
    projection: federationState({
      unseal: (sealed, context) => E.getOrElseW(() => undefined)(sealer.unseal(sealed, context)),
      contributions: statusContributions,
      ...(deps.watchWindow === undefined ? {} : { changeWindow: deps.watchWindow }),
    }),
  });
  await state.ready;

  const store = withProbeTimes(
    createEventStore({ log, state, sealer, clock, ...(deps.catchUpMs === undefined ? {} : { catchUpMs: deps.catchUpMs }) }),
    probeTimes(deps.redis, log.keys), logger,
  );
  const core = createApiHandler({
    types: federationTypes, store, clock, newUid: randomUUID, version: apiVersionInfo,
    admission: [federationAdmission],
    authorize: ({ user, verb }) => (deps.tokens === undefined ? true : allowed(user, verb)),
  });
  const handler = instrument(core, deps.metrics);

  const byToken = new Map((deps.tokens ?? []).map((e) => [e.token, userOf(e)]));
  const authenticate = deps.tokens === undefined ? undefined : (token: string) => byToken.get(token);
  if (deps.tokens === undefined) logger.warn('no token file: anonymous requests act as admin');

  await ensureNamespaces(handler);

  const http: KubeServer = await serveKubeApi({
    handler, host: deps.host, port: deps.port, logger,
    ...(deps.tls === undefined ? {} : { tls: deps.tls }),
    ...(authenticate === undefined ? {} : { authenticate }),
    ...(deps.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: deps.bodyLimitBytes }),
  });
  const desired: BusSubscription = serveDesiredState({
    bus: deps.bus, handler, logger, types: federationTypes, queue: deps.natsQueue ?? 'apiserver',
    authenticate: (token) => (authenticate === undefined ? { name: 'system:anonymous', groups: ['kfed:admin'] } : authenticate(token)),
  });
  await deps.bus.flush();
  logger.info({ url: http.url, federation: deps.federation, position: state.position() }, 'federation API serving');

  const lifecycle = stopOnce(async () => {
    await desired.stop();
    await http.close();
    await state.stop();
  });
  return { url: http.url, port: http.port, state, ready: () => true, stopped: lifecycle.stopped, stop: lifecycle.stop };
}

/** Creates the built-in namespaces if they are missing (idempotent; replicas may race, AlreadyExists is fine). */
async function ensureNamespaces(handler: ApiHandler): Promise<void> {
  for (const name of builtinNamespaces) {
    const body = new TextEncoder().encode(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
    const res = await handler({
      method: 'POST', path: '/api/v1/namespaces', query: new URLSearchParams(), body,
      headers: { 'content-type': 'application/json' }, user: { name: 'system:kfed-apiserver', groups: ['kfed:admin'] },
    });
    if (res._tag === 'complete' && res.status !== 201 && res.status !== 409) {
      throw new Error(`could not create namespace ${name}: HTTP ${res.status}`);
    }
  }
}

/** Request latency by verb and outcome, for /metrics. */
function instrument(handler: ApiHandler, metrics: Registry | undefined): ApiHandler {
  if (metrics === undefined) return handler;
  const histogram = new Histogram({
    name: 'kfed_apiserver_request_duration_seconds', help: 'Federation API requests by method and status code.',
    labelNames: ['method', 'code'], registers: [metrics], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  });
  return async (req: ApiRequest) => {
    const end = histogram.startTimer({ method: req.method });
    const res = await handler(req);
    end({ code: String(res.status) });
    return res;
  };
}
