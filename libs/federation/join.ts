// What `kfed join` stores for a member: its kubeconfig Secret (one cluster, user and context) and its Cluster.
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
