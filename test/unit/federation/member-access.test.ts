// Reaching a member: address by client CIDR, credentials from the kubeconfig Secret, errors without secrets.
import t from 'tap';
import * as E from 'fp-ts/lib/Either.js';
import { stringify } from 'yaml';
import { memberAccess, serverAddressFor } from '../../../libs/federation/member-access.js';
import type { KubeObject } from '../../../libs/kube-api/object.js';

const cluster = (addresses: { clientCIDR: string; serverAddress: string }[], secretRef?: string): KubeObject => ({
  apiVersion: 'federation/v1beta1', kind: 'Cluster', metadata: { name: 'berlin' },
  spec: { serverAddressByClientCIDRs: addresses, ...(secretRef === undefined ? {} : { secretRef: { name: secretRef } }) },
});

const kubeconfigSecret = (cfg: unknown): KubeObject => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name: 'berlin', namespace: 'kfed-system' },
  data: { kubeconfig: Buffer.from(stringify(cfg)).toString('base64') },
});

t.test('the longest matching clientCIDR wins; 0.0.0.0/0 is the fallback', async (t) => {
  const c = cluster([
    { clientCIDR: '0.0.0.0/0', serverAddress: 'https://public.example:6443' },
    { clientCIDR: '10.0.0.0/8', serverAddress: 'https://10.1.2.3:6443' },
    { clientCIDR: '10.1.0.0/16', serverAddress: '10.1.0.1:6443' },
  ]);
  t.equal(serverAddressFor(c, '10.1.9.9'), 'https://10.1.0.1:6443', 'host:port becomes https');
  t.equal(serverAddressFor(c, '10.200.0.1'), 'https://10.1.2.3:6443');
  t.equal(serverAddressFor(c, '192.168.1.1'), 'https://public.example:6443');
  t.equal(serverAddressFor(cluster([{ clientCIDR: '10.0.0.0/8', serverAddress: 'https://x' }]), '127.0.0.1'), undefined);
});

t.test('credentials come from the Secret\'s kubeconfig, current context first', async (t) => {
  const c = cluster([{ clientCIDR: '0.0.0.0/0', serverAddress: 'https://127.0.0.1:18081' }], 'berlin');
  const secret = kubeconfigSecret({
    'current-context': 'b',
    clusters: [{ name: 'a', cluster: { server: 'https://ignored', 'certificate-authority-data': 'QUFB' } }, { name: 'b', cluster: { server: 'https://also-ignored', 'certificate-authority-data': 'QkJC' } }],
    users: [{ name: 'ua', user: { token: 'token-a' } }, { name: 'ub', user: { token: 'token-b' } }],
    contexts: [{ name: 'a', context: { cluster: 'a', user: 'ua' } }, { name: 'b', context: { cluster: 'b', user: 'ub' } }],
  });
  t.same(memberAccess(c, secret, '127.0.0.1'), E.right({
    cluster: 'berlin', server: 'https://127.0.0.1:18081', insecureSkipTlsVerify: false, caData: 'QkJC', token: 'token-b',
  }), 'the server address comes from the Cluster, not the kubeconfig');
});

t.test('a Cluster without secretRef is reached anonymously', async (t) => {
  const c = cluster([{ clientCIDR: '0.0.0.0/0', serverAddress: 'https://127.0.0.1:1' }]);
  t.same(memberAccess(c, undefined, '127.0.0.1'), E.right({ cluster: 'berlin', server: 'https://127.0.0.1:1', insecureSkipTlsVerify: false }));
});

t.test('missing or broken Secrets are errors that name the Secret and never its content', async (t) => {
  const c = cluster([{ clientCIDR: '0.0.0.0/0', serverAddress: 'https://127.0.0.1:1' }], 'berlin');
  const cases: [KubeObject | undefined, RegExp][] = [
    [undefined, /secret kfed-system\/berlin .* does not exist/],
    [{ ...kubeconfigSecret({}), data: { other: 'eA==' } }, /no data key "kubeconfig"/],
    [{ ...kubeconfigSecret({}), data: { kubeconfig: Buffer.from('token: s3cr3t-token: [').toString('base64') } }, /not YAML|not a kubeconfig/],
    [kubeconfigSecret({ users: [{ name: 'u', user: { token: 's3cr3t-token' } }] }), /names no cluster/],
  ];
  for (const [secret, message] of cases) {
    const r = memberAccess(c, secret, '127.0.0.1');
    t.ok(E.isLeft(r));
    if (E.isLeft(r)) {
      t.match(r.left.message, message);
      t.notMatch(r.left.message, /s3cr3t/);
    }
  }
});
