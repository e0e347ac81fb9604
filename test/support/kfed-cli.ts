// Runs the built kfed command (dist/, built by `npm test`) as users do.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const kfed = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'kfed.js');

export interface CliRun { readonly code: number | null; readonly stdout: string; readonly stderr: string }

/** `env` is added to this process's environment; `stdin` is what the command reads on its standard input. */
export function runKfed(args: readonly string[], env: Record<string, string> = {}, stdin = ''): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [kfed, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
