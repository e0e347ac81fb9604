// A member informer: list + watch of one collection of a member, kept running across errors, with one cache of the objects as plain JSON.
import { performance } from 'node:perf_hooks';
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '../../kube-api/object.js';
import type { Gate } from '../lifecycle/gate.js';
import type { MemberError, MemberObjects } from './member-objects.js';

export type InformerEvent = 'add' | 'update' | 'delete';

export interface MemberInformer {
  /** Whether the first list has completed (until then the cache is not the member's state). */
  synced(): boolean;
  /** Resolves true once the first list has completed, false if `timeoutMs` passes first or the informer stops. */
  whenSynced(timeoutMs: number): Promise<boolean>;
  get(namespace: string, name: string): KubeObject | undefined;
  list(): IterableIterator<KubeObject>;
  /** Idempotent. */
  stop(): void;
}

export interface MemberInformerOptions {
  readonly client: Pick<MemberObjects, 'listPage' | 'watch'>;
  /** Collection path across namespaces, e.g. /apis/apps/v1/replicasets. */
  readonly path: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /**
   * What the cache keeps of each object (default: all of it). A syncer serving a hundred members
   * holds a hundred thousand copies: fields it never reads (managedFields) are not worth their memory.
   */
  readonly keep?: (object: KubeObject) => KubeObject;
  /** Every list passes it: relists of many members at once are bounded in memory and in load on the members. */
  readonly listGate?: Gate;
  readonly onEvent: (event: InformerEvent, object: KubeObject) => void;
  readonly onSynced: () => void;
  /** The list or watch failed (the member is unreachable, or refused); the informer retries after `retryInMs`. */
  readonly onError: (err: MemberError, retryInMs: number) => void;
  /** The list and watch are running (again): the member answers. */
  readonly onConnected: () => void;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /** Items per list page (default 500). */
  readonly pageSize?: number;
  /** The member ends each watch after about this long, and the informer resumes it (default 300 s, jittered up to +50%). */
  readonly watchTimeoutSeconds?: number;
}

const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;
const keyOfObject = (o: KubeObject): string => keyOf(o.metadata.namespace ?? '', o.metadata.name ?? '');

/**
 * Starts at once: lists (page by page), then watches from the list's resourceVersion with bookmarks.
 * A watch the member ends is resumed from the last version seen; a 410 (too old) lists again, and
 * objects the new list lacks are reported deleted; any other failure retries with doubling delays.
 */
export function startMemberInformer(options: MemberInformerOptions): MemberInformer {
  const { client, path, labelSelector, fieldSelector, backoff } = options;
  const keep = options.keep ?? ((o: KubeObject) => o);
  const listGate: Gate = options.listGate ?? ((work) => work());
  const pageSize = options.pageSize ?? 500;
  const watchTimeout = options.watchTimeoutSeconds ?? 300;
  let cache = new Map<string, KubeObject>();
  /** Where the watch resumes from; undefined: list first. */
  let resourceVersion: string | undefined;
  let synced = false;
  const syncWaiters = new Set<(ok: boolean) => void>();
  const abort = new AbortController();
  let failures = 0;

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      abort.signal.removeEventListener('abort', done);
      resolve();
    }
    abort.signal.addEventListener('abort', done, { once: true });
  });

  const failed = async (err: MemberError): Promise<void> => {
    failures++;
    const retryInMs = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(failures - 1, 20));
    options.onError(err, retryInMs);
    await sleep(retryInMs);
  };

  /** Lists the collection into a fresh cache; changes against the old one are reported as events. Returns the list's version. */
  const relist = async (): Promise<E.Either<MemberError, string>> => listGate(async () => {
    const next = new Map<string, KubeObject>();
    let continueToken: string | undefined;
    let listVersion = '';
    do {
      const page = await client.listPage(path, { labelSelector, fieldSelector, limit: pageSize, continueToken });
      if (E.isLeft(page)) return page;
      for (const item of page.right.items) next.set(keyOfObject(item), keep(item));
      continueToken = page.right.continueToken;
      // Every page is of the snapshot the first one was; the last one's version is the snapshot's.
      listVersion = page.right.resourceVersion;
    } while (continueToken !== undefined && !abort.signal.aborted);
    if (abort.signal.aborted) return E.right(listVersion);
    const before = cache;
    cache = next;
    for (const [key, object] of next) {
      const old = before.get(key);
      if (old === undefined) options.onEvent('add', object);
      else if (old.metadata.resourceVersion !== object.metadata.resourceVersion) options.onEvent('update', object);
    }
    for (const [key, object] of before) if (!next.has(key)) options.onEvent('delete', object);
    return E.right(listVersion);
  });

  const onWatchEvent = (type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK', object: KubeObject): void => {
    if (abort.signal.aborted) return;
    const rv = object.metadata.resourceVersion;
    if (rv !== undefined && rv !== '') resourceVersion = rv;
    if (type === 'BOOKMARK') return;
    const key = keyOfObject(object);
    if (type === 'DELETED') {
      const had = cache.get(key);
      cache.delete(key);
      options.onEvent('delete', had ?? keep(object));
      return;
    }
    const kept = keep(object);
    const existed = cache.has(key);
    cache.set(key, kept);
    options.onEvent(existed ? 'update' : 'add', kept);
  };

  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      if (resourceVersion === undefined) {
        const listed = await relist();
        if (abort.signal.aborted) return;
        if (E.isLeft(listed)) {
          await failed(listed.left);
          continue;
        }
        resourceVersion = listed.right;
        if (!synced) {
          synced = true;
          for (const w of syncWaiters) w(true);
          syncWaiters.clear();
          options.onSynced();
        }
      }
      // Jittered, so that the watches of many members do not all end and reopen at once.
      const timeoutSeconds = Math.round(watchTimeout * (1 + Math.random() / 2));
      const openedAt = performance.now();
      const versionBefore = resourceVersion;
      const watched = await client.watch(path, { labelSelector, fieldSelector, resourceVersion, timeoutSeconds }, onWatchEvent, abort.signal, () => {
        failures = 0;
        options.onConnected();
      });
      if (abort.signal.aborted) return;
      if (E.isLeft(watched)) {
        if (watched.left._tag === 'MemberRejected' && watched.left.code === 410) {
          resourceVersion = undefined; // too old to resume from: list again, at once
          continue;
        }
        await failed(watched.left);
      } else if (resourceVersion === versionBefore && performance.now() - openedAt < backoff.initialMs) {
        // A member that ends every watch at once, with nothing in it, is not asked again in a tight loop.
        await sleep(backoff.initialMs);
      }
    }
  };
  void run();

  return {
    synced: () => synced,
    whenSynced: (timeoutMs) => {
      if (synced) return Promise.resolve(true);
      if (abort.signal.aborted) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const done = (ok: boolean): void => {
          clearTimeout(timer);
          syncWaiters.delete(done);
          resolve(ok);
        };
        const timer = setTimeout(() => done(false), timeoutMs);
        syncWaiters.add(done);
      });
    },
    get: (namespace, name) => cache.get(keyOf(namespace, name)),
    list: () => cache.values(),
    stop() {
      if (abort.signal.aborted) return;
      abort.abort();
      for (const w of [...syncWaiters]) w(false);
    },
  };
}
