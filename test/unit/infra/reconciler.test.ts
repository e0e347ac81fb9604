// The keyed work queue: dedup, no self-concurrency, FIFO, backoff with cap, retry-after, draining stop.
import t from 'tap';
import { createReconciler, type ReconcileResult, type Reconciler } from '../../../libs/infra/lifecycle/reconciler.js';
import { ManualTimer } from '../../support/manual-timer.js';
import { capturedLogger } from '../../support/log-capture.js';

/** Lets the queue react to settled promises. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Call {
  readonly key: string;
  finish(result: ReconcileResult): Promise<void>;
  fail(error: unknown): Promise<void>;
}

/** A reconciler whose every run waits until the test finishes it. */
function harness(concurrency = 1, backoff = { initialMs: 100, maxMs: 1000 }) {
  const calls: Call[] = [];
  const open: Call[] = [];
  const { logger, lines: logLines } = capturedLogger();
  const timer = new ManualTimer();
  const reconciler: Reconciler = createReconciler({
    name: 'test',
    concurrency,
    backoff,
    timer,
    logger,
    reconcile: (key) => new Promise<ReconcileResult>((resolve, reject) => {
      const call: Call = {
        key,
        finish: async (result) => { open.splice(open.indexOf(call), 1); resolve(result); await flush(); },
        fail: async (error) => { open.splice(open.indexOf(call), 1); reject(error); await flush(); },
      };
      calls.push(call);
      open.push(call);
    }),
  });
  const keys = (): string[] => calls.map((c) => c.key);
  const running = (): string[] => open.map((c) => c.key);
  const only = (key: string): Call => {
    const call = open.find((c) => c.key === key);
    if (call === undefined) throw new Error(`${key} is not running`);
    return call;
  };
  return { reconciler, timer, calls, keys, running, only, logLines };
}

t.test('runs enqueued keys in FIFO order, each waiting key once', async (t) => {
  const h = harness(1);
  for (const key of ['first', 'a', 'b', 'c', 'b', 'a', 'c']) h.reconciler.enqueue(key);
  await flush();
  t.same(h.running(), ['first']);
  await h.only('first').finish('done');
  await h.only('a').finish('done');
  await h.only('b').finish('done');
  await h.only('c').finish('done');
  t.same(h.keys(), ['first', 'a', 'b', 'c'], 'duplicates of waiting keys were merged');
  t.same(h.running(), []);
});

t.test('a key enqueued while it runs runs exactly once more afterwards', async (t) => {
  const h = harness(2);
  h.reconciler.enqueue('a');
  await flush();
  h.reconciler.enqueue('a');
  h.reconciler.enqueue('a');
  h.reconciler.enqueue('a');
  await flush();
  t.same(h.running(), ['a'], 'not run concurrently with itself, even with a free worker');
  await h.only('a').finish('done');
  t.same(h.running(), ['a'], 're-run');
  await h.only('a').finish('done');
  t.same(h.keys(), ['a', 'a']);
  t.same(h.running(), []);
});

t.test('at most `concurrency` different keys run at once', async (t) => {
  const h = harness(2);
  for (const key of ['a', 'b', 'c', 'd']) h.reconciler.enqueue(key);
  await flush();
  t.same(h.running(), ['a', 'b']);
  await h.only('b').finish('done');
  t.same(h.running(), ['a', 'c']);
  await h.only('a').finish('done');
  t.same(h.running(), ['c', 'd']);
  t.throws(() => createReconciler({ name: 'x', concurrency: 0, logger: capturedLogger().logger, reconcile: async () => 'done' }));
});

t.test('errors back off exponentially up to the cap, logged with the key; success resets', async (t) => {
  const h = harness(1, { initialMs: 100, maxMs: 500 });
  h.reconciler.enqueue('ns/app');
  await flush();
  const delays: number[] = [];
  for (let attempt = 1; attempt <= 5; attempt++) {
    if (attempt % 2 === 0) await h.only('ns/app').fail(new Error(`boom ${attempt}`)); // a rejection is an error too
    else await h.only('ns/app').finish({ error: new Error(`boom ${attempt}`) });
    t.same(h.running(), [], 'nothing runs before the delay');
    delays.push(...h.timer.scheduled);
    h.timer.advance(h.timer.scheduled[0] ?? 0);
    await flush();
  }
  t.same(delays, [100, 200, 400, 500, 500]);
  const errors = h.logLines.filter((l) => l.msg === 'reconcile failed');
  t.same(errors.map((l) => [l.key, l.attempt, l.retryInMs]), [
    ['ns/app', 1, 100], ['ns/app', 2, 200], ['ns/app', 3, 400], ['ns/app', 4, 500], ['ns/app', 5, 500],
  ]);
  t.match(errors[0], { reconciler: 'test', err: { message: 'boom 1' } });

  await h.only('ns/app').finish('done');
  t.same(h.timer.scheduled, []);
  h.reconciler.enqueue('ns/app');
  await flush();
  await h.only('ns/app').finish({ error: 'again' });
  t.same(h.timer.scheduled, [100], 'backoff starts over after a success');
});

t.test('backoff is per key', async (t) => {
  const h = harness(2);
  h.reconciler.enqueue('a');
  h.reconciler.enqueue('b');
  await flush();
  await h.only('a').finish({ error: 'x' });
  h.timer.advance(100);
  await flush();
  await h.only('a').finish({ error: 'x' });
  await h.only('b').finish({ error: 'x' });
  t.same(h.timer.scheduled, [100, 200]);
});

t.test('retryAfterMs runs the key again after that delay, without counting a failure', async (t) => {
  const h = harness(1);
  h.reconciler.enqueue('a');
  await flush();
  await h.only('a').finish({ error: 'x' });
  h.timer.advance(100);
  await flush();
  await h.only('a').finish({ retryAfterMs: 3000 });
  t.same(h.timer.scheduled, [3000]);
  h.timer.advance(2999);
  await flush();
  t.same(h.running(), []);
  h.timer.advance(1);
  await flush();
  t.same(h.running(), ['a']);
  await h.only('a').finish({ error: 'x' });
  t.same(h.timer.scheduled, [100], 'retry-after reset the failure count');
});

t.test('an enqueue replaces a pending retry; a hint during a run beats the retry it asks for', async (t) => {
  const h = harness(1);
  h.reconciler.enqueue('a');
  await flush();
  await h.only('a').finish({ retryAfterMs: 1000 });
  h.reconciler.enqueue('a');
  await flush();
  t.same(h.running(), ['a'], 'ran now');
  t.same(h.timer.scheduled, [], 'the retry is gone');
  h.reconciler.enqueue('a'); // arrives during the run
  await h.only('a').finish({ error: 'x' });
  t.same(h.running(), ['a'], 're-run at once for the newer hint');
  t.same(h.timer.scheduled, []);
  await h.only('a').finish('done');
  h.timer.advance(10_000);
  await flush();
  t.same(h.keys(), ['a', 'a', 'a']);
});

t.test('stop waits for in-flight runs, drops waiting keys and retries, and is idempotent', async (t) => {
  const h = harness(1);
  h.reconciler.enqueue('a');
  h.reconciler.enqueue('b');
  await flush();
  await h.only('a').finish({ retryAfterMs: 50 });
  t.same(h.running(), ['b']);
  h.reconciler.enqueue('c');
  h.reconciler.enqueue('b');
  let stopped = false;
  const stopping = h.reconciler.stop();
  t.equal(h.reconciler.stop(), stopping, 'same promise');
  void stopping.then(() => { stopped = true; });
  await flush();
  t.notOk(stopped, 'waits for b');
  h.reconciler.enqueue('d');
  await h.only('b').finish({ error: 'x' });
  await flush();
  t.ok(stopped);
  h.timer.advance(10_000);
  await flush();
  t.same(h.keys(), ['a', 'b'], 'no retry, no waiting key, nothing enqueued after stop');
  t.same(h.timer.scheduled, []);
});

t.test('stop with nothing running resolves at once', async (t) => {
  const h = harness(1);
  await h.reconciler.stop();
  h.reconciler.enqueue('a');
  await flush();
  t.same(h.keys(), []);
});
