// The registry against simulated member clusters and the federation API: health, faults, capacity, credentials, replicas
// (the replica test runs the registry from dist/, which `npm test` builds first).
import t from 'tap';
import { Counter } from 'prom-client';
import { parse } from 'yaml';
import type { ClusterCondition } from '../../libs/events/types.js';
import { objectStream } from '../../libs/events/streams.js';
import { joinObjects, type MemberCredentials } from '../../libs/federation/join.js';
import { getArray, getPath } from '../../libs/kube-api/json.js';
import type { KubeObject } from '../../libs/kube-api/object.js';
import { createEventLog } from '../../libs/infra/redis/eventlog.js';
import { redisKeys } from '../../libs/infra/redis/keys.js';
import { shardOf } from '../../libs/infra/redis/leases.js';
import { probeTimes } from '../../libs/infra/redis/probe-times.js';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import { NATS_URL, REDIS_URL } from '../support/federation.js';
import { startProcess, type ServiceProcess } from '../support/processes.js';
import { startTestSimulator } from '../support/membersim.js';
import { simulatedCredentials, startTestRegistry, type TestRegistry } from '../support/registry.js';
import { waitFor } from '../support/wait.js';

const clusterStream = (name: string): string => objectStream({ group: 'federation', kind: 'Cluster', namespace: '', name });

async function join(api: TestApiServer, name: string, credentials: MemberCredentials): Promise<void> {
  const { secret, cluster } = joinObjects(name, credentials);
  const r = await api.kubectl.run(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [secret, cluster] }) });
  if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
}

const served = (api: TestApiServer, name: string): KubeObject | undefined => api.server.state.state().objects.get(clusterStream(name))?.object;
const conditions = (api: TestApiServer, name: string): ClusterCondition[] => getArray(served(api, name), 'status', 'conditions') as ClusterCondition[];
const condition = (api: TestApiServer, name: string, type: string): ClusterCondition | undefined => conditions(api, name).find((c) => c.type === type);

/** Waits until the cluster's condition `type` has `status`, and returns it. */
const waitForCondition = (api: TestApiServer, name: string, type: string, status: string, timeoutMs = 15000): Promise<ClusterCondition> =>
  waitFor(`${name}: ${type} ${status}`, () => {
    const c = condition(api, name, type);
    return c?.status === status ? c : undefined;
  }, { timeoutMs });

/** The health events of a cluster's stream: Ready/Offline statuses of each, e.g. "True/False". */
async function healthHistory(api: TestApiServer, name: string): Promise<string[]> {
  const { events } = await createEventLog(api.redis, api.federation).readStream(clusterStream(name));
  return events.filter((e) => e.type === 'ClusterConditionChanged').map((e) => {
    const cs = getArray(e.data, 'status', 'conditions') as ClusterCondition[];
    return ['Ready', 'Offline'].map((type) => cs.find((c) => c.type === type)?.status ?? '-').join('/');
  });
}

async function probesCounted(r: TestRegistry, result: string): Promise<number> {
  const counter = r.metrics.getSingleMetric('kfed_registry_probes_total') as Counter;
  return (await counter.get()).values.filter((v) => v.labels['result'] === result).reduce((n, v) => n + v.value, 0);
}

t.test('health through faults, zones and capacity, lastProbeTime, and kubectl get clusters', async (t) => {
  const api = await startTestApiServer(t);
  const sim = await startTestSimulator(t, 'berlin,new-york:nodes=2:zones=us-east-1a');
  const registry = await startTestRegistry(t, api);
  await join(api, 'berlin', simulatedCredentials(sim, 'berlin'));
  await join(api, 'new-york', simulatedCredentials(sim, 'new-york'));

  const ready = await waitForCondition(api, 'berlin', 'Ready', 'True');
  t.equal(ready.reason, 'ClusterReady');
  t.match(ready.message, /^cluster berlin at https:\/\/127\.0\.0\.1:\d+: \/readyz responded with ok$/);
  await waitForCondition(api, 'new-york', 'Ready', 'True');
  t.same(await healthHistory(api, 'berlin'), ['True/False'], 'Ready at the first probe: no other state was recorded before');

  t.test('zones, region, version and capacity from the members\' nodes', async (t) => {
    await waitFor('capacity of both clusters', () => getPath(served(api, 'berlin'), 'status', 'capacity') !== undefined
      && getPath(served(api, 'new-york'), 'status', 'capacity') !== undefined);
    t.match(served(api, 'berlin')?.['status'], {
      region: 'eu-central', zones: ['eu-central-a', 'eu-central-b', 'eu-central-c'], kubernetesVersion: 'v1.32.0-kfed-sim',
      capacity: { pods: 330, cpu: '24', memory: '96Gi' },
    });
    t.match(served(api, 'new-york')?.['status'], { region: 'us-east', zones: ['us-east-1a'], capacity: { pods: 220, cpu: '16', memory: '64Gi' } });
    const { events } = await createEventLog(api.redis, api.federation).readStream(clusterStream('berlin'));
    t.equal(events.filter((e) => e.type === 'ClusterCapacityObserved').length, 1, 'capacity is recorded once while it does not change');
  });

  t.test('lastProbeTime moves with every probe; the log gets no event for it', async (t) => {
    const get = async (): Promise<ClusterCondition | undefined> => {
      const r = await api.kubectl.run(['get', 'cluster', 'berlin', '-o', 'json']);
      return (getArray(JSON.parse(r.stdout), 'status', 'conditions') as ClusterCondition[]).find((c) => c.type === 'Ready');
    };
    const first = await get();
    const before = await createEventLog(api.redis, api.federation).streamVersion(clusterStream('berlin'));
    const later = await waitFor('a later probe', async () => {
      const c = await get();
      return c !== undefined && Date.parse(c.lastProbeTime ?? '') > Date.parse(first?.lastProbeTime ?? '') ? c : undefined;
    });
    t.equal(later.lastTransitionTime, first?.lastTransitionTime, 'lastTransitionTime stays');
    t.equal(await createEventLog(api.redis, api.federation).streamVersion(clusterStream('berlin')), before, 'no event was appended');
  });

  t.test('kubectl get clusters shows readiness, region and zones', async (t) => {
    const r = await api.kubectl.run(['get', 'clusters']);
    t.equal(r.code, 0, r.stderr);
    t.match(r.stdout, /^NAME\s+READY\s+REGION\s+ZONES\s+AGE\n/);
    t.match(r.stdout, /\nberlin\s+True\s+eu-central\s+eu-central-a,eu-central-b,eu-central-c\s+\S+\n/);
    t.match(r.stdout, /\nnew-york\s+True\s+us-east\s+us-east-1a\s+\S+\n/);
    const wide = await api.kubectl.run(['get', 'clusters', '-o', 'wide']);
    t.match(wide.stdout, /berlin\s+True\s+.*https:\/\/127\.0\.0\.1:\d+\s+v1\.32\.0-kfed-sim/);
  });

  t.test('taken offline: Offline True after the failure threshold, then Ready again once online', async (t) => {
    await sim.sim.fault('berlin', { action: 'offline' });
    const offline = await waitForCondition(api, 'berlin', 'Offline', 'True');
    t.ok(await probesCounted(registry, 'unreachable') >= 3, 'three unreachable probes before the transition');
    t.equal(offline.reason, 'ClusterNotReachable');
    t.match(offline.message, /^cluster berlin at https:\/\/127\.0\.0\.1:\d+ is not reachable: connection refused$/);
    t.match(condition(api, 'berlin', 'Ready'), { status: 'Unknown', reason: 'ClusterNotReachable' });
    t.equal(condition(api, 'new-york', 'Ready')?.status, 'True', 'the other member is unaffected');
    await sim.sim.fault('berlin', { action: 'online' });
    await waitForCondition(api, 'berlin', 'Ready', 'True');
    t.same(await healthHistory(api, 'berlin'), ['True/False', 'Unknown/True', 'True/False'], 'each transition recorded once');
  });

  t.test('a hung member is Offline after its timeouts; the other one is probed as before', async (t) => {
    await sim.sim.fault('berlin', { action: 'latency', value: 2000 });
    const since = new Date().toISOString();
    const offline = await waitForCondition(api, 'berlin', 'Offline', 'True');
    t.match(offline.message, /is not reachable: no answer within 250 ms$/);
    const times = probeTimes(api.redis, redisKeys(api.federation));
    await waitFor('new-york probed while berlin hangs', async () => ((await times.read(['new-york'])).get('new-york') ?? '') > since);
    t.equal(condition(api, 'new-york', 'Ready')?.status, 'True');
    await sim.sim.fault('berlin', { action: 'latency', value: 0 });
    await waitForCondition(api, 'berlin', 'Ready', 'True');
  });

  t.test('made unhealthy: Ready False and Offline False', async (t) => {
    await sim.sim.fault('new-york', { action: 'unhealthy' });
    const notReady = await waitForCondition(api, 'new-york', 'Ready', 'False');
    t.equal(notReady.reason, 'ClusterNotReady');
    t.match(notReady.message, /\/readyz responded with 500 Internal Server Error: \[-\]etcd failed: reason withheld$/);
    t.match(condition(api, 'new-york', 'Offline'), { status: 'False', reason: 'ClusterReachable' });
    const r = await api.kubectl.run(['get', 'clusters']);
    t.match(r.stdout, /\nnew-york\s+False\s+us-east/);
    await sim.sim.fault('new-york', { action: 'healthy' });
    await waitForCondition(api, 'new-york', 'Ready', 'True');
  });
});

t.test('a wrong token: Ready False with a clear message, and the token nowhere', async (t) => {
  const api = await startTestApiServer(t);
  const sim = await startTestSimulator(t, 'new-york');
  const registry = await startTestRegistry(t, api);
  const token = `wrong-${Math.random().toString(36).slice(2)}-token`;
  await join(api, 'new-york', { ...simulatedCredentials(sim, 'new-york'), token });

  const notReady = await waitForCondition(api, 'new-york', 'Ready', 'False');
  t.match(notReady.message, /^cluster new-york at https:\/\/127\.0\.0\.1:\d+: the member rejected kfed's credentials \(401 Unauthorized\)$/);
  t.match(condition(api, 'new-york', 'Offline'), { status: 'False', reason: 'ClusterReachable' });

  const yaml = await api.kubectl.run(['get', 'clusters', '-o', 'yaml']);
  t.match(JSON.stringify(parse(yaml.stdout)), /the member rejected kfed's credentials \(401 Unauthorized\)/);
  t.notOk(yaml.stdout.includes(token), 'kubectl get clusters -o yaml');
  const { events } = await createEventLog(api.redis, api.federation).readLog('0', 10_000);
  t.ok(events.length > 0);
  t.notOk(JSON.stringify(events).includes(token), 'no event in the log holds the token (the Secret is sealed)');
  t.ok(registry.lines.length > 0);
  t.notOk(JSON.stringify(registry.lines).includes(token), 'no log line of the registry holds it');

  // The right credentials fix it at the next probe.
  await join(api, 'new-york', simulatedCredentials(sim, 'new-york'));
  await waitForCondition(api, 'new-york', 'Ready', 'True');
});

t.test('a missing Secret and an unmatched address are reported on the Cluster', async (t) => {
  const api = await startTestApiServer(t);
  await startTestRegistry(t, api);
  const { cluster } = joinObjects('paris', { server: 'https://127.0.0.1:1' });
  const create = await api.kubectl.run(['create', '-f', '-'], { stdin: JSON.stringify(cluster) });
  t.equal(create.code, 0, create.stderr);
  const ready = await waitForCondition(api, 'paris', 'Ready', 'False');
  t.equal(ready.message, 'secret kfed-system/paris (the credentials of cluster paris) does not exist');
  t.match(condition(api, 'paris', 'Offline'), { status: 'Unknown', reason: 'ClusterNotProbed' });

  const elsewhere = { ...cluster, metadata: { name: 'tokyo' }, spec: { serverAddressByClientCIDRs: [{ clientCIDR: '10.0.0.0/8', serverAddress: 'https://10.0.0.1' }] } };
  t.equal((await api.kubectl.run(['create', '-f', '-'], { stdin: JSON.stringify(elsewhere) })).code, 0);
  t.equal((await waitForCondition(api, 'tokyo', 'Ready', 'False')).message, 'cluster tokyo: no serverAddressByClientCIDRs entry matches 127.0.0.1');
});

t.test('two replicas as processes: each transition recorded once; kill -9 one and the other probes its clusters', async (t) => {
  const api = await startTestApiServer(t);
  const names = ['berlin', 'new-york', 'san-francisco', 'paris'];
  const sim = await startTestSimulator(t, names.join(','));
  const periodMs = 400;
  const env = {
    KFED_FEDERATION: api.federation, REDIS_URL, NATS_URL, KFED_ENCRYPTION_KEY: api.encryptionKey,
    KFED_REGISTRY_PERIOD_MS: String(periodMs), KFED_REGISTRY_TIMEOUT_MS: '300', KFED_REGISTRY_LEASE_TTL_MS: '300', KFED_REGISTRY_SHARDS: '8',
  };
  const replicas = [startProcess(t, 'services/registry/main.js', env), startProcess(t, 'services/registry/main.js', env)];
  const replicaName = async (p: ServiceProcess): Promise<string> => String((await p.waitForLine('started', (l) => l['msg'] === 'registry started'))['replica']);
  const [a, b] = await Promise.all(replicas.map(replicaName));
  for (const name of names) await join(api, name, simulatedCredentials(sim, name));
  for (const name of names) await waitForCondition(api, name, 'Ready', 'True');

  const leaseHolder = async (cluster: string): Promise<string | null> =>
    api.redis.get(redisKeys(api.federation).lease(`registry-shard-${shardOf(cluster, 8)}`));
  const holders = await waitFor('both replicas to hold shards', async () => {
    const h = await Promise.all(names.map(leaseHolder));
    return new Set(h).size === 2 && h.every((x) => x === a || x === b) ? h : undefined;
  });
  t.comment(`lease holders: ${names.map((n, i) => `${n}=${holders[i] === a ? 'A' : 'B'}`).join(' ')}`);

  for (const name of names) await sim.sim.fault(name, { action: 'offline' });
  for (const name of names) await waitForCondition(api, name, 'Offline', 'True');
  for (const name of names) await sim.sim.fault(name, { action: 'online' });
  for (const name of names) await waitForCondition(api, name, 'Ready', 'True');
  for (const name of names) t.same(await healthHistory(api, name), ['True/False', 'Unknown/True', 'True/False'], `${name}: each transition once`);

  const victim = holders[0] === a ? 0 : 1;
  const orphaned = names.filter((_, i) => holders[i] === (victim === 0 ? a : b));
  await replicas[victim]?.kill('SIGKILL');
  const killedAt = Date.now();
  const times = probeTimes(api.redis, redisKeys(api.federation));
  await waitFor('the survivor to probe the dead replica\'s clusters', async () => {
    const probed = await times.read(orphaned);
    return orphaned.every((n) => Date.parse(probed.get(n) ?? '') > killedAt);
  });
  t.comment(`probed again by the survivor ${((Date.now() - killedAt) / periodMs).toFixed(1)} periods after the kill (lease TTL ${env.KFED_REGISTRY_LEASE_TTL_MS} ms)`);
  for (const name of orphaned) t.equal(await leaseHolder(name), victim === 0 ? b : a, `${name}'s shard moved to the survivor`);

  const first = orphaned[0] as string;
  await sim.sim.fault(first, { action: 'unhealthy' });
  await waitForCondition(api, first, 'Ready', 'False');
  t.same(await healthHistory(api, first), ['True/False', 'Unknown/True', 'True/False', 'False/False'], 'the survivor records the next transition, once');
});
