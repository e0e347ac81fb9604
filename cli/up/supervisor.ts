// Supervision of the processes `kfed up` starts: logs to files, readiness from a log line,
// restart with backoff when one dies, and an orderly stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Recognises the line (stdout or stderr) that means the process is ready. */
  readonly ready: (line: string) => boolean;
}

export interface Supervised {
  readonly name: string;
  /** Resolves the first time the process reports ready; rejects if it exits before that. */
  readonly ready: Promise<void>;
  readonly restarts: () => number;
  /** SIGTERM, then SIGKILL after graceMs; no restart afterwards. */
  stop(graceMs?: number): Promise<void>;
}

export interface SupervisorEvents {
  /** A process died unexpectedly and will be restarted after `delayMs`. */
  onRestart(name: string, how: string, attempt: number, delayMs: number): void;
  onReadyAgain(name: string, attempt: number): void;
}

/** Restart delay after the n-th consecutive crash: 0.5 s doubling to 30 s. */
export const restartDelay = (attempt: number): number => Math.min(30_000, 500 * 2 ** Math.min(attempt - 1, 6));

export function supervise(spec: ProcessSpec, logDir: string, events: SupervisorEvents): Supervised {
  const log: WriteStream = createWriteStream(join(logDir, `${spec.name}.log`), { flags: 'a' });
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  let everReady = false;
  let timer: NodeJS.Timeout | undefined;
  let resolveReady: () => void = () => undefined;
  let rejectReady: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((res, rej) => { resolveReady = res; rejectReady = rej; });
  ready.catch(() => undefined);

  const launch = (): void => {
    const c = spawn(spec.command, spec.args, { env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    let lastLines: string[] = [];
    let sawReady = false;
    const onLine = (line: string): void => {
      log.write(line + '\n');
      lastLines = [...lastLines.slice(-19), line];
      if (!sawReady && spec.ready(line)) {
        sawReady = true;
        if (!everReady) {
          everReady = true;
          resolveReady();
        } else events.onReadyAgain(spec.name, restarts);
      }
    };
    for (const stream of [c.stdout, c.stderr]) {
      let buf = '';
      stream?.on('data', (d: Buffer) => {
        buf += d.toString();
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          onLine(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      });
    }
    c.on('exit', (code, signal) => {
      if (stopping) return;
      const how = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
      if (!everReady) {
        rejectReady(new Error(`${spec.name} ${how} before it was ready:\n  ${lastLines.slice(-8).join('\n  ')}`));
        return;
      }
      restarts++;
      const delayMs = restartDelay(restarts);
      events.onRestart(spec.name, how, restarts, delayMs);
      timer = setTimeout(launch, delayMs);
    });
  };
  launch();

  return {
    name: spec.name,
    ready,
    restarts: () => restarts,
    async stop(graceMs = 10_000) {
      stopping = true;
      if (timer !== undefined) clearTimeout(timer);
      const c = child;
      if (c !== undefined && c.exitCode === null && c.signalCode === null) {
        const exited = new Promise<void>((res) => c.once('exit', () => res()));
        c.kill('SIGTERM');
        const kill = setTimeout(() => c.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(kill);
      }
      await new Promise<void>((res) => log.end(res));
    },
  };
}
