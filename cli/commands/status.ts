// `kfed status`: the federation at a glance — member clusters and federated workloads per cluster.
import * as http from 'node:http';
import * as https from 'node:https';
import * as k8s from '@kubernetes/client-node';
import * as E from 'fp-ts/lib/Either.js';
import { clusterCounts } from '../../libs/federation/types.js';
import { getArray, getNumber, getString } from '../../libs/kube-api/json.js';
import type { KubeObject } from '../../libs/kube-api/object.js';
import { defaultKubeconfigPath } from '../../libs/infra/kubeconfig/file.js';
import { parseCommandArgs } from '../args.js';
import { columns } from '../columns.js';
import { describeFailure } from '../federation-api.js';

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
  const parsed = parseCommandArgs('status', HELP, args, {
    options: { context: { type: 'string', default: 'federated-cluster' }, kubeconfig: { type: 'string' }, namespace: { type: 'string', short: 'n' } },
  });
  if (E.isLeft(parsed)) return parsed.left;
  const opts = parsed.right.values;
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
  // Raw lists: client-node's typed models would drop the federation's status fields (placement, clusters).
  const list = async (path: string, kind: string, namespaced = true): Promise<KubeObject[]> => {
    const ns = namespaced && opts.namespace !== undefined ? `/namespaces/${opts.namespace}` : '';
    const [base, plural] = path.split('|') as [string, string];
    const body = await getJson(kc, `${base}${ns}/${plural}`);
    return ((body as { items?: KubeObject[] }).items ?? []).map((o) => ({ ...o, kind }));
  };
  try {
    const clusters = await list('/apis/federation/v1beta1|clusters', 'Cluster', false);
    const workloads = [
      ...await list('/apis/apps/v1|replicasets', 'ReplicaSet'), ...await list('/apis/apps/v1|deployments', 'Deployment'),
      ...await list('/apis/batch/v1|jobs', 'Job'),
    ].filter((w) => w.metadata.namespace !== 'kfed-system');
    process.stdout.write('CLUSTERS\n');
    process.stdout.write(clusters.length === 0 ? 'none joined (kfed join NAME --cluster-context CTX)\n'
      : columns(['NAME', 'READY', 'REGION', 'ZONES', 'PODS', 'VERSION', 'MESSAGE'], clusterRows(clusters)));
    process.stdout.write('\nWORKLOADS\n');
    process.stdout.write(workloads.length === 0 ? 'none\n'
      : columns(['NAMESPACE', 'KIND', 'NAME', 'DESIRED', 'READY', 'CLUSTERS'], workloadRows(workloads)));
    return 0;
  } catch (err) {
    process.stderr.write(`kfed status: ${describeFailure(err, kc.getCurrentCluster()?.server ?? '(no server)', opts.context)}\n`);
    return 1;
  }
}

/** GET a JSON document from the context's API server with the context's credentials. */
async function getJson(kc: k8s.KubeConfig, path: string): Promise<unknown> {
  const server = kc.getCurrentCluster()?.server ?? '';
  const options: https.RequestOptions = { method: 'GET', headers: { accept: 'application/json' } };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = (server.startsWith('http://') ? http : https).request(new URL(path, server), options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 300) reject(new k8s.ApiException(res.statusCode ?? 0, 'request failed', text, {}));
        else resolve(JSON.parse(text));
      });
    });
    req.on('error', reject);
    req.end();
  });
}
