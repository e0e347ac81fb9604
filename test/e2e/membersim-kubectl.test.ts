// The real kubectl (1.32, and 1.27/1.33 where present) against a simulated cluster: nodes, a Deployment's life, scheduling.
import t from 'tap';
import { kubectlVersions } from '../support/kubectl.js';
import { kubectlAt, startTestSimulator, type ContextKubectl } from '../support/membersim.js';
import { waitFor } from '../support/wait.js';

const deployment = (replicas: number, tier?: string): string => JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', ...(tier === undefined ? {} : { labels: { tier } }) },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
  },
});

/** Pod phases as `kubectl get pods` shows them, e.g. {Running: 6, Pending: 2}. */
async function podStatuses(k: ContextKubectl): Promise<Record<string, number>> {
  const r = await k.run(['get', 'pods', '--no-headers']);
  const counts: Record<string, number> = {};
  for (const line of r.stdout.split('\n').filter((l) => l.trim() !== '')) {
    const status = line.trim().split(/\s+/)[2] ?? '';
    counts[status] = (counts[status] ?? 0) + 1;
  }
  return counts;
}

t.test('kubectl against a simulated cluster', async (t) => {
  // One cluster per kubectl version: 2 nodes of 3 pods each.
  const { sim, kubeconfig, dir } = await startTestSimulator(t, kubectlVersions.map((v) => `k${v}:nodes=2:podsPerNode=3:region=eu-central`).join(','));
  t.equal(sim.clusters.length, kubectlVersions.length);

  for (const version of kubectlVersions) {
    t.test(`kubectl 1.${version}`, async (t) => {
      const k = kubectlAt(kubeconfig, dir, `k${version}`, version);

      const nodes = await k.run(['get', 'nodes', '-L', 'topology.kubernetes.io/region,topology.kubernetes.io/zone']);
      t.equal(nodes.code, 0, nodes.stderr);
      t.match(nodes.stdout, new RegExp(`k${version}-node-1\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.32\\.0\\s+eu-central\\s+eu-central-a`));
      t.match(nodes.stdout, new RegExp(`k${version}-node-2\\s+Ready.*eu-central-b`));

      const created = await k.run(['create', '-f', '-'], deployment(2));
      t.equal(created.code, 0, created.stderr);
      t.match(created.stdout, 'deployment.apps/web created');
      const again = await k.run(['create', '-f', '-'], deployment(2));
      t.equal(again.code, 1);
      t.match(again.stderr, 'Error from server (AlreadyExists)');

      const applied = await k.run(['apply', '-f', '-'], deployment(2, 'front'));
      t.equal(applied.code, 0, applied.stderr);
      t.match(applied.stdout, 'deployment.apps/web configured');
      t.match((await k.run(['apply', '-f', '-'], deployment(2, 'front'))).stdout, 'deployment.apps/web unchanged');

      await waitFor('2 running pods', async () => (await podStatuses(k))['Running'] === 2);
      const yaml = await k.run(['get', 'deployment', 'web', '-o', 'yaml']);
      t.match(yaml.stdout, /kind: Deployment/);
      t.match(yaml.stdout, /tier: front/);
      const fields = '{.metadata.generation}/{.status.observedGeneration} {.status.replicas} {.status.updatedReplicas} {.status.readyReplicas} {.status.availableReplicas}';
      await waitFor('deployment status true to the pods', async () =>
        (await k.run(['get', 'deployment', 'web', '-o', `jsonpath=${fields}`])).stdout === '1/1 2 2 2 2');

      // get -w prints each change as a table row; scaling to 5 must show up as 5/5.
      const watch = k.spawn(['get', 'deployment', 'web', '-w']);
      let watched = '';
      watch.stdout?.on('data', (d: Buffer) => { watched += d.toString(); });
      t.teardown(() => { watch.kill(); });
      await waitFor('get -w shows the deployment', () => /web\s+2\/2/.test(watched));

      const scaled = await k.run(['scale', 'deployment', 'web', '--replicas=5']);
      t.equal(scaled.code, 0, scaled.stderr);
      t.match(scaled.stdout, 'deployment.apps/web scaled');
      await waitFor('5 running pods', async () => {
        const s = await podStatuses(k);
        return s['Running'] === 5 && Object.keys(s).length === 1;
      });
      await waitFor('get -w shows 5/5', () => /web\s+5\/5\s+5\s+5/.test(watched));
      watch.kill();
      t.notMatch(watched, /<unknown>/, 'no unrequested bookmarks in the watch');

      // 2 nodes of 3 pods: 8 replicas leave 2 Pending, Unschedulable.
      t.equal((await k.run(['scale', 'deployment', 'web', '--replicas=8'])).code, 0);
      await waitFor('6 running, 2 pending', async () => {
        const s = await podStatuses(k);
        return s['Running'] === 6 && s['Pending'] === 2;
      });
      const reasons = await k.run(['get', 'pods', '--field-selector', 'status.phase=Pending', '-o', 'jsonpath={.items[*].status.conditions[0].reason}']);
      t.equal(reasons.stdout, 'Unschedulable Unschedulable');
      const described = await k.run(['get', 'deployment', 'web', '--no-headers']);
      t.match(described.stdout, /web\s+6\/8\s+8\s+6/, 'READY 6/8, UP-TO-DATE 8, AVAILABLE 6');

      const missing = await k.run(['get', 'deployment', 'nope']);
      t.equal(missing.code, 1);
      t.match(missing.stderr, 'Error from server (NotFound): deployments.apps "nope" not found');

      const deleted = await k.run(['delete', 'deployment', 'web']);
      t.equal(deleted.code, 0, deleted.stderr);
      t.match(deleted.stdout, 'deployment.apps "web" deleted');
      await waitFor('the pods go with the deployment', async () => {
        const r = await k.run(['get', 'pods,replicasets']);
        return r.code === 0 && /No resources found/.test(r.stderr + r.stdout);
      });
    });
  }
});
