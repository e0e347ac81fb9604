// The event envelope: the one shape of every entry in the kfed log.
import * as t from 'io-ts';

/** Who or what caused an event: a user (from their token), or a service ("system:scheduler"). */
export const Actor = t.string;

/** An event as a writer hands it to the log; the log assigns `version` and `position`. */
export const NewEvent = t.type({
  id: t.string,
  type: t.string,
  time: t.string,
  correlationId: t.string,
  causationId: t.union([t.string, t.null]),
  actor: Actor,
  data: t.unknown,
});
export type NewEvent = t.TypeOf<typeof NewEvent>;

/**
 * An event as stored: `stream` names the aggregate (e.g. "object:apps/ReplicaSet/default/nginx"),
 * `version` is its 1-based index in that stream, `position` its place in the global log:
 * a decimal string, strictly increasing across the whole federation, served as resourceVersion.
 * (One flat t.type rather than an intersection with NewEvent: replay decodes every entry, and the
 * flat codec is several times faster.)
 */
export const EventEnvelope = t.type({
  ...NewEvent.props,
  stream: t.string,
  version: t.number,
  position: t.string,
});
export type EventEnvelope = t.TypeOf<typeof EventEnvelope>;

/** How an append constrains the stream's current version. */
export type ExpectedVersion =
  | { readonly _tag: 'Exact'; readonly version: number } // 0 means "the stream must not exist yet"
  | { readonly _tag: 'Any' };

export const expectVersion = (version: number): ExpectedVersion => ({ _tag: 'Exact', version });
export const expectNoStream: ExpectedVersion = { _tag: 'Exact', version: 0 };
export const expectAny: ExpectedVersion = { _tag: 'Any' };

/** The append lost a race: the stream is at `actual`, not at what the writer expected. */
export interface VersionConflict {
  readonly _tag: 'VersionConflict';
  readonly stream: string;
  readonly expected: number;
  readonly actual: number;
}

/** Positions are decimal strings; compare them numerically (they outgrow no JS number in practice). */
export function comparePositions(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}
