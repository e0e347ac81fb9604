// The member-cluster simulator: many simulated clusters in one process, their kubeconfig, the admin endpoint for faults.
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFile, rename } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import type { KubeconfigEntries } from '../../libs/kubeconfig/kubeconfig.js';
import { mergeIntoKubeconfigFile } from '../../libs/infra/kubeconfig/file.js';
import { stopOnce, type Service } from '../../libs/infra/lifecycle/service.js';
import type { Timer } from '../../libs/infra/lifecycle/reconciler.js';
import type { Logger } from '../../libs/infra/log/logger.js';
import {
  simulatorExtensionName, type ClusterStatus, type FaultRequest, type SimulatorExtension, type SimulatorState,
} from '../../libs/simulator/faults.js';
import { startAdminServer, type AdminServer } from './admin-server.js';
import { startCluster, type SimulatedCluster } from './cluster.js';
import type { ClusterSpec } from './cluster-spec.js';

export interface SimulatorDeps {
  readonly clusters: readonly ClusterSpec[];
  readonly logger: Logger;
  /** Where the cluster APIs and the admin endpoint listen. Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: any free port. */
  readonly adminPort?: number;
  /** Kubeconfig file to merge the clusters' contexts into (other entries are kept). */
  readonly kubeconfigPath?: string;
  /** JSON file with the admin endpoint and the clusters' servers, written once all are up. */
  readonly statePath?: string;
  readonly clock?: () => Date;
  readonly newUid?: () => string;
  /** Decides which writes fail under write-errors; pass a seeded generator for reproducible failures. */
  readonly random?: () => number;
  /** Timer of the controllers (pod readiness); with a manual timer pass a clock that follows it. */
  readonly timer?: Timer;
}

export interface Simulator extends Service {
  readonly clusters: readonly SimulatedCluster[];
  cluster(name: string): SimulatedCluster | undefined;
  readonly admin: { readonly url: string; readonly token: string };
  /** Per cluster: a cluster entry (server, CA, simulator extension), a user `<name>-admin` (token), a context `<name>`. */
  kubeconfig(): KubeconfigEntries;
  fault(cluster: string, r: FaultRequest): Promise<E.Either<{ readonly code: 400 | 404; readonly message: string }, ClusterStatus>>;
}

const stateOf = (s: Simulator): SimulatorState => ({
  admin: s.admin,
  clusters: s.clusters.map((c) => ({ name: c.spec.name, server: c.server, port: c.port, region: c.spec.region })),
});

export async function start(deps: SimulatorDeps): Promise<Simulator> {
  const host = deps.host ?? '127.0.0.1';
  const clusterDeps = {
    host,
    clock: deps.clock ?? (() => new Date()),
    newUid: deps.newUid ?? randomUUID,
    random: deps.random ?? Math.random,
    logger: deps.logger,
    ...(deps.timer === undefined ? {} : { timer: deps.timer }),
  };
  const clusters: SimulatedCluster[] = [];
  let admin: AdminServer | undefined;
  try {
    for (const spec of deps.clusters) clusters.push(await startCluster(spec, clusterDeps));
  } catch (err) {
    await Promise.all(clusters.map((c) => c.stop()));
    throw err;
  }
  const byName = new Map(clusters.map((c) => [c.spec.name, c]));
  const token = randomBytes(24).toString('base64url');
  const fault: Simulator['fault'] = async (name, r) => {
    const c = byName.get(name);
    if (c === undefined) return E.left({ code: 404, message: `no simulated cluster "${name}" (have: ${[...byName.keys()].join(', ')})` });
    return E.mapLeft((message: string) => ({ code: 400 as const, message }))(await c.fault(r));
  };
  try {
    admin = await startAdminServer({
      host, port: deps.adminPort ?? 0, token, logger: deps.logger,
      target: { statuses: () => clusters.map((c) => c.status()), fault },
    });
  } catch (err) {
    await Promise.all(clusters.map((c) => c.stop()));
    throw err;
  }
  const adminUrl = admin.url;

  const kubeconfig = (): KubeconfigEntries => ({
    clusters: clusters.map((c) => {
      const extension: SimulatorExtension = { admin: adminUrl, token, cluster: c.spec.name };
      return {
        name: c.spec.name,
        cluster: {
          server: c.server,
          'certificate-authority-data': Buffer.from(c.caCert).toString('base64'),
          extensions: [{ name: simulatorExtensionName, extension }],
        },
      };
    }),
    users: clusters.map((c) => ({ name: `${c.spec.name}-admin`, user: { token: c.token } })),
    contexts: clusters.map((c) => ({ name: c.spec.name, context: { cluster: c.spec.name, user: `${c.spec.name}-admin`, namespace: 'default' } })),
    ...(clusters[0] === undefined ? {} : { currentContext: clusters[0].spec.name }),
  });

  const lifecycle = stopOnce(async () => {
    await admin?.close();
    await Promise.all(clusters.map((c) => c.stop()));
  });
  const sim: Simulator = {
    clusters,
    cluster: (name) => byName.get(name),
    admin: { url: adminUrl, token },
    kubeconfig,
    fault,
    stop: lifecycle.stop,
    stopped: lifecycle.stopped,
  };

  try {
    if (deps.kubeconfigPath !== undefined) {
      const written = await mergeIntoKubeconfigFile(deps.kubeconfigPath, kubeconfig());
      if (E.isLeft(written)) throw new Error(written.left);
    }
    if (deps.statePath !== undefined) {
      const tmp = `${deps.statePath}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(stateOf(sim), null, 2) + '\n', { mode: 0o600 });
      await rename(tmp, deps.statePath);
    }
  } catch (err) {
    await sim.stop();
    throw err;
  }
  deps.logger.info({ clusters: clusters.length, admin: adminUrl, kubeconfig: deps.kubeconfigPath }, 'simulator started');
  return sim;
}
