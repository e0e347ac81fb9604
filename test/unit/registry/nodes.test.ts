// Region, zones, version and capacity of a member from its nodes; Kubernetes quantities.
import t from 'tap';
import { formatCpu, formatMemory, observationChanged, parseQuantity, summarizeNodes } from '../../../libs/registry/nodes.js';

const node = (name: string, labels: Record<string, string>, allocatable: Record<string, string>, ready = true) => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels },
  status: { allocatable, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

t.test('quantities', async (t) => {
  const cases: [string, number | undefined][] = [
    ['8', 8], ['500m', 0.5], ['1.5', 1.5], ['32Gi', 32 * 2 ** 30], ['1k', 1000], ['2M', 2e6], ['1e3', 1000], ['128974848', 128974848],
    ['16332928Ki', 16332928 * 1024], ['', undefined], ['ten', undefined], ['1Xi', undefined],
  ];
  for (const [text, value] of cases) t.equal(parseQuantity(text), value, JSON.stringify(text));
  t.equal(formatCpu(24000), '24');
  t.equal(formatCpu(23500), '23500m');
  t.equal(formatMemory(96 * 2 ** 30), '96Gi');
  t.equal(formatMemory(1536 * 2 ** 20), '1536Mi');
  t.equal(formatMemory(1000), '1000');
  t.equal(formatMemory(0), '0');
});

t.test('capacity of Ready nodes, zones of all nodes, the most common region', async (t) => {
  const nodes = [
    node('n3', { 'topology.kubernetes.io/region': 'eu-central', 'topology.kubernetes.io/zone': 'eu-central-c' }, { pods: '110', cpu: '8', memory: '32Gi' }, false),
    node('n1', { 'topology.kubernetes.io/region': 'eu-central', 'topology.kubernetes.io/zone': 'eu-central-a' }, { pods: '110', cpu: '7500m', memory: '32Gi' }),
    node('n2', { 'failure-domain.beta.kubernetes.io/region': 'eu-central', 'failure-domain.beta.kubernetes.io/zone': 'eu-central-b' }, { pods: '110', cpu: '8', memory: '16Gi' }),
    node('n4', { 'topology.kubernetes.io/region': 'eu-west' }, { pods: '10', cpu: '1', memory: '1Gi' }),
  ];
  t.same(summarizeNodes(nodes, 'v1.32.0'), {
    region: 'eu-central', zones: ['eu-central-a', 'eu-central-b', 'eu-central-c'], kubernetesVersion: 'v1.32.0',
    capacity: { pods: 230, cpu: '16500m', memory: '49Gi' },
  });
  t.same(summarizeNodes([], undefined), { zones: [], capacity: { pods: 0, cpu: '0', memory: '0' } }, 'no nodes: no region, no version');
  t.equal(summarizeNodes([node('b', { 'topology.kubernetes.io/region': 'y' }, {}), node('a', { 'topology.kubernetes.io/region': 'x' }, {})], undefined).region, 'x',
    'a tie goes to the first node by name');
});

t.test('only what the status does not say yet is a change', async (t) => {
  const observed = summarizeNodes([node('n1', { 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': 'z' }, { pods: '1', cpu: '1', memory: '1Gi' })], 'v1');
  t.equal(observationChanged(undefined, observed), true);
  t.equal(observationChanged({ conditions: [], ...observed }, observed), false);
  t.equal(observationChanged({ ...observed, zones: ['y', 'z'] }, observed), true);
  t.equal(observationChanged({ ...observed, capacity: { pods: 2, cpu: '1', memory: '1Gi' } }, observed), true);
});
