// A member informer: client-node's list + watch of one collection, kept running across errors, with a cache of the objects as plain JSON.
import * as k8s from '@kubernetes/client-node';
import * as E from 'fp-ts/lib/Either.js';
import type { KubeObject } from '../../kube-api/object.js';
import { memberError, plainObject, type MemberError, type MemberList } from './member-objects.js';

export type InformerEvent = 'add' | 'update' | 'delete';

export interface MemberInformer {
  /** Whether the first list has completed (until then the cache is not the member's state). */
  synced(): boolean;
  get(namespace: string, name: string): KubeObject | undefined;
  list(): IterableIterator<KubeObject>;
  /** Idempotent. */
  stop(): void;
}

export interface MemberInformerOptions {
  readonly kubeConfig: k8s.KubeConfig;
  /** Collection path across namespaces, e.g. /apis/apps/v1/replicasets. */
  readonly path: string;
  readonly list: () => Promise<E.Either<MemberError, MemberList>>;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly onEvent: (event: InformerEvent, object: KubeObject) => void;
  readonly onSynced: () => void;
  /** The list or watch failed (the member is unreachable, or refused); the informer retries after `retryInMs`. */
  readonly onError: (err: MemberError, retryInMs: number) => void;
  /** The list and watch are running (again): the member answers. */
  readonly onConnected: () => void;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
}

const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;

/**
 * Starts at once. A watch the member ends is resumed from the last resourceVersion (client-node's
 * ListWatch); an error (unreachable member, 410 handled by a relist) restarts it with doubling delays.
 */
export function startMemberInformer(options: MemberInformerOptions): MemberInformer {
  const cache = new Map<string, KubeObject>();
  let listed = false;
  let synced = false;
  let stopped = false;
  let failures = 0;
  let failedSinceRun = false;
  let timer: NodeJS.Timeout | undefined;
  const lw = new k8s.ListWatch(options.path, new k8s.Watch(options.kubeConfig), async () => {
    const list = await options.list();
    if (E.isLeft(list)) throw list.left;
    // Objects a relist no longer has are deleted by ListWatch (with a delete event) after this returns.
    failures = 0;
    listed = true;
    // ListWatch only reads items and metadata.resourceVersion.
    return { metadata: { resourceVersion: list.right.resourceVersion }, items: list.right.items } as unknown as k8s.KubernetesListObject<k8s.KubernetesObject>;
  }, false, options.labelSelector, options.fieldSelector);

  const record = (event: InformerEvent) => (o: k8s.KubernetesObject): void => {
    if (stopped) return;
    const object = plainObject(o);
    if (object === undefined) return;
    const key = keyOf(object.metadata.namespace ?? '', object.metadata.name ?? '');
    if (event === 'delete') cache.delete(key);
    else cache.set(key, object);
    options.onEvent(event, object);
  };
  lw.on('add', record('add'));
  lw.on('update', record('update'));
  lw.on('delete', record('delete'));

  const run = (): void => {
    if (stopped) return;
    failedSinceRun = false;
    // start() resolves after the list and the watch request (a failed one has already reported an error).
    lw.start().then(() => {
      if (stopped || failedSinceRun) return;
      options.onConnected();
      if (synced || !listed) return;
      synced = true;
      options.onSynced();
    }, (err: unknown) => retry(err));
  };
  const retry = (err: unknown): void => {
    if (stopped) return;
    failedSinceRun = true;
    failures++;
    const retryInMs = Math.min(options.backoff.maxMs, options.backoff.initialMs * 2 ** Math.min(failures - 1, 20));
    const e = err as Partial<MemberError>;
    options.onError(e._tag === 'MemberRejected' || e._tag === 'MemberUnreachable' ? err as MemberError : memberError(err, 0), retryInMs);
    clearTimeout(timer);
    timer = setTimeout(run, retryInMs);
  };
  lw.on('error', retry);
  run();

  return {
    synced: () => synced,
    get: (namespace, name) => cache.get(keyOf(namespace, name)),
    list: () => cache.values(),
    stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      void lw.stop();
    },
  };
}
