// The real kubectl binaries for e2e tests: each invocation with its own kubeconfig and a fresh discovery cache.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const kubectlDir = '/usr/lib/google-cloud-sdk/bin';
/** kubectl minor versions present on this machine, 1.32 (the reference client) first. */
export const kubectlVersions = ['32', '27', '33'].filter((v) => existsSync(join(kubectlDir, `kubectl.1.${v}`)));

export interface KubectlResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Kubectl {
  run(args: readonly string[], stdin?: string): Promise<KubectlResult>;
  /** Starts kubectl without waiting (`get -w`); the caller kills it. */
  spawn(args: readonly string[]): ChildProcess;
}

/** kubectl `version` (minor, e.g. "32") against `kubeconfig`, caches under `cacheRoot`. */
export function kubectl(o: { readonly kubeconfig: string; readonly cacheRoot: string; readonly version?: string; readonly context?: string }): Kubectl {
  let invocations = 0;
  const start = (args: readonly string[]): ChildProcess => {
    invocations += 1;
    const argv = ['--kubeconfig', o.kubeconfig, '--cache-dir', join(o.cacheRoot, `cache-${o.version ?? '32'}-${invocations}`),
      ...(o.context === undefined ? [] : ['--context', o.context]), ...args];
    return spawn(join(kubectlDir, `kubectl.1.${o.version ?? '32'}`), argv, {
      env: { ...process.env, HOME: o.cacheRoot, KUBECONFIG: o.kubeconfig },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  };
  return {
    spawn: start,
    run: (args, stdin) => new Promise((resolve, reject) => {
      const child = start(args);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin?.end(stdin ?? '');
    }),
  };
}
