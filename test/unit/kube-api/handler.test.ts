import t from 'tap';
import { createApiHandler, type ApiHandlerDeps } from '../../../libs/kube-api/handler.js';
import { MemoryStore } from '../../../libs/kube-api/memory-store.js';
import { builtinTypes, defineType } from '../../../libs/kube-api/resources.js';
import { versionInfo } from '../../../libs/kube-api/discovery.js';
import type { WatchEvent } from '../../../libs/kube-api/object.js';
import type { ApiResponse } from '../../../libs/kube-api/request.js';

const clusters = defineType({ group: 'federation', version: 'v1beta1', kind: 'Cluster', plural: 'clusters', namespaced: false, shortNames: ['fc'], nameFormat: 'label' });
const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

interface Call {
  readonly body?: unknown;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly json: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly raw: ApiResponse;
}

function setup(deps: Partial<ApiHandlerDeps> = {}, watchWindow?: number) {
  const store = new MemoryStore(watchWindow === undefined ? {} : { watchWindow });
  let uid = 0;
  let now = Date.parse('2025-01-01T00:00:00Z');
  const handler = createApiHandler({
    types: [...builtinTypes, clusters], store, clock: () => new Date(now), newUid: () => `0000000${++uid}-aaaa-bbbb-cccc-dddddddddddd`,
    version: versionInfo(), ...deps,
  });
  const call = async (method: string, path: string, c: Call = {}): Promise<Reply> => {
    const contentType = c.headers?.['content-type'] ?? 'application/json';
    const body = c.body === undefined ? undefined : new TextEncoder().encode(typeof c.body === 'string' ? c.body : JSON.stringify(c.body));
    const raw = await handler({
      method, path, query: new URLSearchParams(c.query ?? {}),
      headers: { 'content-type': contentType, 'user-agent': 'kubectl/v1.32.5 (linux/amd64)', ...c.headers },
      ...(body === undefined ? {} : { body }), ...(c.signal === undefined ? {} : { signal: c.signal }),
    });
    if (raw._tag === 'watch') return { status: raw.status, headers: raw.headers, json: {}, raw };
    const text = typeof raw.body === 'string' ? raw.body : new TextDecoder().decode(raw.body);
    return { status: raw.status, headers: raw.headers, json: text === '' || !text.startsWith('{') ? {} : JSON.parse(text), raw };
  };
  return { store, call, advance: (ms: number) => { now += ms; } };
}

const deployment = (name: string, replicas = 2, labels: Record<string, string> = { app: name }) => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name, labels },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
});
const deployments = '/apis/apps/v1/namespaces/default/deployments';

async function take(r: Reply, n: number): Promise<WatchEvent[]> {
  if (r.raw._tag !== 'watch') throw new Error(`not a watch: ${r.status} ${JSON.stringify(r.json)}`);
  const out: WatchEvent[] = [];
  if (n === 0) return out;
  for await (const e of r.raw.events) {
    out.push(e);
    if (out.length === n) break;
  }
  return out;
}

t.test('discovery, version and openapi', async (t) => {
  const { call } = setup();
  const v2 = await call('GET', '/apis', { headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } });
  t.equal(v2.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  t.equal(v2.json['kind'], 'APIGroupDiscoveryList');
  const legacy = await call('GET', '/apis', { headers: { accept: 'application/json, */*' } });
  t.equal(legacy.headers['content-type'], 'application/json');
  t.same(legacy.json['groups'].map((g: { name: string }) => g.name), ['apps', 'batch', 'networking.k8s.io', 'extensions', 'federation']);
  t.same((await call('GET', '/api')).json['versions'], ['v1']);
  t.equal((await call('GET', '/apis/federation/v1beta1')).json['resources'][0].name, 'clusters');
  t.equal((await call('GET', '/apis/nope/v1')).status, 404);
  t.equal((await call('GET', '/version')).json['gitVersion'], 'v1.32.0-kfed');
  const openapi = await call('GET', '/openapi/v2');
  t.equal(openapi.status, 200);
  t.equal(openapi.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
  t.equal(openapi.raw._tag === 'complete' && openapi.raw.body.length, 0);
  t.equal((await call('GET', '/openapi/v3')).status, 404);
  const unknown = await call('GET', '/apis/apps/v1/namespaces/default/widgets');
  t.match(unknown.json, { kind: 'Status', code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
  t.equal((await call('POST', '/version')).status, 405);
});

t.test('create assigns identity and answers 201; a second create is AlreadyExists', async (t) => {
  const { call } = setup();
  const created = await call('POST', deployments, { body: { ...deployment('web'), status: { replicas: 9 } }, query: { fieldManager: 'kubectl-create' } });
  t.equal(created.status, 201);
  t.match(created.json, {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: /^0+\d-aaaa/, creationTimestamp: '2025-01-01T00:00:00Z', generation: 1, resourceVersion: /^\d+$/ },
  });
  t.equal(created.json['status'], undefined, 'status is not client-settable on create');
  t.equal(created.json['metadata'].managedFields[0].manager, 'kubectl-create');
  const again = await call('POST', deployments, { body: deployment('web') });
  t.equal(again.status, 409);
  t.match(again.json, { reason: 'AlreadyExists', message: 'deployments.apps "web" already exists', details: { name: 'web', group: 'apps', kind: 'deployments' } });
  const generated = await call('POST', deployments, { body: { ...deployment('x'), metadata: { generateName: 'web-' } } });
  t.match(generated.json['metadata'].name, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  const wrongNs = await call('POST', deployments, { body: { ...deployment('y'), metadata: { name: 'y', namespace: 'other' } } });
  t.equal(wrongNs.status, 400);
  t.match(wrongNs.json['message'], /does not match the namespace/);
  t.equal((await call('POST', deployments, { body: '{"apiVersion":', headers: {} })).status, 400, 'malformed JSON');
  const yaml = await call('POST', deployments, {
    body: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: fromyaml\nspec:\n  replicas: 1\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i}]}\n',
    headers: { 'content-type': 'application/yaml' },
  });
  t.equal(yaml.status, 201);
  const nulls = await call('POST', deployments, { body: { ...deployment('n'), metadata: { name: 'n', creationTimestamp: null } } });
  t.equal(nulls.status, 201, 'null metadata fields read as unset, as Go decodes them');
  const labels = await call('POST', deployments, { body: { ...deployment('z'), metadata: { name: 'z', labels: { a: 1 } } } });
  t.equal(labels.status, 400);
  t.match(labels.json['message'], /metadata\.labels\.a/);
});

t.test('get, Table get and 404', async (t) => {
  const { call, advance } = setup();
  await call('POST', deployments, { body: deployment('web') });
  advance(65_000);
  const got = await call('GET', `${deployments}/web`);
  t.equal(got.json['metadata'].name, 'web');
  const table = await call('GET', `${deployments}/web`, { headers: { accept: tableAccept } });
  t.equal(table.json['kind'], 'Table');
  t.same(table.json['rows'][0].cells.slice(0, 5), ['web', '0/2', 0, 0, '65s']);
  t.equal(table.json['metadata'].resourceVersion, got.json['metadata'].resourceVersion);
  const missing = await call('GET', `${deployments}/nope`);
  t.equal(missing.status, 404);
  t.equal(missing.json['message'], 'deployments.apps "nope" not found');
  t.equal((await call('GET', '/apis/apps/v1/deployments/web')).status, 404, 'a namespaced object needs its namespace');
});

t.test('list with selectors, across namespaces, paged, as a Table', async (t) => {
  const { call } = setup();
  await call('POST', deployments, { body: deployment('a', 1, { app: 'a', tier: 'web' }) });
  await call('POST', deployments, { body: deployment('b', 1, { app: 'b', tier: 'db' }) });
  await call('POST', deployments, { body: deployment('c', 1, { app: 'c' }) });
  await call('POST', '/apis/apps/v1/namespaces/other/deployments', { body: deployment('d') });
  const names = async (query: Record<string, string>, path = deployments): Promise<string[]> =>
    (await call('GET', path, { query })).json['items'].map((i: { metadata: { name: string } }) => i.metadata.name);
  t.same(await names({}), ['a', 'b', 'c']);
  t.same(await names({ labelSelector: 'tier=web' }), ['a']);
  t.same(await names({ labelSelector: 'tier!=web' }), ['b', 'c']);
  t.same(await names({ labelSelector: 'tier in (web,db)' }), ['a', 'b']);
  t.same(await names({ labelSelector: 'tier notin (web)' }), ['b', 'c']);
  t.same(await names({ labelSelector: 'tier' }), ['a', 'b']);
  t.same(await names({ labelSelector: '!tier' }), ['c']);
  t.same(await names({ fieldSelector: 'metadata.name=b' }), ['b']);
  t.same(await names({}, '/apis/apps/v1/deployments'), ['a', 'b', 'c', 'd']);
  t.equal((await call('GET', deployments, { query: { fieldSelector: 'spec.replicas=1' } })).status, 400);
  t.equal((await call('GET', deployments, { query: { labelSelector: 'a in (' } })).status, 400);
  const list = await call('GET', deployments);
  t.match(list.json, { kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: { resourceVersion: /^\d+$/ } });
  t.match(list.json['items'][0], { kind: 'Deployment', apiVersion: 'apps/v1' });
  const page1 = await call('GET', deployments, { query: { limit: '2' } });
  t.equal(page1.json['items'].length, 2);
  t.equal(page1.json['metadata'].remainingItemCount, 1);
  const page2 = await call('GET', deployments, { query: { limit: '2', continue: page1.json['metadata'].continue } });
  t.same(page2.json['items'].map((i: { metadata: { name: string } }) => i.metadata.name), ['c']);
  t.equal(page2.json['metadata'].continue, undefined);
  const table = await call('GET', '/apis/apps/v1/deployments', { headers: { accept: tableAccept } });
  t.equal(table.json['rows'].length, 4);
  t.equal(table.json['rows'][3].object.metadata.namespace, 'other');
  t.match(table.json['rows'][0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1' });
  t.equal(table.json['metadata'].resourceVersion, list.json['metadata'].resourceVersion);
});

t.test('replace: stale resourceVersion is a Conflict, generation follows spec, status is kept', async (t) => {
  const { call } = setup();
  const created = (await call('POST', deployments, { body: deployment('web') })).json;
  await call('PUT', `${deployments}/web/status`, { body: { ...created, status: { replicas: 2, readyReplicas: 2 } } });
  const replaced = await call('PUT', `${deployments}/web`, {
    body: { ...created, metadata: { ...created['metadata'], labels: { app: 'web', x: 'y' } } },
  });
  t.equal(replaced.status, 409, 'the status write moved the resourceVersion on');
  t.equal(replaced.json['message'], 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again');
  const current = (await call('GET', `${deployments}/web`)).json;
  const ok = await call('PUT', `${deployments}/web`, {
    body: { ...current, spec: { ...current['spec'], replicas: 5 }, status: { replicas: 100 } },
  });
  t.equal(ok.status, 200);
  t.equal(ok.json['metadata'].generation, 2);
  t.same(ok.json['status'], { replicas: 2, readyReplicas: 2 }, 'main-resource writes leave status alone');
  t.ok(Number(ok.json['metadata'].resourceVersion) > Number(current['metadata'].resourceVersion));
  const metaOnly = await call('PUT', `${deployments}/web`, { body: { ...ok.json, metadata: { ...ok.json['metadata'], labels: { app: 'web', z: '1' } } } });
  t.equal(metaOnly.json['metadata'].generation, 2, 'metadata changes do not bump generation');
  const unconditional = await call('PUT', `${deployments}/web`, { body: { ...deployment('web', 7) } });
  t.equal(unconditional.status, 200, 'no resourceVersion: unconditional');
  t.equal((await call('PUT', `${deployments}/nope`, { body: deployment('nope') })).status, 404);
  const renamed = await call('PUT', `${deployments}/web`, { body: deployment('other') });
  t.equal(renamed.status, 400);
});

t.test('patch types', async (t) => {
  const { call } = setup();
  await call('POST', deployments, { body: deployment('web') });
  const merge = await call('PATCH', `${deployments}/web`, { body: { metadata: { labels: { tier: 'web' } } }, headers: { 'content-type': 'application/merge-patch+json' } });
  t.same(merge.json['metadata'].labels, { app: 'web', tier: 'web' });
  const removed = await call('PATCH', `${deployments}/web`, { body: { metadata: { labels: { tier: null } } }, headers: { 'content-type': 'application/merge-patch+json' } });
  t.same(removed.json['metadata'].labels, { app: 'web' });
  const json = await call('PATCH', `${deployments}/web`, { body: [{ op: 'replace', path: '/spec/replicas', value: 4 }], headers: { 'content-type': 'application/json-patch+json' } });
  t.equal(json.json['spec'].replicas, 4);
  const failing = await call('PATCH', `${deployments}/web`, { body: [{ op: 'remove', path: '/spec/nope' }], headers: { 'content-type': 'application/json-patch+json' } });
  t.equal(failing.status, 422);
  const smp = await call('PATCH', `${deployments}/web`, {
    body: { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } },
    headers: { 'content-type': 'application/strategic-merge-patch+json' },
  });
  t.equal(smp.json['spec'].template.spec.containers[0].image, 'nginx:2');
  const same = await call('PATCH', `${deployments}/web`, { body: { spec: { replicas: 4 } }, headers: { 'content-type': 'application/strategic-merge-patch+json' } });
  t.equal(same.json['metadata'].resourceVersion, smp.json['metadata'].resourceVersion, 'a patch that changes nothing writes nothing');
  const stale = await call('PATCH', `${deployments}/web`, {
    body: { metadata: { resourceVersion: '1', labels: { a: 'b' } } }, headers: { 'content-type': 'application/merge-patch+json' },
  });
  t.equal(stale.status, 409, 'resourceVersion in a patch is a precondition');
  const unsupported = await call('PATCH', `${deployments}/web`, { body: {}, headers: { 'content-type': 'text/plain' } });
  t.equal(unsupported.status, 415);
  t.equal((await call('PATCH', `${deployments}/nope`, { body: {}, headers: { 'content-type': 'application/merge-patch+json' } })).status, 404);

  await call('POST', '/apis/federation/v1beta1/clusters', { body: { apiVersion: 'federation/v1beta1', kind: 'Cluster', metadata: { name: 'berlin' }, spec: {} } });
  const customSmp = await call('PATCH', '/apis/federation/v1beta1/clusters/berlin', { body: { spec: { a: 1 } }, headers: { 'content-type': 'application/strategic-merge-patch+json' } });
  t.equal(customSmp.status, 415);
  t.equal(customSmp.json['message'], 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  const dotted = await call('POST', '/apis/federation/v1beta1/clusters', { body: { apiVersion: 'federation/v1beta1', kind: 'Cluster', metadata: { name: 'a.b' } } });
  t.match(dotted.json, { code: 422, details: { causes: [{ field: 'metadata.name' }] } }, 'a type can choose its name syntax');
  const customMerge = await call('PATCH', '/apis/federation/v1beta1/clusters/berlin', { body: { spec: { a: 1 } }, headers: { 'content-type': 'application/merge-patch+json' } });
  t.same(customMerge.json['spec'], { a: 1 });
});

t.test('concurrent patches never lose an update', async (t) => {
  const { call } = setup();
  await call('POST', deployments, { body: deployment('web') });
  const n = 25;
  const replies = await Promise.all(Array.from({ length: n }, (_, i) =>
    call('PATCH', `${deployments}/web`, { body: { metadata: { labels: { [`l${i}`]: 'x' } } }, headers: { 'content-type': 'application/merge-patch+json' } })));
  t.ok(replies.every((r) => r.status === 200));
  const labels = (await call('GET', `${deployments}/web`)).json['metadata'].labels;
  t.equal(Object.keys(labels).length, n + 1);
});

t.test('server-side apply: create, update, conflict, force', async (t) => {
  const { call } = setup();
  const apply = (body: unknown, query: Record<string, string> = { fieldManager: 'kubectl', force: 'false' }) =>
    call('PATCH', `${deployments}/web`, { body, query, headers: { 'content-type': 'application/apply-patch+yaml' } });
  const created = await apply(deployment('web', 3));
  t.equal(created.status, 201);
  t.equal(created.json['metadata'].managedFields[0].operation, 'Apply');
  t.equal((await apply(deployment('web', 3))).status, 200);
  await call('PATCH', `${deployments}/web/scale`, { body: { spec: { replicas: 1 } }, headers: { 'content-type': 'application/merge-patch+json', 'user-agent': 'kubectl/v1.32' } });
  const conflict = await apply(deployment('web', 4));
  t.equal(conflict.status, 409);
  t.match(conflict.json, {
    reason: 'Conflict',
    message: 'Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas',
    details: { causes: [{ reason: 'FieldManagerConflict', field: '.spec.replicas' }] },
  });
  const forced = await apply(deployment('web', 4), { fieldManager: 'kubectl', force: 'true' });
  t.equal(forced.status, 200);
  t.equal(forced.json['spec'].replicas, 4);
  const yamlBody = await apply('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {via: yaml}\n', { fieldManager: 'labeller' });
  t.same(yamlBody.json['metadata'].labels, { app: 'web', via: 'yaml' }, 'YAML body; a second manager adds its field');
  t.equal(yamlBody.json['spec'].replicas, 4);
  t.equal((await apply(deployment('web'), {})).status, 400, 'apply needs a fieldManager');
});

t.test('scale subresource', async (t) => {
  const { call } = setup();
  await call('POST', deployments, { body: deployment('web') });
  const scale = await call('GET', `${deployments}/web/scale`);
  t.match(scale.json, { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2 }, status: { replicas: 0, selector: 'app=web' } });
  const patched = await call('PATCH', `${deployments}/web/scale`, { body: { spec: { replicas: 10 } }, headers: { 'content-type': 'application/merge-patch+json' } });
  t.equal(patched.json['kind'], 'Scale');
  t.equal(patched.json['spec'].replicas, 10);
  t.equal((await call('GET', `${deployments}/web`)).json['spec'].replicas, 10);
  const stale = await call('PUT', `${deployments}/web/scale`, { body: { ...scale.json, spec: { replicas: 3 } } });
  t.equal(stale.status, 409);
  const current = (await call('GET', `${deployments}/web/scale`)).json;
  const put = await call('PUT', `${deployments}/web/scale`, { body: { ...current, spec: { replicas: 3 } } });
  t.equal(put.json['spec'].replicas, 3);
  const negative = await call('PATCH', `${deployments}/web/scale`, { body: { spec: { replicas: -1 } }, headers: { 'content-type': 'application/merge-patch+json' } });
  t.equal(negative.status, 422);
  t.match(negative.json['details'], { kind: 'Scale', causes: [{ field: 'spec.replicas' }] });
  t.equal((await call('GET', '/api/v1/namespaces/default/secrets/x/scale')).status, 404, 'no scale on secrets');
});

t.test('status subresource writes only status', async (t) => {
  const { call } = setup();
  const created = (await call('POST', deployments, { body: deployment('web') })).json;
  const r = await call('PUT', `${deployments}/web/status`, { body: { ...created, spec: { replicas: 50 }, status: { readyReplicas: 2 } } });
  t.equal(r.status, 200);
  t.same(r.json['status'], { readyReplicas: 2 });
  t.equal(r.json['spec'].replicas, 2);
  t.equal(r.json['metadata'].generation, 1);
  const p = await call('PATCH', `${deployments}/web/status`, { body: { status: { replicas: 2 } }, headers: { 'content-type': 'application/merge-patch+json' } });
  t.same(p.json['status'], { readyReplicas: 2, replicas: 2 });
  const table = await call('GET', deployments, { headers: { accept: tableAccept } });
  t.equal(table.json['rows'][0].cells[1], '2/2');
});

t.test('dryRun validates without storing', async (t) => {
  const { call } = setup();
  const dry = await call('POST', deployments, { body: deployment('web'), query: { dryRun: 'All' } });
  t.equal(dry.status, 201);
  t.equal((await call('GET', `${deployments}/web`)).status, 404);
  await call('POST', deployments, { body: deployment('web') });
  const before = (await call('GET', `${deployments}/web`)).json;
  const patched = await call('PATCH', `${deployments}/web`, { body: { spec: { replicas: 9 } }, query: { dryRun: 'All' }, headers: { 'content-type': 'application/strategic-merge-patch+json' } });
  t.equal(patched.json['spec'].replicas, 9);
  t.same((await call('GET', `${deployments}/web`)).json, before);
  const invalid = await call('POST', deployments, { body: deployment('neg', -1), query: { dryRun: 'All' } });
  t.equal(invalid.status, 422);
  t.equal((await call('POST', deployments, { body: deployment('x'), query: { dryRun: 'Some' } })).status, 400);
});

t.test('validation: 422 with causes, strict unknown fields 400, warnings', async (t) => {
  const { call } = setup();
  const negative = await call('POST', deployments, { body: deployment('bad', -1) });
  t.equal(negative.status, 422);
  t.match(negative.json, {
    reason: 'Invalid', details: { name: 'bad', group: 'apps', kind: 'Deployment', causes: [{ field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' }] },
  });
  const withX = { ...deployment('x'), spec: { ...deployment('x').spec, x: 1 } };
  const strict = await call('POST', deployments, { body: withX, query: { fieldValidation: 'Strict' } });
  t.equal(strict.status, 400);
  t.equal(strict.json['message'], 'strict decoding error: unknown field "spec.x"');
  const warn = await call('POST', deployments, { body: withX, query: { fieldValidation: 'Warn' } });
  t.equal(warn.status, 201);
  t.same(warn.headers['warning'], ['299 - "unknown field \\"spec.x\\""']);
  const ignore = await call('POST', deployments, { body: { ...withX, metadata: { name: 'y' } }, query: { fieldValidation: 'Ignore' } });
  t.equal(ignore.status, 201);
  t.equal(ignore.headers['warning'], undefined);
});

t.test('Secrets: stringData is written into data', async (t) => {
  const { call } = setup();
  const s = await call('POST', '/api/v1/namespaces/default/secrets', { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { token: 'abc' }, data: { old: 'eA==' } } });
  t.same(s.json['data'], { old: 'eA==', token: 'YWJj' });
  t.equal(s.json['stringData'], undefined);
  t.equal(s.json['type'], 'Opaque');
});

t.test('extensions/v1beta1 aliases share storage with apps/v1', async (t) => {
  const { call } = setup();
  const rs = {
    apiVersion: 'extensions/v1beta1', kind: 'ReplicaSet', metadata: { name: 'nginx' },
    spec: { replicas: 4, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.10' }] } } },
  };
  const created = await call('POST', '/apis/extensions/v1beta1/namespaces/default/replicasets', { body: rs });
  t.equal(created.status, 201);
  t.equal(created.json['apiVersion'], 'extensions/v1beta1');
  t.same(created.json['spec'].selector, { matchLabels: { app: 'nginx' } }, 'selector defaulted from the template labels');
  const viaApps = await call('GET', '/apis/apps/v1/namespaces/default/replicasets/nginx');
  t.equal(viaApps.json['apiVersion'], 'apps/v1');
  t.equal(viaApps.json['metadata'].uid, created.json['metadata'].uid);
  const scaled = await call('PATCH', '/apis/apps/v1/namespaces/default/replicasets/nginx/scale', { body: { spec: { replicas: 10 } }, headers: { 'content-type': 'application/merge-patch+json' } });
  t.equal(scaled.json['spec'].replicas, 10);
  const viaExt = await call('GET', '/apis/extensions/v1beta1/namespaces/default/replicasets', { headers: { accept: tableAccept } });
  t.same(viaExt.json['rows'][0].cells.slice(0, 2), ['nginx', 10]);
});

t.test('delete: answers the object; finalizers delay removal', async (t) => {
  const { call } = setup();
  await call('POST', deployments, { body: deployment('web') });
  const deleted = await call('DELETE', `${deployments}/web`, { body: '{"propagationPolicy":"Background"}\n' });
  t.equal(deleted.status, 200);
  t.equal(deleted.json['metadata'].name, 'web');
  t.equal((await call('GET', `${deployments}/web`)).status, 404);
  t.equal((await call('DELETE', `${deployments}/web`)).status, 404);

  await call('POST', deployments, { body: { ...deployment('fin'), metadata: { name: 'fin', finalizers: ['example.com/hold'] } } });
  const marked = await call('DELETE', `${deployments}/fin`, { query: { propagationPolicy: 'Foreground' } });
  t.equal(marked.json['metadata'].deletionTimestamp, '2025-01-01T00:00:00Z');
  t.equal((await call('GET', `${deployments}/fin`)).status, 200, 'still there while finalizers remain');
  const released = await call('PATCH', `${deployments}/fin`, { body: { metadata: { finalizers: null } }, headers: { 'content-type': 'application/merge-patch+json' } });
  t.equal(released.status, 200);
  t.equal((await call('GET', `${deployments}/fin`)).status, 404, 'removing the last finalizer completes the deletion');

  const created = (await call('POST', deployments, { body: deployment('pre') })).json;
  const wrongUid = await call('DELETE', `${deployments}/pre`, { body: { preconditions: { uid: 'nope' } } });
  t.equal(wrongUid.status, 409);
  t.match(wrongUid.json['message'], /Precondition failed: UID in precondition: nope/);
  const dry = await call('DELETE', `${deployments}/pre`, { query: { dryRun: 'All' } });
  t.equal(dry.status, 200);
  t.equal((await call('GET', `${deployments}/pre`)).json['metadata'].uid, created['metadata'].uid);
  t.equal((await call('DELETE', `${deployments}/pre`, { body: '{"propagationPolicy":"Sideways"}' })).status, 400);
  await call('POST', deployments, { body: deployment('other', 1, { app: 'other', gone: 'yes' }) });
  const collection = await call('DELETE', deployments, { query: { labelSelector: 'gone=yes' } });
  t.same(collection.json['items'].map((i: { metadata: { name: string } }) => i.metadata.name), ['other']);
  t.equal((await call('GET', `${deployments}/pre`)).status, 200);
});

t.test('watch: synthetic ADDED from 0, changes after a resourceVersion, 410, bookmarks', async (t) => {
  const { call } = setup({}, 5);
  await call('POST', deployments, { body: deployment('a') });
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const fresh = await call('GET', deployments, { query: { watch: 'true', resourceVersion: '0' }, signal: ac.signal });
  const firstTwo = take(fresh, 2);
  const b = await call('POST', deployments, { body: deployment('b') });
  t.same((await firstTwo).map((e) => [e.type, (e.object as { metadata: { name: string } }).metadata.name]), [['ADDED', 'a'], ['ADDED', 'b']]);

  const fromB = await call('GET', deployments, { query: { watch: '1', resourceVersion: b.json['metadata'].resourceVersion }, signal: ac.signal });
  const next = take(fromB, 2);
  await call('PATCH', `${deployments}/a`, { body: { spec: { replicas: 3 } }, headers: { 'content-type': 'application/merge-patch+json' } });
  await call('DELETE', `${deployments}/b`);
  t.same((await next).map((e) => e.type), ['MODIFIED', 'DELETED']);

  for (let i = 0; i < 6; i += 1) await call('POST', deployments, { body: deployment(`n${i}`) });
  const old = await call('GET', deployments, { query: { watch: 'true', resourceVersion: b.json['metadata'].resourceVersion }, signal: ac.signal });
  const [error] = await take(old, 1);
  t.match(error, { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: /^too old resource version: \d+ \(\d+\)$/ } });

  const current = (await call('GET', deployments)).json['metadata'].resourceVersion;
  const withBookmarks = await call('GET', deployments, { query: { watch: 'true', resourceVersion: current, labelSelector: 'app=a', allowWatchBookmarks: 'true' }, signal: ac.signal });
  const bookmarked = take(withBookmarks, 2);
  await call('POST', deployments, { body: deployment('unrelated') });
  await call('PATCH', `${deployments}/a`, { body: { spec: { replicas: 4 } }, headers: { 'content-type': 'application/merge-patch+json' } });
  t.match(await bookmarked, [{ type: 'BOOKMARK', object: { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { resourceVersion: /^\d+$/ } } }, { type: 'MODIFIED' }]);

  const plain = await call('GET', deployments, { query: { watch: 'true', labelSelector: 'app=a' }, signal: ac.signal });
  const noBookmark = take(plain, 2);
  await call('POST', deployments, { body: deployment('unrelated2') });
  await call('PATCH', `${deployments}/a`, { body: { spec: { replicas: 5 } }, headers: { 'content-type': 'application/merge-patch+json' } });
  t.same((await noBookmark).map((e) => e.type), ['ADDED', 'MODIFIED'], 'no bookmarks unless asked for');
  t.equal((await call('GET', deployments, { query: { watch: 'true', resourceVersion: 'abc' } })).status, 400);
  const timed = await call('GET', deployments, { query: { watch: 'true', timeoutSeconds: '30' }, signal: ac.signal });
  t.equal(timed.raw._tag === 'watch' && timed.raw.timeoutSeconds, 30);
});

t.test('watch: one object by name, relabelled objects leave, Table events', async (t) => {
  const { call } = setup();
  await call('POST', deployments, { body: deployment('a') });
  await call('POST', deployments, { body: deployment('b') });
  const ac = new AbortController();
  t.teardown(() => ac.abort());
  const byName = await call('GET', deployments, { query: { watch: 'true', resourceVersion: '0', fieldSelector: 'metadata.name=a' }, signal: ac.signal, headers: { accept: tableAccept } });
  const events = take(byName, 3);
  await call('PATCH', `${deployments}/b`, { body: { spec: { replicas: 7 } }, headers: { 'content-type': 'application/merge-patch+json' } });
  await call('PATCH', `${deployments}/a`, { body: { spec: { replicas: 7 } }, headers: { 'content-type': 'application/merge-patch+json' } });
  await call('PATCH', `${deployments}/a`, { body: { metadata: { labels: { app: 'moved' } } }, headers: { 'content-type': 'application/merge-patch+json' } });
  const got = await events;
  t.same(got.map((e) => e.type), ['ADDED', 'MODIFIED', 'MODIFIED']);
  const [first, second] = got.map((e) => e.object as { kind: string; columnDefinitions: unknown[]; rows: { cells: unknown[] }[] });
  t.equal(first?.kind, 'Table');
  t.ok((first?.columnDefinitions.length ?? 0) > 0, 'columns on the first event');
  t.same(second?.columnDefinitions, [], 'not on later ones');
  t.same(second?.rows[0]?.cells.slice(0, 2), ['a', '0/7']);

  const byLabel = await call('GET', deployments, { query: { watch: 'true', labelSelector: 'app=b' }, signal: ac.signal });
  const leaving = take(byLabel, 2);
  await call('PATCH', `${deployments}/b`, { body: { metadata: { labels: { app: 'gone' } } }, headers: { 'content-type': 'application/merge-patch+json' } });
  t.same((await leaving).map((e) => e.type), ['ADDED', 'DELETED'], 'an object leaving the selection is DELETED for the watcher');
});

t.test('events for describe: involvedObject field selectors', async (t) => {
  const { call } = setup();
  const event = (name: string, kind: string) => ({
    apiVersion: 'v1', kind: 'Event', metadata: { name }, involvedObject: { kind, name: 'web', namespace: 'default' }, reason: 'Scheduled', message: 'm', type: 'Normal',
  });
  await call('POST', '/api/v1/namespaces/default/events', { body: event('e1', 'Deployment') });
  await call('POST', '/api/v1/namespaces/default/events', { body: event('e2', 'Pod') });
  const list = await call('GET', '/api/v1/namespaces/default/events', { query: { fieldSelector: 'involvedObject.name=web,involvedObject.namespace=default,involvedObject.kind=Deployment' } });
  t.same(list.json['items'].map((i: { metadata: { name: string } }) => i.metadata.name), ['e1']);
});

t.test('namespaces: cluster-scoped, with status and finalize subresources', async (t) => {
  const { call } = setup();
  const ns = await call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } } });
  t.match(ns.json, { metadata: { name: 'team' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  t.equal(ns.json['metadata'].namespace, undefined);
  t.equal((await call('GET', '/api/v1/namespaces/team/status')).json['metadata'].name, 'team');
  const fin = await call('PUT', '/api/v1/namespaces/team/finalize', { body: { ...ns.json, spec: { finalizers: [] } } });
  t.same(fin.json['spec'], { finalizers: [] });
  t.equal((await call('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Bad_Name' } } })).status, 422);
  t.equal((await call('GET', '/api/v1/namespaces/team/nodes')).status, 404, 'nodes are not namespaced');
});

t.test('authorizer denies with 403', async (t) => {
  const { call } = setup({ authorize: (r) => r.verb !== 'delete' });
  await call('POST', deployments, { body: deployment('web') });
  const denied = await call('DELETE', `${deployments}/web`);
  t.equal(denied.status, 403);
  t.equal(denied.json['message'], 'deployments.apps "web" is forbidden: User "system:anonymous" cannot delete resource "deployments" in API group "apps" in the namespace "default"');
});

t.test('admission plugins mutate and validate', async (t) => {
  const { call } = setup({
    admission: [{
      mutate: (a) => ({ ...a.object, metadata: { ...a.object.metadata, labels: { ...a.object.metadata.labels, admitted: 'yes' } } }),
      validate: (a) => (a.type.kind === 'Cluster' && a.object['spec'] === undefined ? [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec' }] : []),
    }],
  });
  const d = await call('POST', deployments, { body: deployment('web') });
  t.equal(d.json['metadata'].labels.admitted, 'yes');
  const c = await call('POST', '/apis/federation/v1beta1/clusters', { body: { apiVersion: 'federation/v1beta1', kind: 'Cluster', metadata: { name: 'x' } } });
  t.equal(c.status, 422);
  t.equal(c.json['message'], 'Cluster.federation "x" is invalid: spec: Required value');
});
