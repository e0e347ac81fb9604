// What a member cluster offers, from its nodes: region, zones, allocatable capacity of Ready nodes, its version.
import type { EventDataOf } from '../events/types.js';
import { getArray, getRecord, getString } from '../kube-api/json.js';

/** The status fields a ClusterCapacityObserved sets. */
export type ClusterObservation = EventDataOf<'ClusterCapacityObserved'>['status'];

/** Topology labels, newest first (the failure-domain.beta ones were deprecated in Kubernetes 1.17). */
export const ZONE_LABELS = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'] as const;
export const REGION_LABELS = ['topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region'] as const;

const suffixes: Readonly<Record<string, number>> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity ("500m", "32Gi", "1e3", "2") in base units; undefined if it is not one. */
export function parseQuantity(s: string): number | undefined {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/.exec(s.trim());
  if (m === null) return undefined;
  const [, number = '', exponent, suffix = ''] = m;
  const value = exponent === undefined ? Number(number) * (suffixes[suffix] ?? 1) : Number(`${number}${exponent}`);
  return Number.isFinite(value) ? value : undefined;
}

/** Millicores as kube prints CPU: whole cores when exact ("24"), else millicores ("23500m"). */
export function formatCpu(millicores: number): string {
  const m = Math.round(millicores);
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/** Bytes with the largest binary suffix that divides them exactly ("96Gi"), as kube prints memory. */
export function formatMemory(bytes: number): string {
  let n = Math.round(bytes);
  for (const suffix of ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi']) {
    if (n % 1024 !== 0 || n === 0 || suffix === 'Pi') return `${n}${suffix}`;
    n /= 1024;
  }
  return String(n);
}

const label = (node: unknown, keys: readonly string[]): string | undefined => {
  const labels = getRecord(node, 'metadata', 'labels');
  for (const k of keys) {
    const v = labels[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
};

const isReady = (node: unknown): boolean =>
  getArray(node, 'status', 'conditions').some((c) => getString(c, 'type') === 'Ready' && getString(c, 'status') === 'True');

const allocatable = (node: unknown, resource: string): number => parseQuantity(getString(node, 'status', 'allocatable', resource) ?? '') ?? 0;

/**
 * The cluster's region is its nodes' most common region (ties: the first in name order), zones every
 * zone of any node, capacity the allocatable pods, CPU and memory summed over Ready nodes.
 */
export function summarizeNodes(nodes: readonly unknown[], kubernetesVersion: string | undefined): ClusterObservation {
  const regions = new Map<string, number>();
  const zones = new Set<string>();
  let pods = 0;
  let cpu = 0;
  let memory = 0;
  const sorted = [...nodes].sort((a, b) => (getString(a, 'metadata', 'name') ?? '').localeCompare(getString(b, 'metadata', 'name') ?? ''));
  for (const node of sorted) {
    const region = label(node, REGION_LABELS);
    if (region !== undefined) regions.set(region, (regions.get(region) ?? 0) + 1);
    const zone = label(node, ZONE_LABELS);
    if (zone !== undefined) zones.add(zone);
    if (!isReady(node)) continue;
    pods += Math.floor(allocatable(node, 'pods'));
    cpu += allocatable(node, 'cpu') * 1000;
    memory += allocatable(node, 'memory');
  }
  let region: string | undefined;
  for (const [r, n] of regions) if (region === undefined || n > (regions.get(region) ?? 0)) region = r;
  return {
    ...(region === undefined ? {} : { region }),
    zones: [...zones].sort(),
    ...(kubernetesVersion === undefined ? {} : { kubernetesVersion }),
    capacity: { pods, cpu: formatCpu(cpu), memory: formatMemory(memory) },
  };
}

/** Whether `observed` says something the Cluster's status does not say yet. */
export function observationChanged(status: unknown, observed: ClusterObservation): boolean {
  const current = getRecord(status);
  return (Object.keys(observed) as (keyof ClusterObservation)[]).some((k) => JSON.stringify(current[k]) !== JSON.stringify(observed[k]));
}
