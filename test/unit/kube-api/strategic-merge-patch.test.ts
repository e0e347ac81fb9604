import t from 'tap';
import * as E from 'fp-ts/lib/Either.js';
import { applyStrategicMergePatch, type GroupKind } from '../../../libs/kube-api/patch.js';

const deployment: GroupKind = { group: 'apps', kind: 'Deployment' };
const pod: GroupKind = { group: '', kind: 'Pod' };
const service: GroupKind = { group: '', kind: 'Service' };
const cluster: GroupKind = { group: 'federation', kind: 'Cluster' };

const liveDeployment = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default', finalizers: ['a.io/x'] },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'd' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    template: {
      metadata: { labels: { app: 'd' } },
      spec: {
        containers: [
          { name: 'a', image: 'img:1', args: ['x', 'y', 'z'], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
            ports: [{ containerPort: 80, protocol: 'TCP' }], volumeMounts: [{ name: 'v', mountPath: '/data' }] },
          { name: 'b', image: 'img:2' },
        ],
        volumes: [{ name: 'v', emptyDir: {} }],
        tolerations: [{ key: 'k', operator: 'Exists' }],
      },
    },
  },
};

// The exact patch kubectl 1.32 sent for: strategy RollingUpdate→Recreate, container b removed,
// env A removed, B changed, args shortened (KUBE-API-WIRE.md §8).
const kubectlPatch = JSON.parse(`{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"},"template":{"spec":{
 "$setElementOrder/containers":[{"name":"a"}],"containers":[{"$setElementOrder/env":[{"name":"B"}],"args":["x"],
 "env":[{"name":"B","value":"3"},{"$patch":"delete","name":"A"}],"name":"a"},{"$patch":"delete","name":"b"}]}}}}`) as unknown;

type Case = { name: string; gk: GroupKind; target: unknown; patch: unknown; expected: unknown };

const spec = liveDeployment.spec;
const containerA = spec.template.spec.containers[0];
const withContainers = (containers: unknown[], extra: Record<string, unknown> = {}) => ({
  ...liveDeployment, spec: { ...spec, template: { ...spec.template, spec: { ...spec.template.spec, containers, ...extra } } },
});

const cases: Case[] = [
  {
    name: "kubectl apply's patch: $retainKeys, $setElementOrder, $patch delete, env merge by name, args replaced",
    gk: deployment, target: liveDeployment, patch: kubectlPatch,
    expected: {
      ...liveDeployment,
      spec: {
        ...spec, strategy: { type: 'Recreate' },
        template: { ...spec.template, spec: { ...spec.template.spec, containers: [
          { ...containerA, args: ['x'], env: [{ name: 'B', value: '3' }] },
        ] } },
      },
    },
  },
  {
    name: 'ports: null drops a container\'s ports',
    gk: deployment, target: liveDeployment,
    patch: { spec: { template: { spec: { containers: [{ name: 'a', ports: null }] } } } },
    expected: withContainers([{ ...containerA, ports: undefined }, spec.template.spec.containers[1]]),
  },
  {
    name: 'a new container is appended, existing ones merge; container ports merge by containerPort',
    gk: deployment, target: liveDeployment,
    patch: { spec: { template: { spec: { containers: [
      { name: 'c', image: 'img:3' },
      { name: 'a', ports: [{ containerPort: 443 }, { containerPort: 80, name: 'http' }] },
    ] } } } },
    expected: withContainers([
      { ...containerA, ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443 }] },
      spec.template.spec.containers[1],
      { name: 'c', image: 'img:3' },
    ]),
  },
  {
    name: '$setElementOrder reorders containers, elements it does not name keep their place after',
    gk: deployment, target: liveDeployment,
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } } } },
    expected: withContainers([spec.template.spec.containers[1], containerA]),
  },
  {
    name: 'volumeMounts merge by mountPath, volumes by name, tolerations replace whole',
    gk: deployment, target: liveDeployment,
    patch: { spec: { template: { spec: {
      containers: [{ name: 'a', volumeMounts: [{ mountPath: '/data', readOnly: true }] }],
      volumes: [{ name: 'w', configMap: { name: 'cm' } }],
      tolerations: [{ key: 'other', operator: 'Exists' }],
    } } } },
    expected: withContainers(
      [{ ...containerA, volumeMounts: [{ name: 'v', mountPath: '/data', readOnly: true }] }, spec.template.spec.containers[1]],
      { volumes: [{ name: 'v', emptyDir: {} }, { name: 'w', configMap: { name: 'cm' } }], tolerations: [{ key: 'other', operator: 'Exists' }] },
    ),
  },
  {
    name: '$patch: replace on a list replaces it',
    gk: deployment, target: liveDeployment,
    patch: { spec: { template: { spec: { containers: [{ name: 'z', image: 'z' }, { $patch: 'replace' }] } } } },
    expected: withContainers([{ name: 'z', image: 'z' }]),
  },
  {
    name: '$patch: replace on a map replaces it',
    gk: deployment, target: liveDeployment,
    patch: { spec: { selector: { $patch: 'replace', matchLabels: { app: 'e' } } } },
    expected: { ...liveDeployment, spec: { ...spec, selector: { matchLabels: { app: 'e' } } } },
  },
  {
    name: 'finalizers merge as a set; $deleteFromPrimitiveList removes',
    gk: deployment, target: liveDeployment,
    patch: { metadata: { finalizers: ['b.io/y', 'a.io/x'], '$deleteFromPrimitiveList/finalizers': ['a.io/x'] } },
    expected: { ...liveDeployment, metadata: { ...liveDeployment.metadata, finalizers: ['b.io/y', 'a.io/x'] } },
  },
  {
    name: '$deleteFromPrimitiveList alone',
    gk: deployment, target: liveDeployment,
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a.io/x'] } },
    expected: { ...liveDeployment, metadata: { ...liveDeployment.metadata, finalizers: [] } },
  },
  {
    name: 'null deletes a map key',
    gk: deployment, target: liveDeployment,
    patch: { metadata: { labels: { x: '1' } }, spec: { selector: null } },
    expected: { ...liveDeployment, metadata: { ...liveDeployment.metadata, labels: { x: '1' } }, spec: { ...spec, selector: undefined } },
  },
  {
    name: 'Service ports merge by port',
    gk: service,
    target: { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 443 }], selector: { app: 'a' } } },
    patch: { spec: { ports: [{ port: 80, targetPort: 9090 }, { $patch: 'delete', port: 443 }] } },
    expected: { spec: { ports: [{ port: 80, targetPort: 9090 }], selector: { app: 'a' } } },
  },
  {
    name: 'Pod: initContainers, imagePullSecrets and hostAliases merge by key',
    gk: pod,
    target: { spec: { initContainers: [{ name: 'i', image: 'x' }], imagePullSecrets: [{ name: 'r1' }], hostAliases: [{ ip: '1.1.1.1', hostnames: ['a'] }] } },
    patch: { spec: { initContainers: [{ name: 'i', image: 'y' }], imagePullSecrets: [{ name: 'r2' }], hostAliases: [{ ip: '1.1.1.1', hostnames: ['b'] }] } },
    expected: { spec: { initContainers: [{ name: 'i', image: 'y' }], imagePullSecrets: [{ name: 'r1' }, { name: 'r2' }], hostAliases: [{ ip: '1.1.1.1', hostnames: ['b'] }] } },
  },
  {
    name: 'a kind without a schema merges maps and replaces lists',
    gk: cluster,
    target: { spec: { server: 'a', items: [{ name: 'x', v: 1 }] } },
    patch: { spec: { items: [{ name: 'x', w: 2 }] } },
    expected: { spec: { server: 'a', items: [{ name: 'x', w: 2 }] } },
  },
];

// undefined marks a key expected to be gone.
const dropUndefined = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

t.test('strategic merge patch', async (t) => {
  for (const c of cases) {
    const before = structuredClone(c.target);
    const patchBefore = structuredClone(c.patch);
    t.strictSame(applyStrategicMergePatch(c.target, c.patch, c.gk), E.right(dropUndefined(c.expected)), c.name);
    t.strictSame(c.target, before, `${c.name}: target untouched`);
    t.strictSame(c.patch, patchBefore, `${c.name}: patch untouched`);
  }
});

t.test('strategic merge patch errors', async (t) => {
  t.strictSame(applyStrategicMergePatch({}, [1], deployment), E.left({
    _tag: 'PatchError', code: 400, message: 'json: cannot unmarshal array into Go value of type map[string]interface {}',
  }));
  t.strictSame(applyStrategicMergePatch(liveDeployment, { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, deployment), E.left({
    _tag: 'PatchError', code: 422, message: 'map: map[image:x] does not contain declared merge key: name',
  }));
});
