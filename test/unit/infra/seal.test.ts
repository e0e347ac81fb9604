// Sealing round-trips, binds its context, and rejects tampering and wrong keys without leaking.
import t from 'tap';
import * as E from 'fp-ts/lib/Either.js';
import { createSealer, generateKey } from '../../../libs/infra/crypto/seal.js';

const sealerOf = (key: string) => {
  const s = createSealer(key);
  if (E.isLeft(s)) throw new Error(s.left.message);
  return s.right;
};

t.test('round trip, fresh IV each time', async (t) => {
  const s = sealerOf(generateKey());
  const a = s.seal('top secret', 'core/Secret/ns/x');
  const b = s.seal('top secret', 'core/Secret/ns/x');
  t.not(a, b);
  t.notMatch(a, /top secret/);
  t.same(s.unseal(a, 'core/Secret/ns/x'), E.right('top secret'));
});

t.test('wrong context, wrong key, tampering and garbage are errors that reveal nothing', async (t) => {
  const key = generateKey();
  const s = sealerOf(key);
  const sealed = s.seal('hunter2', 'ctx-a');
  const cases = [
    s.unseal(sealed, 'ctx-b'),
    sealerOf(generateKey()).unseal(sealed, 'ctx-a'),
    s.unseal(sealed.slice(0, -4) + 'AAAA', 'ctx-a'),
    s.unseal('k1:AAAA', 'ctx-a'),
    s.unseal('plain', 'ctx-a'),
  ];
  for (const r of cases) {
    t.ok(E.isLeft(r));
    if (E.isLeft(r)) {
      t.notMatch(r.left.message, /hunter2/);
      t.notMatch(r.left.message, new RegExp(key.slice(0, 10).replace(/[+/]/g, '.')));
    }
  }
});

t.test('a key of the wrong size is refused', async (t) => {
  const r = createSealer(Buffer.alloc(16).toString('base64'));
  t.ok(E.isLeft(r));
  t.match(E.isLeft(r) ? r.left.message : '', /32 bytes/);
});
