// Payload codecs of the hint subjects (see subjects.ts). Hints say what to re-read, never what is true.
import * as t from 'io-ts';

/** On log.appended: the stream that got an entry and the entry's position (decimal string). */
export const LogAppended = t.type({ stream: t.string, position: t.string }, 'LogAppended');
export type LogAppended = t.TypeOf<typeof LogAppended>;

/** On cluster.health.<cluster>, cluster.sync.<cluster> and <area>.reconcile: the keys to reconcile. */
export const KeysChanged = t.type({ keys: t.array(t.string) }, 'KeysChanged');
export type KeysChanged = t.TypeOf<typeof KeysChanged>;

/**
 * On replicas.heartbeat.<role>: replica `replica` is alive until `ttlMs` after this message arrives.
 * Receivers time expiry by their own clock, so replicas need no synchronised clocks.
 */
export const ReplicaHeartbeat = t.type({ replica: t.string, ttlMs: t.number }, 'ReplicaHeartbeat');
export type ReplicaHeartbeat = t.TypeOf<typeof ReplicaHeartbeat>;

/** On replicas.left.<role>: replica `replica` stopped taking work. */
export const ReplicaLeft = t.type({ replica: t.string }, 'ReplicaLeft');
export type ReplicaLeft = t.TypeOf<typeof ReplicaLeft>;
