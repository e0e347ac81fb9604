// Fault state changes: each action's effect, value checks, close-watches as an act that changes nothing.
import * as E from 'fp-ts/lib/Either.js';
import t from 'tap';
import { applyFault, noFaults, type FaultRequest, type FaultState } from '../../../libs/simulator/faults.js';

t.test('applyFault', async (t) => {
  const cases: [FaultRequest, E.Either<RegExp, FaultState>][] = [
    [{ action: 'offline' }, E.right({ ...noFaults, offline: true })],
    [{ action: 'unhealthy' }, E.right({ ...noFaults, unhealthy: true })],
    [{ action: 'latency', value: 250 }, E.right({ ...noFaults, latencyMs: 250 })],
    [{ action: 'latency', value: 0 }, E.right(noFaults)],
    [{ action: 'latency', value: 1.5 }, E.left(/whole number/)],
    [{ action: 'latency' }, E.left(/whole number/)],
    [{ action: 'write-errors', value: 0.25 }, E.right({ ...noFaults, writeErrorFraction: 0.25 })],
    [{ action: 'write-errors', value: 1.5 }, E.left(/between 0 and 1/)],
    [{ action: 'close-watches' }, E.right(noFaults)],
  ];
  for (const [req, want] of cases) {
    const got = applyFault(noFaults, req);
    if (E.isLeft(want)) t.ok(E.isLeft(got) && want.left.test(got.left), `${JSON.stringify(req)} rejected`);
    else t.same(got, want, JSON.stringify(req));
  }
  const broken: FaultState = { offline: true, unhealthy: true, latencyMs: 5, writeErrorFraction: 1 };
  t.same(applyFault(broken, { action: 'online' }), E.right({ ...broken, offline: false }));
  t.same(applyFault(broken, { action: 'healthy' }), E.right({ ...broken, unhealthy: false }));
});
