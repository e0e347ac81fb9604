// The resource catalog: every served type with its discovery facts, storage identity, table and defaulting.
import type { KubeObject } from './object.js';
import { getRecord } from './json.js';
import { isJsonObject } from './json-value.js';
import * as printers from './printers.js';
import type { TableDefinition } from './printers.js';
import { nameRuleFor, type NameRule } from './validation.js';

/**
 * Where objects of a type are stored. Aliases (extensions/v1beta1 ReplicaSet) share the identity of the
 * canonical type (apps/v1 ReplicaSet), so both names address the same objects. Stored objects carry the
 * canonical apiVersion; they are converted to the requested version when served.
 */
export interface StorageKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/** Where a scalable type keeps what `<name>/scale` shows (like a CRD's scale subresource). */
export interface ScaleSubresource {
  readonly specReplicasPath: readonly string[];
  readonly statusReplicasPath: readonly string[];
  /** A LabelSelector object (apps) or an already formatted selector string (custom kinds). */
  readonly selectorPath: readonly string[];
}

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly verbs: readonly string[];
  /** Serves `<name>/status`; main-resource writes then keep the stored status, as kube does. */
  readonly status: boolean;
  /** Creation drops a client-sent status (true for most types with a status subresource; Nodes keep theirs). */
  readonly resetsStatusOnCreate: boolean;
  readonly scale?: ScaleSubresource;
  /** Serves `<name>/finalize` (Namespaces). */
  readonly finalize: boolean;
  readonly storage: StorageKind;
  readonly table: TableDefinition;
  /** kubectl sends strategic merge patches for kinds compiled into it; others answer 415 to them. */
  readonly strategicMergePatch: boolean;
  /** metadata.generation counts changes outside metadata and status. */
  readonly tracksGeneration: boolean;
  /** extensions/v1beta1 workloads: a missing spec.selector comes from the template labels. */
  readonly legacySelectorDefaulting: boolean;
  /** The syntax of object names; defaults to kube's rule for the kind (DNS subdomain for most). */
  readonly nameFormat: NameRule;
  /** Field selectors beyond metadata.name and metadata.namespace. */
  readonly fieldSelectors: readonly string[];
  /** Defaulting applied to every written object of this type (kube's defaulters). */
  readonly defaults: (obj: KubeObject) => KubeObject;
}

export const allVerbs: readonly string[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function apiVersionOf(gv: { readonly group: string; readonly version: string }): string {
  return gv.group === '' ? gv.version : `${gv.group}/${gv.version}`;
}

/** The path a group version is served under: /api/<version> for the core group, /apis/<group>/<version> otherwise. */
export function groupVersionPath(gv: { readonly group: string; readonly version: string }): string {
  return gv.group === '' ? `/api/${gv.version}` : `/apis/${gv.group}/${gv.version}`;
}

/** The collection path of a type across all namespaces (a cluster-scoped type's only one). */
export function collectionPath(type: Pick<ResourceType, 'group' | 'version' | 'plural'>): string {
  return `${groupVersionPath(type)}/${type.plural}`;
}

export function storageApiVersion(type: ResourceType): string {
  return apiVersionOf(type.storage);
}

/** The fields a type must give; the rest default to a plain namespaced, generation-tracking type. */
export type TypeSpec = Pick<ResourceType, 'group' | 'version' | 'kind' | 'plural'> & Partial<Omit<ResourceType, 'storage'>>;

export function defineType(spec: TypeSpec): ResourceType {
  const namespaced = spec.namespaced ?? true;
  return {
    singular: spec.kind.toLowerCase(),
    namespaced,
    shortNames: [],
    categories: [],
    verbs: allVerbs,
    status: false,
    resetsStatusOnCreate: spec.status ?? false,
    finalize: false,
    table: printers.defaultTable,
    strategicMergePatch: false,
    tracksGeneration: true,
    legacySelectorDefaulting: false,
    nameFormat: nameRuleFor(spec),
    fieldSelectors: [],
    defaults: (obj) => obj,
    ...spec,
    storage: { group: spec.group, version: spec.version, kind: spec.kind, plural: spec.plural, namespaced },
  };
}

/** The same objects served under another group version (kube's extensions/v1beta1 aliases). */
export function aliasType(base: ResourceType, at: { readonly group: string; readonly version: string } & Partial<ResourceType>): ResourceType {
  return { ...base, shortNames: [], categories: [], ...at, storage: base.storage };
}

const builtin = (spec: TypeSpec): ResourceType => defineType({ strategicMergePatch: true, ...spec });

const withSpecDefault = (obj: KubeObject, defaults: Record<string, unknown>): KubeObject =>
  ({ ...obj, spec: { ...defaults, ...getRecord(obj, 'spec') } });

/** Secret.stringData is write-only: kube merges it base64-encoded into data. */
function secretDefaults(obj: KubeObject): KubeObject {
  const { stringData, ...rest } = obj;
  const data = { ...getRecord(obj, 'data') };
  if (isJsonObject(stringData)) {
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  }
  return { ...rest, type: typeof obj['type'] === 'string' ? obj['type'] : 'Opaque', ...(Object.keys(data).length > 0 || stringData !== undefined ? { data } : {}) };
}

function namespaceDefaults(obj: KubeObject): KubeObject {
  const status = getRecord(obj, 'status');
  return { ...withSpecDefault(obj, { finalizers: ['kubernetes'] }), status: { ...status, phase: status['phase'] ?? 'Active' } };
}

const replicasDefault = (obj: KubeObject): KubeObject => withSpecDefault(obj, { replicas: 1 });

const replicaScale: ScaleSubresource = {
  specReplicasPath: ['spec', 'replicas'],
  statusReplicasPath: ['status', 'replicas'],
  selectorPath: ['spec', 'selector'],
};

export const namespaces = builtin({
  group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'],
  status: true, finalize: true, table: printers.namespaceTable, tracksGeneration: false,
  fieldSelectors: ['status.phase'], defaults: namespaceDefaults,
});
export const nodes = builtin({
  group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'],
  status: true, resetsStatusOnCreate: false, table: printers.nodeTable, tracksGeneration: false, fieldSelectors: ['spec.unschedulable'],
});
export const pods = builtin({
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', shortNames: ['po'], categories: ['all'],
  status: true, table: printers.podTable, tracksGeneration: false,
  fieldSelectors: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName',
    'status.phase', 'status.podIP', 'status.nominatedNodeName'],
});
export const secrets = builtin({
  group: '', version: 'v1', kind: 'Secret', plural: 'secrets', table: printers.secretTable, tracksGeneration: false,
  fieldSelectors: ['type'], defaults: secretDefaults,
});
export const configMaps = builtin({
  group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'],
  table: printers.configMapTable, tracksGeneration: false,
});
export const services = builtin({
  group: '', version: 'v1', kind: 'Service', plural: 'services', shortNames: ['svc'], categories: ['all'],
  status: true, table: printers.serviceTable, tracksGeneration: false,
  defaults: (obj) => withSpecDefault(obj, { type: 'ClusterIP', sessionAffinity: 'None' }),
});
export const events = builtin({
  group: '', version: 'v1', kind: 'Event', plural: 'events', shortNames: ['ev'], table: printers.eventTable,
  tracksGeneration: false,
  fieldSelectors: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
    'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason',
    'reportingComponent', 'source', 'type'],
});
export const deployments = builtin({
  group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', shortNames: ['deploy'], categories: ['all'],
  status: true, scale: replicaScale, table: printers.deploymentTable, defaults: replicasDefault,
});
export const replicaSets = builtin({
  group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', shortNames: ['rs'], categories: ['all'],
  status: true, scale: replicaScale, table: printers.replicaSetTable, fieldSelectors: ['status.replicas'],
  defaults: replicasDefault,
});
export const daemonSets = builtin({
  group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', shortNames: ['ds'], categories: ['all'],
  status: true, table: printers.daemonSetTable,
});
export const jobs = builtin({
  group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', categories: ['all'], status: true,
  table: printers.jobTable, fieldSelectors: ['status.successful'],
});
export const ingresses = builtin({
  group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', shortNames: ['ing'],
  status: true, table: printers.ingressTable,
});

const extensions = { group: 'extensions', version: 'v1beta1' } as const;

/** The built-in types in discovery order: core, then apps before extensions (short names resolve to the first). */
export const builtinTypes: readonly ResourceType[] = [
  namespaces, nodes, pods, secrets, configMaps, services, events,
  deployments, replicaSets, daemonSets,
  jobs,
  ingresses,
  aliasType(deployments, { ...extensions, legacySelectorDefaulting: true }),
  aliasType(replicaSets, { ...extensions, legacySelectorDefaulting: true }),
  aliasType(ingresses, extensions),
];

/** A stored object as served at `type`'s group version (aliases differ from storage only in apiVersion). */
export function servedAs(type: ResourceType, obj: KubeObject): KubeObject {
  const apiVersion = apiVersionOf(type);
  // Served as stored: the same object (watchers of one change then share it, and its serialisation).
  if (obj.apiVersion === apiVersion && obj.kind === type.kind) return obj;
  return { ...obj, apiVersion, kind: type.kind };
}

/** An object of `type` in its storage form. */
export function storedAs(type: ResourceType, obj: KubeObject): KubeObject {
  return { ...obj, apiVersion: storageApiVersion(type), kind: type.storage.kind };
}
