// Wire codecs of the generic Kubernetes objects the API machinery reads and writes.
import * as t from 'io-ts';

const StringMap = t.record(t.string, t.string);

export const OwnerReference = t.intersection([
  t.type({ apiVersion: t.string, kind: t.string, name: t.string, uid: t.string }),
  t.partial({ controller: t.boolean, blockOwnerDeletion: t.boolean }),
]);
export type OwnerReference = t.TypeOf<typeof OwnerReference>;

export const ManagedFieldsEntry = t.partial({
  manager: t.string,
  operation: t.string,
  apiVersion: t.string,
  time: t.string,
  fieldsType: t.string,
  fieldsV1: t.UnknownRecord,
  subresource: t.string,
});
export type ManagedFieldsEntry = t.TypeOf<typeof ManagedFieldsEntry>;

export const ObjectMeta = t.partial({
  name: t.string,
  generateName: t.string,
  namespace: t.string,
  uid: t.string,
  resourceVersion: t.string,
  generation: t.number,
  creationTimestamp: t.string,
  deletionTimestamp: t.string,
  deletionGracePeriodSeconds: t.number,
  labels: StringMap,
  annotations: StringMap,
  finalizers: t.array(t.string),
  ownerReferences: t.array(OwnerReference),
  managedFields: t.array(ManagedFieldsEntry),
});
export type ObjectMeta = t.TypeOf<typeof ObjectMeta>;

/** Any Kubernetes object: typed envelope and metadata, every other field kept as it came. */
export const KubeObject = t.intersection([
  t.type({ apiVersion: t.string, kind: t.string, metadata: ObjectMeta }),
  t.UnknownRecord,
]);
export type KubeObject = t.TypeOf<typeof KubeObject>;

/** A request body before defaulting: kubectl always sends apiVersion and kind, other clients may not. */
export const KubeObjectInput = t.intersection([
  t.partial({ apiVersion: t.string, kind: t.string, metadata: ObjectMeta }),
  t.UnknownRecord,
]);
export type KubeObjectInput = t.TypeOf<typeof KubeObjectInput>;

export const ListMeta = t.partial({ resourceVersion: t.string, continue: t.string, remainingItemCount: t.number });
export type ListMeta = t.TypeOf<typeof ListMeta>;

export const KubeList = t.type({ apiVersion: t.string, kind: t.string, metadata: ListMeta, items: t.array(KubeObject) });
export type KubeList = t.TypeOf<typeof KubeList>;

export const PropagationPolicy = t.keyof({ Background: null, Foreground: null, Orphan: null });
export type PropagationPolicy = t.TypeOf<typeof PropagationPolicy>;

export const DeleteOptions = t.partial({
  apiVersion: t.string,
  kind: t.string,
  propagationPolicy: PropagationPolicy,
  gracePeriodSeconds: t.number,
  orphanDependents: t.boolean,
  dryRun: t.array(t.string),
  preconditions: t.partial({ uid: t.string, resourceVersion: t.string }),
});
export type DeleteOptions = t.TypeOf<typeof DeleteOptions>;

/** autoscaling/v1 Scale: the view of a workload's replica count served at `<name>/scale`. */
export const Scale = t.type({
  apiVersion: t.string,
  kind: t.string,
  metadata: ObjectMeta,
  spec: t.partial({ replicas: t.number }),
  status: t.intersection([t.type({ replicas: t.number }), t.partial({ selector: t.string })]),
});
export type Scale = t.TypeOf<typeof Scale>;

/** The body of a Scale write: status is ignored, spec.replicas may be absent (then unchanged). */
export const ScaleInput = t.intersection([
  t.partial({ apiVersion: t.string, kind: t.string, metadata: ObjectMeta, status: t.unknown }),
  t.type({ spec: t.partial({ replicas: t.number }) }),
]);
export type ScaleInput = t.TypeOf<typeof ScaleInput>;

export const StatusCause = t.partial({ reason: t.string, message: t.string, field: t.string });
export type StatusCause = t.TypeOf<typeof StatusCause>;

export const StatusDetails = t.partial({
  name: t.string,
  group: t.string,
  kind: t.string,
  uid: t.string,
  causes: t.array(StatusCause),
  retryAfterSeconds: t.number,
});
export type StatusDetails = t.TypeOf<typeof StatusDetails>;

export const Status = t.intersection([
  t.type({
    kind: t.literal('Status'),
    apiVersion: t.literal('v1'),
    metadata: t.UnknownRecord,
    status: t.keyof({ Success: null, Failure: null }),
    code: t.number,
  }),
  t.partial({ message: t.string, reason: t.string, details: StatusDetails }),
]);
export type Status = t.TypeOf<typeof Status>;

export const WatchEventType = t.keyof({ ADDED: null, MODIFIED: null, DELETED: null, BOOKMARK: null, ERROR: null });
export type WatchEventType = t.TypeOf<typeof WatchEventType>;

export const WatchEvent = t.type({ type: WatchEventType, object: t.UnknownRecord });
export type WatchEvent = t.TypeOf<typeof WatchEvent>;

export const TableColumnDefinition = t.intersection([
  t.type({ name: t.string, type: t.string }),
  t.partial({ format: t.string, description: t.string, priority: t.number }),
]);
export type TableColumnDefinition = t.TypeOf<typeof TableColumnDefinition>;

export const TableCell = t.union([t.string, t.number, t.boolean, t.null]);
export type TableCell = t.TypeOf<typeof TableCell>;

export const TableRow = t.intersection([
  t.type({ cells: t.array(TableCell) }),
  t.partial({ object: t.UnknownRecord }),
]);
export type TableRow = t.TypeOf<typeof TableRow>;

export const Table = t.type({
  kind: t.literal('Table'),
  apiVersion: t.string,
  metadata: ListMeta,
  columnDefinitions: t.array(TableColumnDefinition),
  rows: t.array(TableRow),
});
export type Table = t.TypeOf<typeof Table>;

/** Timestamps as Kubernetes writes them: RFC 3339 with whole seconds. */
export function formatTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
