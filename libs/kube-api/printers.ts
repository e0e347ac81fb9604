// Server-side table columns of the built-in kinds, mirroring kube-apiserver's printers (what `kubectl get` shows).
import type { KubeObject, TableCell } from './object.js';
import { getArray, getNumber, getPath, getRecord, getString } from './json.js';
import { isJsonObject } from './json-value.js';
import * as E from 'fp-ts/lib/Either.js';
import { formatLabelSelector, labelSelectorFromSpec, type LabelSelector } from './selectors.js';

export interface TableColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly format?: string;
  /** 0: always shown; 1 and more: only with `-o wide`. */
  readonly priority?: number;
}

/** How one kind prints: the columns (Name first) and the cells of one object at time `now`. */
export interface TableDefinition {
  readonly columns: readonly TableColumn[];
  cells(obj: KubeObject, now: Date): TableCell[];
}

const none = '<none>';
const nameColumn: TableColumn = { name: 'Name', type: 'string', format: 'name' };
const ageColumn: TableColumn = { name: 'Age', type: 'string' };
const wide = (name: string, type: TableColumn['type'] = 'string'): TableColumn => ({ name, type, priority: 1 });

/** kubectl's HumanDuration: `45s`, `3m2s`, `15m`, `4h5m`, `20h`, `3d4h`, `12d`, `2y30d`. */
export function formatDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  const withRest = (big: number, bigUnit: string, rest: number, restUnit: string): string =>
    rest === 0 ? `${big}${bigUnit}` : `${big}${bigUnit}${rest}${restUnit}`;
  if (minutes < 10) return withRest(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return withRest(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return withRest(days, 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return withRest(years, 'y', days % 365, 'd');
  return `${years}y`;
}

/** The age of a timestamp as kubectl shows it, `<unknown>` when absent or unparseable. */
export function formatAge(timestamp: string | undefined, now: Date): string {
  const at = timestamp === undefined ? NaN : Date.parse(timestamp);
  return Number.isNaN(at) ? '<unknown>' : formatDuration(now.getTime() - at);
}

const age = (obj: KubeObject, now: Date): string => formatAge(obj.metadata.creationTimestamp, now);
const name = (obj: KubeObject): string => obj.metadata.name ?? '';
const orNone = (s: string): string => (s === '' ? none : s);
const int = (obj: unknown, ...path: string[]): number => getNumber(obj, ...path) ?? 0;

/** The label selector of a workload or Service as kubectl writes it (`app=nginx`), `<none>` when empty. */
export function selectorText(selector: unknown): string {
  if (selector === undefined || selector === null) return none;
  return E.match(() => '<invalid>', (sel: LabelSelector) => orNone(formatLabelSelector(sel)))(labelSelectorFromSpec(selector));
}

/** `k=v,k2=v2` for a plain string map such as a Service selector or a node selector. */
function mapText(m: unknown): string {
  return orNone(Object.entries(isJsonObject(m) ? m : {}).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${String(v)}`).join(','));
}

const containers = (obj: unknown): unknown[] => getArray(obj, 'spec', 'template', 'spec', 'containers');
const joinedField = (items: unknown[], field: string): string => orNone(items.map((c) => getString(c, field) ?? '').join(','));

/** CONTAINERS, IMAGES and SELECTOR: the wide columns every pod-template workload shares. */
const workloadWideColumns = [wide('Containers'), wide('Images'), wide('Selector')];
const workloadWideCells = (obj: KubeObject): TableCell[] => [
  joinedField(containers(obj), 'name'),
  joinedField(containers(obj), 'image'),
  selectorText(getPath(obj, 'spec', 'selector')),
];

export const deploymentTable: TableDefinition = {
  columns: [nameColumn, { name: 'Ready', type: 'string' }, { name: 'Up-to-date', type: 'integer' },
    { name: 'Available', type: 'integer' }, ageColumn, ...workloadWideColumns],
  cells: (obj, now) => [
    name(obj),
    `${int(obj, 'status', 'readyReplicas')}/${int(obj, 'spec', 'replicas')}`,
    int(obj, 'status', 'updatedReplicas'),
    int(obj, 'status', 'availableReplicas'),
    age(obj, now),
    ...workloadWideCells(obj),
  ],
};

export const replicaSetTable: TableDefinition = {
  columns: [nameColumn, { name: 'Desired', type: 'integer' }, { name: 'Current', type: 'integer' },
    { name: 'Ready', type: 'integer' }, ageColumn, ...workloadWideColumns],
  cells: (obj, now) => [
    name(obj),
    int(obj, 'spec', 'replicas'),
    int(obj, 'status', 'replicas'),
    int(obj, 'status', 'readyReplicas'),
    age(obj, now),
    ...workloadWideCells(obj),
  ],
};

export const daemonSetTable: TableDefinition = {
  columns: [nameColumn, { name: 'Desired', type: 'integer' }, { name: 'Current', type: 'integer' },
    { name: 'Ready', type: 'integer' }, { name: 'Up-to-date', type: 'integer' }, { name: 'Available', type: 'integer' },
    { name: 'Node Selector', type: 'string' }, ageColumn, ...workloadWideColumns],
  cells: (obj, now) => [
    name(obj),
    int(obj, 'status', 'desiredNumberScheduled'),
    int(obj, 'status', 'currentNumberScheduled'),
    int(obj, 'status', 'numberReady'),
    int(obj, 'status', 'updatedNumberScheduled'),
    int(obj, 'status', 'numberAvailable'),
    mapText(getPath(obj, 'spec', 'template', 'spec', 'nodeSelector')),
    age(obj, now),
    ...workloadWideCells(obj),
  ],
};

function conditionTrue(obj: unknown, type: string): boolean {
  return getArray(obj, 'status', 'conditions').some((c) => getString(c, 'type') === type && getString(c, 'status') === 'True');
}

function jobStatus(obj: KubeObject): string {
  if (obj.metadata.deletionTimestamp !== undefined) return 'Terminating';
  for (const c of ['Complete', 'Failed', 'FailureTarget', 'SuccessCriteriaMet', 'Suspended']) {
    if (conditionTrue(obj, c)) return c;
  }
  return 'Running';
}

export const jobTable: TableDefinition = {
  columns: [nameColumn, { name: 'Status', type: 'string' }, { name: 'Completions', type: 'string' },
    { name: 'Duration', type: 'string' }, ageColumn, ...workloadWideColumns],
  cells: (obj, now) => {
    const completions = getNumber(obj, 'spec', 'completions');
    const parallelism = getNumber(obj, 'spec', 'parallelism') ?? 1;
    const succeeded = int(obj, 'status', 'succeeded');
    const of = completions !== undefined ? `${completions}` : parallelism > 1 ? `1 of ${parallelism}` : '1';
    const start = Date.parse(getString(obj, 'status', 'startTime') ?? '');
    const end = Date.parse(getString(obj, 'status', 'completionTime') ?? '');
    const duration = Number.isNaN(start) ? '' : formatDuration((Number.isNaN(end) ? now.getTime() : end) - start);
    return [name(obj), jobStatus(obj), `${succeeded}/${of}`, duration, age(obj, now), ...workloadWideCells(obj)];
  },
};

function podStatusReason(obj: KubeObject): string {
  if (obj.metadata.deletionTimestamp !== undefined) return 'Terminating';
  let reason = getString(obj, 'status', 'reason') ?? getString(obj, 'status', 'phase') ?? 'Unknown';
  for (const cs of getArray(obj, 'status', 'containerStatuses')) {
    const waiting = getString(cs, 'state', 'waiting', 'reason');
    const terminated = getString(cs, 'state', 'terminated', 'reason');
    if (waiting !== undefined && waiting !== '') reason = waiting;
    else if (terminated !== undefined && terminated !== '') reason = terminated;
  }
  return reason;
}

export const podTable: TableDefinition = {
  columns: [nameColumn, { name: 'Ready', type: 'string' }, { name: 'Status', type: 'string' },
    { name: 'Restarts', type: 'string' }, ageColumn, wide('IP'), wide('Node'), wide('Nominated Node'), wide('Readiness Gates')],
  cells: (obj, now) => {
    const statuses = getArray(obj, 'status', 'containerStatuses');
    const ready = statuses.filter((s) => getPath(s, 'ready') === true).length;
    const restarts = statuses.reduce<number>((n, s) => n + int(s, 'restartCount'), 0);
    return [
      name(obj),
      `${ready}/${getArray(obj, 'spec', 'containers').length}`,
      podStatusReason(obj),
      String(restarts),
      age(obj, now),
      getString(obj, 'status', 'podIP') ?? none,
      getString(obj, 'spec', 'nodeName') ?? none,
      getString(obj, 'status', 'nominatedNodeName') ?? none,
      none,
    ];
  },
};

function nodeAddress(obj: unknown, type: string): string {
  const a = getArray(obj, 'status', 'addresses').find((x) => getString(x, 'type') === type);
  return getString(a, 'address') ?? none;
}

export const nodeTable: TableDefinition = {
  columns: [nameColumn, { name: 'Status', type: 'string' }, { name: 'Roles', type: 'string' }, ageColumn,
    { name: 'Version', type: 'string' }, wide('Internal-IP'), wide('External-IP'), wide('OS-Image'),
    wide('Kernel-Version'), wide('Container-Runtime')],
  cells: (obj, now) => {
    const ready = getArray(obj, 'status', 'conditions').find((c) => getString(c, 'type') === 'Ready');
    const readyStatus = getString(ready, 'status');
    const status = readyStatus === 'True' ? 'Ready' : readyStatus === 'False' ? 'NotReady' : 'Unknown';
    const roles = Object.keys(obj.metadata.labels ?? {})
      .filter((l) => l.startsWith('node-role.kubernetes.io/'))
      .map((l) => l.slice('node-role.kubernetes.io/'.length))
      .sort();
    return [
      name(obj),
      getPath(obj, 'spec', 'unschedulable') === true ? `${status},SchedulingDisabled` : status,
      orNone(roles.join(',')),
      age(obj, now),
      getString(obj, 'status', 'nodeInfo', 'kubeletVersion') ?? '',
      nodeAddress(obj, 'InternalIP'),
      nodeAddress(obj, 'ExternalIP'),
      getString(obj, 'status', 'nodeInfo', 'osImage') ?? '<unknown>',
      getString(obj, 'status', 'nodeInfo', 'kernelVersion') ?? '<unknown>',
      getString(obj, 'status', 'nodeInfo', 'containerRuntimeVersion') ?? '<unknown>',
    ];
  },
};

function serviceExternalIp(obj: KubeObject): string {
  const external = getArray(obj, 'spec', 'externalIPs').map(String);
  switch (getString(obj, 'spec', 'type') ?? 'ClusterIP') {
    case 'ExternalName':
      return getString(obj, 'spec', 'externalName') ?? none;
    case 'LoadBalancer': {
      const ingress = getArray(obj, 'status', 'loadBalancer', 'ingress').map((i) => getString(i, 'ip') ?? getString(i, 'hostname') ?? '');
      const all = [...ingress, ...external].filter((s) => s !== '');
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    default:
      return orNone(external.join(','));
  }
}

function servicePorts(obj: KubeObject): string {
  return orNone(getArray(obj, 'spec', 'ports').map((p) => {
    const nodePort = getNumber(p, 'nodePort');
    const port = nodePort === undefined ? `${int(p, 'port')}` : `${int(p, 'port')}:${nodePort}`;
    return `${port}/${getString(p, 'protocol') ?? 'TCP'}`;
  }).join(','));
}

export const serviceTable: TableDefinition = {
  columns: [nameColumn, { name: 'Type', type: 'string' }, { name: 'Cluster-IP', type: 'string' },
    { name: 'External-IP', type: 'string' }, { name: 'Port(s)', type: 'string' }, ageColumn, wide('Selector')],
  cells: (obj, now) => [
    name(obj),
    getString(obj, 'spec', 'type') ?? 'ClusterIP',
    getString(obj, 'spec', 'clusterIP') ?? none,
    serviceExternalIp(obj),
    servicePorts(obj),
    age(obj, now),
    mapText(getPath(obj, 'spec', 'selector')),
  ],
};

export const ingressTable: TableDefinition = {
  columns: [nameColumn, { name: 'Class', type: 'string' }, { name: 'Hosts', type: 'string' },
    { name: 'Address', type: 'string' }, { name: 'Ports', type: 'string' }, ageColumn],
  cells: (obj, now) => {
    const hosts = getArray(obj, 'spec', 'rules').map((r) => getString(r, 'host') ?? '').filter((h) => h !== '');
    const addresses = getArray(obj, 'status', 'loadBalancer', 'ingress').map((i) => getString(i, 'ip') ?? getString(i, 'hostname') ?? '');
    return [
      name(obj),
      getString(obj, 'spec', 'ingressClassName') ?? none,
      hosts.length > 0 ? hosts.join(',') : '*',
      addresses.filter((a) => a !== '').join(','),
      getArray(obj, 'spec', 'tls').length > 0 ? '80, 443' : '80',
      age(obj, now),
    ];
  },
};

export const namespaceTable: TableDefinition = {
  columns: [nameColumn, { name: 'Status', type: 'string' }, ageColumn],
  cells: (obj, now) => [name(obj), getString(obj, 'status', 'phase') ?? '', age(obj, now)],
};

export const secretTable: TableDefinition = {
  columns: [nameColumn, { name: 'Type', type: 'string' }, { name: 'Data', type: 'integer' }, ageColumn],
  cells: (obj, now) => [name(obj), getString(obj, 'type') ?? 'Opaque', Object.keys(getRecord(obj, 'data')).length, age(obj, now)],
};

export const configMapTable: TableDefinition = {
  columns: [nameColumn, { name: 'Data', type: 'integer' }, ageColumn],
  cells: (obj, now) => [name(obj), Object.keys(getRecord(obj, 'data')).length + Object.keys(getRecord(obj, 'binaryData')).length, age(obj, now)],
};

export const eventTable: TableDefinition = {
  columns: [{ name: 'Last Seen', type: 'string' }, { name: 'Type', type: 'string' }, { name: 'Reason', type: 'string' },
    { name: 'Object', type: 'string' }, wide('Subobject'), wide('Source'), { name: 'Message', type: 'string' },
    wide('First Seen'), wide('Count', 'integer'), { ...nameColumn, priority: 1 }],
  cells: (obj, now) => {
    const last = getString(obj, 'series', 'lastObservedTime') ?? getString(obj, 'lastTimestamp') ?? getString(obj, 'eventTime');
    const first = getString(obj, 'firstTimestamp') ?? getString(obj, 'eventTime');
    const source = [getString(obj, 'source', 'component') ?? getString(obj, 'reportingComponent') ?? '', getString(obj, 'source', 'host') ?? '']
      .filter((s) => s !== '').join(', ');
    return [
      formatAge(last, now),
      getString(obj, 'type') ?? '',
      getString(obj, 'reason') ?? '',
      `${(getString(obj, 'involvedObject', 'kind') ?? '').toLowerCase()}/${getString(obj, 'involvedObject', 'name') ?? ''}`,
      getString(obj, 'involvedObject', 'fieldPath') ?? '',
      source,
      (getString(obj, 'message') ?? '').trim(),
      formatAge(first, now),
      getNumber(obj, 'count') ?? 1,
      name(obj),
    ];
  },
};

/** What kube serves for kinds without their own printer (custom resources): NAME and AGE. */
export const defaultTable: TableDefinition = {
  columns: [nameColumn, ageColumn],
  cells: (obj, now) => [name(obj), age(obj, now)],
};
