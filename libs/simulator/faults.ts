// Faults of simulated member clusters: the admin API's wire types, the kubeconfig extension that locates it, and fault state changes.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

/** Name of the kubeconfig cluster extension through which `kfed sim fault` finds the simulator's admin endpoint. */
export const simulatorExtensionName = 'kfed.io/simulator';

export const SimulatorExtension = t.type({
  /** Base URL of the simulator's admin endpoint (plain http on the loopback interface). */
  admin: t.string,
  /** Bearer token of the admin endpoint. */
  token: t.string,
  /** The simulated cluster this kubeconfig cluster entry points at. */
  cluster: t.string,
});
export type SimulatorExtension = t.TypeOf<typeof SimulatorExtension>;

export const faultActions = ['offline', 'online', 'unhealthy', 'healthy', 'latency', 'write-errors', 'close-watches'] as const;
export const FaultAction = t.keyof(Object.fromEntries(faultActions.map((a) => [a, null])) as Record<(typeof faultActions)[number], null>);
export type FaultAction = t.TypeOf<typeof FaultAction>;

/** POST /v1/clusters/<name>/faults. `value`: milliseconds for latency, a fraction in [0, 1] for write-errors. */
export const FaultRequest = t.intersection([t.type({ action: FaultAction }), t.partial({ value: t.number })]);
export type FaultRequest = t.TypeOf<typeof FaultRequest>;

export const FaultState = t.type({
  /** The API port refuses connections. */
  offline: t.boolean,
  /** /healthz, /readyz and /livez fail while the API still answers. */
  unhealthy: t.boolean,
  /** Added before every API response. */
  latencyMs: t.number,
  /** Share of writes (POST, PUT, PATCH, DELETE) answered with 500. */
  writeErrorFraction: t.number,
});
export type FaultState = t.TypeOf<typeof FaultState>;

export const noFaults: FaultState = { offline: false, unhealthy: false, latencyMs: 0, writeErrorFraction: 0 };

export const ClusterStatus = t.type({ name: t.string, server: t.string, port: t.number, faults: FaultState });
export type ClusterStatus = t.TypeOf<typeof ClusterStatus>;

export const ClusterStatusList = t.type({ clusters: t.array(ClusterStatus) });
export type ClusterStatusList = t.TypeOf<typeof ClusterStatusList>;

/** The admin API's error body. */
export const AdminError = t.type({ error: t.string });
export type AdminError = t.TypeOf<typeof AdminError>;

/** The fault state after a request; close-watches is an act, not a state, and leaves it unchanged. */
export function applyFault(state: FaultState, r: FaultRequest): E.Either<string, FaultState> {
  switch (r.action) {
    case 'offline': return E.right({ ...state, offline: true });
    case 'online': return E.right({ ...state, offline: false });
    case 'unhealthy': return E.right({ ...state, unhealthy: true });
    case 'healthy': return E.right({ ...state, unhealthy: false });
    case 'latency':
      return r.value !== undefined && Number.isInteger(r.value) && r.value >= 0
        ? E.right({ ...state, latencyMs: r.value })
        : E.left('latency needs a whole number of milliseconds, 0 or more');
    case 'write-errors':
      return r.value !== undefined && r.value >= 0 && r.value <= 1
        ? E.right({ ...state, writeErrorFraction: r.value })
        : E.left('write-errors needs a fraction between 0 and 1');
    case 'close-watches': return E.right(state);
  }
}

/** One line on what a fault request did, for the CLI and the admin log. */
export function describeFault(cluster: string, r: FaultRequest, status: ClusterStatus): string {
  switch (r.action) {
    case 'offline': return `${cluster}: offline (${status.server} refuses connections)`;
    case 'online': return `${cluster}: online (${status.server} answers again)`;
    case 'unhealthy': return `${cluster}: unhealthy (/healthz and /readyz fail, the API still answers)`;
    case 'healthy': return `${cluster}: healthy`;
    case 'latency': return `${cluster}: latency ${status.faults.latencyMs} ms on every API request`;
    case 'write-errors': return `${cluster}: ${Math.round(status.faults.writeErrorFraction * 1000) / 10}% of writes fail with 500`;
    case 'close-watches': return `${cluster}: closed all open watches`;
  }
}

/** The simulator's state file (KFED_SIM_STATE): where its admin endpoint and clusters listen. */
export const SimulatorState = t.type({
  admin: t.type({ url: t.string, token: t.string }),
  clusters: t.array(t.type({ name: t.string, server: t.string, port: t.number, region: t.string })),
});
export type SimulatorState = t.TypeOf<typeof SimulatorState>;
