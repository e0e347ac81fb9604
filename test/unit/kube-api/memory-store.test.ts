import t from 'tap';
import * as E from 'fp-ts/lib/Either.js';
import { MemoryStore } from '../../../libs/kube-api/memory-store.js';
import { deployments, replicaSets } from '../../../libs/kube-api/resources.js';
import type { KubeObject } from '../../../libs/kube-api/object.js';
import type { StoreEvent } from '../../../libs/kube-api/store.js';

const ctx = { actor: 'test', correlationId: 'c1' };
const kind = deployments.storage;
const obj = (name: string, ns = 'default', replicas = 1): KubeObject =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns }, spec: { replicas } });

async function take(it: AsyncIterable<StoreEvent>, n: number): Promise<StoreEvent[]> {
  const out: StoreEvent[] = [];
  for await (const e of it) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

const rv = (e: E.Either<unknown, KubeObject>): string => (E.isRight(e) ? e.right.metadata.resourceVersion ?? '' : 'error');

t.test('writes get one increasing resourceVersion sequence across kinds', async (t) => {
  const s = new MemoryStore();
  const empty = await s.list(kind, undefined);
  t.same(empty.items, []);
  const a = rv(await s.create(kind, obj('a'), ctx));
  const b = rv(await s.create(replicaSets.storage, { ...obj('b'), kind: 'ReplicaSet' }, ctx));
  t.ok(Number(a) > Number(empty.resourceVersion));
  t.equal(Number(b), Number(a) + 1);
  t.same(E.isLeft(await s.create(kind, obj('a'), ctx)) && 'AlreadyExists', 'AlreadyExists');
  t.equal((await s.list(kind, undefined)).items.length, 1, 'kinds are separate');
  t.equal((await s.list(kind, 'other')).items.length, 0);
  t.equal((await s.get(kind, 'default', 'a'))?.metadata.resourceVersion, a);
});

t.test('update and delete check the expected resourceVersion', async (t) => {
  const s = new MemoryStore();
  const a = rv(await s.create(kind, obj('a'), ctx));
  t.same(await s.update(kind, obj('a', 'default', 2), '999', ctx), E.left({ _tag: 'Conflict' }));
  t.same(await s.update(kind, obj('x'), '1', ctx), E.left({ _tag: 'NotFound' }));
  const updated = await s.update(kind, obj('a', 'default', 2), a, ctx);
  t.ok(E.isRight(updated));
  t.same(await s.delete(kind, 'default', 'a', { expectedResourceVersion: a, options: {} }, ctx), E.left({ _tag: 'Conflict' }));
  const deleted = await s.delete(kind, 'default', 'a', { options: {} }, ctx);
  t.ok(Number(rv(deleted)) > Number(rv(updated)), 'deletion gets its own resourceVersion');
  t.equal(await s.get(kind, 'default', 'a'), undefined);
  t.same(await s.delete(kind, 'default', 'a', { options: {} }, ctx), E.left({ _tag: 'NotFound' }));
});

t.test('returned objects are copies', async (t) => {
  const s = new MemoryStore();
  const created = await s.create(kind, obj('a'), ctx);
  if (E.isRight(created)) created.right.metadata.name = 'changed';
  const got = await s.get(kind, 'default', 'a');
  t.equal(got?.metadata.name, 'a');
});

t.test('watch replays changes after a resourceVersion, then follows live ones', async (t) => {
  const s = new MemoryStore();
  const first = rv(await s.create(kind, obj('a'), ctx));
  await s.create(kind, obj('b', 'other'), ctx);
  await s.update(kind, obj('a', 'default', 3), first, ctx);
  const ac = new AbortController();
  const w = await s.watch(kind, 'default', first, ac.signal);
  if (E.isLeft(w)) throw new Error('expired');
  const pending = take(w.right, 2);
  await s.delete(kind, 'default', 'a', { options: {} }, ctx);
  const events = await pending;
  t.same(events.map((e) => [e.type, e.object.metadata.name]), [['MODIFIED', 'a'], ['DELETED', 'a']], 'namespace filtered, in order');
  ac.abort();
});

t.test('list then watch from its resourceVersion loses nothing', async (t) => {
  const s = new MemoryStore();
  await s.create(kind, obj('a'), ctx);
  const snapshot = await s.list(kind, undefined);
  await s.create(kind, obj('b'), ctx);
  const ac = new AbortController();
  const w = await s.watch(kind, undefined, snapshot.resourceVersion, ac.signal);
  if (E.isLeft(w)) throw new Error('expired');
  t.same((await take(w.right, 1)).map((e) => e.object.metadata.name), ['b']);
  ac.abort();
});

t.test('a watch older than the window is Expired', async (t) => {
  const s = new MemoryStore({ watchWindow: 2 });
  const a = rv(await s.create(kind, obj('a'), ctx));
  await s.create(kind, obj('b'), ctx);
  await s.create(kind, obj('c'), ctx);
  const ac = new AbortController();
  const old = await s.watch(kind, undefined, String(Number(a) - 1), ac.signal);
  t.match(old, { _tag: 'Left', left: { _tag: 'Expired', requested: String(Number(a) - 1), oldest: a } });
  t.ok(E.isRight(await s.watch(kind, undefined, a, ac.signal)), 'the window still holds what follows a');
  ac.abort();
});

t.test('aborting ends the watch', async (t) => {
  const s = new MemoryStore();
  const ac = new AbortController();
  const w = await s.watch(kind, undefined, s.resourceVersion, ac.signal);
  if (E.isLeft(w)) throw new Error('expired');
  const all = take(w.right, 10);
  ac.abort();
  t.same(await all, []);
});
