// kfed up's supervision: readiness from a log line, restart with backoff after a crash, orderly stop.
import t from 'tap';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restartDelay, supervise } from '../../cli/up/supervisor.js';
import { waitFor } from '../support/wait.js';

t.test('restart delays grow and are capped', async (t) => {
  t.same([1, 2, 3, 4].map(restartDelay), [500, 1000, 2000, 4000]);
  t.equal(restartDelay(50), 30_000);
});

t.test('a process that dies after becoming ready is restarted and reported; stop ends it for good', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kfed-sup-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const restarts: string[] = [];
  const again: number[] = [];
  // Ready at once, then crashes after 300 ms, every time it is started.
  const s = supervise({
    name: 'flaky', command: process.execPath,
    args: ['-e', 'console.log(JSON.stringify({msg:"service started"})); setTimeout(() => process.exit(3), 300)'],
    env: {}, ready: (l) => l.includes('service started'),
  }, dir, {
    onRestart: (name, how, attempt) => restarts.push(`${name} ${how} #${attempt}`),
    onReadyAgain: (_name, attempt) => again.push(attempt),
  });
  await s.ready;
  await waitFor('a restart that became ready again', () => again.length >= 1, { timeoutMs: 10_000 });
  t.equal(restarts[0], 'flaky exited with code 3 #1');
  await s.stop(2000);
  const count = s.restarts();
  await new Promise((r) => setTimeout(r, 1200));
  t.equal(s.restarts(), count, 'no restart after stop');
  t.match(await readFile(join(dir, 'flaky.log'), 'utf8'), /service started/);
});

t.test('a process that fails before it is ready rejects with its last lines', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kfed-sup-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const s = supervise({
    name: 'broken', command: process.execPath, args: ['-e', 'console.error("KFED_X: expected a port"); process.exit(2)'],
    env: {}, ready: () => false,
  }, dir, { onRestart: () => t.fail('no restart before ready'), onReadyAgain: () => undefined });
  await t.rejects(s.ready, /broken exited with code 2 before it was ready:\n\s+KFED_X: expected a port/);
  await s.stop();
});
