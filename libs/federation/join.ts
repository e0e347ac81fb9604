// What `kfed join` stores for a member: its kubeconfig Secret (one cluster, user and context) and its Cluster.
import * as E from 'fp-ts/lib/Either.js';
import { stringify } from 'yaml';
import type { Kubeconfig } from '../kubeconfig/kubeconfig.js';
import type { KubeObject } from '../kube-api/object.js';
import { KUBECONFIG_KEY } from './member-access.js';
import { SYSTEM_NAMESPACE } from './types.js';

/** A member's server and credentials, as read from a local kubeconfig context (file references inlined). */
export interface MemberCredentials {
  readonly server: string;
  /** base64 PEM, as in kubeconfigs. */
  readonly caData?: string;
  readonly insecureSkipTlsVerify?: boolean;
  readonly token?: string;
  readonly clientCertData?: string;
  readonly clientKeyData?: string;
}

/** A kubeconfig with just this member: what the registry and the syncers read from the Secret. */
export function memberKubeconfig(name: string, c: MemberCredentials): Kubeconfig {
  return {
    apiVersion: 'v1', kind: 'Config', 'current-context': name,
    clusters: [{
      name,
      cluster: {
        server: c.server,
        ...(c.caData === undefined ? {} : { 'certificate-authority-data': c.caData }),
        ...(c.insecureSkipTlsVerify === true ? { 'insecure-skip-tls-verify': true } : {}),
      },
    }],
    users: [{
      name,
      user: {
        ...(c.token === undefined ? {} : { token: c.token }),
        ...(c.clientCertData === undefined ? {} : { 'client-certificate-data': c.clientCertData }),
        ...(c.clientKeyData === undefined ? {} : { 'client-key-data': c.clientKeyData }),
      },
    }],
    contexts: [{ name, context: { cluster: name, user: name } }],
  };
}

/** The Secret kfed-system/NAME and the Cluster NAME that join a member, as Federation v1's walkthrough wrote them. */
export function joinObjects(name: string, c: MemberCredentials): { readonly secret: KubeObject; readonly cluster: KubeObject } {
  return {
    secret: {
      apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: SYSTEM_NAMESPACE }, type: 'Opaque',
      data: { [KUBECONFIG_KEY]: Buffer.from(stringify(memberKubeconfig(name, c))).toString('base64') },
    },
    cluster: {
      apiVersion: 'federation/v1beta1', kind: 'Cluster', metadata: { name },
      spec: { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: c.server }], secretRef: { name } },
    },
  };
}

/** A credential in a kubeconfig: inline (base64 for certificates and keys, plain for tokens) or in a file. */
export type Source = { readonly _tag: 'Data'; readonly value: string } | { readonly _tag: 'File'; readonly path: string };

/** Where a context's server and credentials are: the CLI reads the files and fills in MemberCredentials. */
export interface CredentialSources {
  readonly server: string;
  readonly insecureSkipTlsVerify: boolean;
  readonly ca?: Source;
  readonly token?: Source;
  readonly clientCert?: Source;
  readonly clientKey?: Source;
}

const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function source(entry: Readonly<Record<string, unknown>>, dataKey: string, fileKey: string): { source?: Source } {
  const data = nonEmpty(entry[dataKey]);
  if (data !== undefined) return { source: { _tag: 'Data', value: data } };
  const path = nonEmpty(entry[fileKey]);
  return path === undefined ? {} : { source: { _tag: 'File', path } };
}

/**
 * The server and credentials of a kubeconfig context, as `kubefed join` copied them. Only credentials
 * that another process can use as they are qualify: a token or a client certificate. Exec plugins and
 * auth providers run on this machine and are refused with a word on what to use instead.
 */
export function credentialSources(cfg: Kubeconfig, context: string): E.Either<string, CredentialSources> {
  const contexts = cfg.contexts ?? [];
  const ctx = contexts.find((c) => c.name === context);
  if (ctx === undefined) {
    const known = contexts.map((c) => c.name).sort();
    return E.left(`context "${context}" not found in the kubeconfig (contexts: ${known.length === 0 ? 'none' : known.join(', ')})`);
  }
  const cluster = (cfg.clusters ?? []).find((c) => c.name === ctx.context.cluster)?.cluster;
  if (cluster === undefined) return E.left(`context "${context}" names cluster "${ctx.context.cluster ?? ''}", which the kubeconfig does not define`);
  const server = nonEmpty(cluster.server);
  if (server === undefined) return E.left(`cluster "${ctx.context.cluster ?? ''}" of context "${context}" has no server`);
  const user: Readonly<Record<string, unknown>> = (cfg.users ?? []).find((u) => u.name === ctx.context.user)?.user ?? {};
  for (const [key, what] of [['exec', 'an exec credential plugin'], ['auth-provider', 'an auth provider'], ['password', 'a username and password']] as const) {
    if (user[key] !== undefined) {
      return E.left(`user "${ctx.context.user ?? ''}" of context "${context}" authenticates with ${what}, which kfed cannot store for the federation; `
        + 'use a context with a token or a client certificate (e.g. a service account token)');
    }
  }
  const ca = source(cluster, 'certificate-authority-data', 'certificate-authority').source;
  const tokenValue = nonEmpty(user['token']);
  const tokenFile = nonEmpty(user['tokenFile']);
  const token: Source | undefined = tokenValue !== undefined ? { _tag: 'Data', value: tokenValue } : tokenFile === undefined ? undefined : { _tag: 'File', path: tokenFile };
  const clientCert = source(user, 'client-certificate-data', 'client-certificate').source;
  const clientKey = source(user, 'client-key-data', 'client-key').source;
  return E.right({
    server, insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    ...(ca === undefined ? {} : { ca }), ...(token === undefined ? {} : { token }),
    ...(clientCert === undefined ? {} : { clientCert }), ...(clientKey === undefined ? {} : { clientKey }),
  });
}
