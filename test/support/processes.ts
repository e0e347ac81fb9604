// Services as real processes (from dist/): started with an environment, awaited by a log line,
// killed with any signal. Kill tests use these; everything else runs services in-process.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './wait.js';

export const distDir = join(import.meta.dirname, '..', '..', 'dist');

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Every JSON log line so far. */
  readonly lines: Record<string, unknown>[];
  /** Resolves with the first log line (a JSON object) that `match` accepts. */
  waitForLine(what: string, match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends a signal and waits for the exit; resolves with the exit code (null when killed by the signal). */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

interface Teardown { teardown(fn: () => unknown): void }

/** Runs `dist/<entry>` (e.g. `services/apiserver/main.js`) with the test's environment on top of the process's. */
export function startProcess(t: Teardown, entry: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [join(distDir, entry)], { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  child.stdout?.on('data', (c: Buffer) => {
    buf += c.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ msg: line });
      }
    }
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return {
    child, lines,
    waitForLine: (what, match, timeoutMs = 20000) => waitFor(`${entry}: ${what}${stderr === '' ? '' : ` (stderr: ${stderr.slice(-500)})`}`, () => {
      if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}: ${stderr.slice(-1000)}`);
      return lines.find(match);
    }, { timeoutMs }),
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
