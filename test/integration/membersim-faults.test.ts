// Faults of a simulated cluster, in code and over the admin endpoint: offline/online on the same port, health, latency, write errors, watch closes.
import { request } from 'node:https';
import * as k8s from '@kubernetes/client-node';
import * as E from 'fp-ts/lib/Either.js';
import t from 'tap';
import type { SimulatedCluster } from '../../services/membersim/cluster.js';
import { prng } from '../support/prng.js';
import { startTestSimulator } from '../support/membersim.js';
import { waitFor } from '../support/wait.js';

interface Answer { readonly status: number; readonly body: string }

/** One https request to a simulated cluster, validating its certificate with the cluster's own CA. */
function call(c: SimulatedCluster, method: string, path: string, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${c.server}${path}`, {
      // agent false: a new connection per request, so an offline cluster shows as a refused connection.
      method, ca: c.caCert, agent: false, headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } });
const seed = 20260101;

t.test('faults', async (t) => {
  const { sim, kubeConfig } = await startTestSimulator(t, 'berlin,new-york', { random: prng(seed) });
  const berlin = sim.cluster('berlin') as SimulatedCluster;
  const newYork = sim.cluster('new-york') as SimulatedCluster;
  const fault = async (r: Parameters<typeof sim.fault>[1]) => {
    const res = await sim.fault('berlin', r);
    if (E.isLeft(res)) throw new Error(res.left.message);
    return res.right;
  };

  t.test('offline refuses connections; online answers again on the same port', async (t) => {
    t.equal((await call(berlin, 'GET', '/api/v1/nodes')).status, 200);
    t.match(await fault({ action: 'offline' }), { faults: { offline: true }, port: berlin.port });
    await t.rejects(call(berlin, 'GET', '/version'), { code: 'ECONNREFUSED' });
    t.equal((await call(newYork, 'GET', '/version')).status, 200, 'other clusters are unaffected');
    t.match(await fault({ action: 'online' }), { faults: { offline: false }, server: berlin.server });
    t.equal((await call(berlin, 'GET', '/api/v1/nodes')).status, 200);
    t.match(await fault({ action: 'online' }), { faults: { offline: false } }, 'online twice is harmless');
  });

  t.test('unhealthy: /readyz and /healthz fail while the API answers', async (t) => {
    await fault({ action: 'unhealthy' });
    for (const p of ['/readyz', '/healthz', '/livez']) t.equal((await call(berlin, 'GET', p)).status, 500, p);
    t.equal((await call(berlin, 'GET', '/api/v1/namespaces/default')).status, 200);
    t.equal((await call(newYork, 'GET', '/readyz')).status, 200);
    await fault({ action: 'healthy' });
    t.equal((await call(berlin, 'GET', '/readyz')).status, 200);
  });

  t.test('latency delays every request', async (t) => {
    t.match(await fault({ action: 'latency', value: 300 }), { faults: { latencyMs: 300 } });
    const started = performance.now();
    t.equal((await call(berlin, 'GET', '/api/v1/nodes')).status, 200);
    // A lower bound only: the request cannot answer before the injected delay.
    t.ok(performance.now() - started >= 295, 'answered after the injected delay');
    await fault({ action: 'latency', value: 0 });
    t.same(E.isLeft(await sim.fault('berlin', { action: 'latency', value: -1 })), true, 'negative latency is refused');
  });

  t.test('write-errors fail that fraction of writes with 500, reads still work', async (t) => {
    await fault({ action: 'write-errors', value: 1 });
    for (let i = 0; i < 5; i++) {
      const r = await call(berlin, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`all-${i}`));
      t.equal(r.status, 500);
      t.match(JSON.parse(r.body), { kind: 'Status', reason: 'InternalError', code: 500 });
    }
    t.equal((await call(berlin, 'GET', '/api/v1/namespaces/default/configmaps')).status, 200);

    // With the seeded generator the failures are exactly the draws below the fraction.
    await fault({ action: 'write-errors', value: 0.5 });
    const expected = prng(seed);
    for (let i = 0; i < 5; i++) expected(); // the five draws of the fraction-1 writes above
    let failed = 0;
    let predicted = 0;
    for (let i = 0; i < 40; i++) {
      if (expected() < 0.5) predicted += 1;
      if ((await call(berlin, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`half-${i}`))).status === 500) failed += 1;
    }
    t.equal(failed, predicted, `${failed} of 40 writes failed`);
    t.ok(failed > 0 && failed < 40);

    await fault({ action: 'write-errors', value: 0 });
    for (let i = 0; i < 5; i++) t.equal((await call(berlin, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`none-${i}`))).status, 201);
  });

  t.test('close-watches: an informer reconnects and misses nothing', async (t) => {
    const kc = kubeConfig('berlin');
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
    let connects = 0;
    const added = new Set<string>();
    informer.on('connect', () => { connects += 1; });
    informer.on('add', (cm) => { added.add(cm.metadata?.name ?? ''); });
    informer.on('error', () => undefined);
    await informer.start();
    t.teardown(() => informer.stop());
    await waitFor('informer connected', () => connects >= 1);
    for (let round = 0; round < 3; round++) {
      const before = connects;
      t.match(await fault({ action: 'close-watches' }), { faults: { offline: false } });
      // Writes right after the close land while the informer is reconnecting.
      for (let i = 0; i < 5; i++) t.equal((await call(berlin, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`closed-${round}-${i}`))).status, 201);
      await waitFor('reconnected', () => connects > before);
    }
    await waitFor('every configmap seen', async () => {
      const server = (await core.listNamespacedConfigMap({ namespace: 'default' })).items.map((c) => c.metadata?.name ?? '').sort();
      return JSON.stringify(server) === JSON.stringify(informer.list('default').map((c) => c.metadata?.name ?? '').sort())
        && server.filter((n) => n.startsWith('closed-')).every((n) => added.has(n));
    });
  });

  t.test('admin endpoint: token, unknown cluster, bad requests', async (t) => {
    const admin = (path: string, init: RequestInit = {}) => fetch(`${sim.admin.url}${path}`, {
      ...init, headers: { authorization: `Bearer ${sim.admin.token}`, 'content-type': 'application/json', ...init.headers },
    });
    t.equal((await fetch(`${sim.admin.url}/v1/clusters`)).status, 401);
    const list = await (await admin('/v1/clusters')).json() as { clusters: { name: string }[] };
    t.same(list.clusters.map((c) => c.name), ['berlin', 'new-york']);
    t.equal((await admin('/v1/clusters/tokyo/faults', { method: 'POST', body: '{"action":"offline"}' })).status, 404);
    t.equal((await admin('/v1/clusters/berlin/faults', { method: 'POST', body: '{"action":"explode"}' })).status, 400);
    t.equal((await admin('/v1/clusters/berlin/faults', { method: 'POST', body: '{"action":"write-errors","value":2}' })).status, 400);
    const r = await admin('/v1/clusters/new-york/faults', { method: 'POST', body: '{"action":"unhealthy"}' });
    t.match(await r.json(), { name: 'new-york', faults: { unhealthy: true } });
    t.equal((await call(newYork, 'GET', '/readyz')).status, 500);
  });
});
