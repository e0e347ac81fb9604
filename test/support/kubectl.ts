// The real kubectl, run against a kubeconfig of the test's own, with a fresh discovery cache per call.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const kubectlDir = '/usr/lib/google-cloud-sdk/bin';
const pinned = (minor: string): string => join(kubectlDir, `kubectl.1.${minor}`);
/**
 * kubectl minor versions to test with, 1.32 first (the reference client). The gcloud dispatcher's
 * pinned binaries are used where present; without them, 1.32 means the kubectl on the PATH.
 */
export const kubectlVersions = ['32', ...['27', '33'].filter((v) => existsSync(pinned(v)))];
const binary = (minor: string): string => (existsSync(pinned(minor)) ? pinned(minor) : 'kubectl');

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

export interface Kubectl {
  run(args: readonly string[], o?: KubectlOptions): Promise<KubectlResult>;
  /** Starts kubectl without waiting (e.g. `get -w`); the caller kills it. */
  spawn(args: readonly string[], o?: KubectlOptions): ChildProcess;
}

/** kubectl with `--kubeconfig kubeconfig`, HOME and caches under `dir`. */
export function kubectlFor(kubeconfig: string, dir: string): Kubectl {
  let invocations = 0;
  const start = (args: readonly string[], k: KubectlOptions = {}): ChildProcess => {
    invocations += 1;
    return spawn(binary(k.version ?? '32'),
      ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, `cache-${invocations}`), ...args], {
        env: { ...process.env, HOME: dir, ...k.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
  };
  return {
    spawn: start,
    run: (args, k = {}) => new Promise((resolve, reject) => {
      const child = start(args, k);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin?.end(k.stdin ?? '');
    }),
  };
}
