// One simulated cluster: its own CA, serving certificate and token, a memory store behind the kube-api handler, controllers, faults.
import { randomBytes } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { createApiHandler } from '../../libs/kube-api/handler.js';
import { versionInfo } from '../../libs/kube-api/discovery.js';
import { MemoryStore } from '../../libs/kube-api/memory-store.js';
import { builtinTypes, namespaces, nodes } from '../../libs/kube-api/resources.js';
import { serveKubeApi, type KubeServer } from '../../libs/infra/http/kube-server.js';
import type { Timer } from '../../libs/infra/lifecycle/reconciler.js';
import type { Logger } from '../../libs/infra/log/logger.js';
import { createCertificateAuthority } from '../../libs/infra/tls/certificates.js';
import { applyFault, type ClusterStatus, type FaultRequest } from '../../libs/simulator/faults.js';
import { CascadingStore } from './cascading-store.js';
import type { ClusterSpec } from './cluster-spec.js';
import { clusterClient } from './controllers/client.js';
import { namespacedStorageTypes, startControllers, type Controllers } from './controllers/manager.js';
import { injectFaults, type FaultInjector } from './faults.js';
import { simulatedNodes } from './nodes.js';

export interface ClusterDeps {
  /** Interface the API listens on; the kubeconfig points at 127.0.0.1 unless this is another address. */
  readonly host: string;
  readonly clock: () => Date;
  readonly newUid: () => string;
  readonly random: () => number;
  readonly timer?: Timer;
  readonly logger: Logger;
}

export interface SimulatedCluster {
  readonly spec: ClusterSpec;
  /** https://127.0.0.1:PORT: stays the same while the cluster goes offline and back. */
  readonly server: string;
  readonly port: number;
  /** PEM of the cluster's own CA, which issued its serving certificate. */
  readonly caCert: string;
  /** Bearer token the API requires (except on /version and the health checks). */
  readonly token: string;
  /** The cluster's state: what a real cluster keeps in etcd. */
  readonly store: MemoryStore;
  status(): ClusterStatus;
  fault(r: FaultRequest): Promise<E.Either<string, ClusterStatus>>;
  /** Closes the API port and stops the controllers. Idempotent. */
  stop(): Promise<void>;
}

const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startCluster(spec: ClusterSpec, deps: ClusterDeps): Promise<SimulatedCluster> {
  const log = deps.logger.child({ cluster: spec.name });
  const now = deps.clock();
  const ca = createCertificateAuthority({ commonName: `${spec.name}-ca`, now });
  const hosts = [...new Set(['127.0.0.1', 'localhost', deps.host])];
  const serving = ca.issue({ hosts, commonName: 'kube-apiserver', now });
  const token = randomBytes(24).toString('base64url');
  const memory = new MemoryStore();
  const store = new CascadingStore(memory, namespacedStorageTypes.map((t) => t.storage));

  // The cluster exists before it answers: system namespaces and nodes, written as their controllers would.
  const bootstrap = clusterClient({ store, clock: deps.clock, newUid: deps.newUid, manager: 'kube-apiserver' });
  for (const name of systemNamespaces) await bootstrap.create(namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  for (const node of simulatedNodes(spec)) await bootstrap.create(nodes, node);

  const faults: FaultInjector = injectFaults(
    createApiHandler({
      types: builtinTypes, store, clock: deps.clock, newUid: deps.newUid,
      version: versionInfo({ gitVersion: 'v1.32.0-kfed-sim', gitCommit: 'kfed-sim' }),
    }),
    { random: deps.random, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
  );
  const controllers: Controllers = startControllers({
    spec, store, clock: deps.clock, newUid: deps.newUid, logger: deps.logger, ...(deps.timer === undefined ? {} : { timer: deps.timer }),
  });

  const listen = (port: number): Promise<KubeServer> => serveKubeApi({
    handler: faults.handler, host: deps.host, port, tls: serving, logger: log,
    authenticate: (t) => (t === token ? { name: 'kubernetes-admin', groups: ['system:masters'] } : undefined),
  });
  let server: KubeServer | undefined = await listen(spec.port);
  const port = server.port;
  const url = server.url;
  log.info({ server: url, nodes: spec.nodes, region: spec.region }, 'simulated cluster listening');

  const status = (): ClusterStatus => ({ name: spec.name, server: url, port, faults: { ...faults.state(), offline: server === undefined } });
  // Fault changes run one at a time: going offline and online must not interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <A>(f: () => Promise<A>): Promise<A> => {
    const next = queue.then(f, f);
    queue = next.catch(() => undefined);
    return next;
  };

  let stopping: Promise<void> | undefined;
  return {
    spec, server: url, port, caCert: ca.cert, token, store: memory,
    status,
    fault: (r) => serially(async () => {
      if (stopping !== undefined) return E.left(`cluster ${spec.name} is stopped`);
      const next = applyFault(status().faults, r);
      if (E.isLeft(next)) return next;
      faults.set({ ...next.right, offline: false });
      if (r.action === 'close-watches') log.info({ closed: faults.closeWatches() }, 'closed all watches');
      if (next.right.offline && server !== undefined) {
        await server.close();
        server = undefined;
      } else if (!next.right.offline && server === undefined) {
        // The same port again, so kubeconfigs stay valid (the listener sets SO_REUSEADDR).
        server = await listen(port);
      }
      log.info({ action: r.action, faults: status().faults }, 'fault changed');
      return E.right(status());
    }),
    stop: () => {
      stopping ??= serially(async () => {
        await server?.close();
        server = undefined;
        await controllers.stop();
      });
      return stopping;
    },
  };
}
