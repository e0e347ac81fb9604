// How other services' events change the status the API serves: one rule per event type.
import type { KubeObject } from '../kube-api/object.js';
import { getRecord, getString } from '../kube-api/json.js';
import { kindKey, type StatusContribution } from './state.js';

/** Kinds whose placement is a replica count per cluster (shown as status.placement and CLUSTERS). */
export const replicatedKinds: ReadonlySet<string> = new Set(['apps/ReplicaSet', 'apps/Deployment', 'batch/Job']);

const mergeStatus = (object: KubeObject, status: unknown): KubeObject | undefined =>
  typeof status === 'object' && status !== null ? { ...object, status: { ...getRecord(object, 'status'), ...status } } : undefined;

/** Per-cluster entries of status.clusters that changed, and the order of all (StatusAggregated's `clusterChanges`). */
export interface ClusterChanges {
  readonly order: readonly string[];
  readonly set: readonly Record<string, unknown>[];
}

/** status.clusters after `changes`: the clusters of `order`, each with its changed entry, else its previous one. */
export function applyClusterChanges(previous: unknown, changes: ClusterChanges): unknown[] {
  const byName = new Map<string, unknown>();
  for (const entry of Array.isArray(previous) ? previous : []) {
    const name = getString(entry, 'name');
    if (name !== undefined) byName.set(name, entry);
  }
  for (const entry of changes.set) {
    const name = getString(entry, 'name');
    if (name !== undefined) byName.set(name, entry);
  }
  return changes.order.flatMap((name) => (byName.has(name) ? [byName.get(name)] : []));
}

/**
 * Events that carry `data.status` (a part of the status to merge) set those fields: the registry's
 * cluster health and capacity, the aggregator's rolled-up member status (with `clusterChanges`, the
 * per-cluster entries that changed). A PlacementDecided of a replicated kind shows as
 * status.placement (cluster → replicas).
 */
export const statusContributions: Readonly<Record<string, StatusContribution>> = (() => {
  const fromStatus: StatusContribution = (object, data) => mergeStatus(object, (data as { status?: unknown }).status);
  return {
    ClusterConditionChanged: fromStatus,
    ClusterCapacityObserved: fromStatus,
    StatusAggregated: (object, data) => {
      const merged = mergeStatus(object, (data as { status?: unknown }).status);
      const changes = (data as { clusterChanges?: ClusterChanges }).clusterChanges;
      if (merged === undefined || changes === undefined || !Array.isArray(changes.order) || !Array.isArray(changes.set)) return merged;
      const status = getRecord(merged, 'status');
      return { ...merged, status: { ...status, clusters: applyClusterChanges(getRecord(object, 'status')['clusters'], changes) } };
    },
    PlacementDecided: (object, data, ref) =>
      replicatedKinds.has(kindKey(ref)) ? mergeStatus(object, { placement: (data as { placement?: unknown }).placement ?? {} }) : undefined,
  };
})();
