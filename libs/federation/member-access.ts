// How to reach a member cluster: the server address for our network (serverAddressByClientCIDRs)
// and the credentials from the kubeconfig Secret its Cluster names. Errors never carry credentials.
import * as E from 'fp-ts/lib/Either.js';
import { parse as parseYaml } from 'yaml';
import { Kubeconfig } from '../kubeconfig/kubeconfig.js';
import { getArray, getRecord, getString } from '../kube-api/json.js';
import type { KubeObject } from '../kube-api/object.js';
import { SYSTEM_NAMESPACE } from './types.js';

export interface MemberAccess {
  readonly cluster: string;
  readonly server: string;
  /** PEM of the CA that signs the member's serving certificate, base64 as in kubeconfigs. */
  readonly caData?: string;
  readonly token?: string;
  readonly clientCertData?: string;
  readonly clientKeyData?: string;
  readonly insecureSkipTlsVerify: boolean;
}

export interface AccessError {
  readonly _tag: 'AccessError';
  readonly reason: 'NoServerAddress' | 'SecretNotFound' | 'SecretInvalid';
  readonly message: string;
}

const fail = (reason: AccessError['reason'], message: string): E.Either<AccessError, never> => E.left({ _tag: 'AccessError', reason, message });

/** The key of the member's kubeconfig in its Secret, as `kubefed join` stored it. */
export const KUBECONFIG_KEY = 'kubeconfig';
/** Annotation on a Cluster without secretRef: skip verifying the member's certificate. */
export const INSECURE_ANNOTATION = 'kfed.io/insecure-skip-tls-verify';

function ipv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function cidrMatch(cidr: string, address: number): number | undefined {
  const [base = '', bits = ''] = cidr.split('/');
  const net = ipv4(base);
  const len = Number(bits);
  if (net === undefined || !Number.isInteger(len) || len < 0 || len > 32) return undefined;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((net & mask) >>> 0) === ((address & mask) >>> 0) ? len : undefined;
}

/**
 * The serverAddress whose clientCIDR is the longest that contains `clientAddress` (Federation v1's
 * rule); an address outside every CIDR falls back to a 0.0.0.0/0 entry if there is one.
 */
export function serverAddressFor(cluster: unknown, clientAddress: string): string | undefined {
  const me = ipv4(clientAddress) ?? 0;
  let best: { len: number; server: string } | undefined;
  for (const entry of getArray(cluster, 'spec', 'serverAddressByClientCIDRs')) {
    const server = getString(entry, 'serverAddress');
    const len = cidrMatch(getString(entry, 'clientCIDR') ?? '', me);
    if (server !== undefined && len !== undefined && (best === undefined || len > best.len)) best = { len, server };
  }
  if (best === undefined) return undefined;
  return /^[a-z]+:\/\//.test(best.server) ? best.server : `https://${best.server}`;
}

/** Where and how to reach a member, from its Cluster object and (when it names one) its Secret. */
export function memberAccess(cluster: KubeObject, secret: KubeObject | undefined, clientAddress: string): E.Either<AccessError, MemberAccess> {
  const name = cluster.metadata.name ?? '';
  const server = serverAddressFor(cluster, clientAddress);
  if (server === undefined) return fail('NoServerAddress', `cluster ${name}: no serverAddressByClientCIDRs entry matches ${clientAddress}`);
  const secretName = getString(cluster, 'spec', 'secretRef', 'name');
  if (secretName === undefined) {
    const insecure = cluster.metadata.annotations?.[INSECURE_ANNOTATION] === 'true';
    return E.right({ cluster: name, server, insecureSkipTlsVerify: insecure });
  }
  const where = `secret ${SYSTEM_NAMESPACE}/${secretName}`;
  if (secret === undefined) return fail('SecretNotFound', `${where} (the credentials of cluster ${name}) does not exist`);
  const encoded = getRecord(secret, 'data')[KUBECONFIG_KEY];
  if (typeof encoded !== 'string') return fail('SecretInvalid', `${where} has no data key "${KUBECONFIG_KEY}"`);
  let cfg: Kubeconfig;
  try {
    const decoded = Kubeconfig.decode(parseYaml(Buffer.from(encoded, 'base64').toString('utf8')));
    if (E.isLeft(decoded)) return fail('SecretInvalid', `${where}: "${KUBECONFIG_KEY}" is not a kubeconfig`);
    cfg = decoded.right;
  } catch {
    return fail('SecretInvalid', `${where}: "${KUBECONFIG_KEY}" is not YAML`);
  }
  const contexts = cfg.contexts ?? [];
  const context = contexts.find((c) => c.name === cfg['current-context']) ?? contexts[0];
  const entry = (cfg.clusters ?? []).find((c) => c.name === context?.context.cluster) ?? cfg.clusters?.[0];
  const user = (cfg.users ?? []).find((u) => u.name === context?.context.user) ?? cfg.users?.[0];
  if (entry === undefined) return fail('SecretInvalid', `${where}: the kubeconfig names no cluster`);
  const u = user?.user ?? {};
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const access: MemberAccess = {
    cluster: name, server, insecureSkipTlsVerify: entry.cluster['insecure-skip-tls-verify'] === true,
    ...(str(entry.cluster['certificate-authority-data']) === undefined ? {} : { caData: entry.cluster['certificate-authority-data'] as string }),
    ...(str(u['token']) === undefined ? {} : { token: u['token'] as string }),
    ...(str(u['client-certificate-data']) === undefined ? {} : { clientCertData: u['client-certificate-data'] as string }),
    ...(str(u['client-key-data']) === undefined ? {} : { clientKeyData: u['client-key-data'] as string }),
  };
  return E.right(access);
}
