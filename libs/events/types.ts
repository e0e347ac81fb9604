// The event types of the kfed log and their payload codecs; the one place a type name is defined.
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { EventEnvelope } from './envelope.js';
import { ObjectRef } from './streams.js';

export const PropagationPolicy = t.keyof({ Background: null, Foreground: null, Orphan: null });
export type PropagationPolicy = t.TypeOf<typeof PropagationPolicy>;

/** A condition of a member cluster, as Federation v1 wrote them (type Ready or Offline). */
export const ClusterCondition = t.intersection([
  t.type({ type: t.string, status: t.keyof({ True: null, False: null, Unknown: null }) }),
  t.partial({ reason: t.string, message: t.string, lastProbeTime: t.string, lastTransitionTime: t.string }),
]);
export type ClusterCondition = t.TypeOf<typeof ClusterCondition>;

export const ClusterCapacity = t.partial({ pods: t.number, cpu: t.string, memory: t.string });

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
  /** The status of a federated object rolled up from its member copies (aggregator). */
  StatusAggregated: t.type({ ref: ObjectRef, status: t.UnknownRecord }),
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
