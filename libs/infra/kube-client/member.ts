// @kubernetes/client-node configuration for a member cluster, from its MemberAccess.
import * as k8s from '@kubernetes/client-node';
import type { MemberAccess } from '../../federation/member-access.js';

export function memberKubeConfig(a: MemberAccess): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{
      name: a.cluster, server: a.server,
      // client-node refuses plain http unless verification is off; over http there is nothing to verify.
      skipTLSVerify: a.insecureSkipTlsVerify || a.server.startsWith('http://'),
      ...(a.caData === undefined ? {} : { caData: a.caData }),
    }],
    users: [{
      name: `${a.cluster}-user`,
      ...(a.token === undefined ? {} : { token: a.token }),
      ...(a.clientCertData === undefined ? {} : { certData: a.clientCertData }),
      ...(a.clientKeyData === undefined ? {} : { keyData: a.clientKeyData }),
    }],
    contexts: [{ name: a.cluster, cluster: a.cluster, user: `${a.cluster}-user` }],
    currentContext: a.cluster,
  });
  return kc;
}
