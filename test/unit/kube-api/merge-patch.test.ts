import t from 'tap';
import { applyMergePatch } from '../../../libs/kube-api/patch.js';

// RFC 7386 Appendix A, verbatim.
const cases: [unknown, unknown, unknown][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

t.test('RFC 7386 examples', async (t) => {
  for (const [target, patch, expected] of cases) {
    t.strictSame(applyMergePatch(target, patch), expected, `${JSON.stringify(target)} + ${JSON.stringify(patch)}`);
  }
});

t.test('kubectl label removal and inputs left untouched', async (t) => {
  const target = { metadata: { name: 'x', labels: { tier: 'web', app: 'a' } }, spec: { replicas: 1 } };
  const patch = { metadata: { labels: { tier: null } } };
  const before = structuredClone(target);
  const result = applyMergePatch(target, patch) as typeof target;
  t.strictSame(result, { metadata: { name: 'x', labels: { app: 'a' } }, spec: { replicas: 1 } });
  t.strictSame(target, before);
  result.spec.replicas = 9;
  t.equal(target.spec.replicas, 1, 'the result shares no structure with the target');
});
