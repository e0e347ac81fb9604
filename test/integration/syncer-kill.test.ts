// kill -9 of the syncer process during a rollout of 100 objects, changes while it is down, a restart: every member converges, nothing duplicated or left behind.
import t from 'tap';
import type * as k8s from '@kubernetes/client-node';
import { getNumber } from '../../libs/kube-api/json.js';
import type { KubeObject } from '../../libs/kube-api/object.js';
import { MANAGED_BY_LABEL } from '../../libs/sync/render.js';
import { PREFERENCES_ANNOTATION } from '../../libs/placement/preferences.js';
import { preferences } from '../support/federation-objects.js';
import { startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { kubeGet } from '../support/kube-http.js';
import { NATS_URL, REDIS_URL } from '../support/federation.js';
import { startProcess, type ServiceProcess } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const OBJECTS = 100;
const names = Array.from({ length: OBJECTS }, (_, i) => `web-${i}`);

const replicaSet = (name: string, replicas: number): k8s.KubernetesObject => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet',
  metadata: { name, namespace: 'default', annotations: { [PREFERENCES_ANNOTATION]: preferences({ berlin: 1, 'new-york': 1 }) } },
  spec: {
    replicas, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
  },
} as k8s.KubernetesObject);

/** kfed's copies in a member, name → spec.replicas; fails on a name listed twice. */
async function copies(p: ControlPlane, cluster: string): Promise<Map<string, number>> {
  const c = p.sim.sim.cluster(cluster);
  if (c === undefined) throw new Error(cluster);
  const list = await kubeGet({ url: c.server, ca: c.caCert, token: c.token },
    `/apis/apps/v1/namespaces/default/replicasets?labelSelector=${encodeURIComponent(`${MANAGED_BY_LABEL}=${p.api.federation}`)}`);
  const out = new Map<string, number>();
  for (const rs of (list?.['items'] ?? []) as KubeObject[]) {
    const name = rs.metadata.name ?? '';
    if (out.has(name)) throw new Error(`${cluster} lists ${name} twice`);
    out.set(name, getNumber(rs, 'spec', 'replicas') ?? -1);
  }
  return out;
}

t.test('kill -9 during a rollout of 100 objects, then a restart: every object converges, none duplicated or orphaned', async (t) => {
  const p = await startControlPlane(t);
  await p.scheduler();
  const env = {
    KFED_FEDERATION: p.api.federation, KFED_ENCRYPTION_KEY: p.api.encryptionKey, NATS_URL, REDIS_URL,
    KFED_SYNCER_LEASE_TTL_MS: '1500', KFED_SYNCER_SHARDS: '8', KFED_SYNCER_BACKOFF_MAX_MS: '1000',
  };
  const syncer = (): ServiceProcess => startProcess(t, 'services/syncer/main.js', env);
  const serving = (s: ServiceProcess): Promise<unknown> =>
    s.waitForLine('serving both members', () => s.lines.filter((l) => l['msg'] === 'serving member cluster').length >= 2);

  // The objects are placed before the syncer starts; slow members make its rollout take seconds, so that the kill lands in the middle of it.
  const phase = (() => { let at = Date.now(); return (what: string) => { t.comment(`${what}: ${Date.now() - at} ms`); at = Date.now(); }; })();
  await Promise.all(names.map((name) => p.federation.create(replicaSet(name, 2))));
  await waitFor('every object to be placed', async () => {
    const list = await kubeGet({ url: p.api.server.url, ca: p.api.caCert, token: p.api.adminToken }, '/apis/apps/v1/namespaces/default/replicasets');
    return ((list?.['items'] ?? []) as KubeObject[]).filter((o) => (o['status'] as { placement?: unknown } | undefined)?.placement !== undefined).length === OBJECTS;
  });
  phase('100 objects created and placed');
  for (const c of p.clusters) await p.sim.sim.fault(c, { action: 'latency', value: 40 });
  const first = syncer();
  await serving(first);
  await waitFor('the rollout to be under way', async () => (await copies(p, 'berlin')).size >= 10);
  const midway = (await copies(p, 'berlin')).size;
  t.equal(await first.kill('SIGKILL'), null, 'killed by the signal');
  t.comment(`killed with ${midway} of ${OBJECTS} copies in berlin`);

  // While no syncer runs: half the objects are scaled, ten are deleted.
  await Promise.all(names.slice(0, 50).map((name) => p.federation.patch(replicaSet(name, 4), undefined, undefined, 'test', undefined, 'application/merge-patch+json')));
  await Promise.all(names.slice(90).map((name) => p.federation.delete(replicaSet(name, 0))));
  for (const c of p.clusters) await p.sim.sim.fault(c, { action: 'latency', value: 0 });
  phase('changes while the syncer was down');

  const second = syncer();
  await serving(second);
  const want = new Map(names.slice(0, 90).map((n, i) => [n, i < 50 ? 2 : 1]));
  for (const cluster of p.clusters) {
    const held = await waitFor(`${cluster} to hold exactly the 90 live objects with their shares`, async () => {
      const c = await copies(p, cluster);
      return c.size === want.size && [...want].every(([n, r]) => c.get(n) === r) ? c : undefined;
    }, { timeoutMs: 60000 });
    t.equal(held.size, 90, `${cluster}: one copy of each live object, none of the deleted ones`);
  }
  phase('restarted syncer converged');
  await second.kill('SIGTERM');
});
