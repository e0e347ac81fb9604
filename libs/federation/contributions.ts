// How other services' events change the status the API serves: one rule per event type.
import type { KubeObject } from '../kube-api/object.js';
import { getRecord } from '../kube-api/json.js';
import { kindKey, type StatusContribution } from './state.js';

/** Kinds whose placement is a replica count per cluster (shown as status.placement and CLUSTERS). */
export const replicatedKinds: ReadonlySet<string> = new Set(['apps/ReplicaSet', 'apps/Deployment', 'batch/Job']);

const mergeStatus = (object: KubeObject, status: unknown): KubeObject | undefined =>
  typeof status === 'object' && status !== null ? { ...object, status: { ...getRecord(object, 'status'), ...status } } : undefined;

/**
 * Events that carry `data.status` (a part of the status to merge) set those fields: the registry's
 * cluster health and capacity, the aggregator's rolled-up member status. A PlacementDecided of a
 * replicated kind shows as status.placement (cluster → replicas).
 */
export const statusContributions: Readonly<Record<string, StatusContribution>> = (() => {
  const fromStatus: StatusContribution = (object, data) => mergeStatus(object, (data as { status?: unknown }).status);
  return {
    ClusterConditionChanged: fromStatus,
    ClusterCapacityObserved: fromStatus,
    StatusAggregated: fromStatus,
    PlacementDecided: (object, data, ref) =>
      replicatedKinds.has(kindKey(ref)) ? mergeStatus(object, { placement: (data as { placement?: unknown }).placement ?? {} }) : undefined,
  };
})();
