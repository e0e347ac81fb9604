// The federation's Store: writes are appends to the event log, reads come from the projection of it.
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { comparePositions, expectVersion, type NewEvent } from '../../libs/events/envelope.js';
import { objectStream, type ObjectRef } from '../../libs/events/streams.js';
import type { EventDataOf, EventType } from '../../libs/events/types.js';
import { changesAfter, kindKey, objectsOfKind, type Change, type FederationState } from '../../libs/federation/state.js';
import type { KubeObject } from '../../libs/kube-api/object.js';
import type { StorageKind } from '../../libs/kube-api/resources.js';
import type { Store, StoreError, StoreEvent, WatchExpired, WriteContext } from '../../libs/kube-api/store.js';
import type { Sealer } from '../../libs/infra/crypto/seal.js';
import type { EventLog } from '../../libs/infra/redis/eventlog.js';
import type { RunningProjection } from '../../libs/infra/redis/projection-runner.js';

export interface EventStoreDeps {
  readonly log: EventLog;
  readonly state: RunningProjection<FederationState>;
  readonly sealer: Sealer;
  readonly clock: () => Date;
  /** How long a write waits for the projection to show it (read-your-writes) or to catch up with another writer. */
  readonly catchUpMs?: number;
  /** A watcher that falls this many changes behind is ended; its client re-watches or relists. */
  readonly maxWatchBacklog?: number;
}

const refOf = (kind: StorageKind, namespace: string, name: string): ObjectRef => ({ group: kind.group, kind: kind.kind, namespace, name });
const isSecret = (ref: ObjectRef): boolean => ref.group === '' && ref.kind === 'Secret';
const unavailable = (message: string): StoreError => ({ _tag: 'Unavailable', message });

/** Attempts at a write that keeps losing races to other writers before it answers 503. */
const maxAttempts = 20;

export function createEventStore(deps: EventStoreDeps): Store {
  const { log, state, sealer, clock } = deps;
  const catchUpMs = deps.catchUpMs ?? 5000;
  const maxBacklog = deps.maxWatchBacklog ?? 50_000;

  const event = <K extends EventType>(type: K, data: EventDataOf<K> & Record<string, unknown>, ctx: WriteContext): NewEvent => ({
    id: randomUUID(), type, time: clock().toISOString(), correlationId: ctx.correlationId, causationId: null, actor: ctx.actor, data,
  });

  /** The event that stores `obj`: no resourceVersion (the log position is it), Secret data sealed. */
  const applied = (ref: ObjectRef, obj: KubeObject, ctx: WriteContext): NewEvent => {
    const { resourceVersion: _rv, ...metadata } = obj.metadata;
    const object: KubeObject = { ...obj, metadata };
    if (!isSecret(ref) || object['data'] === undefined) return event('ObjectApplied', { ref, object }, ctx);
    const { data, ...withoutData } = object;
    return event('ObjectApplied', { ref, object: withoutData as KubeObject, sealed: sealer.seal(JSON.stringify(data), objectStream(ref)) }, ctx);
  };

  /** Resolves once the projection has folded in the stream up to `version` (or the wait times out). */
  const waitForVersion = (stream: string, version: number): Promise<boolean> => {
    if ((state.state().versions.get(stream) ?? 0) >= version) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        unsubscribe();
        resolve(ok);
      };
      const unsubscribe = state.onApplied(() => {
        if ((state.state().versions.get(stream) ?? 0) >= version) done(true);
      });
      const timer = setTimeout(() => done(false), catchUpMs);
    });
  };

  type Decision = E.Either<StoreError, { readonly expected: number; readonly event: NewEvent }>;

  /**
   * Runs a write: `decide` looks at the projection and says what to append at which stream version.
   * When another writer got there first, wait until the projection shows its event and decide again,
   * so a race is a 409 only when the client's precondition really failed.
   */
  const write = async (ref: ObjectRef, decide: () => Decision): Promise<E.Either<StoreError, KubeObject>> => {
    const stream = objectStream(ref);
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const decision = decide();
      if (E.isLeft(decision)) return decision;
      const result = await log.append(stream, expectVersion(decision.right.expected), [decision.right.event]);
      if (E.isLeft(result)) {
        if (!(await waitForVersion(stream, result.left.actual))) return E.left(unavailable('the federation state is catching up with the log; retry'));
        continue;
      }
      const position = result.right.positions[0] as string;
      if (!(await state.waitFor(position, catchUpMs))) return E.left(unavailable('the write was stored but is not yet visible; retry the read'));
      const now = state.state();
      const stored = now.objects.get(stream)?.object;
      if (stored !== undefined) return E.right(stored);
      // A deletion: answer the last state at the deletion's resourceVersion.
      const deleted = now.changes[changesAfter(now, String(BigInt(position) - 1n))];
      return deleted !== undefined && deleted.position === position ? E.right(deleted.object) : E.left({ _tag: 'NotFound' });
    }
    return E.left(unavailable(`too many concurrent writers on ${stream}`));
  };

  /** A precondition naming a version this replica has not folded in yet may be another replica's write. */
  const caughtUpTo = async (resourceVersion: string | undefined): Promise<void> => {
    if (resourceVersion !== undefined && /^[0-9]+$/.test(resourceVersion) && comparePositions(resourceVersion, state.position()) > 0) {
      await state.waitFor(resourceVersion, catchUpMs);
    }
  };

  const live = (ref: ObjectRef) => state.state().objects.get(objectStream(ref));
  const versionOf = (ref: ObjectRef): number => state.state().versions.get(objectStream(ref)) ?? 0;

  return {
    async get(kind, namespace, name) {
      return live(refOf(kind, namespace, name))?.object;
    },
    async list(kind, namespace) {
      const s = state.state();
      return { items: objectsOfKind(s, kindKey(kind), namespace), resourceVersion: s.position };
    },
    create(kind, obj, ctx) {
      const ref = refOf(kind, obj.metadata.namespace ?? '', obj.metadata.name ?? '');
      return write(ref, () => (live(ref) !== undefined
        ? E.left({ _tag: 'AlreadyExists' })
        : E.right({ expected: versionOf(ref), event: applied(ref, obj, ctx) })));
    },
    async update(kind, obj, expectedResourceVersion, ctx) {
      const ref = refOf(kind, obj.metadata.namespace ?? '', obj.metadata.name ?? '');
      await caughtUpTo(expectedResourceVersion);
      return write(ref, () => {
        const current = live(ref);
        if (current === undefined) return E.left({ _tag: 'NotFound' });
        if (current.object.metadata.resourceVersion !== expectedResourceVersion) return E.left({ _tag: 'Conflict' });
        return E.right({ expected: versionOf(ref), event: applied(ref, obj, ctx) });
      });
    },
    async delete(kind, namespace, name, req, ctx) {
      const ref = refOf(kind, namespace, name);
      await caughtUpTo(req.expectedResourceVersion);
      return write(ref, () => {
        const current = live(ref);
        if (current === undefined) return E.left({ _tag: 'NotFound' });
        if (req.expectedResourceVersion !== undefined && current.object.metadata.resourceVersion !== req.expectedResourceVersion) {
          return E.left({ _tag: 'Conflict' });
        }
        return E.right({
          expected: versionOf(ref),
          event: event('ObjectDeleted', { ref, uid: current.object.metadata.uid ?? '', propagationPolicy: req.options.propagationPolicy ?? 'Background' }, ctx),
        });
      });
    },
    async watch(kind, namespace, fromResourceVersion, signal) {
      await caughtUpTo(fromResourceVersion);
      const s = state.state();
      if (comparePositions(fromResourceVersion, s.oldestResumable) < 0) {
        const expired: WatchExpired = { _tag: 'Expired', requested: fromResourceVersion, oldest: s.oldestResumable };
        return E.left(expired);
      }
      return E.right(followChanges(state, kindKey(kind), namespace, fromResourceVersion, signal, maxBacklog));
    },
  };
}

/** Changes of one kind after `from`, first those the projection still holds, then live ones. */
async function* followChanges(
  state: RunningProjection<FederationState>, kind: string, namespace: string | undefined, from: string, signal: AbortSignal, maxBacklog: number,
): AsyncGenerator<StoreEvent> {
  let cursor = from;
  const queue: Change[] = [];
  let wake: (() => void) | undefined;
  // Drains synchronously, in the same turn as the projection folds a batch: no change can slip
  // between reading the window and subscribing to what comes next.
  const drain = (): void => {
    const s = state.state();
    for (let i = changesAfter(s, cursor); i < s.changes.length; i++) {
      const c = s.changes[i] as Change;
      if (c.kind === kind && (namespace === undefined || c.namespace === namespace)) queue.push(c);
    }
    const last = s.changes[s.changes.length - 1];
    if (last !== undefined && comparePositions(last.position, cursor) > 0) cursor = last.position;
    wake?.();
  };
  const unsubscribe = state.onApplied(drain);
  const onAbort = (): void => wake?.();
  signal.addEventListener('abort', onAbort);
  drain();
  try {
    while (!signal.aborted) {
      if (queue.length > maxBacklog) return;
      const next = queue.shift();
      if (next !== undefined) {
        yield { type: next.type, object: next.object };
        continue;
      }
      await new Promise<void>((resolve) => { wake = resolve; });
      wake = undefined;
    }
  } finally {
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
  }
}
