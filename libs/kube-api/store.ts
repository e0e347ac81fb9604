// The storage contract behind the API handler; the federation (event log) and the simulator (memory) implement it.
import type { Either } from 'fp-ts/lib/Either.js';
import type { DeleteOptions, KubeObject } from './object.js';
import type { StorageKind } from './resources.js';

/** Who caused a write; stores record it (the federation's event envelope carries actor and correlationId). */
export interface WriteContext {
  readonly actor: string;
  readonly correlationId: string;
  readonly fieldManager?: string;
}

export type StoreError =
  | { readonly _tag: 'NotFound' }
  | { readonly _tag: 'AlreadyExists' }
  /** The stored resourceVersion is not the expected one (someone wrote in between). */
  | { readonly _tag: 'Conflict' }
  /** The backend cannot serve the request now (answered 503). */
  | { readonly _tag: 'Unavailable'; readonly message: string };

/** A watch starting before what the store still keeps; the client must list again (410 Expired). */
export interface WatchExpired {
  readonly _tag: 'Expired';
  readonly requested: string;
  /** The oldest resourceVersion a watch can still start from. */
  readonly oldest: string;
}

export interface StoreEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The object after the change; for DELETED its last state carrying the deletion's resourceVersion. */
  readonly object: KubeObject;
}

export interface DeleteRequest {
  /** Delete only if the stored object still has this resourceVersion (else Conflict). */
  readonly expectedResourceVersion?: string;
  readonly options: DeleteOptions;
}

/**
 * Storage of Kubernetes objects, keyed by storage kind (canonical group and kind, so aliases share objects),
 * namespace ('' for cluster-scoped kinds) and name.
 *
 * Contract:
 * - The store assigns `metadata.resourceVersion` on every write: a decimal string from ONE strictly
 *   increasing sequence per server (across all kinds). Everything else in the object is stored as given;
 *   uid, timestamps, generation, managedFields and validation are the handler's job.
 * - Objects returned are the caller's to keep; later writes never mutate them.
 * - `list` returns a consistent snapshot and the sequence position it reflects; `watch` from that position
 *   then delivers every later change exactly once, in order (list-then-watch loses nothing).
 * - `watch` delivers changes with resourceVersion strictly greater than `fromResourceVersion`, first those
 *   already stored, then live ones, until `signal` aborts (then the iterable ends). It answers Expired when
 *   changes after `fromResourceVersion` are no longer kept. Watchers may share the objects of a change:
 *   they read them and never change them.
 */
export interface Store {
  get(kind: StorageKind, namespace: string, name: string): Promise<KubeObject | undefined>;
  /** namespace undefined: all namespaces. */
  list(kind: StorageKind, namespace: string | undefined): Promise<{ readonly items: readonly KubeObject[]; readonly resourceVersion: string }>;
  create(kind: StorageKind, obj: KubeObject, ctx: WriteContext): Promise<Either<StoreError, KubeObject>>;
  /** Replaces the object if its stored resourceVersion is `expectedResourceVersion`. */
  update(kind: StorageKind, obj: KubeObject, expectedResourceVersion: string, ctx: WriteContext): Promise<Either<StoreError, KubeObject>>;
  /** Removes the object and answers its last state with the deletion's resourceVersion. */
  delete(kind: StorageKind, namespace: string, name: string, req: DeleteRequest, ctx: WriteContext): Promise<Either<StoreError, KubeObject>>;
  watch(kind: StorageKind, namespace: string | undefined, fromResourceVersion: string, signal: AbortSignal): Promise<Either<WatchExpired, AsyncIterable<StoreEvent>>>;
}
