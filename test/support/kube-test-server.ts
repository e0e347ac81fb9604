// A Kubernetes API server for tests: the API handler over a memory store, served over https with a bearer token,
// and a real kubectl wired to it through its own kubeconfig.
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiHandler, type ApiHandlerDeps } from '../../libs/kube-api/handler.js';
import { MemoryStore } from '../../libs/kube-api/memory-store.js';
import { builtinTypes } from '../../libs/kube-api/resources.js';
import { versionInfo } from '../../libs/kube-api/discovery.js';
import { serveKubeApi } from '../../libs/infra/http/kube-server.js';
import { createCertificateAuthority } from '../../libs/infra/tls/certificates.js';
import { kubectlFor, type KubectlOptions, type KubectlResult } from './kubectl.js';

export { kubectlVersions } from './kubectl.js';

export interface KubeTestServer {
  readonly url: string;
  readonly token: string;
  readonly caCert: string;
  readonly kubeconfig: string;
  readonly store: MemoryStore;
  readonly dir: string;
  kubectl(args: readonly string[], o?: KubectlOptions): Promise<KubectlResult>;
  /** Ends the open watch streams from the server side, as an apiserver restart or timeout would. */
  endWatches(): void;
  /** Starts kubectl without waiting (e.g. `get -w`); the caller kills it. */
  spawnKubectl(args: readonly string[], o?: KubectlOptions): ChildProcess;
  close(): Promise<void>;
}

export interface KubeTestServerOptions {
  readonly watchWindow?: number;
  readonly deps?: Partial<ApiHandlerDeps>;
}

export async function startKubeTestServer(o: KubeTestServerOptions = {}): Promise<KubeTestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'kfed-kube-'));
  const ca = createCertificateAuthority({ now: new Date() });
  const serving = ca.issue({ hosts: ['127.0.0.1', 'localhost'], now: new Date() });
  const token = randomBytes(16).toString('hex');
  const store = new MemoryStore(o.watchWindow === undefined ? {} : { watchWindow: o.watchWindow });
  const handler = createApiHandler({
    types: builtinTypes, store, clock: () => new Date(), newUid: randomUUID, version: versionInfo(), ...o.deps,
  });
  const server = await serveKubeApi({
    handler, port: 0, tls: serving,
    authenticate: (t) => (t === token ? { name: 'tester' } : undefined),
  });
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'test',
    clusters: [{ name: 'test', cluster: { server: server.url, 'certificate-authority-data': Buffer.from(ca.cert).toString('base64') } }],
    users: [{ name: 'tester', user: { token } }],
    contexts: [{ name: 'test', context: { cluster: 'test', user: 'tester', namespace: 'default' } }],
  }));
  const kubectl = kubectlFor(kubeconfig, dir);
  return {
    url: server.url, token, caCert: ca.cert, kubeconfig, store, dir,
    spawnKubectl: kubectl.spawn,
    endWatches: () => server.endWatches(),
    kubectl: kubectl.run,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
