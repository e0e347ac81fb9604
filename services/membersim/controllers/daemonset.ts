// DaemonSet controller decisions: one pod of the current template on every node the pod template selects, status from those pods.
import { getPath } from '../../../libs/kube-api/json.js';
import type { KubeObject } from '../../../libs/kube-api/object.js';
import { controlledBy, isActive, isReady, nodeNameOf, podFromTemplate, templateHash } from './pods.js';
import { matchesAffinity } from './scheduler.js';

export const revisionHashLabel = 'controller-revision-hash';

export interface DaemonSetPlan {
  /** Pods to create, each already placed on its node. */
  readonly create: readonly KubeObject[];
  /** Names of pods to delete: on nodes the template does not select, duplicates, or (RollingUpdate) of an old template. */
  readonly delete: readonly string[];
  readonly status: Record<string, number>;
}

export function planDaemonSet(ds: KubeObject, nodes: readonly KubeObject[], pods: readonly KubeObject[]): DaemonSetPlan {
  const template = getPath(ds, 'spec', 'template');
  const hash = templateHash(template);
  const probe: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: getPath(template, 'spec') ?? {} };
  const eligible = new Set(nodes.filter((n) => matchesAffinity(probe, n.metadata.labels ?? {})).map((n) => n.metadata.name ?? ''));
  const owned = pods.filter((p) => controlledBy(p, ds) && isActive(p));
  const onDelete = getPath(ds, 'spec', 'updateStrategy', 'type') === 'OnDelete';
  const current = (p: KubeObject): boolean => p.metadata.labels?.[revisionHashLabel] === hash;
  const byNode = new Map<string, KubeObject[]>();
  for (const p of owned) byNode.set(nodeNameOf(p), [...(byNode.get(nodeNameOf(p)) ?? []), p]);

  const doomed: string[] = [];
  const kept: KubeObject[] = [];
  for (const [node, onNode] of byNode) {
    if (!eligible.has(node)) {
      doomed.push(...onNode.map((p) => p.metadata.name ?? ''));
      continue;
    }
    // Keep one pod per node, preferring the current template, then a ready one.
    const [keep, ...extra] = [...onNode].sort((a, b) => Number(current(b)) - Number(current(a)) || Number(isReady(b)) - Number(isReady(a)));
    doomed.push(...extra.map((p) => p.metadata.name ?? ''));
    if (keep === undefined) continue;
    if (!current(keep) && !onDelete) doomed.push(keep.metadata.name ?? '');
    else kept.push(keep);
  }
  const deleting = ds.metadata.deletionTimestamp !== undefined;
  const placed = new Set(kept.map(nodeNameOf));
  const create = deleting ? [] : [...eligible].filter((n) => !placed.has(n)).sort().map((nodeName) => podFromTemplate(template, {
    owner: ds, generateName: `${ds.metadata.name ?? ''}-`, labels: { [revisionHashLabel]: hash }, nodeName,
  }));
  const scheduled = owned.filter((p) => eligible.has(nodeNameOf(p)));
  const ready = new Set(scheduled.filter(isReady).map(nodeNameOf)).size;
  return {
    create,
    delete: deleting ? [] : doomed,
    status: {
      desiredNumberScheduled: eligible.size,
      currentNumberScheduled: new Set(scheduled.map(nodeNameOf)).size,
      numberMisscheduled: new Set(owned.filter((p) => !eligible.has(nodeNameOf(p))).map(nodeNameOf)).size,
      numberReady: ready,
      numberAvailable: ready,
      numberUnavailable: Math.max(0, eligible.size - ready),
      updatedNumberScheduled: new Set(scheduled.filter(current).map(nodeNameOf)).size,
      observedGeneration: ds.metadata.generation ?? 0,
    },
  };
}
