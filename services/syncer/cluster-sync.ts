// One member cluster served by this syncer: its queue, its informers, its backoff and its status reports.
import * as E from 'fp-ts/lib/Either.js';
import { objectStream, parseObjectStream } from '../../libs/events/streams.js';
import type { MemberAccess } from '../../libs/federation/member-access.js';
import { kindKey } from '../../libs/federation/state.js';
import { getPath } from '../../libs/kube-api/json.js';
import type { KubeObject } from '../../libs/kube-api/object.js';
import { apiVersionOf, collectionPath, type ResourceType } from '../../libs/kube-api/resources.js';
import { labelSelectorFromSpec, matchesLabels } from '../../libs/kube-api/selectors.js';
import { planSync, type Desired, type SyncStep } from '../../libs/sync/desired.js';
import { keptCopy, keptPod, memberKinds, podsPath, streamOfMemberObject, workloadKinds } from '../../libs/sync/kinds.js';
import {
  isUnschedulable, memberReport, SYNCED_CONDITION, type MemberCondition, type MemberObjectReport,
} from '../../libs/sync/member-status.js';
import {
  FEDERATED_OBJECT_ANNOTATION, FEDERATION_GENERATION_ANNOTATION, MANAGED_BY_LABEL, TEMPLATE_HASH_ANNOTATION,
} from '../../libs/sync/render.js';
import { startMemberInformer, type MemberInformer } from '../../libs/infra/kube-client/informer.js';
import { memberObjects, type MemberError, type MemberObjects } from '../../libs/infra/kube-client/member-objects.js';
import type { Gate } from '../../libs/infra/lifecycle/gate.js';
import { createReconciler, type ReconcileResult } from '../../libs/infra/lifecycle/reconciler.js';
import type { Logger } from '../../libs/infra/log/logger.js';

export const FIELD_MANAGER = 'kfed-syncer';

export interface ClusterSyncSettings {
  readonly concurrency: number;
  readonly reportIntervalMs: number;
  /** Everything placed or held here is reconciled again this often (each cluster at its own moment in the period). */
  readonly resyncMs: number;
  /** Every report is sent again this often (each cluster at its own moment in the period). */
  readonly reportResendMs: number;
  readonly requestTimeoutMs: number;
  /** Per-cluster backoff while the member cannot be reached: initialMs doubling up to maxMs. */
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
}

export interface ClusterSyncDeps {
  readonly cluster: string;
  readonly access: MemberAccess;
  readonly federation: string;
  /** What this cluster should hold for an object stream, from the current read model. */
  readonly desired: (stream: string) => Desired;
  /** Streams placed on this cluster now. */
  readonly placed: () => Iterable<string>;
  /** Sends reports of this cluster's copies to the aggregator. */
  readonly publish: (reports: MemberObjectReport[]) => void;
  /** Counts writes by verb (metrics). */
  readonly wrote: (verb: 'apply' | 'delete' | 'release') => void;
  readonly logger: Logger;
  readonly settings: ClusterSyncSettings;
  /** Every read and write of an object on the member passes it (a bound shared by all the clusters of a syncer). */
  readonly gate: Gate;
  /** Every list of a collection passes it (a bound shared by all the clusters of a syncer): lists are the large answers. */
  readonly listGate: Gate;
}

export interface ClusterSync {
  readonly cluster: string;
  readonly access: MemberAccess;
  enqueue(stream: string): void;
  /** Whether an informer here has kfed's copy of the object (a copy may outlive its placement: orphan annotation). */
  holds(stream: string): boolean;
  /** Re-reconciles everything placed here or held here. */
  resync(): void;
  /** Sends every report again (an aggregator asked, or the periodic re-send). */
  resendReports(): void;
  /** Idempotent: stops the queue, informers and connections; in-flight writes finish. */
  stop(): Promise<void>;
}

const MANAGED_SELECTOR = (federation: string): string => `${MANAGED_BY_LABEL}=${federation}`;
const synced = (status: MemberCondition['status'], reason: string, message: string): MemberCondition => ({ type: SYNCED_CONDITION, status, reason, message });
const SYNCED_OK = synced('True', 'Synced', 'the member holds the object as decided');
const NOT_PLACED = synced('True', 'NotPlaced', 'no copy is placed here');

/** Errors that depend on the member's state, not on what kfed sends: retried with backoff. */
const transient = (e: MemberError): boolean => e._tag === 'MemberUnreachable' || e.code >= 500 || e.code === 429;

/** The member's object reads and writes through the gate, its lists through the list gate; watches go straight. */
function gated(client: MemberObjects, gate: Gate, listGate: Gate): MemberObjects {
  return {
    ...client,
    list: (apiVersion, kind, selectors) => listGate(() => client.list(apiVersion, kind, selectors)),
    get: (h) => gate(() => client.get(h)),
    apply: (o) => gate(() => client.apply(o)),
    create: (o) => gate(() => client.create(o)),
    mergePatch: (h, patch) => gate(() => client.mergePatch(h, patch)),
    delete: (h, uid) => gate(() => client.delete(h, uid)),
  };
}

export function startClusterSync(deps: ClusterSyncDeps): ClusterSync {
  const { cluster, federation, settings } = deps;
  const logger = deps.logger.child({ cluster });
  const client: MemberObjects = gated(memberObjects(deps.access, {
    fieldManager: FIELD_MANAGER, requestTimeoutMs: settings.requestTimeoutMs, maxSockets: Math.max(4, settings.concurrency),
  }), deps.gate, deps.listGate);
  const informers = new Map<string, MemberInformer>();
  let pods: MemberInformer | undefined;
  let stopped = false;

  // ---- reachability: one backoff for the whole member, so that its keys wait instead of each timing out.
  let failures = 0;
  let unreachableUntil = 0;
  const unreachable = (message: string): number => {
    failures++;
    const wait = Math.min(settings.backoff.maxMs, settings.backoff.initialMs * 2 ** Math.min(failures - 1, 20));
    unreachableUntil = Date.now() + wait;
    if (failures === 1) {
      logger.warn({ problem: message, retryInMs: wait }, 'member unreachable; backing off');
      // Every copy's report says so: what runs there can no longer be confirmed.
      for (const json of [...lastSent.values()]) {
        const r = JSON.parse(json) as MemberObjectReport;
        if (r.present || r.conditions[0]?.status === 'False') report({ ...r, conditions: [synced('False', 'Unreachable', message), ...r.conditions.slice(1)] });
      }
    }
    return wait;
  };
  const reachable = (): void => {
    if (failures === 0) return;
    failures = 0;
    unreachableUntil = 0;
    logger.info('member reachable again');
    resync();
  };

  // ---- reports: coalesced per interval, deduplicated against what was sent (kept as its JSON: one string per copy).
  const lastSent = new Map<string, string>();
  const pending = new Map<string, MemberObjectReport>();
  let flushTimer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    flushTimer = undefined;
    if (pending.size === 0 || stopped) return;
    const batch = [...pending.values()];
    pending.clear();
    for (let i = 0; i < batch.length; i += 500) deps.publish(batch.slice(i, i + 500));
  };
  const report = (r: MemberObjectReport): void => {
    const json = JSON.stringify(r);
    if (lastSent.get(r.key) === json) return;
    lastSent.set(r.key, json);
    pending.set(r.key, r);
    flushTimer ??= setTimeout(flush, settings.reportIntervalMs);
  };
  const forget = (stream: string): void => {
    if (!lastSent.has(stream)) return;
    report(memberReport(stream, undefined, NOT_PLACED, 0));
    lastSent.delete(stream);
  };

  // ---- informers: one per kind placed here (started on demand), and pending pods where workloads run.
  const enqueueWorkloadsOf = (pod: KubeObject): void => {
    const ns = pod.metadata.namespace ?? '';
    for (const kind of workloadKinds) {
      for (const copy of informers.get(kind)?.list() ?? []) {
        if (copy.metadata.namespace !== ns) continue;
        const selector = labelSelectorFromSpec(getPath(copy, 'spec', 'selector'));
        const stream = streamOfMemberObject(copy);
        if (E.isRight(selector) && selector.right.length > 0 && matchesLabels(selector.right, pod.metadata.labels) && stream !== undefined) enqueue(stream);
      }
    }
  };
  const informerOptions = (path: string) => ({
    client, path, listGate: deps.listGate,
    onError: (e: MemberError, retryInMs: number) => {
      if (transient(e)) unreachable(e.message);
      else logger.warn({ path, problem: e.message, retryInMs }, 'member informer failed');
    },
    onConnected: reachable,
    backoff: settings.backoff,
  });
  const informerFor = (type: ResourceType): MemberInformer => {
    const key = kindKey(type);
    let informer = informers.get(key);
    if (informer === undefined) {
      informer = startMemberInformer({
        ...informerOptions(collectionPath(type)),
        labelSelector: MANAGED_SELECTOR(federation),
        keep: keptCopy,
        onEvent: (_event, object) => {
          const stream = streamOfMemberObject(object);
          if (stream !== undefined) enqueue(stream);
        },
        onSynced: () => logger.debug({ kind: key }, 'member informer synced'),
      });
      informers.set(key, informer);
    }
    if (workloadKinds.has(key) && pods === undefined) {
      pods = startMemberInformer({
        ...informerOptions(podsPath),
        fieldSelector: 'status.phase=Pending',
        keep: keptPod,
        onEvent: (_event, pod) => enqueueWorkloadsOf(pod),
        onSynced: () => undefined,
      });
    }
    return informer;
  };

  const unschedulableOf = (copy: KubeObject): number => {
    if (pods === undefined || !workloadKinds.has(kindKey({ group: copy.apiVersion.split('/')[0] ?? '', kind: copy.kind }))) return 0;
    const selector = labelSelectorFromSpec(getPath(copy, 'spec', 'selector'));
    if (E.isLeft(selector) || selector.right.length === 0) return 0;
    let n = 0;
    for (const pod of pods.list()) {
      if (pod.metadata.namespace === copy.metadata.namespace && matchesLabels(selector.right, pod.metadata.labels) && isUnschedulable(pod)) n++;
    }
    return n;
  };

  // ---- the reconcile of one object on this member.
  const failed = (stream: string, e: MemberError, live: KubeObject | undefined): ReconcileResult => {
    if (e._tag === 'MemberUnreachable') return { retryAfterMs: unreachable(e.message) };
    report(memberReport(stream, live, synced('False', e.reason, e.message), live === undefined ? 0 : unschedulableOf(live)));
    if (e.code === 409) return { retryAfterMs: 50 }; // someone wrote in between: look again
    if (transient(e)) return { error: new Error(`${cluster}: ${e.code} ${e.reason}: ${e.message}`) };
    logger.warn({ key: stream, code: e.code, reason: e.reason, problem: e.message }, 'the member rejected a write');
    return 'done'; // the rejection stands until the object changes (or the next resync)
  };

  const ensureNamespace = async (name: string): Promise<E.Either<MemberError, unknown>> => {
    const fed = deps.desired(objectStream({ group: '', kind: 'Namespace', namespace: '', name }));
    if (fed._tag === 'Present') return client.apply(fed.object);
    const created = await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return E.isLeft(created) && created.left._tag === 'MemberRejected' && created.left.code === 409 ? E.right(undefined) : created;
  };

  const write = async (step: SyncStep, live: KubeObject | undefined): Promise<E.Either<MemberError, KubeObject | undefined>> => {
    switch (step._tag) {
      case 'Create':
      case 'Apply': {
        deps.wrote('apply');
        const applied = await client.apply(step.object);
        const ns = step.object.metadata.namespace;
        if (E.isLeft(applied) && applied.left._tag === 'MemberRejected' && applied.left.code === 404 && ns !== undefined) {
          // The member lacks the namespace (real clusters refuse objects in a missing one): create it, then retry.
          const created = await ensureNamespace(ns);
          return E.isLeft(created) ? created : client.apply(step.object);
        }
        return applied;
      }
      case 'Delete': {
        deps.wrote('delete');
        const deleted = await client.delete(live as KubeObject, step.uid);
        return E.map(() => undefined)(deleted);
      }
      case 'Release': {
        deps.wrote('release');
        const released = await client.mergePatch(live as KubeObject, {
          metadata: {
            labels: { [MANAGED_BY_LABEL]: null },
            annotations: { [FEDERATED_OBJECT_ANNOTATION]: null, [FEDERATION_GENERATION_ANNOTATION]: null, [TEMPLATE_HASH_ANNOTATION]: null },
          },
        });
        return E.map(() => undefined)(released);
      }
      case 'InSync':
      case 'Blocked':
        return E.right(live);
    }
  };

  const reconcile = async (stream: string): Promise<ReconcileResult> => {
    const waitMs = unreachableUntil - Date.now();
    if (waitMs > 0) return { retryAfterMs: waitMs };
    const ref = parseObjectStream(stream);
    const type = ref === undefined ? undefined : memberKinds.get(kindKey(ref));
    if (ref === undefined || type === undefined) return 'done';
    const desired = deps.desired(stream);
    if (desired._tag === 'Never') return 'done';
    const informer = desired._tag === 'Present' ? informerFor(type) : informers.get(kindKey(type));
    const header = { apiVersion: apiVersionOf(type), kind: type.kind, metadata: { name: ref.name, ...(ref.namespace === '' ? {} : { namespace: ref.namespace }) } };

    // A first list under way answers for every copy of its kind at once: wait for it rather than GET each.
    if (informer !== undefined && !informer.synced()) await informer.whenSynced(settings.requestTimeoutMs);
    if (stopped) return 'done';
    // The informer holds kfed's copies only: an object it does not have may still be someone else's, so look before creating.
    let live = informer?.synced() === true ? informer.get(ref.namespace, ref.name) : undefined;
    if (live === undefined && (informer?.synced() !== true || desired._tag === 'Present')) {
      const got = await client.get(header);
      if (E.isLeft(got)) return failed(stream, got.left, undefined);
      reachable();
      live = got.right;
    }

    const step = planSync(desired, live, federation);
    const written = await write(step, live);
    if (E.isLeft(written)) return failed(stream, written.left, step._tag === 'Create' ? undefined : live);
    if (step._tag !== 'InSync' && step._tag !== 'Blocked') reachable();
    if (step._tag !== 'InSync' && step._tag !== 'Blocked') logger.debug({ key: stream, step: step._tag }, 'member object written');

    if (desired._tag !== 'Present') {
      forget(stream);
      return 'done';
    }
    if (step._tag === 'Blocked') {
      report(memberReport(stream, undefined, synced('False', step.why.reason, step.why.message), 0));
      return 'done';
    }
    const copy = written.right;
    report(memberReport(stream, copy, SYNCED_OK, copy === undefined ? 0 : unschedulableOf(copy)));
    return 'done';
  };

  const reconciler = createReconciler({
    name: `sync-${cluster}`, reconcile, logger, concurrency: settings.concurrency, backoff: settings.backoff,
  });
  function enqueue(stream: string): void {
    if (!stopped) reconciler.enqueue(stream);
  }
  function resync(): void {
    for (const stream of deps.placed()) enqueue(stream);
    for (const informer of informers.values()) {
      for (const copy of informer.list()) {
        const stream = streamOfMemberObject(copy);
        if (stream !== undefined) enqueue(stream);
      }
    }
    for (const stream of lastSent.keys()) enqueue(stream);
  }

  /**
   * Taking a cluster over: besides what is placed here, find every copy kfed holds in the member
   * (of any kind: a previous syncer may have died between a placement change and the delete). The
   * kinds placed here get their informer at once, whose list finds them; the others are listed once.
   */
  const takeOver = async (): Promise<void> => {
    const placedKinds = new Set<string>();
    for (const stream of deps.placed()) {
      const ref = parseObjectStream(stream);
      if (ref !== undefined) placedKinds.add(kindKey(ref));
    }
    for (const type of memberKinds.values()) if (placedKinds.has(kindKey(type))) informerFor(type);
    resync();
    for (const type of memberKinds.values()) {
      if (placedKinds.has(kindKey(type))) continue;
      for (let attempt = 0; !stopped; attempt++) {
        const listed = await client.list(apiVersionOf(type), type.kind, { label: MANAGED_SELECTOR(federation) });
        if (E.isRight(listed)) {
          for (const copy of listed.right.items) {
            const stream = streamOfMemberObject(copy);
            if (stream !== undefined) enqueue(stream);
          }
          break;
        }
        const wait = listed.left._tag === 'MemberUnreachable' ? unreachable(listed.left.message) : settings.backoff.maxMs;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  };
  void takeOver().catch((err: unknown) => logger.error({ err }, 'listing the member\'s copies failed'));
  logger.info({ server: deps.access.server }, 'serving member cluster');

  const resendReports = (): void => {
    for (const [key, json] of lastSent) pending.set(key, JSON.parse(json) as MemberObjectReport);
    flushTimer ??= setTimeout(flush, settings.reportIntervalMs);
  };
  // Each cluster resyncs and re-sends at its own moment of the period: a hundred members' worth of
  // work at one instant would hold up every change arriving then.
  const periodic: NodeJS.Timeout[] = [];
  const every = (periodMs: number, work: () => void): void => {
    periodic.push(setTimeout(() => {
      if (!stopped) periodic.push(setInterval(work, periodMs));
    }, Math.floor(Math.random() * periodMs)));
  };
  every(settings.resyncMs, resync);
  every(settings.reportResendMs, resendReports);

  let stopping: Promise<void> | undefined;
  return {
    cluster,
    access: deps.access,
    enqueue,
    holds(stream) {
      const ref = parseObjectStream(stream);
      return ref !== undefined && informers.get(kindKey(ref))?.get(ref.namespace, ref.name) !== undefined;
    },
    resync,
    resendReports,
    stop() {
      stopping ??= (async () => {
        stopped = true;
        clearTimeout(flushTimer);
        for (const timer of periodic) clearInterval(timer);
        for (const informer of informers.values()) informer.stop();
        pods?.stop();
        await reconciler.stop();
        client.close();
        logger.info('no longer serving member cluster');
      })();
      return stopping;
    },
  };
}
