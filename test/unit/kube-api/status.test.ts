import t from 'tap';
import * as s from '../../../libs/kube-api/status.js';

const deployments = { group: 'apps', plural: 'deployments' };

t.test('Status errors carry kube-apiserver wording', async (t) => {
  t.same(s.notFound(deployments, 'nope'), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'deployments.apps "nope" not found',
    reason: 'NotFound', details: { name: 'nope', group: 'apps', kind: 'deployments' }, code: 404,
  });
  t.equal(s.notFound({ group: '', plural: 'secrets' }, 'x').message, 'secrets "x" not found');
  t.same(s.notFound({ group: '', plural: 'secrets' }, 'x').details, { name: 'x', kind: 'secrets' });
  t.equal(s.alreadyExists(deployments, 'nginx').message, 'deployments.apps "nginx" already exists');
  t.equal(s.alreadyExists(deployments, 'nginx').code, 409);
  const c = s.conflict(deployments, 'nginx');
  t.equal(c.message, 'Operation cannot be fulfilled on deployments.apps "nginx": the object has been modified; please apply your changes to the latest version and try again');
  t.equal(c.reason, 'Conflict');
  t.equal(s.unauthorized().code, 401);
  t.equal(s.unauthorized().reason, 'Unauthorized');
  t.equal(s.methodNotAllowed().code, 405);
  t.equal(s.requestEntityTooLarge(10).code, 413);
  t.equal(s.expired('too old resource version: 5 (1042)').reason, 'Expired');
  t.equal(s.gone('x').code, 410);
  t.equal(s.internalError('boom').message, 'Internal error occurred: boom');
  t.equal(s.serviceUnavailable('redis down').code, 503);
  t.equal(s.badRequest('bad').reason, 'BadRequest');
});

t.test('422 names the Kind in details and renders its causes', async (t) => {
  const one = s.invalid({ group: 'apps', kind: 'Deployment' }, 'bad', [
    { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' },
  ]);
  t.equal(one.code, 422);
  t.equal(one.reason, 'Invalid');
  t.equal(one.message, 'Deployment.apps "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  t.same(one.details, {
    name: 'bad', group: 'apps', kind: 'Deployment',
    causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' }],
  });
  const two = s.invalid({ group: 'federation', kind: 'Cluster' }, 'x', [
    { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.server' },
    { reason: 'FieldValueInvalid', message: 'Invalid value: "mars": unknown', field: 'spec.region' },
  ]);
  t.equal(two.message, 'Cluster.federation "x" is invalid: [spec.server: Required value, spec.region: Invalid value: "mars": unknown]');
  t.match(s.invalid({ group: '', kind: 'Pod' }, 'p', []).message, /^Pod "p" is invalid/);
});

t.test('415 lists the accepted media types as kube does for custom kinds', async (t) => {
  const u = s.unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
  t.equal(u.code, 415);
  t.equal(u.reason, 'UnsupportedMediaType');
  t.equal(u.message, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
});

t.test('403 uses the RBAC wording', async (t) => {
  t.equal(s.forbidden({ user: 'bob', verb: 'get', resource: deployments, name: 'x', namespace: 'default' }).message,
    'deployments.apps "x" is forbidden: User "bob" cannot get resource "deployments" in API group "apps" in the namespace "default"');
  t.equal(s.forbidden({ user: 'bob', verb: 'list', resource: { group: '', plural: 'nodes' } }).message,
    'nodes is forbidden: User "bob" cannot list resource "nodes" in API group "" at the cluster scope');
});
