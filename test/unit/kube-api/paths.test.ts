import t from 'tap';
import { parsePath } from '../../../libs/kube-api/paths.js';

t.test('request paths parse into routes', async (t) => {
  const cases: [string, unknown][] = [
    ['/version', { _tag: 'version' }],
    ['/healthz', { _tag: 'health', check: 'healthz' }],
    ['/readyz', { _tag: 'health', check: 'readyz' }],
    ['/api', { _tag: 'coreVersions' }],
    ['/apis', { _tag: 'groups' }],
    ['/apis/apps', { _tag: 'group', group: 'apps' }],
    ['/api/v1', { _tag: 'resourceList', group: '', version: 'v1' }],
    ['/apis/apps/v1', { _tag: 'resourceList', group: 'apps', version: 'v1' }],
    ['/openapi/v2', { _tag: 'openapiV2' }],
    ['/openapi/v3', { _tag: 'openapiV3' }],
    ['/openapi/v3/apis/apps/v1', { _tag: 'openapiV3' }],
    ['/apis/apps/v1/deployments', { _tag: 'resource', group: 'apps', version: 'v1', plural: 'deployments' }],
    ['/apis/apps/v1/namespaces/default/deployments',
      { _tag: 'resource', group: 'apps', version: 'v1', plural: 'deployments', namespace: 'default' }],
    ['/apis/apps/v1/namespaces/default/deployments/nginx',
      { _tag: 'resource', group: 'apps', version: 'v1', plural: 'deployments', namespace: 'default', name: 'nginx' }],
    ['/apis/apps/v1/namespaces/default/deployments/nginx/scale',
      { _tag: 'resource', group: 'apps', version: 'v1', plural: 'deployments', namespace: 'default', name: 'nginx', subresource: 'scale' }],
    ['/api/v1/namespaces', { _tag: 'resource', group: '', version: 'v1', plural: 'namespaces' }],
    ['/api/v1/namespaces/team', { _tag: 'resource', group: '', version: 'v1', plural: 'namespaces', name: 'team' }],
    // A Namespace's own subresources, not collections in the namespace.
    ['/api/v1/namespaces/team/status', { _tag: 'resource', group: '', version: 'v1', plural: 'namespaces', name: 'team', subresource: 'status' }],
    ['/api/v1/namespaces/team/finalize', { _tag: 'resource', group: '', version: 'v1', plural: 'namespaces', name: 'team', subresource: 'finalize' }],
    ['/api/v1/namespaces/team/pods', { _tag: 'resource', group: '', version: 'v1', plural: 'pods', namespace: 'team' }],
    ['/api/v1/nodes/n1/status', { _tag: 'resource', group: '', version: 'v1', plural: 'nodes', name: 'n1', subresource: 'status' }],
    ['/api/v1/nodes/n1/status/x', { _tag: 'unknown' }],
    ['/api/v1/namespaces/a/pods/b/status/c', { _tag: 'unknown' }],
    ['/metrics', { _tag: 'unknown' }],
    ['/api/v1/namespaces/%zz', { _tag: 'unknown' }],
  ];
  for (const [path, want] of cases) t.same(parsePath(path), want, path);
});
