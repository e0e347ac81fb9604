// `kfed status` against a federation API: clusters with their health and workloads per cluster.
import t from 'tap';
import { runKfed } from '../support/kfed-cli.js';
import { startTestApiServer } from '../support/apiserver.js';


t.test('kfed status lists clusters and workloads', async (t) => {
  const api = await startTestApiServer(t);
  const k = (stdin: string) => api.kubectl.run(['apply', '-f', '-'], { stdin });
  t.equal((await k(JSON.stringify({
    apiVersion: 'federation/v1beta1', kind: 'Cluster', metadata: { name: 'berlin' },
    spec: { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: 'https://127.0.0.1:1' }] },
  }))).code, 0);
  t.equal((await k(JSON.stringify({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'nginx' },
    spec: { replicas: 4, selector: { matchLabels: { app: 'nginx' } }, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
  }))).code, 0);

  const r = await runKfed(['status', '--kubeconfig', api.kubeconfig]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^CLUSTERS\nNAME\s+READY\s+REGION\s+ZONES\s+PODS\s+VERSION\s+MESSAGE\nberlin\s+Unknown\s+-\s+-\s+-\s+-\s+not probed yet\n/);
  t.match(r.stdout, /WORKLOADS\nNAMESPACE\s+KIND\s+NAME\s+DESIRED\s+READY\s+CLUSTERS\ndefault\s+ReplicaSet\s+nginx\s+4\s+0\s+<none>\n/);

  const bad = await runKfed(['status', '--kubeconfig', api.kubeconfig, '--context', 'nope']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /nope/);
});
