// Writes to a member through memberObjects against a simulated cluster: applies of built-in kinds go as
// one plain server-side apply request; answers and failures come back as values, never with credentials.
import t from 'tap';
import * as E from 'fp-ts/lib/Either.js';
import type { MemberAccess } from '../../libs/federation/member-access.js';
import { memberObjects, objectPath } from '../../libs/infra/kube-client/member-objects.js';
import type { KubeObject } from '../../libs/kube-api/object.js';
import { startTestSimulator } from '../support/membersim.js';

const deployment = (replicas: unknown): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
});

t.test('objectPath places built-in kinds without discovery', async (t) => {
  t.equal(objectPath(deployment(1)), '/apis/apps/v1/namespaces/default/deployments/web');
  t.equal(objectPath({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } }), '/api/v1/namespaces/team-a');
  t.equal(objectPath({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a b', namespace: 'x' } }), '/api/v1/namespaces/x/configmaps/a%20b');
  t.equal(objectPath({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }), undefined);
  t.equal(objectPath({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: {} }), undefined);
});

t.test('apply creates, updates as the field manager, and answers rejections and silence as values', async (t) => {
  const sim = await startTestSimulator(t, 'east');
  const kc = sim.kubeConfig('east');
  const cluster = kc.getCurrentCluster();
  const token = kc.getCurrentUser()?.token;
  if (cluster === null || token === undefined) throw new Error('the simulator kubeconfig has no cluster or token');
  const access: MemberAccess = { cluster: 'east', server: cluster.server, caData: cluster.caData, token, insecureSkipTlsVerify: false };
  const member = memberObjects(access, { fieldManager: 'kfed-test', requestTimeoutMs: 5000, maxSockets: 4 });
  t.teardown(() => member.close());

  const created = await member.apply(deployment(2));
  if (E.isLeft(created)) throw new Error(created.left.message);
  t.match(created.right, { metadata: { name: 'web', namespace: 'default', managedFields: [{ manager: 'kfed-test', operation: 'Apply' }] }, spec: { replicas: 2 } });
  const updated = await member.apply(deployment(3));
  if (E.isLeft(updated)) throw new Error(updated.left.message);
  t.equal((updated.right['spec'] as { replicas: number }).replicas, 3);
  t.not(updated.right.metadata.resourceVersion, created.right.metadata.resourceVersion);

  const invalid = await member.apply(deployment(-1));
  t.match(invalid, { _tag: 'Left', left: { _tag: 'MemberRejected', code: 422, reason: 'Invalid', message: /spec\.replicas/ } });
  const read = await member.get(deployment(0));
  t.match(read, { _tag: 'Right', right: { spec: { replicas: 3 } } }, 'the rejected apply changed nothing');

  const wrongToken = memberObjects({ ...access, token: 'not-the-token' }, { fieldManager: 'kfed-test', requestTimeoutMs: 5000, maxSockets: 1 });
  t.teardown(() => wrongToken.close());
  const denied = await wrongToken.apply(deployment(4));
  t.match(denied, { _tag: 'Left', left: { _tag: 'MemberRejected', code: 401 } });
  t.notMatch(JSON.stringify(denied), /not-the-token/, 'the token is not in the error');

  await sim.sim.fault('east', { action: 'offline' });
  const silent = await member.apply(deployment(5));
  t.match(silent, { _tag: 'Left', left: { _tag: 'MemberUnreachable' } });
  t.notMatch(JSON.stringify(silent), new RegExp(token), 'the token is not in the error');
});
