import t from 'tap';
import * as E from 'fp-ts/lib/Either.js';
import { applyJsonPatch } from '../../../libs/kube-api/patch.js';

// RFC 6902 Appendix A examples that succeed.
const ok: [string, unknown, unknown[], unknown][] = [
  ['A.1 add an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
  ['A.2 add an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
  ['A.3 remove an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
  ['A.4 remove an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
  ['A.5 replace a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
  ['A.6 move a value', { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
    [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }], { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } }],
  ['A.7 move an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }],
    { foo: ['all', 'cows', 'eat', 'grass'] }],
  ['A.8 test a value: success', { baz: 'qux', foo: ['a', 2, 'c'] },
    [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }], { baz: 'qux', foo: ['a', 2, 'c'] }],
  ['A.10 add a nested member object', { foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }],
    { foo: 'bar', child: { grandchild: {} } }],
  ['A.11 ignore unrecognized elements', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }], { foo: 'bar', baz: 'qux' }],
  ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
  ['A.16 add an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
  ['copy', { a: { b: 1 } }, [{ op: 'copy', from: '/a', path: '/c' }], { a: { b: 1 }, c: { b: 1 } }],
  ['replace keeps key order', { a: 1, b: 2 }, [{ op: 'replace', path: '/a', value: 3 }], { a: 3, b: 2 }],
  ['kubectl-style scale', { spec: { replicas: 1 } }, [{ op: 'replace', path: '/spec/replicas', value: 4 }], { spec: { replicas: 4 } }],
];

const fails: [string, unknown, unknown, 400 | 422, string][] = [
  ['A.9 test a value: error', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], 422, 'testing value /baz failed: test failed'],
  ['A.12 add to a nonexistent target', { foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }], 422,
    'add operation does not apply: doc is missing path: "/baz/bat": missing value'],
  ['A.15 comparing strings and numbers', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }], 422, 'testing value /~01 failed: test failed'],
  ['remove a missing key', { spec: {} }, [{ op: 'remove', path: '/spec/x' }], 422,
    "error in remove for path: '/spec/x': Unable to remove nonexistent key: x: missing value"],
  ['replace a missing key', { spec: {} }, [{ op: 'replace', path: '/spec/x', value: 1 }], 422,
    'replace operation does not apply: doc is missing key: /spec/x: missing value'],
  ['index out of range', { a: [1] }, [{ op: 'add', path: '/a/5', value: 1 }], 422,
    "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced"],
  ['move from a missing path', { a: 1 }, [{ op: 'move', from: '/b', path: '/c' }], 422, 'move operation does not apply: doc is missing from path: /b: missing value'],
  ['not a list of operations', {}, { op: 'add' }, 400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
  ['unknown op', {}, [{ op: 'frobnicate', path: '/a' }], 400, 'invalid JSON patch operation 0: unknown op "frobnicate"'],
  ['add without a value', {}, [{ op: 'add', path: '/a' }], 400, 'invalid JSON patch operation 0: "add" needs a "value"'],
  ['path is not a pointer', {}, [{ op: 'remove', path: 'a' }], 400, 'invalid JSON patch operation 0: "path" must be a JSON pointer'],
];

t.test('RFC 6902 operations that apply', async (t) => {
  for (const [name, doc, ops, expected] of ok) {
    const before = structuredClone(doc);
    t.strictSame(applyJsonPatch(doc, ops), E.right(expected), name);
    t.strictSame(doc, before, `${name}: input untouched`);
  }
});

t.test('RFC 6902 failures: malformed document 400, failing operation 422', async (t) => {
  for (const [name, doc, ops, code, message] of fails) {
    t.strictSame(applyJsonPatch(doc, ops), E.left({ _tag: 'PatchError', code, message }), name);
  }
});

t.test('a failing operation leaves no partial result', async (t) => {
  const doc = { a: 1 };
  const r = applyJsonPatch(doc, [{ op: 'add', path: '/b', value: 2 }, { op: 'test', path: '/a', value: 2 }]);
  t.ok(E.isLeft(r));
  t.strictSame(doc, { a: 1 });
});
