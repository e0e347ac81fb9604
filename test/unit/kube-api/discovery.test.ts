import t from 'tap';
import {
  aggregatedDiscovery, discoveryContentType, groupList, negotiateDiscovery, resourceList, versionInfo,
} from '../../../libs/kube-api/discovery.js';
import { builtinTypes } from '../../../libs/kube-api/resources.js';

const kubectl132 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const kubectl127 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

t.test('aggregated discovery is negotiated from Accept', async (t) => {
  t.equal(negotiateDiscovery(kubectl132), 'v2');
  t.equal(negotiateDiscovery(kubectl127), 'v2beta1');
  t.equal(negotiateDiscovery('application/json, */*'), 'legacy');
  t.equal(negotiateDiscovery(undefined), 'legacy');
  t.equal(discoveryContentType('v2'), 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
});

t.test('/version carries a semantic gitVersion and minor 32', async (t) => {
  const v = versionInfo();
  t.match(v.gitVersion, /^v1\.32\.\d+/);
  t.equal(v.minor, '32');
  t.equal(versionInfo({ minor: '30' }).minor, '30');
});

t.test('/apis lists apps before extensions, and the core group is not among them', async (t) => {
  const doc = groupList(builtinTypes) as { groups: { name: string; preferredVersion: { groupVersion: string } }[] };
  const names = doc.groups.map((g) => g.name);
  t.same(names, ['apps', 'batch', 'networking.k8s.io', 'extensions']);
  t.equal(doc.groups[0]?.preferredVersion.groupVersion, 'apps/v1');
});

t.test('per group version resource lists', async (t) => {
  const apps = resourceList(builtinTypes, 'apps', 'v1') as { groupVersion: string; resources: Record<string, unknown>[] };
  t.equal(apps.groupVersion, 'apps/v1');
  const byName = new Map(apps.resources.map((r) => [r['name'], r]));
  t.same(byName.get('deployments'), {
    name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment',
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['deploy'], categories: ['all'],
  });
  t.same(byName.get('deployments/scale'), {
    name: 'deployments/scale', singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'],
  });
  t.same(byName.get('deployments/status'), {
    name: 'deployments/status', singularName: '', namespaced: true, kind: 'Deployment', verbs: ['get', 'patch', 'update'],
  });
  const ext = resourceList(builtinTypes, 'extensions', 'v1beta1') as { resources: Record<string, unknown>[] };
  t.notOk(ext.resources.some((r) => r['shortNames'] !== undefined), 'short names only on apps/v1');
  const core = resourceList(builtinTypes, '', 'v1') as { groupVersion: string; resources: Record<string, unknown>[] };
  t.equal(core.groupVersion, 'v1');
  t.ok(core.resources.some((r) => r['name'] === 'namespaces/finalize'));
  t.equal(core.resources.find((r) => r['name'] === 'namespaces')?.['namespaced'], false);
  t.equal(resourceList(builtinTypes, 'nope', 'v1'), undefined);
});

t.test('aggregated documents for /api and /apis', async (t) => {
  const apis = aggregatedDiscovery(builtinTypes, 'groups', 'v2') as { apiVersion: string; kind: string; items: { metadata: { name: string }; versions: { version: string; resources: Record<string, unknown>[] }[] }[] };
  t.equal(apis.kind, 'APIGroupDiscoveryList');
  t.equal(apis.apiVersion, 'apidiscovery.k8s.io/v2');
  t.same(apis.items.map((i) => i.metadata.name), ['apps', 'batch', 'networking.k8s.io', 'extensions']);
  const deploy = apis.items[0]?.versions[0]?.resources.find((r) => r['resource'] === 'deployments');
  t.match(deploy, {
    resource: 'deployments', responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' }, scope: 'Namespaced',
    shortNames: ['deploy'], categories: ['all'],
    subresources: [{ subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } }, { subresource: 'status' }],
  });
  const core = aggregatedDiscovery(builtinTypes, 'core', 'v2beta1') as typeof apis;
  t.equal(core.apiVersion, 'apidiscovery.k8s.io/v2beta1');
  t.same(core.items.map((i) => i.metadata.name), ['']);
  t.equal(core.items[0]?.versions[0]?.version, 'v1');
  t.match(core.items[0]?.versions[0]?.resources.find((r) => r['resource'] === 'namespaces'), { scope: 'Cluster' });
});
