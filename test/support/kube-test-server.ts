// A Kubernetes API server for tests: the API handler over a memory store, served over https with a bearer token,
// and a real kubectl wired to it through its own kubeconfig.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiHandler, type ApiHandlerDeps } from '../../libs/kube-api/handler.js';
import { MemoryStore } from '../../libs/kube-api/memory-store.js';
import { builtinTypes } from '../../libs/kube-api/resources.js';
import { versionInfo } from '../../libs/kube-api/discovery.js';
import { serveKubeApi } from '../../libs/infra/http/kube-server.js';
import { createCertificateAuthority } from '../../libs/infra/tls/certificates.js';

export const kubectlDir = '/usr/lib/google-cloud-sdk/bin';
/** kubectl minor versions to test: 1.32 (the reference client, required), then 1.27 and 1.33 where installed. */
export const kubectlVersions = ['32', ...['27', '33'].filter((v) => existsSync(join(kubectlDir, `kubectl.1.${v}`)))];

export interface KubectlResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubectlOptions {
  readonly version?: string;
  readonly stdin?: string;
  readonly env?: Readonly<Record<string, string>>;
}

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
  let invocations = 0;
  const argv = (args: readonly string[]): string[] => {
    invocations += 1;
    return ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, `cache-${invocations}`), ...args];
  };
  const spawnKubectl = (args: readonly string[], k: KubectlOptions = {}): ChildProcess =>
    spawn(join(kubectlDir, `kubectl.1.${k.version ?? '32'}`), argv(args), {
      env: { ...process.env, HOME: dir, ...k.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  return {
    url: server.url, token, caCert: ca.cert, kubeconfig, store, dir,
    spawnKubectl,
    endWatches: () => server.endWatches(),
    kubectl: (args, k = {}) => new Promise((resolve, reject) => {
      const child = spawnKubectl(args, k);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin?.end(k.stdin ?? '');
    }),
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
