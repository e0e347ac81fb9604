// The types the federation API serves: federation/v1beta1 Cluster, and the propagated built-in
// kinds with federation table columns (per-cluster counts).
import type { KubeObject, TableCell } from '../kube-api/object.js';
import { getArray, getNumber, getPath, getString } from '../kube-api/json.js';
import { formatAge, type TableColumn, type TableDefinition } from '../kube-api/printers.js';
import {
  aliasType, configMaps, daemonSets, defineType, deployments, events, ingresses, jobs, namespaces, replicaSets,
  secrets, services, type ResourceType,
} from '../kube-api/resources.js';

/** Namespace of control-plane Secrets (member kubeconfigs); never propagated to members. */
export const SYSTEM_NAMESPACE = 'kfed-system';

const nameColumn: TableColumn = { name: 'Name', type: 'string', format: 'name' };
const ageColumn: TableColumn = { name: 'Age', type: 'string' };
const wide = (name: string): TableColumn => ({ name, type: 'string', priority: 1 });
const int = (obj: KubeObject, ...path: string[]): number => getNumber(obj, ...path) ?? 0;
const nameOf = (obj: KubeObject): string => obj.metadata.name ?? '';

/**
 * Per-cluster replica counts of a federated workload, as `kubectl get` shows them:
 * `new-york=5,berlin=5`. What runs (status.clusters, from member status) wins over what was
 * placed (status.placement, from the scheduler); clusters keep the placement's order.
 */
export function clusterCounts(obj: KubeObject): string {
  const placed = getPath(obj, 'status', 'placement');
  const running = new Map<string, number>();
  for (const c of getArray(obj, 'status', 'clusters')) {
    const name = getString(c, 'name');
    if (name !== undefined) running.set(name, getNumber(c, 'replicas') ?? 0);
  }
  const names = [...(typeof placed === 'object' && placed !== null ? Object.keys(placed) : []), ...running.keys()];
  const cells = [...new Set(names)].map((n) => `${n}=${running.get(n) ?? getNumber(placed, n) ?? 0}`);
  return cells.length === 0 ? '<none>' : cells.join(',');
}

const containerColumns = [wide('Containers'), wide('Images'), wide('Selector')];
function containerCells(obj: KubeObject): TableCell[] {
  const containers = getArray(obj, 'spec', 'template', 'spec', 'containers');
  const labels = getPath(obj, 'spec', 'selector', 'matchLabels');
  const selector = typeof labels === 'object' && labels !== null
    ? Object.entries(labels).map(([k, v]) => `${k}=${String(v)}`).join(',') : '<none>';
  return [
    containers.map((c) => getString(c, 'name') ?? '').join(','),
    containers.map((c) => getString(c, 'image') ?? '').join(','),
    selector === '' ? '<none>' : selector,
  ];
}

export const federatedWorkloadTable: TableDefinition = {
  columns: [nameColumn, { name: 'Desired', type: 'integer' }, { name: 'Current', type: 'integer' },
    { name: 'Ready', type: 'integer' }, { name: 'Clusters', type: 'string' }, ageColumn, ...containerColumns],
  cells: (obj, now) => [
    nameOf(obj), int(obj, 'spec', 'replicas'), int(obj, 'status', 'replicas'), int(obj, 'status', 'readyReplicas'),
    clusterCounts(obj), formatAge(obj.metadata.creationTimestamp, now), ...containerCells(obj),
  ],
};

/** The Ready condition of a Cluster as a column: True, False, or Unknown before the first probe. */
function conditionStatus(obj: KubeObject, type: string): string {
  const c = getArray(obj, 'status', 'conditions').find((x) => getString(x, 'type') === type);
  return getString(c, 'status') ?? 'Unknown';
}

export const clusterTable: TableDefinition = {
  columns: [nameColumn, { name: 'Ready', type: 'string' }, { name: 'Region', type: 'string' },
    { name: 'Zones', type: 'string' }, ageColumn, wide('Server'), wide('Version')],
  cells: (obj, now) => {
    const zones = getArray(obj, 'status', 'zones').map(String);
    const servers = getArray(obj, 'spec', 'serverAddressByClientCIDRs').map((s) => getString(s, 'serverAddress') ?? '');
    return [
      nameOf(obj), conditionStatus(obj, 'Ready'), getString(obj, 'status', 'region') ?? '<none>',
      zones.length === 0 ? '<none>' : zones.join(','), formatAge(obj.metadata.creationTimestamp, now),
      servers.join(',') || '<none>', getString(obj, 'status', 'kubernetesVersion') ?? '<none>',
    ];
  },
};

/** federation/v1beta1 Cluster: cluster-scoped; its status is written by the registry, never by users. */
export const clusters: ResourceType = defineType({
  group: 'federation', version: 'v1beta1', kind: 'Cluster', plural: 'clusters', namespaced: false,
  shortNames: ['fc'], status: true, table: clusterTable, nameFormat: 'label', tracksGeneration: true,
});

const federatedReplicaSets: ResourceType = { ...replicaSets, table: federatedWorkloadTable };
const federatedDeployments: ResourceType = { ...deployments, table: federatedWorkloadTable };
const extensions = { group: 'extensions', version: 'v1beta1' } as const;

/** What the federation API serves, in discovery order (apps before extensions: short names resolve to apps). */
export const federationTypes: readonly ResourceType[] = [
  namespaces, secrets, configMaps, services, events,
  federatedDeployments, federatedReplicaSets, daemonSets,
  jobs,
  ingresses,
  aliasType(federatedDeployments, { ...extensions, legacySelectorDefaulting: true }),
  aliasType(federatedReplicaSets, { ...extensions, legacySelectorDefaulting: true }),
  aliasType(ingresses, extensions),
  clusters,
];
