// Runs a simulated cluster's controllers: store watches turn changes into keys, reconcilers re-read and converge through the client.
import { setMaxListeners } from 'node:events';
import * as E from 'fp-ts/lib/Either.js';
import { getPath, getString } from '../../../libs/kube-api/json.js';
import { deepEqual } from '../../../libs/kube-api/json-value.js';
import { formatTimestamp, type KubeObject, type Status } from '../../../libs/kube-api/object.js';
import {
  builtinTypes, daemonSets, deployments, jobs, namespaces, nodes, pods, replicaSets, type ResourceType,
} from '../../../libs/kube-api/resources.js';
import type { Store, StoreEvent } from '../../../libs/kube-api/store.js';
import { createReconciler, type ReconcileResult, type Reconciler, type Timer } from '../../../libs/infra/lifecycle/reconciler.js';
import type { Logger } from '../../../libs/infra/log/logger.js';
import type { ClusterSpec } from '../cluster-spec.js';
import { nodeIP, nodeName, podIP } from '../nodes.js';
import { clusterClient, type ClusterClient } from './client.js';
import { conditions } from './conditions.js';
import { planDaemonSet } from './daemonset.js';
import { planDeployment, revisionAnnotation } from './deployment.js';
import { planJob } from './job.js';
import { kubeletStep } from './kubelet.js';
import { controllerOf, nodeNameOf } from './pods.js';
import { planReplicaSet } from './replicaset.js';
import { schedule } from './scheduler.js';

export interface ControllerDeps {
  readonly spec: ClusterSpec;
  readonly store: Store;
  readonly clock: () => Date;
  readonly newUid: () => string;
  /** Schedules pod readiness and retries; tests that need determinism pass a manual one (with a matching clock). */
  readonly timer?: Timer;
  readonly logger: Logger;
}

export interface Controllers {
  /** Ends the watches and waits for running reconciles. Idempotent. */
  stop(): Promise<void>;
}

/** The namespaced types at their storage identity: where dependents of a deleted owner or namespace may be. */
export const namespacedStorageTypes: readonly ResourceType[] = builtinTypes.filter((t) => t.namespaced && t.group === t.storage.group && t.version === t.storage.version);

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
const splitKey = (key: string): [string, string] => {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
};

/** Whether `current` already holds every field of `wanted` (fields the controller does not own are ignored). */
const holds = (current: unknown, wanted: Record<string, unknown>): boolean =>
  Object.entries(wanted).every(([k, v]) => deepEqual(getPath(current, k), v));

export function startControllers(deps: ControllerDeps): Controllers {
  const { spec, store, clock, logger } = deps;
  const now = (): string => formatTimestamp(clock());
  const client = (manager: string): ClusterClient => clusterClient({ store, clock, newUid: deps.newUid, manager });
  const kcm = client('kube-controller-manager');
  const scheduler = client('kube-scheduler');
  const kubelet = client('kubelet');
  const log = logger.child({ cluster: spec.name });
  const nodeIndex = new Map(Array.from({ length: spec.nodes }, (_, i) => [nodeName(spec.name, i), i]));
  /** When the kubelet first saw each pod (by uid) on its node: the ready delay counts from there. */
  const seenAt = new Map<string, number>();
  const podCounters = new Map<number, number>();
  const daemonSetKeys = new Set<string>();

  /** Errors other than "gone meanwhile" or "someone else created it" fail the reconcile, which then retries with backoff. */
  const check = (what: string, r: E.Either<Status, unknown>): void => {
    if (E.isLeft(r) && r.left.reason !== 'NotFound' && r.left.reason !== 'AlreadyExists') {
      throw new Error(`${what}: ${r.left.message ?? r.left.reason ?? 'failed'}`);
    }
  };

  const reconcilers: Reconciler[] = [];
  const reconciler = (name: string, concurrency: number, reconcile: (key: string) => Promise<ReconcileResult>): Reconciler => {
    const r = createReconciler({ name: `${spec.name}/${name}`, concurrency, reconcile, logger: log, ...(deps.timer === undefined ? {} : { timer: deps.timer }) });
    reconcilers.push(r);
    return r;
  };

  async function ensureStatus(c: ClusterClient, type: ResourceType, obj: KubeObject, status: Record<string, unknown>): Promise<void> {
    if (!holds(obj['status'], status)) check(`status of ${keyOf(obj)}`, await c.patch(type, obj, { status }, 'status'));
  }

  async function createAll(type: ResourceType, objs: readonly KubeObject[]): Promise<void> {
    for (const o of objs) check(`create ${type.kind}`, await kcm.create(type, o));
  }

  async function deleteAll(type: ResourceType, namespace: string, names: readonly string[]): Promise<void> {
    for (const n of names) check(`delete ${type.kind} ${namespace}/${n}`, await kcm.delete(type, namespace, n));
  }

  const replicaSetController = reconciler('replicaset', 4, async (key) => {
    const [ns, name] = splitKey(key);
    const rs = await kcm.get(replicaSets, ns, name);
    if (rs === undefined) return 'done';
    const plan = planReplicaSet(rs, await kcm.list(pods, ns));
    await createAll(pods, plan.create);
    await deleteAll(pods, ns, plan.delete);
    await ensureStatus(kcm, replicaSets, rs, { ...plan.status });
    return 'done';
  });

  const deploymentController = reconciler('deployment', 4, async (key) => {
    const [ns, name] = splitKey(key);
    const d = await kcm.get(deployments, ns, name);
    if (d === undefined) return 'done';
    const plan = planDeployment(d, await kcm.list(replicaSets, ns), now());
    for (const a of plan.actions) {
      switch (a._tag) {
        case 'create':
          check(`create ReplicaSet for ${key}`, await kcm.create(replicaSets, a.replicaSet));
          break;
        case 'scale': {
          const patch = { spec: { replicas: a.replicas }, ...(a.revision === undefined ? {} : { metadata: { annotations: { [revisionAnnotation]: a.revision } } }) };
          const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { namespace: ns, name: a.name } };
          check(`scale ReplicaSet ${ns}/${a.name}`, await kcm.patch(replicaSets, rs, patch, 'main'));
          break;
        }
        case 'delete':
          await deleteAll(replicaSets, ns, [a.name]);
          break;
      }
    }
    if (d.metadata.annotations?.[revisionAnnotation] !== plan.revision) {
      check(`revision of ${key}`, await kcm.patch(deployments, d, { metadata: { annotations: { [revisionAnnotation]: plan.revision } } }, 'main'));
    }
    await ensureStatus(kcm, deployments, d, plan.status);
    return 'done';
  });

  const daemonSetController = reconciler('daemonset', 2, async (key) => {
    const [ns, name] = splitKey(key);
    const ds = await kcm.get(daemonSets, ns, name);
    if (ds === undefined) {
      daemonSetKeys.delete(key);
      return 'done';
    }
    const plan = planDaemonSet(ds, await kcm.list(nodes), await kcm.list(pods, ns));
    await createAll(pods, plan.create);
    await deleteAll(pods, ns, plan.delete);
    await ensureStatus(kcm, daemonSets, ds, plan.status);
    return 'done';
  });

  const jobController = reconciler('job', 2, async (key) => {
    const [ns, name] = splitKey(key);
    const job = await kcm.get(jobs, ns, name);
    if (job === undefined) return 'done';
    const plan = planJob(job, await kcm.list(pods, ns), now());
    await createAll(pods, plan.create);
    await ensureStatus(kcm, jobs, job, plan.status);
    return 'done';
  });

  // One key: each pass places every pending pod, so pods compete for room in creation order.
  const schedulerLoop = reconciler('scheduler', 1, async () => {
    const plan = schedule(await scheduler.list(nodes), await scheduler.list(pods));
    for (const b of plan.bindings) check(`bind ${keyOf(b.pod)}`, await scheduler.patch(pods, b.pod, { spec: { nodeName: b.node } }, 'main'));
    for (const u of plan.unschedulable) {
      const status = {
        phase: 'Pending',
        conditions: conditions(getPath(u.pod, 'status', 'conditions'), [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: u.message }], now()),
      };
      await ensureStatus(scheduler, pods, u.pod, status);
    }
    return 'done';
  });

  const kubeletLoop = reconciler('kubelet', 8, async (key) => {
    const [ns, name] = splitKey(key);
    const pod = await kubelet.get(pods, ns, name);
    const index = pod === undefined ? undefined : nodeIndex.get(nodeNameOf(pod));
    if (pod === undefined || index === undefined) return 'done'; // a pod on a node that does not exist stays Pending
    const t = clock().getTime();
    const uid = pod.metadata.uid ?? '';
    const seen = seenAt.get(uid) ?? t;
    seenAt.set(uid, seen);
    const n = podCounters.get(index) ?? 0;
    const step = kubeletStep(pod, {
      now: t, seenAt: seen, readyDelayMs: spec.podReadyDelayMs, completes: controllerOf(pod)?.kind === 'Job',
      hostIP: nodeIP(index), podIP: podIP(index, n),
    });
    if (step.status !== undefined) {
      if (getString(pod, 'status', 'podIP') === undefined && step.status['podIP'] !== undefined) podCounters.set(index, n + 1);
      check(`status of pod ${key}`, await kubelet.patch(pods, pod, { status: step.status }, 'status'));
    }
    return step.nextInMs === undefined ? 'done' : { retryAfterMs: step.nextInMs };
  });

  // Deletes what a deleted owner (key `<namespace>/<uid>`) or namespace (key `namespace:<name>`) leaves behind.
  const garbageCollector = reconciler('garbage-collector', 2, async (key) => {
    if (key.startsWith('namespace:')) {
      const ns = key.slice('namespace:'.length);
      if (await kcm.get(namespaces, '', ns) !== undefined) return 'done';
      for (const type of namespacedStorageTypes) {
        await deleteAll(type, ns, (await kcm.list(type, ns)).map((o) => o.metadata.name ?? ''));
      }
      return 'done';
    }
    const [ns, uid] = splitKey(key);
    for (const type of namespacedStorageTypes) {
      const dependents = (await kcm.list(type, ns)).filter((o) => (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid));
      await deleteAll(type, ns, dependents.map((o) => o.metadata.name ?? ''));
    }
    return 'done';
  });

  const ownerGone = (e: StoreEvent): void => {
    if (e.type === 'DELETED') garbageCollector.enqueue(`${e.object.metadata.namespace ?? ''}/${e.object.metadata.uid ?? ''}`);
  };

  const routes: readonly [ResourceType, (e: StoreEvent) => void][] = [
    [pods, (e) => {
      const pod = e.object;
      const owner = controllerOf(pod);
      const ownerKey = `${pod.metadata.namespace ?? ''}/${owner?.name ?? ''}`;
      if (owner?.kind === 'ReplicaSet') replicaSetController.enqueue(ownerKey);
      else if (owner?.kind === 'Job') jobController.enqueue(ownerKey);
      else if (owner?.kind === 'DaemonSet') daemonSetController.enqueue(ownerKey);
      const bound = nodeNameOf(pod) !== '';
      if (e.type === 'DELETED') {
        seenAt.delete(pod.metadata.uid ?? '');
        if (bound) schedulerLoop.enqueue('');
      } else if (bound) {
        kubeletLoop.enqueue(keyOf(pod));
      } else {
        schedulerLoop.enqueue('');
      }
    }],
    [replicaSets, (e) => {
      replicaSetController.enqueue(keyOf(e.object));
      const owner = controllerOf(e.object);
      if (owner?.kind === 'Deployment') deploymentController.enqueue(`${e.object.metadata.namespace ?? ''}/${owner.name}`);
      ownerGone(e);
    }],
    [deployments, (e) => {
      deploymentController.enqueue(keyOf(e.object));
      ownerGone(e);
    }],
    [daemonSets, (e) => {
      if (e.type !== 'DELETED') daemonSetKeys.add(keyOf(e.object));
      daemonSetController.enqueue(keyOf(e.object));
      ownerGone(e);
    }],
    [jobs, (e) => {
      jobController.enqueue(keyOf(e.object));
      ownerGone(e);
    }],
    [nodes, () => {
      schedulerLoop.enqueue('');
      for (const k of daemonSetKeys) daemonSetController.enqueue(k);
    }],
    [namespaces, (e) => {
      if (e.type === 'DELETED') garbageCollector.enqueue(`namespace:${e.object.metadata.name ?? ''}`);
    }],
  ];

  const abort = new AbortController();
  // One watch per followed type listens on this signal: more than Node's default warning threshold.
  setMaxListeners(routes.length + 1, abort.signal);
  /** List, then watch from the list's resourceVersion; list again when the watch window has moved past it. */
  async function follow(type: ResourceType, route: (e: StoreEvent) => void): Promise<void> {
    while (!abort.signal.aborted) {
      const { items, resourceVersion } = await store.list(type.storage, undefined);
      for (const object of items) route({ type: 'ADDED', object });
      const changes = await store.watch(type.storage, undefined, resourceVersion, abort.signal);
      if (E.isLeft(changes)) continue;
      for await (const e of changes.right) route(e);
    }
  }
  const following = Promise.all(routes.map(([type, route]) => follow(type, route).catch((err: unknown) => {
    log.error({ err, kind: type.kind }, 'controller watch failed');
  })));

  let stopping: Promise<void> | undefined;
  return {
    stop: () => {
      stopping ??= (async () => {
        abort.abort();
        await following;
        await Promise.all(reconcilers.map((r) => r.stop()));
      })();
      return stopping;
    },
  };
}
