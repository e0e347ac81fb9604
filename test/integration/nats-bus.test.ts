// The typed bus against the real NATS server: codecs, queue groups, request/reply, headers, draining stop.
import t from 'tap';
import * as io from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { connect } from '@nats-io/transport-node';
import { LogAppended } from '../../libs/infra/nats/hints.js';
import { subjectTail } from '../../libs/infra/nats/subjects.js';
import { connectBus } from '../../libs/infra/nats/bus.js';
import { NATS_URL, randomFederation, testBus } from '../support/bus.js';
import { capturedLogger } from '../support/log-capture.js';
import { tcpProxy } from '../support/tcp-proxy.js';
import { waitFor } from '../support/wait.js';

const ApplyRequest = io.type({ name: io.string, replicas: io.number });
const ApplyReply = io.type({ accepted: io.boolean, by: io.string });

t.test('publish/subscribe is typed; headers travel along; wildcards match the tail', async (t) => {
  const federation = randomFederation();
  const { bus } = await testBus(t, federation);
  const got: { value: LogAppended; subject: string; auth: string | undefined }[] = [];
  bus.subscribe(bus.subjects.log.appended(), LogAppended, (value, d) => {
    got.push({ value, subject: d.subject, auth: d.headers.Authorization });
  });
  const health: string[] = [];
  bus.subscribe(bus.subjects.cluster.health('*'), io.type({ keys: io.array(io.string) }), (_v, d) => {
    health.push(subjectTail(d.subject));
  });
  await bus.flush();
  const { bus: other } = await testBus(t, federation, 'publisher');
  other.publish(other.subjects.log.appended(), LogAppended, { stream: 'object:x', position: '17' }, { headers: { Authorization: 'Bearer abc' } });
  other.publish(other.subjects.cluster.health('berlin'), io.type({ keys: io.array(io.string) }), { keys: [] });
  other.publish(other.subjects.cluster.health('paris'), io.type({ keys: io.array(io.string) }), { keys: [] });
  await waitFor('the log hint', () => got.length === 1);
  t.same(got[0], { value: { stream: 'object:x', position: '17' }, subject: `kfed.${federation}.log.appended`, auth: 'Bearer abc' });
  await waitFor('both health hints', () => health.length === 2);
  t.same(health.sort(), ['berlin', 'paris']);
});

t.test('federations do not hear each other', async (t) => {
  const { bus: a } = await testBus(t, randomFederation());
  const { bus: b } = await testBus(t, randomFederation());
  const heardByA: string[] = [];
  a.subscribe(a.subjects.all(), io.unknown, (_v, d) => { heardByA.push(d.subject); });
  await a.flush();
  b.publish(b.subjects.log.appended(), LogAppended, { stream: 's', position: '1' });
  a.publish(a.subjects.log.appended(), LogAppended, { stream: 's', position: '2' });
  await waitFor('own message', () => heardByA.length > 0);
  await a.stop(); // drains: anything from b would have been handled by now
  t.same(heardByA, [a.subjects.log.appended()]);
});

t.test('a queue group splits messages between members; a plain subscriber sees all', async (t) => {
  const federation = randomFederation();
  const { bus: publisher } = await testBus(t, federation, 'publisher');
  const members = [await testBus(t, federation, 'm1'), await testBus(t, federation, 'm2')];
  const counts = [0, 0];
  const seen = new Set<string>();
  members.forEach(({ bus }, i) => bus.subscribe(bus.subjects.log.appended(), LogAppended, (v) => {
    counts[i] = (counts[i] ?? 0) + 1;
    seen.add(v.position);
  }, { queue: 'scheduler' }));
  let all = 0;
  publisher.subscribe(publisher.subjects.log.appended(), LogAppended, () => { all += 1; });
  await Promise.all([publisher, ...members.map((m) => m.bus)].map((b) => b.flush()));
  const n = 60;
  for (let i = 0; i < n; i++) publisher.publish(publisher.subjects.log.appended(), LogAppended, { stream: 's', position: String(i) });
  await waitFor('all messages handled', () => all === n && seen.size === n);
  await Promise.all(members.map(({ bus }) => bus.stop()));
  t.equal((counts[0] ?? 0) + (counts[1] ?? 0), n, 'each message went to exactly one member');
  t.ok((counts[0] ?? 0) > 0 && (counts[1] ?? 0) > 0, `both members got work: ${counts.join('/')}`);
});

t.test('request/reply: decoded both ways, headers reach the responder', async (t) => {
  const federation = randomFederation();
  const { bus: server } = await testBus(t, federation, 'apiserver');
  const { bus: client } = await testBus(t, federation, 'client');
  server.respond(server.subjects.desired.apply(), ApplyRequest, ApplyReply, async (req, d) => ({
    accepted: req.replicas >= 0,
    by: d.headers.Authorization ?? 'anonymous',
  }), { queue: 'apiserver' });
  await server.flush();
  const reply = await client.request(client.subjects.desired.apply(), ApplyRequest, { name: 'web', replicas: 3 }, ApplyReply, {
    timeoutMs: 5000, headers: { Authorization: 'Bearer t0k' },
  });
  t.same(reply, E.right({ accepted: true, by: 'Bearer t0k' }));
});

t.test('request failures are values: no responders, timeout, bad request, failing handler, bad reply', async (t) => {
  const federation = randomFederation();
  const { bus: server, lines } = await testBus(t, federation, 'server');
  const { bus: client } = await testBus(t, federation, 'client');
  const s = client.subjects;
  const tag = (r: E.Either<{ _tag: string }, unknown>): string => (E.isLeft(r) ? r.left._tag : 'Right');

  t.equal(tag(await client.request(s.desired.apply(), ApplyRequest, { name: 'a', replicas: 1 }, ApplyReply, { timeoutMs: 5000 })), 'NoResponders');

  // Someone listens but never answers.
  server.subscribe(s.desired.delete(), io.unknown, () => undefined);
  await server.flush();
  t.equal(tag(await client.request(s.desired.delete(), io.unknown, {}, io.unknown, { timeoutMs: 200 })), 'Timeout');

  server.respond(s.desired.apply(), ApplyRequest, ApplyReply, async (req) => {
    if (req.name === 'explode') throw new Error('secret internals');
    return { accepted: true, by: 'server' };
  }, { queue: 'q' });
  await server.flush();
  const BadlyTyped = io.type({ name: io.string, replicas: io.string });
  const bad = await client.request(s.desired.apply(), BadlyTyped, { name: 'a', replicas: 'three' }, ApplyReply, { timeoutMs: 5000 });
  t.equal(tag(bad), 'ResponderFailed');
  if (E.isLeft(bad)) t.match(bad.left, { reason: 'bad-request', detail: 'replicas: expected number' });

  const failed = await client.request(s.desired.apply(), ApplyRequest, { name: 'explode', replicas: 1 }, ApplyReply, { timeoutMs: 5000 });
  t.equal(tag(failed), 'ResponderFailed');
  if (E.isLeft(failed)) {
    t.match(failed.left, { reason: 'handler-failed' });
    t.notMatch(failed.left.message, /secret internals/, 'internals stay in the responder log');
  }
  t.ok(lines.some((l) => l.msg === 'request handler failed' && (l.err as { message?: string }).message === 'secret internals'));

  const misread = await client.request(s.desired.apply(), ApplyRequest, { name: 'a', replicas: 1 }, io.type({ accepted: io.string }), { timeoutMs: 5000 });
  t.equal(tag(misread), 'DecodeError');
  if (E.isLeft(misread)) t.match(misread.left.message, /accepted: expected string/);
});

t.test('undecodable messages are logged with subject and field path, and skipped; handler errors too', async (t) => {
  const federation = randomFederation();
  const { bus, lines } = await testBus(t, federation);
  const subject = bus.subjects.log.appended();
  const got: string[] = [];
  bus.subscribe(subject, LogAppended, (v) => {
    if (v.position === 'throw') throw new Error('handler bug');
    got.push(v.position);
  });
  await bus.flush();
  const raw = await connect({ servers: NATS_URL });
  t.teardown(() => raw.close());
  raw.publish(subject, '{not json');
  raw.publish(subject, JSON.stringify({ stream: 's', position: 42, token: 'do-not-log' }));
  raw.publish(subject, JSON.stringify({ stream: 's', position: 'throw' }));
  raw.publish(subject, JSON.stringify({ stream: 's', position: '1' }));
  await raw.flush();
  await waitFor('the good message after the bad ones', () => got.length === 1);
  t.same(got, ['1']);
  const dropped = lines.filter((l) => l.msg === 'dropped an undecodable message');
  t.same(dropped.map((l) => [l.subject, l.problem]), [[subject, 'not JSON'], [subject, 'position: expected string']]);
  t.ok(lines.some((l) => l.msg === 'message handler failed' && l.subject === subject));
  t.notMatch(JSON.stringify(lines), /do-not-log/);
});

t.test('stop drains: messages already published are handled, in-flight requests answered; idempotent', async (t) => {
  const federation = randomFederation();
  const { bus: consumer, lines } = await testBus(t, federation, 'consumer');
  const { bus: producer } = await testBus(t, federation, 'producer');
  const handled: string[] = [];
  consumer.subscribe(consumer.subjects.log.appended(), LogAppended, async (v) => {
    await new Promise((r) => setTimeout(r, 2)); // a handler that takes a while
    handled.push(v.position);
  });
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => { release = r; });
  let started = false;
  consumer.respond(consumer.subjects.desired.apply(), ApplyRequest, ApplyReply, async () => {
    started = true;
    await gate;
    return { accepted: true, by: 'consumer' };
  }, { queue: 'q' });

  await consumer.flush();
  const pending = producer.request(producer.subjects.desired.apply(), ApplyRequest, { name: 'x', replicas: 1 }, ApplyReply, { timeoutMs: 10_000 });
  await waitFor('the request to be in flight', () => started);
  const n = 50;
  for (let i = 0; i < n; i++) producer.publish(producer.subjects.log.appended(), LogAppended, { stream: 's', position: String(i) });
  await producer.flush(); // the server has routed them to the consumer

  const stopping = consumer.stop();
  t.equal(consumer.stop(), stopping, 'the same stop');
  release();
  await stopping;
  t.same(handled, Array.from({ length: n }, (_, i) => String(i)), 'every message, in order');
  t.same(await pending, E.right({ accepted: true, by: 'consumer' }), 'the in-flight request got its reply');
  t.equal(await consumer.closed, null, 'closed cleanly');
  await consumer.stop();

  consumer.publish(consumer.subjects.log.appended(), LogAppended, { stream: 's', position: 'late' });
  t.ok(lines.some((l) => l.msg === 'bus stopped: dropped a publish'));
  const late = await consumer.request(consumer.subjects.desired.apply(), ApplyRequest, { name: 'x', replicas: 1 }, ApplyReply, { timeoutMs: 1000 });
  t.ok(E.isLeft(late) && late.left._tag === 'Closed');
});

t.test('waits for a server that is not up yet, reconnects after losing it, stops without it', async (t) => {
  const { hostname, port } = new URL(NATS_URL);
  const proxy = await tcpProxy({ host: hostname, port: Number(port) }, false);
  const { logger, lines } = capturedLogger();
  const federation = randomFederation();
  const connecting = connectBus({ url: `nats://127.0.0.1:${proxy.port}`, federation, logger, name: 'flaky' });
  await waitFor('a retry of the first connect', () => lines.some((l) => l.msg === 'NATS not reachable yet, retrying'));
  await proxy.listen();
  const bus = await connecting;
  t.teardown(async () => {
    await bus.stop(); // while the proxy still forwards: a drain needs the server
    await proxy.close();
  });

  const got: string[] = [];
  bus.subscribe(bus.subjects.log.appended(), LogAppended, (v) => { got.push(v.position); });
  await bus.flush();
  proxy.cut();
  await waitFor('the reconnect', () => lines.some((l) => l.msg === 'reconnected to NATS'));
  t.ok(lines.some((l) => l.msg === 'disconnected from NATS'));
  const { bus: publisher } = await testBus(t, federation, 'publisher');
  await bus.flush(); // subscriptions are re-sent on reconnect
  publisher.publish(publisher.subjects.log.appended(), LogAppended, { stream: 's', position: '1' });
  await waitFor('a message after the reconnect', () => got.length === 1);
  t.same(got, ['1']);

  await proxy.close();
  await waitFor('the second disconnect', () => lines.filter((l) => l.msg === 'disconnected from NATS').length === 2);
  await bus.stop();
  t.equal(await bus.closed, null, 'stopping while disconnected does not wait for the server');
});
