// `kfed status`: the federation at a glance — member clusters and federated workloads per cluster.
import { parseArgs } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { clusterCounts } from '../../libs/federation/types.js';
import { getArray, getNumber, getString } from '../../libs/kube-api/json.js';
import type { KubeObject } from '../../libs/kube-api/object.js';
import { defaultKubeconfigPath } from '../../libs/infra/kubeconfig/file.js';
import { columns } from '../columns.js';

export const summary = 'show member clusters and federated workloads with their per-cluster counts';

const HELP = `usage: kfed status [--context CONTEXT] [--kubeconfig FILE] [-n NAMESPACE]

Clusters: readiness (and why not), region, zones, pod capacity, Kubernetes version.
Workloads (ReplicaSets, Deployments, Jobs): desired and ready replicas, and what runs where.
  --context     the federation's context (default federated-cluster)
  --kubeconfig  default $KUBECONFIG, else ~/.kube/config
  -n            only this namespace (default: all)`;

const condition = (obj: unknown, type: string) => getArray(obj, 'status', 'conditions').find((c) => getString(c, 'type') === type);

export function clusterRows(clusters: readonly KubeObject[]): string[][] {
  return clusters.map((c) => {
    const ready = condition(c, 'Ready');
    const status = getString(ready, 'status') ?? 'Unknown';
    const why = status === 'True' ? '' : getString(ready, 'message') ?? getString(ready, 'reason') ?? 'not probed yet';
    return [
      c.metadata.name ?? '', status, getString(c, 'status', 'region') ?? '', getArray(c, 'status', 'zones').join(','),
      String(getNumber(c, 'status', 'capacity', 'pods') ?? ''), getString(c, 'status', 'kubernetesVersion') ?? '', why,
    ];
  });
}

export function workloadRows(workloads: readonly KubeObject[]): string[][] {
  return workloads.map((w) => [
    w.metadata.namespace ?? '', w.kind, w.metadata.name ?? '',
    String(getNumber(w, 'spec', 'replicas') ?? getNumber(w, 'spec', 'parallelism') ?? ''),
    String(getNumber(w, 'status', 'readyReplicas') ?? 0), clusterCounts(w),
  ]);
}

export async function main(args: string[]): Promise<number> {
  let opts;
  try {
    opts = parseArgs({
      args, strict: true, options: {
        context: { type: 'string', default: 'federated-cluster' }, kubeconfig: { type: 'string' },
        namespace: { type: 'string', short: 'n' }, help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`kfed status: ${(err as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const kc = new k8s.KubeConfig();
  const path = opts.kubeconfig ?? defaultKubeconfigPath(process.env);
  try {
    kc.loadFromFile(path);
    if (kc.getContextObject(opts.context) === null) throw new Error(`no context "${opts.context}" (kfed up writes federated-cluster)`);
    kc.setCurrentContext(opts.context);
  } catch (err) {
    process.stderr.write(`kfed status: ${path}: ${(err as Error).message}\n`);
    return 1;
  }
  const api = k8s.KubernetesObjectApi.makeApiClient(kc);
  const list = async (apiVersion: string, kind: string): Promise<KubeObject[]> =>
    ((await api.list(apiVersion, kind, opts.namespace)).items as unknown as KubeObject[]).map((o) => ({ ...o, kind }));
  try {
    const clusters = await list('federation/v1beta1', 'Cluster');
    const workloads = [
      ...await list('apps/v1', 'ReplicaSet'), ...await list('apps/v1', 'Deployment'), ...await list('batch/v1', 'Job'),
    ].filter((w) => w.metadata.namespace !== 'kfed-system');
    process.stdout.write('CLUSTERS\n');
    process.stdout.write(clusters.length === 0 ? 'none joined (kfed join NAME --cluster-context CTX)\n'
      : columns(['NAME', 'READY', 'REGION', 'ZONES', 'PODS', 'VERSION', 'MESSAGE'], clusterRows(clusters)));
    process.stdout.write('\nWORKLOADS\n');
    process.stdout.write(workloads.length === 0 ? 'none\n'
      : columns(['NAMESPACE', 'KIND', 'NAME', 'DESIRED', 'READY', 'CLUSTERS'], workloadRows(workloads)));
    return 0;
  } catch (err) {
    const e = err as { code?: number; message?: string };
    process.stderr.write(`kfed status: the federation API (context ${opts.context}) answered: ${e.code === undefined ? e.message ?? String(err) : `HTTP ${e.code}`}\n`);
    return 1;
  }
}
