// The federation's read model: every federated object as served, folded from the log.
// The API server lists, gets and watches from it; the other services plan and sync from it.
import { comparePositions, type EventEnvelope } from '../events/envelope.js';
import type { Projection } from '../events/projection.js';
import { parseObjectStream, type ObjectRef } from '../events/streams.js';
import type { KubeObject } from '../kube-api/object.js';

/** A live object and the identity it is stored under. */
export interface StoredObject {
  readonly object: KubeObject;
  readonly ref: ObjectRef;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change of a served object, in log order: what watches replay. */
export interface Change {
  readonly position: string;
  readonly kind: string;
  readonly namespace: string;
  readonly type: ChangeType;
  readonly object: KubeObject;
}

export interface FederationState {
  /** Live objects by stream name. Objects are values: a change replaces them, never mutates. */
  readonly objects: Map<string, StoredObject>;
  /** Streams of live objects per kind key ("apps/ReplicaSet", "/Secret"). */
  readonly byKind: Map<string, Set<string>>;
  /** Version of every object stream seen, deleted objects included (a re-create appends after it). */
  readonly versions: Map<string, number>;
  /** The most recent changes, oldest first, at most `changeWindow` of them. */
  readonly changes: Change[];
  /** Position of the last event folded in. */
  position: string;
  /** Position of the oldest change a watch can still resume after (older ones are gone). */
  oldestResumable: string;
  /** Sealed values that failed to open (wrong key): such Secrets are served without data. */
  unsealFailures: number;
}

export const kindKey = (ref: { readonly group: string; readonly kind: string }): string => `${ref.group}/${ref.kind}`;

/** How the status of a federated object follows from an event of another service (placement, health ...). */
export type StatusContribution = (object: KubeObject, data: unknown, ref: ObjectRef) => KubeObject | undefined;

export interface FederationStateOptions {
  /** Opens a sealed value (Secret data) for the stream it belongs to; undefined when it does not open. */
  readonly unseal: (sealed: string, context: string) => string | undefined;
  /** Event types other than ObjectApplied/ObjectDeleted that change a served object's status. */
  readonly contributions?: Readonly<Record<string, StatusContribution>>;
  /** How many recent changes are kept for watches to resume from (default 10,000; services that serve no watches keep none). */
  readonly changeWindow?: number;
}

function withVersion(object: KubeObject, position: string): KubeObject {
  return { ...object, metadata: { ...object.metadata, resourceVersion: position } };
}

export function federationState(options: FederationStateOptions): Projection<FederationState> {
  const window = options.changeWindow ?? 10_000;
  const contributions = options.contributions ?? {};

  const record = (s: FederationState, change: Change): void => {
    s.changes.push(change);
    if (s.changes.length > window * 2) {
      // Trim in bulk: amortised O(1) per change instead of a shift per change.
      const dropped = s.changes.splice(0, s.changes.length - window);
      s.oldestResumable = (dropped[dropped.length - 1] as Change).position;
    }
  };

  const put = (s: FederationState, stream: string, ref: ObjectRef, object: KubeObject, position: string, type: ChangeType): void => {
    s.objects.set(stream, { object, ref });
    const key = kindKey(ref);
    let streams = s.byKind.get(key);
    if (streams === undefined) s.byKind.set(key, (streams = new Set()));
    streams.add(stream);
    record(s, { position, kind: key, namespace: ref.namespace, type, object });
  };

  return {
    name: 'federation-state',
    initial: () => ({
      objects: new Map(), byKind: new Map(), versions: new Map(), changes: [], position: '0', oldestResumable: '0', unsealFailures: 0,
    }),
    evolve(s, e: EventEnvelope) {
      s.position = e.position;
      const ref = parseObjectStream(e.stream);
      if (ref === undefined) return s;
      s.versions.set(e.stream, e.version);
      const current = s.objects.get(e.stream);
      if (e.type === 'ObjectApplied') {
        const data = e.data as { object?: KubeObject; sealed?: string };
        if (data.object === undefined) return s;
        let object = withVersion(data.object, e.position);
        if (data.sealed !== undefined) {
          const opened = options.unseal(data.sealed, e.stream);
          if (opened === undefined) s.unsealFailures++;
          else object = { ...object, data: JSON.parse(opened) as unknown };
        }
        put(s, e.stream, ref, object, e.position, current === undefined ? 'ADDED' : 'MODIFIED');
      } else if (e.type === 'ObjectDeleted') {
        if (current === undefined) return s;
        s.objects.delete(e.stream);
        s.byKind.get(kindKey(ref))?.delete(e.stream);
        record(s, { position: e.position, kind: kindKey(ref), namespace: ref.namespace, type: 'DELETED', object: withVersion(current.object, e.position) });
      } else {
        const contribute = contributions[e.type];
        const next = current === undefined || contribute === undefined ? undefined : contribute(current.object, e.data, ref);
        if (next !== undefined) put(s, e.stream, ref, withVersion(next, e.position), e.position, 'MODIFIED');
      }
      return s;
    },
  };
}

/** Live objects of one kind, optionally in one namespace. */
export function objectsOfKind(s: FederationState, kind: string, namespace?: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const stream of s.byKind.get(kind) ?? []) {
    const stored = s.objects.get(stream);
    if (stored !== undefined && (namespace === undefined || stored.ref.namespace === namespace)) out.push(stored.object);
  }
  return out;
}

/** Index of the first change after `position` (changes are in position order). */
export function changesAfter(s: FederationState, position: string): number {
  let lo = 0;
  let hi = s.changes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (comparePositions((s.changes[mid] as Change).position, position) > 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
