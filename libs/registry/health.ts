// Member cluster health: probe results become the Ready/Offline conditions Federation v1 wrote, with thresholds.
import type { ClusterCondition } from '../events/types.js';
import type { KubeObject } from '../kube-api/object.js';

/** What one probe round of a member found. */
export type ProbeResult =
  /** /readyz (or /healthz where /readyz is missing) answered 200. */
  | { readonly _tag: 'Healthy'; readonly endpoint: string }
  /** The member answered, but not 200: it is reachable and not ready. `detail`: the failed checks it named. */
  | { readonly _tag: 'Unhealthy'; readonly endpoint: string; readonly code: number; readonly detail: string }
  /** The member refused kfed's credentials (401/403): reachable, not usable. */
  | { readonly _tag: 'Rejected'; readonly code: number }
  /** No HTTP answer: connection refused, no answer within the timeout, TLS failure. */
  | { readonly _tag: 'Unreachable'; readonly reason: string }
  /** kfed cannot even try: no server address for its network, no or a broken kubeconfig Secret. */
  | { readonly _tag: 'Misconfigured'; readonly message: string };

export type Health = 'Ready' | 'NotReady' | 'Offline' | 'Unknown';

export interface Thresholds {
  /** Consecutive failed probes before a Ready cluster is reported not Ready. */
  readonly failure: number;
  /** Consecutive healthy probes before a cluster that is not Ready is reported Ready. */
  readonly success: number;
}

/** The cluster a message is about: its name and the server kfed probes (never its credentials). */
export interface ProbeTarget {
  readonly cluster: string;
  readonly server: string;
}

export interface HealthState {
  /** The conditions as recorded (the Cluster's status in the read model). */
  readonly conditions: readonly ClusterCondition[];
  /** Consecutive failed probes; consecutive healthy probes. Kept by the prober, not recorded. */
  readonly failures: number;
  readonly successes: number;
}

export interface Observation {
  /** The next state; its conditions carry this probe's time as lastProbeTime. */
  readonly state: HealthState;
  /** The conditions differ from the recorded ones in more than lastProbeTime: a transition to record. */
  readonly changed: boolean;
}

const find = (conditions: readonly ClusterCondition[], type: string): ClusterCondition | undefined => conditions.find((c) => c.type === type);

/** The health the conditions state (the scheduler reads them the same way). */
export function healthOf(conditions: readonly ClusterCondition[]): Health {
  const ready = find(conditions, 'Ready')?.status;
  if (ready === 'True') return 'Ready';
  if (find(conditions, 'Offline')?.status === 'True') return 'Offline';
  return ready === 'False' ? 'NotReady' : 'Unknown';
}

/** Server URLs are shown without user info, in case one was written with it. */
function shown(server: string): string {
  try {
    const u = new URL(server);
    if (u.username === '' && u.password === '') return server;
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return server;
  }
}

const httpReasons: Readonly<Record<number, string>> = {
  401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error',
  502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};
const statusText = (code: number): string => (httpReasons[code] === undefined ? String(code) : `${code} ${httpReasons[code]}`);

type Condition = Omit<ClusterCondition, 'lastProbeTime' | 'lastTransitionTime'>;

/** The conditions a probe result calls for, before timestamps. Ready comes first, as in Federation v1. */
export function conditionsFor(result: ProbeResult, target: ProbeTarget): Condition[] {
  const at = `cluster ${target.cluster} at ${shown(target.server)}`;
  const reachable: Condition = { type: 'Offline', status: 'False', reason: 'ClusterReachable', message: `${at} is reachable` };
  switch (result._tag) {
    case 'Healthy':
      return [{ type: 'Ready', status: 'True', reason: 'ClusterReady', message: `${at}: ${result.endpoint} responded with ok` }, reachable];
    case 'Unhealthy': {
      const detail = result.detail === '' ? '' : `: ${result.detail}`;
      return [
        { type: 'Ready', status: 'False', reason: 'ClusterNotReady', message: `${at}: ${result.endpoint} responded with ${statusText(result.code)}${detail}` },
        reachable,
      ];
    }
    case 'Rejected':
      return [
        { type: 'Ready', status: 'False', reason: 'ClusterNotReady', message: `${at}: the member rejected kfed's credentials (${statusText(result.code)})` },
        reachable,
      ];
    case 'Unreachable': {
      const message = `${at} is not reachable: ${result.reason}`;
      // Whether it is ready cannot be known; Offline True is what callers act on.
      return [
        { type: 'Ready', status: 'Unknown', reason: 'ClusterNotReachable', message },
        { type: 'Offline', status: 'True', reason: 'ClusterNotReachable', message },
      ];
    }
    case 'Misconfigured':
      return [
        { type: 'Ready', status: 'False', reason: 'ClusterNotReady', message: result.message },
        { type: 'Offline', status: 'Unknown', reason: 'ClusterNotProbed', message: `${at} was not probed: ${result.message}` },
      ];
  }
}

/** lastProbeTime = now everywhere; lastTransitionTime moves only where a condition's status changes. */
function stamp(next: readonly Condition[], recorded: readonly ClusterCondition[], now: string): ClusterCondition[] {
  return next.map((c) => {
    const before = find(recorded, c.type);
    const since = before !== undefined && before.status === c.status ? before.lastTransitionTime ?? now : now;
    return { ...c, lastProbeTime: now, lastTransitionTime: since };
  });
}

const same = (a: readonly ClusterCondition[], b: readonly ClusterCondition[]): boolean =>
  a.length === b.length && a.every((c, i) => {
    const d = b[i];
    return d !== undefined && c.type === d.type && c.status === d.status && c.reason === d.reason && c.message === d.message;
  });

/**
 * One probe's effect. A Ready cluster stays Ready until `thresholds.failure` consecutive probes fail;
 * a cluster that is not Ready becomes Ready after `thresholds.success` consecutive healthy probes.
 * Between the states that are not Ready (not ready, offline, misconfigured, never probed) the latest
 * result shows at once: the thresholds guard only against flapping in and out of Ready.
 */
export function observe(state: HealthState, result: ProbeResult, now: Date, thresholds: Thresholds, target: ProbeTarget): Observation {
  const healthy = result._tag === 'Healthy';
  const failures = healthy ? 0 : state.failures + 1;
  const successes = healthy ? state.successes + 1 : 0;
  const ready = healthOf(state.conditions) === 'Ready';
  const keep = healthy ? !ready && successes < thresholds.success : ready && failures < thresholds.failure;
  const time = now.toISOString();
  const conditions = keep
    ? state.conditions.map((c) => ({ ...c, lastProbeTime: time }))
    : stamp(conditionsFor(result, target), state.conditions, time);
  return { state: { conditions, failures, successes }, changed: !same(conditions, state.conditions) };
}

/** Shows a Cluster's conditions as probed at `probedAt` when that is later than what its status records. */
export function withProbeTime(cluster: KubeObject, probedAt: string): KubeObject {
  const status = cluster['status'] as { conditions?: unknown } | undefined;
  const conditions = status?.conditions;
  if (!Array.isArray(conditions) || conditions.length === 0) return cluster;
  const at = Date.parse(probedAt);
  if (Number.isNaN(at)) return cluster;
  const older = (c: unknown): boolean => {
    if (typeof c !== 'object' || c === null) return false;
    const last = Date.parse(String((c as { lastProbeTime?: unknown }).lastProbeTime));
    return Number.isNaN(last) || last < at;
  };
  if (!conditions.some(older)) return cluster;
  const moved = conditions.map((c: unknown) => (older(c) ? { ...(c as object), lastProbeTime: probedAt } : c));
  return { ...cluster, status: { ...status, conditions: moved } };
}

/** The failed checks a health endpoint listed (`[-]etcd failed: ...`), in one short line. */
export function failedChecks(body: string): string {
  const lines = body.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('[-]'));
  // eslint-disable-next-line no-control-regex
  const text = lines.slice(0, 3).join('; ').replace(/[\u0000-\u001f\u007f]/g, ' ');
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
