// Watch streams: synthetic ADDED for a fresh start, store changes filtered by selectors, bookmarks, 410 as an ERROR event.
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject, Status, WatchEvent } from './object.js';
import { apiVersionOf, servedAs, type ResourceType } from './resources.js';
import { badRequest, expired } from './status.js';
import type { Store, StoreEvent } from './store.js';
import { toTable, type IncludeObject, type TableVersion } from './table.js';

export interface WatchRequest {
  readonly type: ResourceType;
  /** undefined: all namespaces (or a cluster-scoped type). */
  readonly namespace: string | undefined;
  readonly matches: (obj: KubeObject) => boolean;
  /** Absent, '' or '0': start with a synthetic ADDED per matching object, then changes. */
  readonly resourceVersion: string | undefined;
  readonly allowBookmarks: boolean;
  /** Events as one-row Tables (kubectl get -w). */
  readonly table?: { readonly version: TableVersion; readonly includeObject: IncludeObject };
  readonly now: () => Date;
  readonly signal: AbortSignal;
}

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export async function watch(store: Store, w: WatchRequest): Promise<E.Either<Status, AsyncIterable<WatchEvent>>> {
  const fresh = w.resourceVersion === undefined || w.resourceVersion === '' || w.resourceVersion === '0';
  if (!fresh && !/^\d+$/.test(w.resourceVersion ?? '')) return E.left(badRequest(`invalid resource version: "${w.resourceVersion ?? ''}"`));
  const initial = fresh ? await store.list(w.type.storage, w.namespace) : undefined;
  const changes = await store.watch(w.type.storage, w.namespace, initial?.resourceVersion ?? w.resourceVersion ?? '', w.signal);
  if (E.isLeft(changes)) {
    const status = expired(`too old resource version: ${changes.left.requested} (${changes.left.oldest})`);
    return E.right(once({ type: 'ERROR', object: status }));
  }
  return E.right(events(w, initial?.items ?? [], changes.right));
}

async function* once(e: WatchEvent): AsyncIterable<WatchEvent> {
  yield e;
}

async function* events(w: WatchRequest, initial: readonly KubeObject[], changes: AsyncIterable<StoreEvent>): AsyncIterable<WatchEvent> {
  let first = true;
  const event = (type: WatchEvent['type'], stored: KubeObject): WatchEvent => {
    const obj = servedAs(w.type, stored);
    const object = w.table === undefined
      ? obj
      : toTable(w.type, [obj], { version: w.table.version, now: w.now(), listMeta: {}, includeObject: w.table.includeObject, withColumns: first });
    first = false;
    return { type, object };
  };
  // Objects the client currently sees as matching, so that one leaving the selection reads as DELETED.
  const visible = new Set<string>();
  for (const obj of initial) {
    if (!w.matches(obj)) continue;
    visible.add(keyOf(obj));
    yield event('ADDED', obj);
  }
  for await (const change of changes) {
    const key = keyOf(change.object);
    const matches = w.matches(change.object);
    if (change.type === 'DELETED' ? matches || visible.has(key) : matches) {
      if (change.type === 'DELETED') visible.delete(key);
      else visible.add(key);
      yield event(change.type, change.object);
    } else if (visible.delete(key)) {
      yield event('DELETED', change.object);
    } else if (w.allowBookmarks) {
      // A change the client does not see still advances where it may resume from.
      yield {
        type: 'BOOKMARK',
        object: { kind: w.type.kind, apiVersion: apiVersionOf(w.type), metadata: { resourceVersion: change.object.metadata.resourceVersion } },
      };
    }
  }
}
