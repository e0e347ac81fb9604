import t from 'tap';
import { request } from 'node:http';
import { serveKubeApi, type KubeServer } from '../../../libs/infra/http/kube-server.js';
import type { ApiHandler } from '../../../libs/kube-api/handler.js';
import type { WatchEvent } from '../../../libs/kube-api/object.js';
import { waitFor } from '../../support/wait.js';

interface Reply { status: number; headers: Record<string, unknown>; body: string }

function send(s: KubeServer, method: string, path: string, o: { body?: string; token?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${s.url}${path}`, { method, headers: o.token === undefined ? {} : { authorization: `Bearer ${o.token}` } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** A handler that echoes requests, and streams a watch that emits one event and then waits for the end. */
const handler: ApiHandler = async (req) => {
  if (req.query.get('watch') === 'true') {
    const signal = req.signal;
    async function* events(): AsyncIterable<WatchEvent> {
      yield { type: 'ADDED', object: { kind: 'X', n: 1 } };
      await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
    }
    return { _tag: 'watch', status: 200, headers: { 'content-type': 'application/json' }, events: events(), ...(req.query.has('timeoutSeconds') ? { timeoutSeconds: Number(req.query.get('timeoutSeconds')) } : {}) };
  }
  const body = new TextDecoder().decode(req.body ?? new Uint8Array());
  return { _tag: 'complete', status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method: req.method, path: req.path, user: req.user?.name ?? null, bytes: body.length }) };
};

t.test('bearer tokens, public paths, body limit', async (t) => {
  const s = await serveKubeApi({ handler, port: 0, authenticate: (tok) => (tok === 'secret' ? { name: 'alice' } : undefined), bodyLimitBytes: 16 });
  t.teardown(() => s.close());
  const anonymous = await send(s, 'GET', '/api');
  t.equal(anonymous.status, 401);
  t.match(JSON.parse(anonymous.body), { kind: 'Status', reason: 'Unauthorized', code: 401 });
  t.equal((await send(s, 'GET', '/api', { token: 'wrong' })).status, 401);
  t.match(JSON.parse((await send(s, 'GET', '/api', { token: 'secret' })).body), { user: 'alice', path: '/api' });
  t.match(JSON.parse((await send(s, 'GET', '/version')).body), { user: null }, '/version needs no credentials');
  t.equal((await send(s, 'GET', '/healthz')).status, 200);
  t.match(JSON.parse((await send(s, 'POST', '/api', { token: 'secret', body: '0123456789' })).body), { bytes: 10 });
  const big = await send(s, 'POST', '/api', { token: 'secret', body: 'x'.repeat(100) });
  t.equal(big.status, 413);
  t.match(JSON.parse(big.body), { reason: 'RequestEntityTooLarge', message: 'Request entity too large: limit is 16' });
});

t.test('watches: newline-framed events, ended by timeoutSeconds, endWatches and close', async (t) => {
  const s = await serveKubeApi({ handler, port: 0 });
  let closed = false;
  t.teardown(() => (closed ? undefined : s.close()));
  const watch = (query: string): Promise<{ status: number; body: () => string; ended: Promise<void> }> => new Promise((resolve, reject) => {
    const req = request(`${s.url}/api/v1/pods?watch=true${query}`, (res) => {
      let body = '';
      const ended = new Promise<void>((done) => res.on('close', () => done()));
      res.on('data', (d: Buffer) => { body += d.toString(); });
      resolve({ status: res.statusCode ?? 0, body: () => body, ended });
    });
    req.on('error', reject);
    req.end();
  });
  const timed = await watch('&timeoutSeconds=1');
  await timed.ended;
  t.equal(timed.body(), '{"type":"ADDED","object":{"kind":"X","n":1}}\n');

  const first = await watch('');
  t.equal(first.status, 200, 'headers arrive before any event is due');
  await waitFor('the first event', () => first.body().endsWith('\n'));
  s.endWatches();
  await first.ended;

  const second = await watch('');
  await waitFor('the event', () => second.body().endsWith('\n'));
  await s.close();
  closed = true;
  await second.ended;
  t.pass('close ends open watches');
});
