// The kubeconfig the CLI works with, as kubectl finds it: --kubeconfig FILE, else every file of $KUBECONFIG
// (first one wins per name), else ~/.kube/config; file references made absolute against their own file.
import { dirname, isAbsolute, resolve } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as k8s from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { mergeKubeconfig, type Kubeconfig } from '../libs/kubeconfig/kubeconfig.js';
import { defaultKubeconfigPath, readKubeconfig } from '../libs/infra/kubeconfig/file.js';

export function kubeconfigPaths(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string[] {
  if (flag !== undefined) return [flag];
  const listed = (env['KUBECONFIG'] ?? '').split(':').filter((p) => p !== '');
  return listed.length > 0 ? listed : [defaultKubeconfigPath(env)];
}

const fileKeys = ['certificate-authority', 'client-certificate', 'client-key', 'tokenFile'];

function absolute(entry: Record<string, unknown>, dir: string): Record<string, unknown> {
  const out = { ...entry };
  for (const k of fileKeys) {
    const v = out[k];
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) out[k] = resolve(dir, v);
  }
  return out;
}

export async function loadKubeconfig(paths: readonly string[]): Promise<E.Either<string, Kubeconfig>> {
  let merged: Kubeconfig = {};
  // Later files first, so that each earlier file's entries replace theirs: kubectl's first-wins rule.
  for (const path of [...paths].reverse()) {
    const read = await readKubeconfig(path);
    if (E.isLeft(read)) return read;
    const dir = dirname(resolve(path));
    const cfg = read.right;
    merged = mergeKubeconfig({ ...merged, 'current-context': cfg['current-context'] ?? merged['current-context'] ?? null }, {
      clusters: (cfg.clusters ?? []).map((c) => ({ ...c, cluster: absolute(c.cluster, dir) })),
      users: (cfg.users ?? []).map((u) => ({ ...u, user: absolute(u.user, dir) })),
      contexts: cfg.contexts ?? [],
    });
  }
  return E.right(merged);
}

/** A client-node configuration at `context` of the merged kubeconfig. */
export function clientConfig(cfg: Kubeconfig, context: string): E.Either<string, k8s.KubeConfig> {
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromString(stringify(cfg));
  } catch (err) {
    return E.left(`the kubeconfig cannot be used: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (kc.getContextObject(context) === null) {
    const known = kc.getContexts().map((c) => c.name).sort();
    return E.left(`context "${context}" not found in the kubeconfig (contexts: ${known.length === 0 ? 'none' : known.join(', ')})`);
  }
  kc.setCurrentContext(context);
  return E.right(kc);
}
