// The status of a federated object, folded from its placement and the latest member report of each placed cluster.
import * as t from 'io-ts';
import type { Placement } from '../events/types.js';
import type { ClusterChanges } from '../federation/contributions.js';
import { kindKey, type StoredObject } from '../federation/state.js';
import { getArray, getNumber, getRecord, getString } from '../kube-api/json.js';
import { deepEqual } from '../kube-api/json-value.js';
import type { KubeObject } from '../kube-api/object.js';
import { MemberCondition, SYNCED_CONDITION, type MemberObjectReport } from '../sync/member-status.js';

/** One placed cluster in status.clusters: what runs there (the scheduler's `current`), and its copy's conditions. */
export const ClusterStatus = t.intersection([
  t.type({
    name: t.string, replicas: t.number, readyReplicas: t.number, availableReplicas: t.number, unschedulable: t.number,
    /** The federated generation this cluster's copy has been observed at (0: not yet). */
    observedGeneration: t.number,
  }),
  t.partial({ conditions: t.array(MemberCondition) }),
]);
export type ClusterStatus = t.TypeOf<typeof ClusterStatus>;

/** A condition of a federated object (Scheduled, Propagated, Available), as kube writes conditions. */
export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
}

export interface AggregationInput {
  readonly stored: StoredObject;
  /** The object's placement (cluster → replicas); undefined before the scheduler's first decision. */
  readonly placement: Placement | undefined;
  /** The latest report from each cluster that sent one. */
  readonly reports: ReadonlyMap<string, MemberObjectReport>;
  /** False when the registry says the cluster is not Ready: what runs there cannot count as ready. */
  readonly clusterReady: (cluster: string) => boolean;
  /** RFC 3339, for conditions that change now. */
  readonly now: string;
}

/** Kinds whose replica counts are summed over clusters, with the count each adds besides replicas/ready/available. */
const summedKinds: Readonly<Record<string, 'fullyLabeledReplicas' | 'updatedReplicas'>> = {
  'apps/ReplicaSet': 'fullyLabeledReplicas',
  'apps/Deployment': 'updatedReplicas',
};

const PENDING: MemberCondition = { type: SYNCED_CONDITION, status: 'Unknown', reason: 'Pending', message: 'waiting for the syncer serving this cluster' };

function entryFromReport(name: string, r: MemberObjectReport): ClusterStatus {
  return {
    name, replicas: r.replicas, readyReplicas: r.readyReplicas, availableReplicas: r.availableReplicas,
    unschedulable: r.unschedulable, observedGeneration: r.federationGeneration ?? 0, conditions: r.conditions,
  };
}

const syncedOf = (c: ClusterStatus): MemberCondition => c.conditions?.find((x) => x.type === SYNCED_CONDITION) ?? PENDING;

/** Previous per-cluster entries: a report not received since a restart keeps what the log last said. */
function previousEntries(object: KubeObject): Map<string, ClusterStatus> {
  const out = new Map<string, ClusterStatus>();
  for (const c of getArray(object, 'status', 'clusters')) {
    const decoded = ClusterStatus.decode(c);
    if (decoded._tag === 'Right') out.set(decoded.right.name, decoded.right);
  }
  return out;
}

function condition(previous: readonly unknown[], type: string, status: Condition['status'], reason: string, message: string, now: string): Condition {
  const before = previous.find((c) => getString(c, 'type') === type);
  const since = getString(before, 'status') === status ? getString(before, 'lastTransitionTime') : undefined;
  return { type, status, reason, message, lastTransitionTime: since ?? now };
}

const describe = (entries: readonly ClusterStatus[], withReplicas: boolean, placement: Placement): string =>
  entries.map((c) => (withReplicas ? `${c.name}=${placement[c.name] ?? 0}` : c.name)).join(', ');

/**
 * The status fields the aggregator owns. Sums over the placed clusters; per-cluster entries in
 * placement order; Scheduled, Propagated and (for ReplicaSets and Deployments) Available conditions;
 * observedGeneration reaches metadata.generation once every placed cluster observed a copy of it
 * (and never goes back). Clusters that are not Ready, or that their syncer cannot reach, count no
 * ready or available replicas.
 */
export function aggregate(input: AggregationInput): Record<string, unknown> {
  const { stored, placement, reports, now } = input;
  const object = stored.object;
  const kind = kindKey(stored.ref);
  const extra = summedKinds[kind];
  const previous = getArray(object, 'status', 'conditions');
  const before = previousEntries(object);

  const entries: ClusterStatus[] = Object.keys(placement ?? {}).map((name) => {
    const report = reports.get(name);
    const entry = report !== undefined ? entryFromReport(name, report)
      : before.get(name) ?? { name, replicas: 0, readyReplicas: 0, availableReplicas: 0, unschedulable: 0, observedGeneration: 0, conditions: [PENDING] };
    const reachable = input.clusterReady(name) && syncedOf(entry).reason !== 'Unreachable';
    return reachable ? entry : { ...entry, readyReplicas: 0, availableReplicas: 0 };
  });

  const conditions: Condition[] = [];
  if (placement === undefined) {
    conditions.push(condition(previous, 'Scheduled', 'False', 'Pending', 'waiting for the scheduler', now));
  } else if (entries.length === 0) {
    conditions.push(condition(previous, 'Scheduled', 'False', 'NoClusters', 'no member cluster can take the object', now));
  } else {
    conditions.push(condition(previous, 'Scheduled', 'True', 'Scheduled', `placed on ${describe(entries, extra !== undefined, placement)}`, now));
  }

  const failing = entries.filter((c) => syncedOf(c).status !== 'True');
  if (entries.length > 0 && failing.length === 0) {
    conditions.push(condition(previous, 'Propagated', 'True', 'Propagated', `held by every placed cluster (${entries.length})`, now));
  } else if (entries.length > 0) {
    // The first real failure names the reason; clusters still pending only explain themselves in the message.
    const first = failing.find((c) => syncedOf(c).status === 'False') ?? failing[0] as ClusterStatus;
    const message = failing.map((c) => `${c.name}: ${syncedOf(c).reason ?? 'Unknown'}: ${syncedOf(c).message ?? ''}`).join('; ');
    conditions.push(condition(previous, 'Propagated', 'False', syncedOf(first).reason ?? 'Unknown', message, now));
  }

  const status: Record<string, unknown> = {};
  if (extra !== undefined) {
    const sum = (f: (c: ClusterStatus) => number): number => entries.reduce((n, c) => n + f(c), 0);
    // A cluster known only from the previous status (no report since a restart) counts its replicas as labelled/updated.
    const extraOf = (c: ClusterStatus): number => reports.get(c.name)?.[extra] ?? c.replicas;
    const desired = getNumber(object, 'spec', 'replicas') ?? 1;
    const available = sum((c) => c.availableReplicas);
    status['replicas'] = sum((c) => c.replicas);
    status[extra] = sum(extraOf);
    status['readyReplicas'] = sum((c) => c.readyReplicas);
    status['availableReplicas'] = available;
    conditions.push(available >= desired
      ? condition(previous, 'Available', 'True', 'MinimumReplicasAvailable', `${available} of ${desired} replicas available`, now)
      : condition(previous, 'Available', 'False', 'MinimumReplicasUnavailable', `${available} of ${desired} replicas available`, now));
  }
  const generation = object.metadata.generation ?? 0;
  const previousObserved = getNumber(object, 'status', 'observedGeneration') ?? 0;
  const allObserved = entries.length > 0 && entries.every((c) => c.observedGeneration >= generation);
  status['observedGeneration'] = allObserved ? Math.max(generation, previousObserved) : previousObserved;
  status['conditions'] = conditions;
  status['clusters'] = entries;
  return status;
}

/** What a StatusAggregated carries to bring the object's status to `status`. */
export interface StatusChange {
  /** The fields that differ (status.clusters only when there is nothing to build on). */
  readonly status: Record<string, unknown>;
  /** The per-cluster entries that differ, and the placed clusters in order. */
  readonly clusterChanges?: ClusterChanges;
}

/**
 * The change from the status the object shows to `status`, undefined when there is none. Only what
 * differs is carried: at a hundred clusters, one cluster's new counts are one entry, not the 60 KB
 * of every entry and every condition message again. Folding the change (statusContributions) gives
 * `status` back exactly.
 */
export function statusChange(object: KubeObject, status: Record<string, unknown>): StatusChange | undefined {
  const current = getRecord(object, 'status');
  const changed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(status)) if (k !== 'clusters' && !deepEqual(current[k], v)) changed[k] = v;
  const entries = status['clusters'];
  let clusterChanges: ClusterChanges | undefined;
  if (entries !== undefined && !deepEqual(current['clusters'], entries)) {
    if (!Array.isArray(current['clusters']) || !Array.isArray(entries)) changed['clusters'] = entries;
    else {
      const before = new Map<string, unknown>();
      for (const c of current['clusters'] as unknown[]) before.set(getString(c, 'name') ?? '', c);
      const list = entries as ClusterStatus[];
      clusterChanges = { order: list.map((c) => c.name), set: list.filter((c) => !deepEqual(before.get(c.name), c)) };
    }
  }
  if (Object.keys(changed).length === 0 && clusterChanges === undefined) return undefined;
  return { status: changed, ...(clusterChanges === undefined ? {} : { clusterChanges }) };
}
