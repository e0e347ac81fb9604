// Kubeconfig merging keeps other programs' entries; extension lookup by context or cluster name.
import * as E from 'fp-ts/lib/Either.js';
import t from 'tap';
import { clusterExtension, Kubeconfig, mergeKubeconfig } from '../../../libs/kubeconfig/kubeconfig.js';

const fed = {
  apiVersion: 'v1', kind: 'Config', 'current-context': 'federation', preferences: { colors: true },
  clusters: [{ name: 'fed', cluster: { server: 'https://127.0.0.1:6443', 'insecure-skip-tls-verify': true, 'proxy-url': 'http://proxy' } }],
  users: [{ name: 'fed-admin', user: { token: 'f' } }],
  contexts: [{ name: 'federation', context: { cluster: 'fed', user: 'fed-admin' } }],
};
const berlin = (server: string) => ({
  clusters: [{ name: 'berlin', cluster: { server, extensions: [{ name: 'kfed.io/simulator', extension: { admin: 'http://a', token: 't', cluster: 'berlin' } }] } }],
  users: [{ name: 'berlin-admin', user: { token: 'b' } }],
  contexts: [{ name: 'berlin', context: { cluster: 'berlin', user: 'berlin-admin' } }],
  currentContext: 'berlin',
});

t.test('merge: adds and replaces by name, keeps everything else, keeps the current context', async (t) => {
  const once = mergeKubeconfig(fed, berlin('https://127.0.0.1:1'));
  const twice = mergeKubeconfig(once, berlin('https://127.0.0.1:2'));
  t.equal(twice['current-context'], 'federation');
  t.same(twice['preferences'], { colors: true });
  t.same(twice.clusters?.map((c) => [c.name, c.cluster.server]), [['fed', 'https://127.0.0.1:6443'], ['berlin', 'https://127.0.0.1:2']]);
  t.same(twice.clusters?.[0]?.cluster['proxy-url'], 'http://proxy', 'unknown fields of other entries survive');
  t.same(twice.users?.map((u) => u.name), ['fed-admin', 'berlin-admin']);
  t.same(twice.contexts?.map((c) => c.name), ['federation', 'berlin']);
  t.equal(mergeKubeconfig({}, berlin('x'))['current-context'], 'berlin', 'an empty file gets a current context');
  t.ok(E.isRight(Kubeconfig.decode({ apiVersion: 'v1', clusters: null, users: null, contexts: null, 'current-context': '' })), 'kubectl\'s empty file decodes');
});

t.test('extension lookup: by context, then by cluster name; clear errors', async (t) => {
  const cfg = mergeKubeconfig(fed, { ...berlin('x'), contexts: [{ name: 'eu', context: { cluster: 'berlin', user: 'berlin-admin' } }] });
  t.same(clusterExtension(cfg, 'eu', 'kfed.io/simulator'), E.right({ admin: 'http://a', token: 't', cluster: 'berlin' }));
  t.same(clusterExtension(cfg, 'berlin', 'kfed.io/simulator'), E.right({ admin: 'http://a', token: 't', cluster: 'berlin' }));
  t.same(clusterExtension(cfg, 'federation', 'kfed.io/simulator'), E.left({ _tag: 'NoExtension', cluster: 'fed', extension: 'kfed.io/simulator' }));
  t.same(clusterExtension(cfg, 'tokyo', 'kfed.io/simulator'), E.left({ _tag: 'UnknownCluster', name: 'tokyo', known: ['berlin', 'eu', 'fed', 'federation'] }));
});
