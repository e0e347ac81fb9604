// A service process end to end: ops endpoints, graceful SIGTERM, second signal, grace period, bad config.
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../support/wait.js';

const fixture = fileURLToPath(new URL('../support/example-service.ts', import.meta.url));
// The TypeScript loader tap itself runs tests with, so the fixture needs no build.
const tsLoader = import.meta.resolve('@tapjs/typescript/import');

interface Child {
  readonly lines: Record<string, unknown>[];
  stderr: string;
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  logged(msg: string): Record<string, unknown> | undefined;
}

function start(t: { teardown(fn: () => unknown): void }, env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', tsLoader, fixture], {
    env: { ...process.env, KFED_OPS_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child: Child = {
    lines: [],
    stderr: '',
    // 'close', not 'exit': only then has everything the child wrote to its pipes been read.
    exited: new Promise((resolve) => proc.on('close', (code) => resolve(code))),
    kill: (signal) => proc.kill(signal),
    logged: (msg) => child.lines.find((l) => l.msg === msg),
  };
  let partial = '';
  proc.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) child.lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  proc.stderr.on('data', (chunk: Buffer) => { child.stderr += chunk.toString(); });
  t.teardown(() => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); });
  return child;
}

async function opsUrl(child: Child): Promise<string> {
  const line = await waitFor('the ops server', () => child.logged('ops server listening'), { timeoutMs: 60_000 });
  return line.url as string;
}

t.test('SIGTERM lets in-flight work finish, then exits 0', async (t) => {
  const child = start(t, { EXAMPLE_WORK_MS: '1500' });
  await waitFor('the work to start', () => child.logged('work started'), { timeoutMs: 60_000 });
  child.kill('SIGTERM');
  t.equal(await child.exited, 0);
  const msgs = child.lines.map((l) => l.msg);
  t.ok(msgs.indexOf('work finished') > msgs.indexOf('stopping: finishing in-flight work'), 'the work finished after the signal');
  t.ok(msgs.indexOf('service stopped') > msgs.indexOf('work finished'), 'and before the exit');
});

t.test('ops endpoints answer; readiness drops while stopping; a second signal exits at once', async (t) => {
  const child = start(t, { EXAMPLE_WORK_MS: '600000', KFED_GRACE_MS: '600000' });
  const url = await opsUrl(child);
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  await waitFor('readiness', async () => (await fetch(`${url}/readyz`)).status === 200);
  t.equal((await fetch(`${url}/healthz`)).status, 200);
  const metrics = await fetch(`${url}/metrics`);
  t.equal(metrics.status, 200);
  t.match(metrics.headers.get('content-type'), /^text\/plain/);
  t.match(await metrics.text(), /process_cpu_user_seconds_total\{service="example"\}/);
  t.equal((await fetch(`${url}/nope`)).status, 404);

  await waitFor('the work to start', () => child.logged('work started'), { timeoutMs: 60_000 });
  child.kill('SIGTERM');
  await waitFor('the shutdown to begin', () => child.logged('stopping: finishing in-flight work'));
  t.equal((await fetch(`${url}/readyz`)).status, 503);
  t.equal((await fetch(`${url}/healthz`)).status, 200);
  child.kill('SIGINT');
  t.equal(await child.exited, 1);
  t.ok(child.logged('second signal: exiting without finishing in-flight work'));
  t.notOk(child.logged('work finished'));
});

t.test('work that outlasts the grace period: exit 1', async (t) => {
  const child = start(t, { EXAMPLE_WORK_MS: '600000', KFED_GRACE_MS: '300' });
  await waitFor('the work to start', () => child.logged('work started'), { timeoutMs: 60_000 });
  child.kill('SIGTERM');
  t.equal(await child.exited, 1);
  t.ok(child.logged('grace period ran out before in-flight work finished'));
});

t.test('a service that stops with an error: logged, exit 1', async (t) => {
  const child = start(t, { EXAMPLE_FAIL: 'true' });
  t.equal(await child.exited, 1);
  t.match(child.logged('service stopped with an error'), { err: { message: 'lost the event log' } });
});

t.test('a bad configuration value exits 2 naming the variable', async (t) => {
  const child = start(t, { KFED_GRACE_MS: 'soon', EXAMPLE_WORK_MS: '-5' });
  t.equal(await child.exited, 2);
  t.match(child.stderr, 'KFED_GRACE_MS: expected a positive integer, got "soon"');
  t.match(child.stderr, 'EXAMPLE_WORK_MS: expected a positive integer, got "-5"');
  t.same(child.lines, [], 'nothing started');
});
