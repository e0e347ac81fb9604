// Projections: read models folded from the log. The fold is pure; running it is the runner's job.
import type { EventEnvelope } from './envelope.js';

/**
 * A projection is `initial()` and `evolve(state, event)`. A fold owns its state: evolve may update
 * it in place and return it (read models hold thousands of objects, copying them per event would
 * make replay quadratic), so a caller never reuses a state it has passed to evolve.
 * evolve must be deterministic and free of I/O: replaying the same events gives the same state.
 */
export interface Projection<S> {
  readonly name: string;
  initial(): S;
  evolve(state: S, event: EventEnvelope): S;
}

export function fold<S>(projection: Projection<S>, events: Iterable<EventEnvelope>, from: S = projection.initial()): S {
  let state = from;
  for (const e of events) state = projection.evolve(state, e);
  return state;
}
