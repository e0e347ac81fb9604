// Status conditions: a transition time changes only when the condition's status does, so recomputing is idempotent.
import { getArray, getString } from '../../../libs/kube-api/json.js';

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
}

/** Conditions in `wanted` order, keeping the previous timestamps of conditions whose status and reason are unchanged. */
export function conditions(previous: unknown, wanted: readonly Condition[], now: string, timestamps: readonly string[] = ['lastTransitionTime']): Record<string, unknown>[] {
  const before = getArray(previous);
  return wanted.map((c) => {
    const old = before.find((p) => getString(p, 'type') === c.type);
    const same = old !== undefined && getString(old, 'status') === c.status;
    const sameReason = same && getString(old, 'reason') === c.reason && getString(old, 'message') === c.message;
    const times = Object.fromEntries(timestamps.map((ts) => {
      // lastTransitionTime moves with the status; the other timestamps (lastUpdateTime) with any change.
      const keep = ts === 'lastTransitionTime' ? same : sameReason;
      return [ts, keep ? getString(old, ts) ?? now : now];
    }));
    return { type: c.type, status: c.status, ...times, ...(c.reason === undefined ? {} : { reason: c.reason }), ...(c.message === undefined ? {} : { message: c.message }) };
  });
}
