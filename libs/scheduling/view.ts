// What the scheduler decides from: the federation's read model, each object's last decision, and the events that can cause one.
import { comparePositions, type EventEnvelope } from '../events/envelope.js';
import type { Projection } from '../events/projection.js';
import { eventData } from '../events/types.js';
import { federationState, type FederationState, type FederationStateOptions } from '../federation/state.js';
import type { PlacementDecidedData } from './decide.js';

/** A recorded decision and where it sits in the log. */
export interface RecordedDecision {
  readonly data: PlacementDecidedData;
  readonly position: string;
}

/** An event a decision may name as its cause. */
export interface CauseEvent {
  readonly id: string;
  readonly type: string;
  readonly correlationId: string;
  readonly position: string;
}

export interface SchedulerView {
  readonly federation: FederationState;
  /** The last PlacementDecided per object stream; forgotten when the object is deleted. */
  readonly decisions: Map<string, RecordedDecision>;
  /** The last event per object stream that can change a decision (desired state, health, status). */
  readonly causes: Map<string, CauseEvent>;
}

const causing = new Set(['ObjectApplied', 'ClusterConditionChanged', 'StatusAggregated']);

export function schedulerView(options: FederationStateOptions): Projection<SchedulerView> {
  const federation = federationState(options);
  return {
    name: 'scheduler-view',
    initial: () => ({ federation: federation.initial(), decisions: new Map(), causes: new Map() }),
    evolve(s, e: EventEnvelope) {
      federation.evolve(s.federation, e);
      if (e.type === 'PlacementDecided') {
        // A payload this build cannot read is not a decision it can build on: decide afresh.
        const decoded = eventData.PlacementDecided.decode(e.data);
        if (decoded._tag === 'Right') s.decisions.set(e.stream, { data: decoded.right, position: e.position });
        else s.decisions.delete(e.stream);
      } else if (e.type === 'ObjectDeleted') {
        s.decisions.delete(e.stream);
        s.causes.delete(e.stream);
      } else if (causing.has(e.type)) {
        s.causes.set(e.stream, { id: e.id, type: e.type, correlationId: e.correlationId, position: e.position });
      }
      return s;
    },
  };
}

/**
 * The event a new decision for `stream` answers: the object's own latest change when it came after
 * the last decision (`own`: the decision continues its correlation), else the latest health change
 * among `clusterStreams` (also when a failover or recovery delay ran out since).
 */
export function causeOf(view: SchedulerView, stream: string, clusterStreams: Iterable<string>): { readonly cause?: CauseEvent; readonly own: boolean } {
  const mine = view.causes.get(stream);
  const last = view.decisions.get(stream);
  if (mine !== undefined && (last === undefined || comparePositions(mine.position, last.position) > 0)) return { cause: mine, own: true };
  let latest: CauseEvent | undefined;
  for (const s of clusterStreams) {
    const c = view.causes.get(s);
    if (c !== undefined && (latest === undefined || comparePositions(c.position, latest.position) > 0)) latest = c;
  }
  return latest === undefined ? { own: false } : { cause: latest, own: false };
}
