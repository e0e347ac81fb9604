// In-memory Store (simulator, tests): objects in maps, changes in a bounded window that watches replay from.
// A stored object is never changed in place (a write stores a new one): reads hand out copies, while
// watchers share each change's object and must only read it.
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { cloneJson } from './json-value.js';
import type { KubeObject } from './object.js';
import type { StorageKind } from './resources.js';
import type { DeleteRequest, Store, StoreError, StoreEvent, WatchExpired, WriteContext } from './store.js';

export interface MemoryStoreOptions {
  /** How many changes a watch can start behind the newest one; older starts answer Expired. */
  readonly watchWindow?: number;
}

interface Change {
  readonly resourceVersion: number;
  readonly kind: string;
  readonly namespace: string;
  readonly event: StoreEvent;
}

interface Watcher {
  readonly kind: string;
  readonly namespace: string | undefined;
  push(event: StoreEvent): void;
}

const kindKey = (k: StorageKind): string => `${k.group}/${k.kind}`;
const objectKey = (namespace: string, name: string): string => `${namespace}/${name}`;
const namespaceOf = (obj: KubeObject): string => obj.metadata.namespace ?? '';

export class MemoryStore implements Store {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly changes: Change[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly window: number;
  /** The last resourceVersion assigned; the first write gets 2, so an empty list reads "1", never "0". */
  private revision = 1;
  /** The newest resourceVersion dropped from the window: watches must start at or after it. */
  private compactedThrough = 1;

  constructor(options: MemoryStoreOptions = {}) {
    this.window = options.watchWindow ?? 1000;
  }

  get resourceVersion(): string {
    return String(this.revision);
  }

  private bucket(kind: StorageKind): Map<string, KubeObject> {
    const key = kindKey(kind);
    let b = this.objects.get(key);
    if (b === undefined) {
      b = new Map();
      this.objects.set(key, b);
    }
    return b;
  }

  async get(kind: StorageKind, namespace: string, name: string): Promise<KubeObject | undefined> {
    const obj = this.bucket(kind).get(objectKey(namespace, name));
    return obj === undefined ? undefined : cloneJson(obj);
  }

  async list(kind: StorageKind, namespace: string | undefined): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const items = [...this.bucket(kind).values()].filter((o) => namespace === undefined || namespaceOf(o) === namespace);
    return { items: cloneJson(items), resourceVersion: this.resourceVersion };
  }

  async create(kind: StorageKind, obj: KubeObject, _ctx: WriteContext): Promise<Either<StoreError, KubeObject>> {
    const key = objectKey(namespaceOf(obj), obj.metadata.name ?? '');
    if (this.bucket(kind).has(key)) return left({ _tag: 'AlreadyExists' });
    return right(this.write(kind, key, obj, 'ADDED'));
  }

  async update(kind: StorageKind, obj: KubeObject, expectedResourceVersion: string, _ctx: WriteContext): Promise<Either<StoreError, KubeObject>> {
    const key = objectKey(namespaceOf(obj), obj.metadata.name ?? '');
    const current = this.bucket(kind).get(key);
    if (current === undefined) return left({ _tag: 'NotFound' });
    if (current.metadata.resourceVersion !== expectedResourceVersion) return left({ _tag: 'Conflict' });
    return right(this.write(kind, key, obj, 'MODIFIED'));
  }

  async delete(kind: StorageKind, namespace: string, name: string, req: DeleteRequest, _ctx: WriteContext): Promise<Either<StoreError, KubeObject>> {
    const key = objectKey(namespace, name);
    const current = this.bucket(kind).get(key);
    if (current === undefined) return left({ _tag: 'NotFound' });
    if (req.expectedResourceVersion !== undefined && current.metadata.resourceVersion !== req.expectedResourceVersion) {
      return left({ _tag: 'Conflict' });
    }
    return right(this.write(kind, key, current, 'DELETED'));
  }

  private write(kind: StorageKind, key: string, obj: KubeObject, type: StoreEvent['type']): KubeObject {
    this.revision += 1;
    const copy = cloneJson(obj);
    const stored: KubeObject = { ...copy, metadata: { ...copy.metadata, resourceVersion: String(this.revision) } };
    if (type === 'DELETED') this.bucket(kind).delete(key);
    else this.bucket(kind).set(key, stored);
    const change: Change = { resourceVersion: this.revision, kind: kindKey(kind), namespace: namespaceOf(stored), event: { type, object: stored } };
    this.changes.push(change);
    if (this.changes.length > this.window) this.compactedThrough = this.changes.shift()?.resourceVersion ?? this.compactedThrough;
    for (const w of this.watchers) {
      if (matches(w, change)) w.push(change.event);
    }
    return cloneJson(stored);
  }

  async watch(kind: StorageKind, namespace: string | undefined, fromResourceVersion: string, signal: AbortSignal): Promise<Either<WatchExpired, AsyncIterable<StoreEvent>>> {
    const from = Number(fromResourceVersion);
    if (!Number.isSafeInteger(from) || from < this.compactedThrough) {
      return left({ _tag: 'Expired', requested: fromResourceVersion, oldest: String(this.compactedThrough) });
    }
    const queue: StoreEvent[] = [];
    let wake: (() => void) | undefined;
    const watcher: Watcher = {
      kind: kindKey(kind),
      namespace,
      push: (e) => { queue.push(e); wake?.(); },
    };
    // Replay and subscribe in one synchronous step, so no change falls between them.
    for (const c of this.changes) {
      if (c.resourceVersion > from && matches(watcher, c)) queue.push(c.event);
    }
    const watchers = this.watchers;
    watchers.add(watcher);
    // Unsubscribe on abort even if the iterable is never read (a generator's finally would not run then).
    const onAbort = (): void => { watchers.delete(watcher); wake?.(); };
    signal.addEventListener('abort', onAbort, { once: true });
    async function* events(): AsyncGenerator<StoreEvent> {
      try {
        while (!signal.aborted) {
          const next = queue.shift();
          if (next !== undefined) yield next;
          else await new Promise<void>((resolve) => { wake = resolve; });
        }
      } finally {
        watchers.delete(watcher);
        signal.removeEventListener('abort', onAbort);
      }
    }
    return right(events());
  }
}

function matches(w: Watcher, c: Change): boolean {
  return w.kind === c.kind && (w.namespace === undefined || w.namespace === c.namespace);
}
