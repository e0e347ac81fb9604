// JSON value helpers: deep copies share nothing with their input and keep every key as data.
import t from 'tap';
import { cloneJson, deepEqual } from '../../../libs/kube-api/json-value.js';

t.test('cloneJson copies every level; changing the copy leaves the original as it was', async (t) => {
  const original = { metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 2, containers: [{ name: 'c', ports: [80, 443] }] }, n: null, ok: true };
  const copy = cloneJson(original);
  t.same(copy, original);
  t.not(copy.metadata, original.metadata);
  t.not(copy.spec.containers[0], original.spec.containers[0]);
  copy.metadata.labels.app = 'changed';
  copy.spec.containers[0]?.ports.push(8080);
  t.equal(original.metadata.labels.app, 'web');
  t.same(original.spec.containers[0]?.ports, [80, 443]);
});

t.test('a "__proto__" key from JSON stays an own data key and never becomes the prototype', async (t) => {
  const parsed = JSON.parse('{"metadata":{"__proto__":{"polluted":true},"name":"x"}}') as { metadata: Record<string, unknown> };
  const copy = cloneJson(parsed);
  t.equal(Object.getPrototypeOf(copy.metadata), Object.prototype);
  t.same(Object.keys(copy.metadata), ['__proto__', 'name']);
  t.equal((copy.metadata as { polluted?: unknown }).polluted, undefined);
  t.ok(deepEqual(copy, parsed));
  t.equal(JSON.stringify(copy), JSON.stringify(parsed));
});
