// The event types of the kfed log and their payload codecs; the one place a type name is defined.
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { EventEnvelope } from './envelope.js';
import { ObjectRef } from './streams.js';
import { PlanInput } from '../placement/planner.js';

export const PropagationPolicy = t.keyof({ Background: null, Foreground: null, Orphan: null });
export type PropagationPolicy = t.TypeOf<typeof PropagationPolicy>;

/** A condition of a member cluster, as Federation v1 wrote them (type Ready or Offline). */
export const ClusterCondition = t.intersection([
  t.type({ type: t.string, status: t.keyof({ True: null, False: null, Unknown: null }) }),
  t.partial({ reason: t.string, message: t.string, lastProbeTime: t.string, lastTransitionTime: t.string }),
]);
export type ClusterCondition = t.TypeOf<typeof ClusterCondition>;

export const ClusterCapacity = t.partial({ pods: t.number, cpu: t.string, memory: t.string });

/** Replicas per cluster (0 for kinds without replicas). */
export const Placement = t.record(t.string, t.number);
export type Placement = t.TypeOf<typeof Placement>;

/**
 * A member cluster as a placement saw it. `state` follows its Ready and Offline conditions; `since`
 * is the Ready condition's lastTransitionTime. `why` says whether it could take the object:
 * Ready (in), FailoverDelay (in: not Ready, but for less than the failover delay, so it keeps its
 * replicas until `until`), NotSelected (out: the cluster selector does not match its labels),
 * NotReady (out), RecoveryDelay (out: Ready again, re-enters at `until`).
 */
export const CandidateCluster = t.type({
  name: t.string,
  state: t.keyof({ Ready: null, NotReady: null, Offline: null, Unknown: null }),
  since: t.union([t.string, t.null]),
  eligible: t.boolean,
  why: t.keyof({ Ready: null, FailoverDelay: null, NotSelected: null, NotReady: null, RecoveryDelay: null }),
  until: t.union([t.string, t.null]),
});
export type CandidateCluster = t.TypeOf<typeof CandidateCluster>;

/** Payload codecs, keyed by event type. */
export const eventData = {
  /** A desired-state object was created or changed; `object` is the object as stored. */
  ObjectApplied: t.type({ ref: ObjectRef, object: t.UnknownRecord }),
  /** A desired-state object was deleted; member copies follow `propagationPolicy`. */
  ObjectDeleted: t.type({ ref: ObjectRef, uid: t.string, propagationPolicy: PropagationPolicy }),
  /** A member cluster's health changed (registry; on the Cluster's stream): the full condition list. */
  ClusterConditionChanged: t.type({ cluster: t.string, status: t.type({ conditions: t.array(ClusterCondition) }) }),
  /** What a member cluster offers changed (registry; on the Cluster's stream). */
  ClusterCapacityObserved: t.type({
    cluster: t.string,
    status: t.partial({ region: t.string, zones: t.array(t.string), kubernetesVersion: t.string, capacity: ClusterCapacity }),
  }),
  /**
   * Where a federated object runs (scheduler; on the object's stream), with everything that led
   * there: `input` is the exact PlanInput given to the planner of `plannerVersion` (null for kinds
   * without replicas, which go to every eligible cluster), `clusters` every candidate cluster and
   * why it was in or out, `placement` cluster → replicas (clusters planned 0 are left out unless
   * the total is 0), `overflow` replicas a cluster was due but had no capacity for, `previous` the
   * placement this one replaces (null for the first), `reason` what changed since, in words.
   */
  PlacementDecided: t.type({
    ref: ObjectRef,
    generation: t.number,
    plannerVersion: t.number,
    input: t.union([PlanInput, t.null]),
    clusters: t.array(CandidateCluster),
    placement: Placement,
    overflow: Placement,
    previous: t.union([Placement, t.null]),
    reason: t.string,
  }),
  /**
   * The status of a federated object rolled up from its member copies (aggregator): `status` holds
   * the fields that changed. `clusterChanges` (when status.clusters changed and `status` does not
   * carry it whole): the placed clusters in order, and the entries that changed; the others stay as
   * they were. At a hundred clusters a whole status.clusters is some 60 KB, and a change is one entry.
   */
  StatusAggregated: t.intersection([
    t.type({ ref: ObjectRef, status: t.UnknownRecord }),
    t.partial({ clusterChanges: t.type({ order: t.array(t.string), set: t.array(t.UnknownRecord) }) }),
  ]),
} as const;

export type EventType = keyof typeof eventData;
export type EventDataOf<K extends EventType> = t.TypeOf<(typeof eventData)[K]>;

/** A stored event whose payload has been decoded against its type's codec. */
export type KnownEvent = {
  [K in EventType]: Omit<EventEnvelope, 'type' | 'data'> & { readonly type: K; readonly data: EventDataOf<K> };
}[EventType];

export const isEventType = (type: string): type is EventType => Object.prototype.hasOwnProperty.call(eventData, type);

/** Events of unknown type are Right(undefined): readers skip types they do not know (forward compatibility). */
export function decodeKnownEvent(e: EventEnvelope): E.Either<t.Errors, KnownEvent | undefined> {
  if (!isEventType(e.type)) return E.right(undefined);
  const codec = eventData[e.type] as t.Type<unknown>;
  return E.map((data) => ({ ...e, data }) as KnownEvent)(codec.decode(e.data));
}
