// Deployment controller decisions: the ReplicaSet of the current template, scaling old ones down as new pods become available, status.
import { getNumber, getPath, getRecord, getString } from '../../../libs/kube-api/json.js';
import type { KubeObject } from '../../../libs/kube-api/object.js';
import { conditions } from './conditions.js';
import { controlledBy, controllerRef, templateHash } from './pods.js';

export const revisionAnnotation = 'deployment.kubernetes.io/revision';
export const podTemplateHashLabel = 'pod-template-hash';

export type DeploymentAction =
  | { readonly _tag: 'create'; readonly replicaSet: KubeObject }
  | { readonly _tag: 'scale'; readonly name: string; readonly replicas: number; readonly revision?: string }
  | { readonly _tag: 'delete'; readonly name: string };

export interface DeploymentPlan {
  readonly actions: readonly DeploymentAction[];
  readonly status: Record<string, unknown>;
  /** The deployment's revision annotation: the revision of its current template's ReplicaSet. */
  readonly revision: string;
}

const revisionOf = (rs: KubeObject): number => Number(rs.metadata.annotations?.[revisionAnnotation] ?? '0') || 0;
const specReplicas = (o: KubeObject): number => getNumber(o, 'spec', 'replicas') ?? 1;
const statusOf = (o: KubeObject | undefined, field: string): number => (o === undefined ? 0 : getNumber(o, 'status', field) ?? 0);

/** An int-or-percent of `total` (maxSurge rounds up, maxUnavailable down, as kube does). */
function intOrPercent(v: unknown, total: number, fallback: string, roundUp: boolean): number {
  const value = v ?? fallback;
  if (typeof value === 'number') return value;
  const pct = /^(\d+)%$/.exec(String(value));
  if (pct === null) return 0;
  const exact = (Number(pct[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

function rollingLimits(d: KubeObject, desired: number): { maxSurge: number; maxUnavailable: number } {
  if ((getString(d, 'spec', 'strategy', 'type') ?? 'RollingUpdate') !== 'RollingUpdate') return { maxSurge: 0, maxUnavailable: 0 };
  const ru = getRecord(d, 'spec', 'strategy', 'rollingUpdate');
  const maxSurge = intOrPercent(ru['maxSurge'], desired, '25%', true);
  const maxUnavailable = intOrPercent(ru['maxUnavailable'], desired, '25%', false);
  return { maxSurge, maxUnavailable: maxSurge === 0 && maxUnavailable === 0 ? 1 : maxUnavailable };
}

function newReplicaSet(d: KubeObject, hash: string, replicas: number, revision: number, maxSurge: number): KubeObject {
  const template = getRecord(d, 'spec', 'template');
  const tmeta = getRecord(template, 'metadata');
  const labels = { ...getRecord(tmeta, 'labels'), [podTemplateHashLabel]: hash } as Record<string, string>;
  const selector = getRecord(d, 'spec', 'selector');
  const desired = specReplicas(d);
  const minReadySeconds = getNumber(d, 'spec', 'minReadySeconds');
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name ?? ''}-${hash}`,
      namespace: d.metadata.namespace ?? 'default',
      labels,
      annotations: {
        [revisionAnnotation]: String(revision),
        'deployment.kubernetes.io/desired-replicas': String(desired),
        'deployment.kubernetes.io/max-replicas': String(desired + maxSurge),
      },
      ownerReferences: [controllerRef(d)],
    },
    spec: {
      replicas,
      ...(minReadySeconds === undefined ? {} : { minReadySeconds }),
      selector: { ...selector, matchLabels: { ...getRecord(selector, 'matchLabels'), [podTemplateHashLabel]: hash } },
      template: { ...template, metadata: { ...tmeta, labels } },
    },
  };
}

interface Targets {
  /** Replicas of the current template's ReplicaSet (created with this many when missing). */
  readonly current: number;
  /** Replicas of each old ReplicaSet, in the order given (newest first). */
  readonly old: readonly number[];
}

/** Recreate: every old pod goes first; the new ones start once none is left. */
function recreateTargets(old: readonly KubeObject[], desired: number): Targets {
  const oldPods = old.reduce((n, rs) => n + statusOf(rs, 'replicas'), 0);
  return { current: oldPods > 0 ? 0 : desired, old: old.map(() => 0) };
}

/**
 * RollingUpdate as kube's deployment controller steps it: the new ReplicaSet grows while all pods stay
 * within desired + maxSurge; old ones shrink, unhealthy pods first, while at least desired - maxUnavailable
 * stay available. Each pass takes one step; the ReplicaSets' status changes trigger the next.
 */
function rollingTargets(current: KubeObject | undefined, old: readonly KubeObject[], desired: number, maxSurge: number, maxUnavailable: number): Targets {
  const all = current === undefined ? old : [current, ...old];
  const allSpec = all.reduce((n, rs) => n + specReplicas(rs), 0);
  const newSpec = current === undefined ? 0 : specReplicas(current);
  const room = Math.max(0, desired + maxSurge - allSpec);
  const next = newSpec > desired ? desired : newSpec + Math.min(room, desired - newSpec);
  const minAvailable = desired - maxUnavailable;
  const targets = old.map(specReplicas);
  const oldestFirst = old.map((_, i) => old.length - 1 - i);
  // Unhealthy old pods may go as long as the pods that remain could still bring availability up to the minimum.
  let budget = allSpec - minAvailable - (newSpec - statusOf(current, 'availableReplicas'));
  for (const i of oldestFirst) {
    const rs = old[i] as KubeObject;
    const down = Math.max(0, Math.min(specReplicas(rs) - statusOf(rs, 'availableReplicas'), budget));
    targets[i] = (targets[i] ?? 0) - down;
    budget -= down;
  }
  // Then available old pods, as far as availability stays at the minimum.
  let surplus = all.reduce((n, rs) => n + statusOf(rs, 'availableReplicas'), 0) - minAvailable;
  for (const i of oldestFirst) {
    const down = Math.max(0, Math.min(targets[i] ?? 0, surplus));
    targets[i] = (targets[i] ?? 0) - down;
    surplus -= down;
  }
  return { current: next, old: targets };
}

/** `replicaSets`: the ReplicaSets of the deployment's namespace; only those it controls count. `now`: RFC 3339. */
export function planDeployment(d: KubeObject, replicaSets: readonly KubeObject[], now: string): DeploymentPlan {
  const owned = replicaSets.filter((rs) => controlledBy(rs, d) && rs.metadata.deletionTimestamp === undefined);
  const hash = templateHash(getPath(d, 'spec', 'template'));
  const current = owned.find((rs) => rs.metadata.labels?.[podTemplateHashLabel] === hash);
  const old = owned.filter((rs) => rs !== current).sort((a, b) => revisionOf(b) - revisionOf(a));
  const desired = specReplicas(d);
  const { maxSurge, maxUnavailable } = rollingLimits(d, desired);
  const recreate = getString(d, 'spec', 'strategy', 'type') === 'Recreate';
  const paused = getPath(d, 'spec', 'paused') === true;
  const maxOldRevision = Math.max(0, ...old.map(revisionOf));
  const actions: DeploymentAction[] = [];
  let revision = current === undefined ? maxOldRevision + 1 : revisionOf(current);

  if (!paused && d.metadata.deletionTimestamp === undefined) {
    const scaled = recreate ? recreateTargets(old, desired) : rollingTargets(current, old, desired, maxSurge, maxUnavailable);
    if (current === undefined) {
      actions.push({ _tag: 'create', replicaSet: newReplicaSet(d, hash, scaled.current, revision, maxSurge) });
    } else {
      // Rolling back to an older template makes its ReplicaSet the newest revision again.
      const bump = revisionOf(current) < maxOldRevision;
      if (bump) revision = maxOldRevision + 1;
      if (specReplicas(current) !== scaled.current || bump) {
        actions.push({ _tag: 'scale', name: current.metadata.name ?? '', replicas: scaled.current, ...(bump ? { revision: String(revision) } : {}) });
      }
    }
    old.forEach((rs, i) => {
      const target = scaled.old[i] ?? 0;
      if (target !== specReplicas(rs)) actions.push({ _tag: 'scale', name: rs.metadata.name ?? '', replicas: target });
    });
    const limit = getNumber(d, 'spec', 'revisionHistoryLimit') ?? 10;
    const idle = old.filter((rs) => specReplicas(rs) === 0 && statusOf(rs, 'replicas') === 0);
    for (const rs of idle.slice(limit)) actions.push({ _tag: 'delete', name: rs.metadata.name ?? '' });
  }

  const all = current === undefined ? old : [current, ...old];
  const sum = (field: string): number => all.reduce((n, rs) => n + statusOf(rs, field), 0);
  const available = sum('availableReplicas');
  const complete = current !== undefined && statusOf(current, 'availableReplicas') >= desired && statusOf(current, 'replicas') === desired
    && old.every((rs) => statusOf(rs, 'replicas') === 0);
  const rsName = current?.metadata.name ?? `${d.metadata.name ?? ''}-${hash}`;
  const status = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: sum('replicas'),
    updatedReplicas: statusOf(current, 'replicas'),
    readyReplicas: sum('readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, all.reduce((n, rs) => n + specReplicas(rs), 0) - available),
    conditions: conditions(getPath(d, 'status', 'conditions'), [
      available >= desired - maxUnavailable
        ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
        : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' },
      complete
        ? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }
        : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` },
    ], now, ['lastUpdateTime', 'lastTransitionTime']),
  };
  return { actions, status, revision: String(revision) };
}
