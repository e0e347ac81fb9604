// What a member should hold for each federated object, from the log as the syncer folds it, and the step that gets it there.
import t from 'tap';
import { fold } from '../../../libs/events/projection.js';
import type { EventEnvelope } from '../../../libs/events/envelope.js';
import { objectStream, type ObjectRef } from '../../../libs/events/streams.js';
import type { KubeObject } from '../../../libs/kube-api/object.js';
import { desiredFor, planSync, type Desired } from '../../../libs/sync/desired.js';
import { ADOPT_ANNOTATION, MANAGED_BY_LABEL, ORPHAN_ANNOTATION, render } from '../../../libs/sync/render.js';
import { keptCopy, keptPod } from '../../../libs/sync/kinds.js';
import { isUnschedulable } from '../../../libs/sync/member-status.js';
import { syncView, type SyncView } from '../../../libs/sync/view.js';
import { articleReplicaSet, replicaSet, rsRef } from '../../support/federation-objects.js';

const F = 'kfed';
const view = syncView({ unseal: () => undefined });
let position = 0;
const versions = new Map<string, number>();

function event(ref: ObjectRef, type: string, data: unknown): EventEnvelope {
  const stream = objectStream(ref);
  const version = (versions.get(stream) ?? 0) + 1;
  versions.set(stream, version);
  position++;
  return { id: `e${position}`, type, stream, version, position: String(position), time: '2024-05-01T10:00:00Z', correlationId: 'c', causationId: null, actor: 'test', data };
}
const applied = (ref: ObjectRef, object: KubeObject): EventEnvelope => event(ref, 'ObjectApplied', { ref, object });
const placed = (ref: ObjectRef, placement: Record<string, number>): EventEnvelope => event(ref, 'PlacementDecided', { ref, placement });
const deleted = (ref: ObjectRef, propagationPolicy: string): EventEnvelope => event(ref, 'ObjectDeleted', { ref, uid: 'u', propagationPolicy });

const after = (...events: EventEnvelope[]): SyncView => fold(view, events);
const stream = objectStream(rsRef());
const tag = (d: Desired): string => d._tag;

t.test('desired state per cluster follows the placement, deletion and the orphan annotation', async (t) => {
  const rs = articleReplicaSet(10, { berlin: 1, 'new-york': 1 });
  const s = after(applied(rsRef(), rs), placed(rsRef(), { berlin: 5, 'new-york': 5 }));
  const d = desiredFor(s, stream, 'berlin', F);
  t.equal(d._tag, 'Present');
  if (d._tag === 'Present') t.same(d.object, render({ object: s.federation.objects.get(stream)?.object as KubeObject, ref: rsRef() }, 5, F));
  t.same([...(s.byCluster.get('berlin') ?? [])], [stream]);

  fold(view, [placed(rsRef(), { 'new-york': 10 })], s);
  t.equal(tag(desiredFor(s, stream, 'berlin', F)), 'Absent', 'no longer placed: the copy goes');
  t.equal(s.byCluster.get('berlin'), undefined);

  fold(view, [applied(rsRef(), replicaSet(10, { [ORPHAN_ANNOTATION]: 'true' }))], s);
  t.equal(tag(desiredFor(s, stream, 'berlin', F)), 'Kept', 'orphan annotation: the copy stays');

  fold(view, [deleted(rsRef(), 'Background')], s);
  t.equal(tag(desiredFor(s, stream, 'new-york', F)), 'Released', 'deleted with the orphan annotation: copies are let go');
  t.equal(s.placements.get(stream), undefined);

  fold(view, [applied(rsRef(), rs), placed(rsRef(), { berlin: 10 })], s);
  t.equal(tag(desiredFor(s, stream, 'berlin', F)), 'Present', 'created again');
  fold(view, [deleted(rsRef(), 'Background')], s);
  t.equal(tag(desiredFor(s, stream, 'berlin', F)), 'Absent', 'cascade by default');
  fold(view, [applied(rsRef(), rs), placed(rsRef(), { berlin: 10 }), deleted(rsRef(), 'Orphan')], s);
  t.equal(tag(desiredFor(s, stream, 'berlin', F)), 'Released', 'propagationPolicy Orphan');
});

t.test('clusters with the same share get one rendered copy; a new version or share renders anew', async (t) => {
  const ref = { ...rsRef(), name: 'shared' };
  const shared = objectStream(ref);
  const s = after(applied(ref, replicaSet(10, {}, 1, 'shared')), placed(ref, { berlin: 5, 'new-york': 5, paris: 0 }));
  const berlin = desiredFor(s, shared, 'berlin', F);
  const newYork = desiredFor(s, shared, 'new-york', F);
  const paris = desiredFor(s, shared, 'paris', F);
  if (berlin._tag !== 'Present' || newYork._tag !== 'Present' || paris._tag !== 'Present') throw new Error('expected copies in all three');
  t.equal(berlin.object, newYork.object, 'the same share: the same copy');
  t.not(paris.object, berlin.object, 'another share: another copy');
  t.equal((paris.object['spec'] as { replicas: number }).replicas, 0);
  t.same(berlin.object, render(s.federation.objects.get(shared) as { object: KubeObject; ref: ObjectRef }, 5, F), 'what render makes');

  fold(view, [applied(ref, replicaSet(10, { note: 'v2' }, 2, 'shared'))], s);
  const changed = desiredFor(s, shared, 'berlin', F);
  if (changed._tag !== 'Present') throw new Error('expected a copy');
  t.not(changed.object, berlin.object, 'a new version of the object renders anew');
  t.equal(changed.object.metadata.annotations?.['note'], 'v2');
  t.equal(desiredFor(s, shared, 'berlin', 'other-federation')._tag === 'Present'
    && (desiredFor(s, shared, 'berlin', 'other-federation') as Extract<Desired, { _tag: 'Present' }>).object.metadata.labels?.[MANAGED_BY_LABEL], 'other-federation', 'per federation');
});

t.test('control-plane objects are never propagated', async (t) => {
  const secret: ObjectRef = { group: '', kind: 'Secret', namespace: 'kfed-system', name: 'berlin' };
  const s = after(applied(secret, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'berlin', namespace: 'kfed-system' } }), placed(secret, { berlin: 0 }));
  t.equal(tag(desiredFor(s, objectStream(secret), 'berlin', F)), 'Never');
  t.equal(tag(desiredFor(s, 'cluster:berlin', 'berlin', F)), 'Never');
});

t.test('planSync: one step from what the member holds to what is desired', async (t) => {
  const object = render({ object: articleReplicaSet(10, { berlin: 1 }), ref: rsRef() }, 5, F);
  const ours: KubeObject = { ...object, metadata: { ...object.metadata, uid: 'u1' } };
  const unmanaged: KubeObject = { ...object, metadata: { name: 'nginx', namespace: 'default', uid: 'u2', labels: { app: 'nginx' } } };
  const otherFederation: KubeObject = { ...ours, metadata: { ...ours.metadata, labels: { [MANAGED_BY_LABEL]: 'other' } } };
  const edited: KubeObject = { ...ours, spec: { ...(ours['spec'] as object), replicas: 7 } };
  const present: Desired = { _tag: 'Present', object, adopt: false };
  const adopt: Desired = { _tag: 'Present', object, adopt: true };
  const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', uid: 'n' } };
  const cases: [string, Desired, KubeObject | undefined, string][] = [
    ['nothing there', present, undefined, 'Create'],
    ['ours, in sync', present, ours, 'InSync'],
    ['ours, edited in the member', present, edited, 'Apply'],
    ['unmanaged object in the way', present, unmanaged, 'Blocked'],
    ['another federation\'s copy in the way', present, otherFederation, 'Blocked'],
    ['unmanaged, adoption asked', adopt, unmanaged, 'Apply'],
    ['an existing unmanaged namespace serves', { _tag: 'Present', object: { ...ns, metadata: { name: 'default' } }, adopt: false }, ns, 'InSync'],
    ['absent: delete ours', { _tag: 'Absent' }, ours, 'Delete'],
    ['absent: never an unmanaged one', { _tag: 'Absent' }, unmanaged, 'InSync'],
    ['released: let go of ours', { _tag: 'Released' }, ours, 'Release'],
    ['kept', { _tag: 'Kept' }, ours, 'InSync'],
    ['never', { _tag: 'Never', why: 'x' }, ours, 'InSync'],
  ];
  for (const [name, desired, live, want] of cases) t.equal(planSync(desired, live, F)._tag, want, name);
  const blocked = planSync(present, unmanaged, F);
  if (blocked._tag === 'Blocked') {
    t.equal(blocked.why.reason, 'AlreadyExists');
    t.match(blocked.why.message, ADOPT_ANNOTATION);
  }
  const del = planSync({ _tag: 'Absent' }, ours, F);
  t.same(del, { _tag: 'Delete', uid: 'u1' });
});

t.test('what a syncer keeps of member objects', async (t) => {
  const copy: KubeObject = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '7', labels: { [MANAGED_BY_LABEL]: F }, managedFields: [{ manager: 'kfed-syncer', operation: 'Apply' }] },
    spec: { replicas: 3 }, status: { replicas: 3, readyReplicas: 2 },
  };
  const kept = keptCopy(copy);
  t.equal(kept.metadata.managedFields, undefined, 'managedFields dropped');
  t.same({ ...kept, metadata: { ...kept.metadata, managedFields: copy.metadata.managedFields } }, copy, 'everything else kept');
  t.ok(copy.metadata.managedFields, 'the original is untouched');
  const bare = { ...copy, metadata: { name: 'web' } };
  t.equal(keptCopy(bare), bare, 'nothing to drop: the same object');

  const pod: KubeObject = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' }, resourceVersion: '9', uid: 'p1', managedFields: [{ manager: 'kubelet' }] },
    spec: { containers: [{ name: 'web', image: 'nginx' }] },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
  };
  t.same(keptPod(pod), {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' }, resourceVersion: '9', uid: 'p1' },
    status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
  });
  t.ok(isUnschedulable(keptPod(pod)), 'what the syncer reads of a pod survives');
});
