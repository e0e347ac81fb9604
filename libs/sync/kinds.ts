// The kinds kfed writes into members, how a member object maps back to its federated object, and the API paths to watch them.
import { objectStream, type ObjectRef } from '../events/streams.js';
import { kindKey } from '../federation/state.js';
import type { KubeObject } from '../kube-api/object.js';
import {
  configMaps, daemonSets, deployments, ingresses, jobs, namespaces, replicaSets, secrets, services, type ResourceType,
} from '../kube-api/resources.js';

/** Propagated kinds by kind key ("apps/ReplicaSet"), at the group version members serve. */
export const memberKinds: ReadonlyMap<string, ResourceType> = new Map(
  [namespaces, secrets, configMaps, services, deployments, replicaSets, daemonSets, jobs, ingresses].map((t) => [kindKey(t), t]),
);

/** Kinds whose pods kfed counts (Unschedulable ones): the pod informer runs where one of them is placed. */
export const workloadKinds: ReadonlySet<string> = new Set(['apps/ReplicaSet', 'apps/Deployment', 'apps/DaemonSet', 'batch/Job']);

export const podsPath = '/api/v1/pods';

/** The federated object a member object of a propagated kind is a copy of (same kind, namespace and name). */
export function streamOfMemberObject(object: KubeObject): string | undefined {
  const slash = object.apiVersion.indexOf('/');
  const ref: ObjectRef = {
    group: slash < 0 ? '' : object.apiVersion.slice(0, slash), kind: object.kind,
    namespace: object.metadata.namespace ?? '', name: object.metadata.name ?? '',
  };
  return memberKinds.has(kindKey(ref)) && ref.name !== '' ? objectStream(ref) : undefined;
}

/** What a syncer keeps of kfed's copy in a member: all of it but managedFields, which it never reads (often as large as the rest). */
export function keptCopy(object: KubeObject): KubeObject {
  if (object.metadata.managedFields === undefined) return object;
  const { managedFields: _managedFields, ...metadata } = object.metadata;
  return { ...object, metadata };
}

/** What a syncer keeps of a pending pod: which workload it belongs to (namespace, labels) and its conditions. */
export function keptPod(pod: KubeObject): KubeObject {
  const { name, namespace, labels, resourceVersion, uid } = pod.metadata;
  const status = pod['status'];
  const conditions = typeof status === 'object' && status !== null ? (status as { conditions?: unknown }).conditions : undefined;
  return {
    apiVersion: pod.apiVersion, kind: pod.kind,
    metadata: {
      ...(name === undefined ? {} : { name }), ...(namespace === undefined ? {} : { namespace }), ...(labels === undefined ? {} : { labels }),
      ...(resourceVersion === undefined ? {} : { resourceVersion }), ...(uid === undefined ? {} : { uid }),
    },
    ...(conditions === undefined ? {} : { status: { conditions } }),
  };
}
