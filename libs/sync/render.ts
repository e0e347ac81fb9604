// A member cluster's copy of a federated object: what kfed writes there, and whether a live copy still matches it.
import type { ObjectRef } from '../events/streams.js';
import { replicatedKinds } from '../federation/contributions.js';
import { kindKey, type StoredObject } from '../federation/state.js';
import { getArray, getRecord } from '../kube-api/json.js';
import { isJsonObject } from '../kube-api/json-value.js';
import type { KubeObject } from '../kube-api/object.js';
import { defaultSelectorFromTemplate } from '../kube-api/validation/kinds.js';
import { fnv1_32 } from '../placement/planner.js';

/** On every copy kfed writes: the federation that owns it. Informers and lists select on it. */
export const MANAGED_BY_LABEL = 'kfed.io/managed-by';
/** On every copy: the federated object it comes from (`<group>/<kind>/<namespace>/<name>`, core as "core", "-" for no namespace). */
export const FEDERATED_OBJECT_ANNOTATION = 'kfed.io/federated-object';
/** On every copy: the federated object's metadata.generation it was rendered from (how the aggregator tells observed copies). */
export const FEDERATION_GENERATION_ANNOTATION = 'kfed.io/federation-generation';
/** On every copy: a hash of everything else kfed wrote, so that a change of the template (removals included) shows as a difference. */
export const TEMPLATE_HASH_ANNOTATION = 'kfed.io/template-hash';
/** On a federated object: "true" leaves its member copies in place when it stops being placed there or is deleted. */
export const ORPHAN_ANNOTATION = 'kfed.io/orphan';
/** On a federated object: "true" takes over a member's unmanaged object of the same name instead of reporting AlreadyExists. */
export const ADOPT_ANNOTATION = 'kfed.io/adopt';

/** Annotations that steer the federation and mean nothing to a member (placement, kfed's own, kubectl's record of the federated apply). */
const federationOnlyAnnotation = (key: string): boolean =>
  key.startsWith('kfed.io/') || key.startsWith('federation.kubernetes.io/') || key.startsWith('federation.alpha.kubernetes.io/')
  || key === 'kubectl.kubernetes.io/last-applied-configuration';

/** Metadata the federation assigned; a member assigns its own. */
const memberAssignedMetadata = new Set([
  'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds',
  'managedFields', 'selfLink', 'ownerReferences', 'finalizers', 'generateName',
]);

export const isAnnotatedTrue = (object: KubeObject, annotation: string): boolean => object.metadata.annotations?.[annotation] === 'true';

/** The value of FEDERATED_OBJECT_ANNOTATION for a federated object. */
export const federatedObjectName = (ref: ObjectRef): string =>
  `${ref.group === '' ? 'core' : ref.group}/${ref.kind}/${ref.namespace === '' ? '-' : ref.namespace}/${ref.name}`;

/** Group versions members no longer serve, and where their kinds live now. */
const legacyGroupVersions: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'extensions/v1beta1': { Deployment: 'apps/v1', ReplicaSet: 'apps/v1', DaemonSet: 'apps/v1', Ingress: 'networking.k8s.io/v1' },
  'apps/v1beta1': { Deployment: 'apps/v1' },
  'apps/v1beta2': { Deployment: 'apps/v1', ReplicaSet: 'apps/v1', DaemonSet: 'apps/v1' },
  'networking.k8s.io/v1beta1': { Ingress: 'networking.k8s.io/v1' },
};

/** extensions/v1beta1 Ingress backends ({serviceName, servicePort}) in networking.k8s.io/v1 form ({service: {name, port}}). */
function convertBackend(backend: unknown): unknown {
  if (!isJsonObject(backend) || backend['serviceName'] === undefined) return backend;
  const { serviceName, servicePort, ...rest } = backend;
  const port = typeof servicePort === 'number' ? { number: servicePort } : { name: servicePort };
  return { ...rest, service: { name: serviceName, port } };
}

function convertIngressSpec(spec: Record<string, unknown>): Record<string, unknown> {
  const { backend, ...rest } = spec;
  const rules = getArray(spec, 'rules').map((rule) => {
    if (!isJsonObject(rule) || !isJsonObject(rule['http'])) return rule;
    const paths = getArray(rule, 'http', 'paths').map((p) => (isJsonObject(p)
      ? { pathType: 'ImplementationSpecific', ...p, backend: convertBackend(p['backend']) } : p));
    return { ...rule, http: { ...rule['http'], paths } };
  });
  return {
    ...rest,
    ...(backend === undefined || rest['defaultBackend'] !== undefined ? {} : { defaultBackend: convertBackend(backend) }),
    ...(spec['rules'] === undefined ? {} : { rules }),
  };
}

/** The object in a group version members serve: legacy workloads get apps/v1 (selector defaulted from the template labels), Ingresses networking.k8s.io/v1. */
export function toServedVersion(object: KubeObject): KubeObject {
  const target = legacyGroupVersions[object.apiVersion]?.[object.kind];
  if (target === undefined) return object;
  if (object.kind === 'Ingress') return { ...object, apiVersion: target, spec: convertIngressSpec(getRecord(object, 'spec')) };
  const defaulted = defaultSelectorFromTemplate(object) as KubeObject;
  return { ...defaulted, apiVersion: target };
}

/** Fields of the kind's spec a member allocates itself (a Service's cluster IPs are per cluster). */
function withoutMemberAllocatedSpec(ref: ObjectRef, spec: Record<string, unknown>): Record<string, unknown> {
  if (ref.group !== '' || ref.kind !== 'Service') return spec;
  const { clusterIP: _ip, clusterIPs: _ips, healthCheckNodePort: _hc, ...rest } = spec;
  return rest;
}

function hashOf(object: KubeObject): string {
  return fnv1_32(new TextEncoder().encode(JSON.stringify(object))).toString(16).padStart(8, '0');
}

/**
 * The copy of `stored` a member cluster holds, `replicas` being its share (spec.replicas of ReplicaSets and
 * Deployments, spec.parallelism of Jobs; ignored for other kinds). Federation-assigned metadata, status and
 * federation-only annotations are left out; the managed-by label and kfed's annotations are added.
 */
export function render(stored: StoredObject, replicas: number, federation: string): KubeObject {
  const { ref } = stored;
  const object = toServedVersion(stored.object);
  const { status: _status, metadata, ...body } = object;
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) if (!memberAssignedMetadata.has(k)) meta[k] = v;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata.annotations ?? {})) if (!federationOnlyAnnotation(k)) annotations[k] = v;
  annotations[FEDERATED_OBJECT_ANNOTATION] = federatedObjectName(ref);
  annotations[FEDERATION_GENERATION_ANNOTATION] = String(metadata.generation ?? 0);

  let spec = body['spec'];
  if (isJsonObject(spec)) {
    spec = withoutMemberAllocatedSpec(ref, spec);
    if (replicatedKinds.has(kindKey(ref))) spec = { ...(spec as object), [ref.kind === 'Job' ? 'parallelism' : 'replicas']: replicas };
  }
  const copy: KubeObject = {
    ...body,
    ...(spec === undefined ? {} : { spec }),
    metadata: { ...meta, labels: { ...metadata.labels, [MANAGED_BY_LABEL]: federation }, annotations },
  };
  return { ...copy, metadata: { ...copy.metadata, annotations: { ...annotations, [TEMPLATE_HASH_ANNOTATION]: hashOf(copy) } } };
}

/** Whether the member object is a copy kfed writes for `federation`. */
export const isManagedBy = (live: KubeObject, federation: string): boolean => live.metadata.labels?.[MANAGED_BY_LABEL] === federation;

const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isJsonObject(v) && Object.keys(v).length === 0);

/**
 * Whether `live` holds everything `desired` says: every field of desired has the same value in live
 * (objects field by field, lists element by element, same length). Fields only live has are the member's
 * own (defaults, allocations, status) or other managers'; they are not kfed's to revert.
 */
export function holds(live: unknown, desired: unknown): boolean {
  if (isEmpty(desired)) return isEmpty(live) || desired === live;
  if (Array.isArray(desired)) return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => holds(live[i], d));
  if (isJsonObject(desired)) return isJsonObject(live) && Object.entries(desired).every(([k, d]) => holds(live[k], d));
  return live === desired;
}

/** Whether the live copy differs from what kfed renders in a field kfed owns (then it is applied again). */
export function diffNeeded(desired: KubeObject, live: KubeObject): boolean {
  const { metadata: dm, ...dBody } = desired;
  const { metadata: lm, ...lBody } = live;
  return !(holds(lm.labels, dm.labels) && holds(lm.annotations, dm.annotations) && holds(lBody, dBody));
}
