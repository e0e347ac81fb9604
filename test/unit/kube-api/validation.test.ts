import t from 'tap';
import type { KubeObjectLike } from '../../../libs/kube-api/apply.js';
import {
  defaultSelectorFromTemplate, invalidMessage, isDns1123Label, isDns1123Subdomain, nameRuleFor, validateBuiltin, validateObjectMeta,
  type FieldCause,
} from '../../../libs/kube-api/validation.js';
import { ingress, legacyReplicaSet, richDeployment, service } from '../../support/kube-manifests.js';

const subdomainMsg = String.raw`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
const labelMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const dns1035Msg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const qualifiedNameMsg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const labelValueMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const inv = (field: string, message: string): FieldCause => ({ reason: 'FieldValueInvalid', field, message });
const req = (field: string, detail = ''): FieldCause => ({ reason: 'FieldValueRequired', field, message: detail === '' ? 'Required value' : `Required value: ${detail}` });

t.test('DNS name predicates', async (t) => {
  t.ok(isDns1123Subdomain('example.com'));
  t.notOk(isDns1123Subdomain('Foo_bar'));
  t.notOk(isDns1123Subdomain('a'.repeat(254)));
  t.ok(isDns1123Label('my-name'));
  t.notOk(isDns1123Label('a.b'));
  t.notOk(isDns1123Label('a'.repeat(64)));
});

t.test('validateObjectMeta', async (t) => {
  const cases: [string, unknown, boolean, 'subdomain' | 'label' | 'dns1035', FieldCause[]][] = [
    ['valid', { name: 'nginx', namespace: 'default', labels: { app: 'x' } }, true, 'subdomain', []],
    ['bad subdomain name', { name: 'Foo_bar', namespace: 'default' }, true, 'subdomain', [inv('metadata.name', `Invalid value: "Foo_bar": ${subdomainMsg}`)]],
    ['name missing', { namespace: 'default' }, true, 'subdomain', [req('metadata.name', 'name or generateName is required')]],
    ['generateName stands in for name', { generateName: 'web-', namespace: 'default' }, true, 'subdomain', []],
    ['namespace missing', { name: 'a' }, true, 'subdomain', [req('metadata.namespace')]],
    ['bad namespace', { name: 'a', namespace: 'My_NS' }, true, 'subdomain', [inv('metadata.namespace', `Invalid value: "My_NS": ${labelMsg}`)]],
    ['namespace on a cluster-scoped kind', { name: 'a', namespace: 'x' }, false, 'subdomain',
      [{ reason: 'FieldValueForbidden', field: 'metadata.namespace', message: 'Forbidden: not allowed on this type' }]],
    ['Namespace name is a label', { name: 'a.b' }, false, 'label', [inv('metadata.name', `Invalid value: "a.b": ${labelMsg}`)]],
    ['Service name is a DNS-1035 label', { name: '1abc', namespace: 'd' }, true, 'dns1035', [inv('metadata.name', `Invalid value: "1abc": ${dns1035Msg}`)]],
    ['bad label key and value', { name: 'a', namespace: 'd', labels: { 'bad key': 'ok', good: 'bad value' } }, true, 'subdomain', [
      inv('metadata.labels', `Invalid value: "bad key": ${qualifiedNameMsg}`),
      inv('metadata.labels', `Invalid value: "bad value": ${labelValueMsg}`),
    ]],
    ['label value too long', { name: 'a', namespace: 'd', labels: { k: 'v'.repeat(64) } }, true, 'subdomain',
      [inv('metadata.labels', `Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`)]],
    ['annotations over 256KiB', { name: 'a', namespace: 'd', annotations: { big: 'x'.repeat(256 * 1024) } }, true, 'subdomain',
      [{ reason: 'FieldValueTooLong', field: 'metadata.annotations', message: 'Too long: may not be more than 262144 bytes' }]],
  ];
  for (const [name, meta, namespaced, rule, expected] of cases) t.strictSame(validateObjectMeta(meta, namespaced, rule), expected, name);
  t.equal(nameRuleFor({ group: '', kind: 'Service' }), 'dns1035');
  t.equal(nameRuleFor({ group: '', kind: 'Namespace' }), 'label');
  t.equal(nameRuleFor({ group: 'apps', kind: 'Deployment' }), 'subdomain');
});

// Test edits reach deep into plain JSON manifests; typing each path would add nothing.
type Mutate = (o: Record<string, any>) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A copy of `base` changed by `mutate` (manifests are plain JSON). */
function variant(base: () => KubeObjectLike, mutate: Mutate): KubeObjectLike {
  const o = JSON.parse(JSON.stringify(base())) as KubeObjectLike;
  mutate(o);
  return o;
}

const deploy = { group: 'apps', kind: 'Deployment' };
const legacyOff = { legacySelectorDefaulting: false };

t.test('validateBuiltin: workloads', async (t) => {
  const cases: [string, KubeObjectLike, { group: string; kind: string }, FieldCause[]][] = [
    ['a rich realistic Deployment is valid', richDeployment(), deploy, []],
    ['negative replicas', variant(richDeployment, (o) => { o.spec.replicas = -1; }), deploy,
      [inv('spec.replicas', 'Invalid value: -1: must be greater than or equal to 0')]],
    ['apps/v1 without selector', variant(richDeployment, (o) => { delete o.spec.selector; }), deploy, [
      req('spec.selector'),
      inv('spec.template.metadata.labels', 'Invalid value: map[string]string{"app":"nginx", "tier":"web"}: `selector` does not match template `labels`'),
    ]],
    ['selector does not match the template', variant(richDeployment, (o) => { o.spec.selector = { matchLabels: { app: 'other' } }; }), deploy, [
      inv('spec.template.metadata.labels', 'Invalid value: map[string]string{"app":"nginx", "tier":"web"}: `selector` does not match template `labels`'),
    ]],
    ['empty selector', variant(richDeployment, (o) => { o.spec.selector = {}; }), deploy, [
      inv('spec.selector', 'Invalid value: &LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{},}: empty selector is invalid for deployment'),
    ]],
    ['no containers', variant(richDeployment, (o) => { o.spec.template.spec.containers = []; }), deploy, [req('spec.template.spec.containers')]],
    ['container name and image missing, duplicate names', variant(richDeployment, (o) => {
      o.spec.template.spec.containers.push({}, { name: 'nginx', image: 'x' });
    }), deploy, [
      req('spec.template.spec.containers[1].name'),
      req('spec.template.spec.containers[1].image'),
      { reason: 'FieldValueDuplicate', field: 'spec.template.spec.containers[2].name', message: 'Duplicate value: "nginx"' },
    ]],
    ['bad ports', variant(richDeployment, (o) => {
      o.spec.template.spec.containers[0].ports = [{ containerPort: 70000, protocol: 'XYZ' }, { name: 'Http_1', containerPort: 0 }];
    }), deploy, [
      inv('spec.template.spec.containers[0].ports[0].containerPort', 'Invalid value: 70000: must be between 1 and 65535, inclusive'),
      { reason: 'FieldValueNotSupported', field: 'spec.template.spec.containers[0].ports[0].protocol', message: 'Unsupported value: "XYZ": supported values: "SCTP", "TCP", "UDP"' },
      inv('spec.template.spec.containers[0].ports[1].name', 'Invalid value: "Http_1": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'),
      req('spec.template.spec.containers[0].ports[1].containerPort'),
    ]],
    ['volume mount of an unknown volume', variant(richDeployment, (o) => { o.spec.template.spec.containers[0].volumeMounts[0].name = 'nope'; }), deploy, [
      { reason: 'FieldValueNotFound', field: 'spec.template.spec.containers[0].volumeMounts[0].name', message: 'Not found: "nope"' },
    ]],
    ['requests above limits', variant(richDeployment, (o) => { o.spec.template.spec.containers[0].resources.requests.cpu = '1'; }), deploy, [
      inv('spec.template.spec.containers[0].resources.requests[cpu]', 'Invalid value: "1": must be less than or equal to cpu limit of 500m'),
    ]],
    ['restartPolicy must be Always', variant(richDeployment, (o) => { o.spec.template.spec.restartPolicy = 'Never'; }), deploy, [
      { reason: 'FieldValueNotSupported', field: 'spec.template.spec.restartPolicy', message: 'Unsupported value: "Never": supported values: "Always"' },
    ]],
    ['rollingUpdate with Recreate', variant(richDeployment, (o) => { o.spec.strategy.type = 'Recreate'; }), deploy, [
      { reason: 'FieldValueForbidden', field: 'spec.strategy.rollingUpdate', message: "Forbidden: may not be specified when strategy `type` is 'Recreate'" },
    ]],
    ['maxSurge and maxUnavailable both 0', variant(richDeployment, (o) => { o.spec.strategy.rollingUpdate = { maxSurge: 0, maxUnavailable: 0 }; }), deploy, [
      inv('spec.strategy.rollingUpdate.maxUnavailable', 'Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0'),
    ]],
    ['the seed ReplicaSet, legacy group, selector defaulted', legacyReplicaSet(), { group: 'extensions', kind: 'ReplicaSet' }, []],
    ['a Job with the default restart policy', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'd' },
      spec: { template: { spec: { containers: [{ name: 'j', image: 'busybox' }] } } },
    }, { group: 'batch', kind: 'Job' }, [
      { reason: 'FieldValueNotSupported', field: 'spec.template.spec.restartPolicy', message: 'Unsupported value: "Always": supported values: "OnFailure", "Never"' },
    ]],
    ['a DaemonSet whose selector misses the template', {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds', namespace: 'd' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'c' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    }, { group: 'apps', kind: 'DaemonSet' }, [
      inv('spec.template.metadata.labels', 'Invalid value: map[string]string{"a":"c"}: `selector` does not match template `labels`'),
    ]],
    ['a Pod with an env var without name', {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd' },
      spec: { containers: [{ name: 'c', image: 'i', env: [{ value: 'x' }] }] },
    }, { group: '', kind: 'Pod' }, [
      req('spec.containers[0].env[0].name'),
      inv('spec.containers[0].env[0].name', 'Invalid value: "": environment variable name must be non-empty'),
    ]],
  ];
  for (const [name, obj, gk, expected] of cases) t.strictSame(validateBuiltin(obj, gk, { legacySelectorDefaulting: gk.group === 'extensions' }), expected, name);
  t.strictSame(validateBuiltin(legacyReplicaSet(), { group: 'extensions', kind: 'ReplicaSet' }, legacyOff).map((c) => c.field),
    ['spec.selector', 'spec.template.metadata.labels'], 'without legacy defaulting the selector is required');
});

t.test('validateBuiltin: services, config and cluster objects', async (t) => {
  const core = (kind: string) => ({ group: '', kind });
  const cases: [string, KubeObjectLike, { group: string; kind: string }, FieldCause[]][] = [
    ['a realistic Service', service(), core('Service'), []],
    ['Service without ports', variant(service, (o) => { delete o.spec.ports; }), core('Service'), [req('spec.ports')]],
    ['headless Service without ports', variant(service, (o) => { delete o.spec.ports; o.spec.clusterIP = 'None'; }), core('Service'), []],
    ['Service ports need names when several', variant(service, (o) => { delete o.spec.ports[0].name; o.spec.ports[1].port = 0; }), core('Service'), [
      req('spec.ports[0].name'),
      inv('spec.ports[1].port', 'Invalid value: 0: must be between 1 and 65535, inclusive'),
    ]],
    ['Service type', variant(service, (o) => { o.spec.type = 'Foo'; }), core('Service'), [
      { reason: 'FieldValueNotSupported', field: 'spec.type', message: 'Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"' },
    ]],
    ['nodePort on ClusterIP', variant(service, (o) => { o.spec.ports[0].nodePort = 30080; }), core('Service'), [
      { reason: 'FieldValueForbidden', field: 'spec.ports[0].nodePort', message: "Forbidden: may not be used when `type` is 'ClusterIP'" },
    ]],
    ['Secret keys and base64', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'd' }, data: { 'bad key': 'eA==', ok: 'not base64!' } }, core('Secret'), [
      inv('data[bad key]', `Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`),
      inv('data[ok]', 'Invalid value: "<secret contents redacted>": illegal base64 data at input byte 3'),
    ]],
    ['TLS Secret needs both keys', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'd' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'x' } },
      core('Secret'), [req('data[tls.key]')]],
    ['ConfigMap key in data and binaryData', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd' }, data: { a: 'x' }, binaryData: { a: 'eA==' } },
      core('ConfigMap'), [inv('data[a]', 'Invalid value: "a": duplicate of key present in binaryData'), inv('binaryData[a]', 'Invalid value: "a": duplicate of key present in data')]],
    ['Node taint effect', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }] } }, core('Node'), [
      { reason: 'FieldValueNotSupported', field: 'spec.taints[0].effect', message: 'Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"' },
    ]],
    ['Event namespace must match', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'a' }, involvedObject: { namespace: 'b' } }, core('Event'), [
      inv('involvedObject.namespace', 'Invalid value: "b": does not match event.namespace'),
    ]],
    ['a realistic Ingress', ingress(), { group: 'networking.k8s.io', kind: 'Ingress' }, []],
    ['Ingress path without pathType and a backend without port', variant(ingress, (o) => {
      delete o.spec.rules[0].http.paths[0].pathType;
      o.spec.rules.push({ http: { paths: [{ path: 'x', pathType: 'Prefix', backend: { service: { name: 'nginx', port: {} } } }] } });
    }), { group: 'networking.k8s.io', kind: 'Ingress' }, [
      req('spec.rules[0].http.paths[0].pathType', 'pathType must be specified'),
      inv('spec.rules[1].http.paths[0].path', 'Invalid value: "x": must be an absolute path'),
      req('spec.rules[1].http.paths[0].backend', 'port name or number is required'),
    ]],
    ['Ingress with nothing to route', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'd' }, spec: {} },
      { group: 'networking.k8s.io', kind: 'Ingress' }, [inv('spec', 'Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified')]],
    ['legacy Ingress backend', { apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: 'i', namespace: 'd' }, spec: { backend: { serviceName: 'web', servicePort: 80 } } },
      { group: 'extensions', kind: 'Ingress' }, []],
  ];
  for (const [name, obj, gk, expected] of cases) t.strictSame(validateBuiltin(obj, gk, legacyOff), expected, name);
});

t.test('the 422 message', async (t) => {
  const one = [inv('spec.replicas', 'Invalid value: -1: must be greater than or equal to 0')];
  t.equal(invalidMessage({ group: 'apps', kind: 'Deployment' }, 'bad', one), 'Deployment.apps "bad" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  t.equal(invalidMessage({ group: '', kind: 'Service' }, 's', [req('spec.ports'), req('spec.selector')]), 'Service "s" is invalid: [spec.ports: Required value, spec.selector: Required value]');
});

t.test('defaultSelectorFromTemplate fills selector and labels as extensions/v1beta1 did', async (t) => {
  const input = legacyReplicaSet();
  const before = structuredClone(input);
  const out = defaultSelectorFromTemplate(input);
  t.strictSame(out.spec, { ...(input.spec as object), selector: { matchLabels: { app: 'nginx' } } });
  t.strictSame(out.metadata?.labels, { app: 'nginx' });
  t.strictSame(input, before, 'input untouched');
  const explicit = variant(legacyReplicaSet, (o) => { o.spec.selector = { matchLabels: { x: 'y' } }; o.metadata.labels = { own: 'l' }; });
  t.strictSame(defaultSelectorFromTemplate(explicit), explicit, 'given values are kept');
});
