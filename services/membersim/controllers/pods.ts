// Pods as the simulated controllers see them: ownership, phase and readiness predicates, pods from templates.
import { getArray, getRecord, getString } from '../../../libs/kube-api/json.js';
import type { KubeObject, OwnerReference } from '../../../libs/kube-api/object.js';

/** The owner reference a controller sets on what it creates. */
export function controllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '',
    controller: true, blockOwnerDeletion: true,
  };
}

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

export function controlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = controllerOf(obj);
  return ref !== undefined && ref.uid === owner.metadata.uid;
}

export const phaseOf = (pod: KubeObject): string => getString(pod, 'status', 'phase') ?? 'Pending';
export const isTerminal = (pod: KubeObject): boolean => ['Succeeded', 'Failed'].includes(phaseOf(pod));
/** Counted by its controller: neither finished nor being deleted. */
export const isActive = (pod: KubeObject): boolean => !isTerminal(pod) && pod.metadata.deletionTimestamp === undefined;
export const nodeNameOf = (pod: KubeObject): string => getString(pod, 'spec', 'nodeName') ?? '';
export const isReady = (pod: KubeObject): boolean =>
  getArray(pod, 'status', 'conditions').some((c) => getString(c, 'type') === 'Ready' && getString(c, 'status') === 'True');

/** The pod-template part of a workload, with labels the controller adds. */
export interface PodTemplateOptions {
  readonly owner: KubeObject;
  /** The pod name prefix: `<owner>-`, completed by the server with 5 random characters. */
  readonly generateName: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Set for pods placed by their controller (DaemonSets), bypassing the scheduler. */
  readonly nodeName?: string;
}

/** A pod to create from `template` (a PodTemplateSpec), with the defaults kube-apiserver gives pods. */
export function podFromTemplate(template: unknown, o: PodTemplateOptions): KubeObject {
  const meta = getRecord(template, 'metadata');
  const labels = { ...getRecord(meta, 'labels'), ...o.labels } as Record<string, string>;
  const annotations = getRecord(meta, 'annotations') as Record<string, string>;
  const spec = getRecord(template, 'spec');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: o.generateName,
      namespace: o.owner.metadata.namespace ?? 'default',
      labels,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      ownerReferences: [controllerRef(o.owner)],
    },
    spec: {
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 30,
      ...spec,
      ...(o.nodeName === undefined ? {} : { nodeName: o.nodeName }),
    },
    status: { phase: 'Pending' },
  };
}

/**
 * kube's ActivePods order, most expendable first: unbound before bound, Pending before Running,
 * not ready before ready, newer before older; then by name so the order is total.
 */
export function deletionOrder(a: KubeObject, b: KubeObject): number {
  const phaseRank = (p: KubeObject): number => ({ Pending: 0, Unknown: 1, Running: 2 } as Record<string, number>)[phaseOf(p)] ?? 3;
  const keys = (p: KubeObject): (number | string)[] => [
    nodeNameOf(p) === '' ? 0 : 1,
    phaseRank(p),
    isReady(p) ? 1 : 0,
  ];
  const ka = keys(a);
  const kb = keys(b);
  for (let i = 0; i < ka.length; i++) {
    const x = ka[i] as number;
    const y = kb[i] as number;
    if (x !== y) return x - y;
  }
  const ca = a.metadata.creationTimestamp ?? '';
  const cb = b.metadata.creationTimestamp ?? '';
  if (ca !== cb) return ca > cb ? -1 : 1;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
}

/**
 * kube's pod-template-hash and controller-revision-hash: FNV-1a (32 bit) of the template, in kube's safe
 * alphabet. Nulls and empty objects and lists do not count: clients that echo a template back (kubectl
 * rollout undo adds `creationTimestamp: null` and `resources: {}`) must find the same ReplicaSet.
 */
export function templateHash(template: unknown): string {
  let h = 0x811c9dc5;
  for (const ch of new TextEncoder().encode(canonicalJson(template) ?? 'null')) {
    h ^= ch;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...String(h)].map((c) => alphabet[c.charCodeAt(0) % alphabet.length]).join('');
}

/** JSON with object keys sorted and empty values left out; undefined for an empty value. */
function canonicalJson(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return v.length === 0 ? undefined : `[${v.map((x) => canonicalJson(x) ?? 'null').join(',')}]`;
  if (typeof v === 'object') {
    const fields = Object.keys(v).sort().flatMap((k) => {
      const value = canonicalJson((v as Record<string, unknown>)[k]);
      return value === undefined ? [] : [`${JSON.stringify(k)}:${value}`];
    });
    return fields.length === 0 ? undefined : `{${fields.join(',')}}`;
  }
  return JSON.stringify(v);
}
