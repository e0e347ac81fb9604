// What `kfed join` reads from a kubeconfig context and stores: the registry reads back exactly those credentials.
import t from 'tap';
import * as E from 'fp-ts/lib/Either.js';
import { credentialSources, joinObjects } from '../../../libs/federation/join.js';
import { memberAccess } from '../../../libs/federation/member-access.js';
import type { Kubeconfig } from '../../../libs/kubeconfig/kubeconfig.js';

const cfg: Kubeconfig = {
  clusters: [
    { name: 'ny', cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority-data': 'Q0E=' } },
    { name: 'b', cluster: { server: 'https://10.0.0.2:6443', 'certificate-authority': '/etc/b/ca.crt', 'insecure-skip-tls-verify': true } },
    { name: 'empty', cluster: {} },
  ],
  users: [
    { name: 'ny-admin', user: { token: 's3cr3t' } },
    { name: 'b-admin', user: { 'client-certificate': '/etc/b/admin.crt', 'client-key': '/etc/b/admin.key', tokenFile: '/etc/b/token' } },
    { name: 'gke', user: { exec: { command: 'gke-gcloud-auth-plugin' } } },
  ],
  contexts: [
    { name: 'new-york', context: { cluster: 'ny', user: 'ny-admin' } },
    { name: 'berlin', context: { cluster: 'b', user: 'b-admin' } },
    { name: 'gke', context: { cluster: 'ny', user: 'gke' } },
    { name: 'nowhere', context: { cluster: 'missing', user: 'ny-admin' } },
    { name: 'serverless', context: { cluster: 'empty', user: 'ny-admin' } },
  ],
};

t.test('credential sources of a context: inline data or files', async (t) => {
  t.same(credentialSources(cfg, 'new-york'), E.right({
    server: 'https://10.0.0.1:6443', insecureSkipTlsVerify: false, ca: { _tag: 'Data', value: 'Q0E=' }, token: { _tag: 'Data', value: 's3cr3t' },
  }));
  t.same(credentialSources(cfg, 'berlin'), E.right({
    server: 'https://10.0.0.2:6443', insecureSkipTlsVerify: true, ca: { _tag: 'File', path: '/etc/b/ca.crt' }, token: { _tag: 'File', path: '/etc/b/token' },
    clientCert: { _tag: 'File', path: '/etc/b/admin.crt' }, clientKey: { _tag: 'File', path: '/etc/b/admin.key' },
  }));
});

t.test('contexts kfed cannot join, with what to do', async (t) => {
  const cases: [string, RegExp][] = [
    ['paris', /context "paris" not found in the kubeconfig \(contexts: berlin, gke, new-york, nowhere, serverless\)/],
    ['gke', /authenticates with an exec credential plugin, which kfed cannot store .* use a context with a token or a client certificate/],
    ['nowhere', /names cluster "missing", which the kubeconfig does not define/],
    ['serverless', /has no server/],
  ];
  for (const [context, message] of cases) {
    const r = credentialSources(cfg, context);
    t.ok(E.isLeft(r) && message.test(r.left), context);
  }
});

t.test('the registry reads back what join stores', async (t) => {
  const credentials = { server: 'https://10.0.0.1:6443', caData: 'Q0E=', token: 's3cr3t', clientCertData: 'Q0VSVA==', clientKeyData: 'S0VZ' };
  const { secret, cluster } = joinObjects('new-york', credentials);
  t.match(secret, { metadata: { name: 'new-york', namespace: 'kfed-system' }, type: 'Opaque' });
  t.same(cluster['spec'], { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: 'https://10.0.0.1:6443' }], secretRef: { name: 'new-york' } });
  t.same(memberAccess(cluster, secret, '192.168.1.1'), E.right({ cluster: 'new-york', insecureSkipTlsVerify: false, ...credentials }));
});
