// Redis key layout: one hash tag per federation, distinct keys per purpose.
import t from 'tap';
import { redisKeys } from '../../../libs/infra/redis/keys.js';

t.test('every key of a federation carries the federation hash tag', async (t) => {
  const k = redisKeys('fed-1');
  const all = [k.log, k.position, k.stream('object:apps/ReplicaSet/default/nginx'), k.lease('scheduler-0'), k.record('syncer', 'cursor')];
  for (const key of all) t.match(key, /^kfed:\{fed-1\}:/, key);
  t.equal(new Set(all).size, all.length, 'distinct');
  t.equal(k.all, 'kfed:{fed-1}:*');
});

t.test('federations do not share keys', async (t) => {
  t.not(redisKeys('a').log, redisKeys('b').log);
  t.not(redisKeys('a').stream('x'), redisKeys('ab').stream('x'));
});

t.test('a federation id must be a DNS-1123 label', async (t) => {
  for (const bad of ['', 'Fed', 'a}b', 'a{b', '-a', 'a-', 'a.b', 'a'.repeat(64)]) {
    t.throws(() => redisKeys(bad), /DNS-1123/, JSON.stringify(bad));
  }
  t.doesNotThrow(() => redisKeys('a'.repeat(63)));
});
