// ReplicaSet controller decisions: how many pods to create, which to delete, and the status the pods imply.
import { getNumber } from '../../../libs/kube-api/json.js';
import type { KubeObject } from '../../../libs/kube-api/object.js';
import { getPath } from '../../../libs/kube-api/json.js';
import { controlledBy, deletionOrder, isActive, isReady, podFromTemplate } from './pods.js';

export interface ReplicaSetStatus {
  readonly replicas: number;
  readonly fullyLabeledReplicas: number;
  readonly readyReplicas: number;
  readonly availableReplicas: number;
  readonly observedGeneration: number;
}

export interface ReplicaSetPlan {
  /** Pods to create (named by the server from `<replicaset>-`). */
  readonly create: readonly KubeObject[];
  /** Names of the pods to delete, most expendable first. */
  readonly delete: readonly string[];
  readonly status: ReplicaSetStatus;
}

/** `pods`: the pods of the ReplicaSet's namespace; only those it controls count. */
export function planReplicaSet(rs: KubeObject, pods: readonly KubeObject[]): ReplicaSetPlan {
  const active = pods.filter((p) => controlledBy(p, rs) && isActive(p));
  const want = getNumber(rs, 'spec', 'replicas') ?? 1;
  const ready = active.filter(isReady).length;
  const status: ReplicaSetStatus = {
    replicas: active.length,
    fullyLabeledReplicas: active.length,
    readyReplicas: ready,
    // minReadySeconds is not simulated: a ready pod is available at once.
    availableReplicas: ready,
    observedGeneration: rs.metadata.generation ?? 0,
  };
  if (rs.metadata.deletionTimestamp !== undefined) return { create: [], delete: [], status };
  const diff = want - active.length;
  const doomed = diff < 0 ? [...active].sort(deletionOrder).slice(0, -diff).map((p) => p.metadata.name ?? '') : [];
  const pod = podFromTemplate(getPath(rs, 'spec', 'template'), { owner: rs, generateName: `${rs.metadata.name ?? ''}-` });
  return { create: Array.from({ length: Math.max(0, diff) }, () => pod), delete: doomed, status };
}
