// The gate bounds how much async work runs at once and lets the waiting work in first come, first served.
import t from 'tap';
import { createGate } from '../../../libs/infra/lifecycle/gate.js';

t.test('at most `limit` run at once; the others start in arrival order as slots free', async (t) => {
  const gate = createGate(2);
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const release: (() => void)[] = [];
  const jobs = [0, 1, 2, 3, 4].map((i) => gate(async () => {
    started.push(i);
    running += 1;
    peak = Math.max(peak, running);
    await new Promise<void>((r) => release.push(r));
    running -= 1;
    return i * 10;
  }));
  await new Promise((r) => setImmediate(r));
  t.same(started, [0, 1], 'two started, three wait');
  release.shift()?.();
  await new Promise((r) => setImmediate(r));
  t.same(started, [0, 1, 2], 'the first waiting took the freed slot');
  while (release.length > 0 || started.length < 5) {
    release.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  t.same(await Promise.all(jobs), [0, 10, 20, 30, 40]);
  t.equal(peak, 2);
});

t.test('work that fails frees its slot and rejects only its own caller', async (t) => {
  const gate = createGate(1);
  const failing = gate(async () => { throw new Error('member said no'); });
  const next = gate(async () => 'ran');
  await t.rejects(failing, /member said no/);
  t.equal(await next, 'ran');
  t.equal(await gate(async () => 'still open'), 'still open');
});
