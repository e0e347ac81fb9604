// The event log against the real Redis: concurrency, ordering, consumer groups, projections, bad entries.
import t from 'tap';
import * as E from 'fp-ts/lib/Either.js';
import { createEventLog } from '../../libs/infra/redis/eventlog.js';
import { createConsumer } from '../../libs/infra/redis/consumer.js';
import { runProjection } from '../../libs/infra/redis/projection-runner.js';
import { createLogger } from '../../libs/infra/log/logger.js';
import { expectAny, expectNoStream, expectVersion, type EventEnvelope } from '../../libs/events/envelope.js';
import { fold, type Projection } from '../../libs/events/projection.js';
import { testRedis } from '../support/federation.js';
import { newEvent } from '../support/events.js';
import { waitFor } from '../support/wait.js';
import { Writable } from 'node:stream';

const quietLogger = () => {
  const lines: string[] = [];
  const logger = createLogger({
    service: 'test', level: 'debug',
    destination: new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } }),
  });
  return { logger, lines };
};

t.test('append assigns versions and increasing positions; readStream and readLog return them', async (t) => {
  const { redis, federation } = testRedis(t);
  const log = createEventLog(redis, federation);
  const a1 = await log.append('s:a', expectNoStream, [newEvent('Tick', { n: 1 }), newEvent('Tick', { n: 2 })]);
  const b1 = await log.append('s:b', expectNoStream, [newEvent('Tick', { n: 3 })]);
  const a2 = await log.append('s:a', expectVersion(2), [newEvent('Tick', { n: 4 })]);
  t.ok(E.isRight(a1) && E.isRight(b1) && E.isRight(a2));
  if (!E.isRight(a1) || !E.isRight(a2) || !E.isRight(b1)) return;
  t.same(a1.right, { stream: 's:a', version: 2, positions: ['1', '2'] });
  t.same(b1.right.positions, ['3']);
  t.same(a2.right, { stream: 's:a', version: 3, positions: ['4'] });
  t.equal(await log.streamVersion('s:a'), 3);
  t.equal(await log.head(), '4');

  const stream = await log.readStream('s:a');
  t.same(stream.events.map((e) => [e.version, e.position, (e.data as { n: number }).n]), [[1, '1', 1], [2, '2', 2], [3, '4', 4]]);
  const fromTwo = await log.readStream('s:a', 2);
  t.same(fromTwo.events.map((e) => e.version), [2, 3]);

  const all = await log.readLog('0', 100);
  t.same(all.events.map((e) => e.position), ['1', '2', '3', '4']);
  t.same(all.events.map((e) => e.stream), ['s:a', 's:a', 's:b', 's:a']);
  t.equal(all.last, '4');
  const after2 = await log.readLog('2', 1);
  t.same(after2.events.map((e) => e.position), ['3']);
});

t.test('a stale expected version is a VersionConflict and writes nothing', async (t) => {
  const { redis, federation } = testRedis(t);
  const log = createEventLog(redis, federation);
  await log.append('s', expectNoStream, [newEvent('Tick', {})]);
  const again = await log.append('s', expectNoStream, [newEvent('Tick', {})]);
  t.same(again, E.left({ _tag: 'VersionConflict', stream: 's', expected: 0, actual: 1 }));
  const stale = await log.append('s', expectVersion(5), [newEvent('Tick', {})]);
  t.ok(E.isLeft(stale));
  t.equal(await log.streamVersion('s'), 1);
  t.equal(await log.head(), '1');
  const any = await log.append('s', expectAny, [newEvent('Tick', {})]);
  t.ok(E.isRight(any));
});

t.test('concurrent appenders: exactly one wins each version, nothing lost or duplicated', async (t) => {
  const { redis, federation } = testRedis(t);
  // Each writer has its own connection, as separate processes would.
  const writers = Array.from({ length: 8 }, () => redis.duplicate());
  t.teardown(() => writers.forEach((w) => w.disconnect()));
  const logs = writers.map((w) => createEventLog(w, federation));
  const rounds = 40;
  const won = new Map<number, number>(); // version -> writer
  const committed: string[] = [];
  await Promise.all(logs.map(async (log, writer) => {
    for (let i = 0; i < rounds; i++) {
      // Read-decide-append loop, as an API server does for each write.
      for (;;) {
        const version = await log.streamVersion('contended');
        const id = `w${writer}-${i}`;
        const res = await log.append('contended', expectVersion(version), [newEvent('Counted', { id })]);
        if (E.isRight(res)) {
          t.notOk(won.has(res.right.version), `version ${res.right.version} won twice`);
          won.set(res.right.version, writer);
          committed.push(id);
          break;
        }
        t.equal(res.left._tag, 'VersionConflict');
      }
    }
  }));
  const total = logs.length * rounds;
  t.equal(committed.length, total);
  const stream = await logs[0]!.readStream('contended');
  t.equal(stream.events.length, total);
  t.same(stream.events.map((e) => e.version), Array.from({ length: total }, (_, i) => i + 1));
  const ids = stream.events.map((e) => (e.data as { id: string }).id);
  t.equal(new Set(ids).size, total, 'no duplicates');
  t.same([...ids].sort(), [...committed].sort(), 'every committed event is in the stream');
  const global = await logs[0]!.readLog('0', total + 10);
  t.same(global.events.map((e) => e.position), Array.from({ length: total }, (_, i) => String(i + 1)));
});

t.test('appendBatch: independent appends in one round trip', async (t) => {
  const { redis, federation } = testRedis(t);
  const log = createEventLog(redis, federation);
  await log.append('x', expectNoStream, [newEvent('Tick', {})]);
  const results = await log.appendBatch([
    { stream: 'x', expected: expectNoStream, events: [newEvent('Tick', {})] },
    { stream: 'y', expected: expectNoStream, events: [newEvent('Tick', {}), newEvent('Tick', {})] },
  ]);
  t.ok(E.isLeft(results[0]!));
  t.same(results[1], E.right({ stream: 'y', version: 2, positions: ['2', '3'] }));
});

t.test('tail delivers new entries in order until aborted', async (t) => {
  const { redis, federation } = testRedis(t);
  const log = createEventLog(redis, federation);
  await log.append('s', expectAny, [newEvent('Tick', { n: 0 })]);
  const abort = new AbortController();
  const seen: number[] = [];
  const tailing = (async () => {
    for await (const batch of log.tail('1', abort.signal, { blockMs: 200 })) {
      for (const e of batch.events) seen.push((e.data as { n: number }).n);
    }
  })();
  for (let n = 1; n <= 5; n++) await log.append('s', expectAny, [newEvent('Tick', { n })]);
  await waitFor('five tailed events', () => seen.length === 5);
  abort.abort();
  await tailing;
  t.same(seen, [1, 2, 3, 4, 5]);
});

t.test('malformed entries are reported and skipped, never crash a reader', async (t) => {
  const { redis, federation } = testRedis(t);
  const log = createEventLog(redis, federation);
  await log.append('s', expectAny, [newEvent('Tick', { n: 1 })]);
  // Entries written around the append script, as a buggy or foreign writer would.
  await redis.incr(log.keys.position);
  await redis.xadd(log.keys.log, '2-0', 's', 's', 'v', '9', 'e', '{not json');
  await redis.incr(log.keys.position);
  await redis.xadd(log.keys.log, '3-0', 's', 's', 'v', '10', 'e', JSON.stringify({ type: 'Tick' }));
  await log.append('s', expectAny, [newEvent('Tick', { n: 2 })]);
  const read = await log.readLog('0', 10);
  t.same(read.events.map((e) => e.position), ['1', '4']);
  t.same(read.malformed.map((m) => m.position), ['2', '3']);
  t.match(read.malformed[0]!.reason, /not JSON/);
  t.match(read.malformed[1]!.reason, /id/);
  t.equal(read.last, '4');

  const { logger, lines } = quietLogger();
  const running = runProjection({ log, projection: counter, logger });
  t.teardown(() => running.stop());
  await running.ready;
  t.same(running.state(), { s: 2 });
  t.equal(lines.filter((l) => l.includes('malformed')).length, 2);
});

const counter: Projection<Record<string, number>> = {
  name: 'counter',
  initial: () => ({}),
  evolve(state, e: EventEnvelope) {
    state[e.stream] = (state[e.stream] ?? 0) + 1;
    return state;
  },
};

const lastValue: Projection<Map<string, unknown>> = {
  name: 'last-value',
  initial: () => new Map(),
  evolve(state, e) {
    if (e.type === 'Removed') state.delete(e.stream);
    else state.set(e.stream, e.data);
    return state;
  },
};

t.test('a projection rebuilt from the log equals the live one', async (t) => {
  const { redis, federation } = testRedis(t);
  const log = createEventLog(redis, federation);
  const { logger } = quietLogger();
  for (let i = 0; i < 300; i++) {
    await log.append(`o${i % 17}`, expectAny, [newEvent(i % 11 === 0 ? 'Removed' : 'Set', { i })]);
  }
  const live = runProjection({ log, projection: lastValue, logger, chunk: 50 });
  t.teardown(() => live.stop());
  await live.ready;
  for (let i = 300; i < 600; i++) {
    await log.append(`o${i % 23}`, expectAny, [newEvent(i % 7 === 0 ? 'Removed' : 'Set', { i })]);
  }
  const head = await log.head();
  t.ok(await live.waitFor(head, 10000), 'live projection caught up');

  const rebuilt = runProjection({ log, projection: lastValue, logger, chunk: 64 });
  t.teardown(() => rebuilt.stop());
  await rebuilt.ready;
  t.same([...rebuilt.state()].sort(), [...live.state()].sort());
  t.equal(rebuilt.position(), head);
  // The same fold, run directly, agrees too.
  const direct = fold(lastValue, (await log.readLog('0', 10000)).events);
  t.same([...direct].sort(), [...live.state()].sort());
});

t.test('consumer groups: a consumer killed mid-batch has its pending events delivered again', async (t) => {
  const { redis, federation } = testRedis(t);
  const log = createEventLog(redis, federation);
  for (let i = 0; i < 10; i++) await log.append('s', expectAny, [newEvent('Job', { i })]);

  const first = await createConsumer(redis, log, { group: 'workers', consumer: 'a' });
  const batch = await first.read({ count: 4, blockMs: 100 });
  t.same(batch.events.map((e) => e.position), ['1', '2', '3', '4']);
  await first.ack(['1', '2']); // handled two, then "crashed"
  first.close();

  // The same consumer restarted: its unacknowledged entries come first.
  const restarted = await createConsumer(redis, log, { group: 'workers', consumer: 'a' });
  t.teardown(() => restarted.close());
  const again = await restarted.read({ count: 10, blockMs: 100 });
  t.same(again.events.map((e) => e.position), ['3', '4']);
  const fresh = await restarted.read({ count: 3, blockMs: 100 });
  t.same(fresh.events.map((e) => e.position), ['5', '6', '7']);

  // Another consumer takes over what `a` left pending once it has been idle long enough.
  const other = await createConsumer(redis, log, { group: 'workers', consumer: 'b' });
  t.teardown(() => other.close());
  const notYet = await other.claimStale(60_000);
  t.same(notYet.events, []);
  const claimed = await waitFor('stale entries', async () => {
    const r = await other.claimStale(50);
    return r.events.length > 0 ? r : undefined;
  });
  t.same(claimed.events.map((e) => e.position), ['3', '4', '5', '6', '7']);
  await other.ack(claimed.events.map((e) => e.position));
  const rest = await other.read({ count: 10, blockMs: 100 });
  t.same(rest.events.map((e) => e.position), ['8', '9', '10']);
  const pending = (await redis.xpending(log.keys.log, 'workers')) as [number, ...unknown[]];
  t.equal(pending[0], 3, 'only the last read batch is pending');
});
