// Kubeconfig files: the codec of the parts kfed reads and writes, merging entries without clobbering others, extension lookup.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';

/** kubectl writes `clusters: null` into empty files; read null lists as empty. */
const list = <C extends t.Mixed>(item: C) => t.union([t.array(item), t.null]);

export const NamedExtension = t.type({ name: t.string, extension: t.unknown });
export type NamedExtension = t.TypeOf<typeof NamedExtension>;

/** Fields kfed does not know are kept as they are (intersections with UnknownRecord keep extra keys). */
export const KubeconfigCluster = t.intersection([
  t.partial({
    server: t.string,
    'certificate-authority-data': t.string,
    'certificate-authority': t.string,
    'insecure-skip-tls-verify': t.boolean,
    extensions: list(NamedExtension),
  }),
  t.UnknownRecord,
]);
export type KubeconfigCluster = t.TypeOf<typeof KubeconfigCluster>;

export const KubeconfigUser = t.intersection([t.partial({ token: t.string }), t.UnknownRecord]);
export type KubeconfigUser = t.TypeOf<typeof KubeconfigUser>;

export const KubeconfigContext = t.intersection([t.partial({ cluster: t.string, user: t.string, namespace: t.string }), t.UnknownRecord]);
export type KubeconfigContext = t.TypeOf<typeof KubeconfigContext>;

const NamedCluster = t.type({ name: t.string, cluster: KubeconfigCluster });
const NamedUser = t.type({ name: t.string, user: KubeconfigUser });
const NamedContext = t.type({ name: t.string, context: KubeconfigContext });
export type NamedCluster = t.TypeOf<typeof NamedCluster>;
export type NamedUser = t.TypeOf<typeof NamedUser>;
export type NamedContext = t.TypeOf<typeof NamedContext>;

export const Kubeconfig = t.intersection([
  t.partial({
    apiVersion: t.string,
    kind: t.string,
    'current-context': t.union([t.string, t.null]),
    clusters: list(NamedCluster),
    users: list(NamedUser),
    contexts: list(NamedContext),
  }),
  t.UnknownRecord,
]);
export type Kubeconfig = t.TypeOf<typeof Kubeconfig>;

/** What one program contributes to a kubeconfig: its entries, replaced by name on every write. */
export interface KubeconfigEntries {
  readonly clusters: readonly NamedCluster[];
  readonly users: readonly NamedUser[];
  readonly contexts: readonly NamedContext[];
  /** Becomes current-context only when the file has none. */
  readonly currentContext?: string;
}

function replaceByName<A extends { readonly name: string }>(existing: readonly A[] | null | undefined, added: readonly A[]): A[] {
  const names = new Set(added.map((a) => a.name));
  return [...(existing ?? []).filter((e) => !names.has(e.name)), ...added];
}

/** `base` with `add` merged in: same-named entries replaced, every other entry and field kept. */
export function mergeKubeconfig(base: Kubeconfig, add: KubeconfigEntries): Kubeconfig {
  const current = base['current-context'];
  return {
    ...base,
    apiVersion: base.apiVersion ?? 'v1',
    kind: base.kind ?? 'Config',
    clusters: replaceByName(base.clusters, add.clusters),
    users: replaceByName(base.users, add.users),
    contexts: replaceByName(base.contexts, add.contexts),
    ...((current === undefined || current === null || current === '') && add.currentContext !== undefined
      ? { 'current-context': add.currentContext }
      : {}),
  };
}

export type ExtensionLookupError =
  | { readonly _tag: 'UnknownCluster'; readonly name: string; readonly known: readonly string[] }
  | { readonly _tag: 'NoExtension'; readonly cluster: string; readonly extension: string };

/**
 * The named extension of the cluster `name` designates: a context of that name (its cluster), else a
 * cluster entry of that name.
 */
export function clusterExtension(cfg: Kubeconfig, name: string, extension: string): E.Either<ExtensionLookupError, unknown> {
  const clusters = cfg.clusters ?? [];
  const viaContext = (cfg.contexts ?? []).find((c) => c.name === name)?.context.cluster;
  const cluster = clusters.find((c) => c.name === (viaContext ?? name));
  if (cluster === undefined) {
    const known = [...new Set([...(cfg.contexts ?? []).map((c) => c.name), ...clusters.map((c) => c.name)])].sort();
    return E.left({ _tag: 'UnknownCluster', name, known });
  }
  const found = (cluster.cluster.extensions ?? []).find((x) => x.name === extension);
  return found === undefined ? E.left({ _tag: 'NoExtension', cluster: cluster.name, extension }) : E.right(found.extension);
}
