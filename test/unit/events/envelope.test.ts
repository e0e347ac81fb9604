// Event envelope, stream names and event payload codecs.
import t from 'tap';
import * as E from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { EventEnvelope, comparePositions } from '../../../libs/events/envelope.js';
import { objectStream, parseObjectStream } from '../../../libs/events/streams.js';
import { decodeKnownEvent } from '../../../libs/events/types.js';

const base = {
  id: 'e1', type: 'ObjectDeleted', time: '2026-01-01T00:00:00Z', correlationId: 'c1', causationId: null,
  actor: 'admin', stream: 'object:apps/ReplicaSet/default/nginx', version: 2, position: '17',
  data: { ref: { group: 'apps', kind: 'ReplicaSet', namespace: 'default', name: 'nginx' }, uid: 'u1', propagationPolicy: 'Orphan' },
};

t.test('envelope decodes a complete event and names missing fields', async (t) => {
  t.ok(E.isRight(EventEnvelope.decode(base)));
  const { correlationId: _c, ...noCorrelation } = base;
  const bad = EventEnvelope.decode({ ...noCorrelation, version: 'two' });
  t.ok(E.isLeft(bad));
  const report = PathReporter.report(bad).join('\n');
  t.match(report, /correlationId/);
  t.match(report, /version/);
});

t.test('known event payloads are checked against their codec; unknown types pass through', async (t) => {
  const ok = decodeKnownEvent(base);
  t.ok(E.isRight(ok) && ok.right?.type === 'ObjectDeleted');
  const bad = decodeKnownEvent({ ...base, data: { ...base.data, propagationPolicy: 'Sideways' } });
  t.ok(E.isLeft(bad));
  t.match(PathReporter.report(bad).join(''), /propagationPolicy/);
  t.same(decodeKnownEvent({ ...base, type: 'SomethingNew' }), E.right(undefined));
});

t.test('object stream names round-trip, core group and cluster scope included', async (t) => {
  const refs = [
    { group: 'apps', kind: 'ReplicaSet', namespace: 'default', name: 'nginx' },
    { group: '', kind: 'Secret', namespace: 'kfed-system', name: 'new-york' },
    { group: 'federation', kind: 'Cluster', namespace: '', name: 'berlin' },
  ];
  for (const ref of refs) t.same(parseObjectStream(objectStream(ref)), ref);
  t.equal(parseObjectStream('cluster:berlin'), undefined);
});

t.test('positions compare numerically', async (t) => {
  t.ok(comparePositions('9', '10') < 0);
  t.ok(comparePositions('10', '9') > 0);
  t.equal(comparePositions('42', '42'), 0);
  t.ok(comparePositions('100', '101') < 0);
});
