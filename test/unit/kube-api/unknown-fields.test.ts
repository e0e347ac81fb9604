import t from 'tap';
import { strictDecodingMessage, unknownFields } from '../../../libs/kube-api/validation.js';
import { ingress, legacyReplicaSet, richDeployment, service } from '../../support/kube-manifests.js';

t.test('no false positives on realistic manifests', async (t) => {
  const cases: [string, unknown, { group: string; kind: string }][] = [
    ['Deployment', richDeployment(), { group: 'apps', kind: 'Deployment' }],
    ['Service', service(), { group: '', kind: 'Service' }],
    ['Ingress', ingress(), { group: 'networking.k8s.io', kind: 'Ingress' }],
    ['legacy ReplicaSet', legacyReplicaSet(), { group: 'extensions', kind: 'ReplicaSet' }],
    ['Secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { a: 'eA==' }, stringData: { b: 'y' } }, { group: '', kind: 'Secret' }],
    ['ConfigMap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', creationTimestamp: null }, data: { 'x.conf': 'y' }, binaryData: {} }, { group: '', kind: 'ConfigMap' }],
    ['Job', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { backoffLimit: 2, ttlSecondsAfterFinished: 60,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'j', image: 'busybox' }] } } } }, { group: 'batch', kind: 'Job' }],
    ['Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web', labels: { team: 'a' } }, spec: { finalizers: ['kubernetes'] } }, { group: '', kind: 'Namespace' }],
    ['Pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', stdin: true, tty: true }], hostAliases: [{ ip: '10.0.0.1', hostnames: ['db'] }] } }, { group: '', kind: 'Pod' }],
    ['a kind without schema', { apiVersion: 'federation/v1beta1', kind: 'Cluster', spec: { anything: 1 } }, { group: 'federation', kind: 'Cluster' }],
  ];
  for (const [name, obj, gk] of cases) t.strictSame(unknownFields(obj, gk), [], name);
});

t.test('true positives, nested in containers and lists', async (t) => {
  // JSON.parse gives an untyped copy to plant typos in.
  const d = JSON.parse(JSON.stringify(richDeployment()));
  d.spec.replicasx = 3;
  d.spec.template.spec.containers[0].imagex = 'nginx';
  d.spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef.nam = 'x';
  d.spec.template.spec.volumes[1].emptyDirr = {};
  d.metadata.label = { a: 'b' };
  d.specx = {};
  const fields = unknownFields(d, { group: 'apps', kind: 'Deployment' });
  t.strictSame(fields, [
    'metadata.label',
    'spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef.nam',
    'spec.template.spec.containers[0].imagex',
    'spec.template.spec.volumes[1].emptyDirr',
    'spec.replicasx',
    'specx',
  ]);
  t.equal(strictDecodingMessage(['spec.replicasx']), 'strict decoding error: unknown field "spec.replicasx"');
  t.equal(strictDecodingMessage(['spec.replicasx', 'specx']), 'strict decoding error: unknown field "spec.replicasx", unknown field "specx"');
});

t.test('the legacy group keeps its own fields', async (t) => {
  const withRollback = { spec: { rollbackTo: { revision: 1 } } };
  t.strictSame(unknownFields(withRollback, { group: 'extensions', kind: 'Deployment' }), []);
  t.strictSame(unknownFields(withRollback, { group: 'apps', kind: 'Deployment' }), ['spec.rollbackTo']);
  const v1beta1Backend = { spec: { backend: { serviceName: 'a', servicePort: 80 } } };
  t.strictSame(unknownFields(v1beta1Backend, { group: 'extensions', kind: 'Ingress' }), []);
  t.strictSame(unknownFields(v1beta1Backend, { group: 'networking.k8s.io', kind: 'Ingress' }), ['spec.backend']);
});
