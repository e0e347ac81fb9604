// A federation log to drive the scheduler with: appends what the API server and the registry would, reads decisions back.
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { expectAny, type EventEnvelope } from '../../libs/events/envelope.js';
import { objectStream, type ObjectRef } from '../../libs/events/streams.js';
import type { PlacementDecidedData } from '../../libs/scheduling/decide.js';
import type { EventLog } from '../../libs/infra/redis/eventlog.js';
import type { KubeObject } from '../../libs/kube-api/object.js';
import { clusterObject, clusterRef, conditions, type Health } from './federation-objects.js';
import { newEvent } from './events.js';

export interface Decided {
  readonly event: EventEnvelope;
  readonly data: PlacementDecidedData;
}

export interface FederationDriver {
  /** Appends one event to an object's stream as `actor`; returns the stored envelope's id, position and correlation. */
  append(ref: ObjectRef, type: string, data: unknown, actor?: string): Promise<{ id: string; position: string; correlationId: string }>;
  apply(ref: ObjectRef, object: KubeObject): Promise<{ id: string; position: string; correlationId: string }>;
  joinCluster(name: string, labels?: Record<string, string>): Promise<void>;
  /** The registry reports a cluster's health, changed now (or at `since`). */
  health(name: string, health: Health, since?: string): Promise<{ id: string; position: string; correlationId: string }>;
  decisions(ref: ObjectRef): Promise<Decided[]>;
}

export function federationDriver(log: EventLog): FederationDriver {
  const append: FederationDriver['append'] = async (ref, type, data, actor = 'admin') => {
    const event = newEvent(type, data, { actor, correlationId: randomUUID() });
    const r = await log.append(objectStream(ref), expectAny, [event]);
    if (E.isLeft(r)) throw new Error('append with expectAny cannot conflict');
    return { id: event.id, position: r.right.positions[0] as string, correlationId: event.correlationId };
  };
  return {
    append,
    apply: (ref, object) => append(ref, 'ObjectApplied', { ref, object }),
    async joinCluster(name, labels = {}) {
      await append(clusterRef(name), 'ObjectApplied', { ref: clusterRef(name), object: clusterObject(name, labels) });
    },
    health: (name, health, since = new Date().toISOString()) =>
      append(clusterRef(name), 'ClusterConditionChanged', { cluster: name, status: { conditions: conditions(health, since) } }, 'system:registry'),
    async decisions(ref) {
      const { events } = await log.readStream(objectStream(ref));
      return events.filter((e) => e.type === 'PlacementDecided').map((e) => ({ event: e, data: e.data as PlacementDecidedData }));
    },
  };
}
