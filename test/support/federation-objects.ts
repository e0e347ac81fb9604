// Builders of federated objects and member-cluster health as the API server and the registry store them.
import type { ClusterCondition } from '../../libs/events/types.js';
import type { ObjectRef } from '../../libs/events/streams.js';
import type { StoredObject } from '../../libs/federation/state.js';
import type { KubeObject } from '../../libs/kube-api/object.js';
import { PREFERENCES_ANNOTATION } from '../../libs/placement/preferences.js';

export type Health = 'Ready' | 'NotReady' | 'Offline' | 'Unknown';

/** The conditions the registry writes for a health state, changed at `since`. */
export function conditions(health: Health, since: string): ClusterCondition[] {
  const c = (type: string, status: 'True' | 'False' | 'Unknown', reason: string): ClusterCondition =>
    ({ type, status, reason, lastProbeTime: since, lastTransitionTime: since });
  switch (health) {
    case 'Ready': return [c('Ready', 'True', 'ClusterReady')];
    case 'NotReady': return [c('Ready', 'False', 'ClusterNotReady'), c('Offline', 'False', 'ClusterReachable')];
    case 'Offline': return [c('Ready', 'Unknown', 'ClusterNotReachable'), c('Offline', 'True', 'ClusterNotReachable')];
    case 'Unknown': return [];
  }
}

export const clusterRef = (name: string): ObjectRef => ({ group: 'federation', kind: 'Cluster', namespace: '', name });

export function clusterObject(name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'federation/v1beta1', kind: 'Cluster',
    metadata: { name, uid: `uid-${name}`, generation: 1, labels },
    spec: { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `https://${name}.example:6443` }], secretRef: { name } },
  };
}

/** A Cluster as served once the registry reported `health` (status merged in). */
export function cluster(name: string, health: Health, since: string, labels: Record<string, string> = {}): KubeObject {
  return { ...clusterObject(name, labels), status: { conditions: conditions(health, since) } };
}

/** The article's annotation: per-cluster weights, min 0, max 10. */
export function preferences(weights: Record<string, number>, rebalance = true): string {
  const clusters = Object.fromEntries(Object.entries(weights).map(([c, weight]) => [c, { minReplicas: 0, maxReplicas: 10, weight }]));
  return JSON.stringify({ rebalance, clusters }, null, 2);
}

export const rsRef = (name = 'nginx', namespace = 'default'): ObjectRef => ({ group: 'apps', kind: 'ReplicaSet', namespace, name });

export function replicaSet(replicas: number, annotations: Record<string, string> = {}, generation = 1, name = 'nginx'): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation, annotations },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.10' }] } },
    },
  };
}

export const articleReplicaSet = (replicas: number, weights: Record<string, number>, generation = 1): KubeObject =>
  replicaSet(replicas, { [PREFERENCES_ANNOTATION]: preferences(weights) }, generation);

export const stored = (object: KubeObject, ref: ObjectRef = rsRef(object.metadata.name, object.metadata.namespace)): StoredObject => ({ object, ref });
