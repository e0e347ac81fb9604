// The known fields of the built-in kinds, with their list merge strategies: one tree serves strict
// field validation (unknown fields), strategic merge patch (list merge keys) and server-side apply
// (field ownership granularity).
import type { GroupKind } from './patch.js';

/**
 * - scalar: a leaf (string, number, bool, IntOrString, Quantity, time).
 * - any: a subtree we do not describe; every field is accepted, lists replace whole, maps merge.
 * - map: open-ended keys (labels, data, resources.limits).
 * - struct: a closed set of fields. `atomic` structs are owned and replaced as a whole by apply.
 * - list: `mergeKey` = a list of objects merged by that key (SMP patchMergeKey, SSA list-map);
 *   `set` = a primitive list merged by value (SMP "merge" on scalars, SSA list-set);
 *   neither = atomic, replaced whole.
 */
export type FieldSchema =
  | { readonly type: 'scalar' }
  | { readonly type: 'any' }
  | { readonly type: 'map'; readonly values: FieldSchema; readonly atomic?: boolean }
  | { readonly type: 'struct'; readonly fields: Readonly<Record<string, FieldSchema>>; readonly atomic?: boolean }
  | { readonly type: 'list'; readonly items: FieldSchema; readonly mergeKey?: string; readonly set?: boolean };

export const ANY: FieldSchema = { type: 'any' };
const S: FieldSchema = { type: 'scalar' };
const struct = (fields: Record<string, FieldSchema>): FieldSchema => ({ type: 'struct', fields });
const atomicStruct = (fields: Record<string, FieldSchema>): FieldSchema => ({ type: 'struct', fields, atomic: true });
const map = (values: FieldSchema = S): FieldSchema => ({ type: 'map', values });
const atomicMap = (values: FieldSchema = S): FieldSchema => ({ type: 'map', values, atomic: true });
const list = (items: FieldSchema = S): FieldSchema => ({ type: 'list', items });
const keyed = (mergeKey: string, items: FieldSchema): FieldSchema => ({ type: 'list', items, mergeKey });
const set: FieldSchema = { type: 'list', items: S, set: true };

/** The schema of a field of `s`; undefined when `s` is a struct without that field (an unknown field). */
export function fieldSchema(s: FieldSchema, key: string): FieldSchema | undefined {
  switch (s.type) {
    case 'struct': return s.fields[key];
    case 'map': return s.values;
    case 'any': return ANY;
    default: return undefined;
  }
}

/** Like fieldSchema, but patching and apply treat a field we do not know as free-form. */
export function fieldSchemaOrAny(s: FieldSchema, key: string): FieldSchema {
  return fieldSchema(s, key) ?? ANY;
}

export function itemSchema(s: FieldSchema): FieldSchema {
  return s.type === 'list' ? s.items : ANY;
}

// ---- meta/v1 ----

const labelSelectorRequirement = struct({ key: S, operator: S, values: list() });
const labelSelector = atomicStruct({ matchLabels: map(), matchExpressions: list(labelSelectorRequirement) });

const objectMeta = struct({
  name: S, generateName: S, namespace: S, selfLink: S, uid: S, resourceVersion: S, generation: S,
  creationTimestamp: S, deletionTimestamp: S, deletionGracePeriodSeconds: S,
  labels: map(), annotations: map(),
  ownerReferences: keyed('uid', struct({ apiVersion: S, kind: S, name: S, uid: S, controller: S, blockOwnerDeletion: S })),
  finalizers: set,
  managedFields: list(ANY), // server-maintained; its inner format is checked by the apply code, not here
});

const objectReference = atomicStruct({
  kind: S, namespace: S, name: S, uid: S, apiVersion: S, resourceVersion: S, fieldPath: S,
});

// ---- core/v1 pod ----

const localObjectReference = atomicStruct({ name: S });
const keySelector = atomicStruct({ name: S, key: S, optional: S });
const fieldRef = atomicStruct({ apiVersion: S, fieldPath: S });
const resourceFieldRef = atomicStruct({ containerName: S, resource: S, divisor: S });

const envVar = struct({
  name: S, value: S,
  valueFrom: struct({ fieldRef, resourceFieldRef, configMapKeyRef: keySelector, secretKeyRef: keySelector }),
});
const envFromSource = struct({
  prefix: S, configMapRef: atomicStruct({ name: S, optional: S }), secretRef: atomicStruct({ name: S, optional: S }),
});
const resourceRequirements = struct({
  limits: map(), requests: map(), claims: keyed('name', struct({ name: S, request: S })),
});
const httpGet = struct({ path: S, port: S, host: S, scheme: S, httpHeaders: list(struct({ name: S, value: S })) });
const handlerFields = {
  exec: struct({ command: list() }), httpGet, tcpSocket: struct({ port: S, host: S }),
};
const probe = struct({
  ...handlerFields, grpc: struct({ port: S, service: S }),
  initialDelaySeconds: S, timeoutSeconds: S, periodSeconds: S, successThreshold: S, failureThreshold: S,
  terminationGracePeriodSeconds: S,
});
const lifecycleHandler = struct({ ...handlerFields, sleep: struct({ seconds: S }) });
const seLinuxOptions = struct({ user: S, role: S, type: S, level: S });
const windowsOptions = struct({ gmsaCredentialSpecName: S, gmsaCredentialSpec: S, runAsUserName: S, hostProcess: S });
const profile = struct({ type: S, localhostProfile: S });
const securityContext = struct({
  capabilities: struct({ add: list(), drop: list() }), privileged: S, seLinuxOptions, windowsOptions,
  runAsUser: S, runAsGroup: S, runAsNonRoot: S, readOnlyRootFilesystem: S, allowPrivilegeEscalation: S,
  procMount: S, seccompProfile: profile, appArmorProfile: profile,
});
const podSecurityContext = struct({
  seLinuxOptions, windowsOptions, runAsUser: S, runAsGroup: S, runAsNonRoot: S, supplementalGroups: list(),
  supplementalGroupsPolicy: S, fsGroup: S, sysctls: list(struct({ name: S, value: S })), fsGroupChangePolicy: S,
  seccompProfile: profile, appArmorProfile: profile, seLinuxChangePolicy: S,
});

const containerFields = {
  name: S, image: S, command: list(), args: list(), workingDir: S,
  ports: keyed('containerPort', struct({ name: S, hostPort: S, containerPort: S, protocol: S, hostIP: S })),
  envFrom: list(envFromSource),
  env: keyed('name', envVar),
  resources: resourceRequirements,
  resizePolicy: list(struct({ resourceName: S, restartPolicy: S })),
  restartPolicy: S,
  volumeMounts: keyed('mountPath', struct({
    name: S, readOnly: S, recursiveReadOnly: S, mountPath: S, subPath: S, mountPropagation: S, subPathExpr: S,
  })),
  volumeDevices: keyed('devicePath', struct({ name: S, devicePath: S })),
  livenessProbe: probe, readinessProbe: probe, startupProbe: probe,
  lifecycle: struct({ postStart: lifecycleHandler, preStop: lifecycleHandler, stopSignal: S }),
  terminationMessagePath: S, terminationMessagePolicy: S, imagePullPolicy: S, securityContext,
  stdin: S, stdinOnce: S, tty: S,
};
const container = struct(containerFields);
const ephemeralContainer = struct({ ...containerFields, targetContainerName: S });

const keyToPath = struct({ key: S, path: S, mode: S });
const downwardAPIFile = struct({ path: S, fieldRef, resourceFieldRef, mode: S });
const volumeSources = {
  hostPath: struct({ path: S, type: S }),
  emptyDir: struct({ medium: S, sizeLimit: S }),
  secret: struct({ secretName: S, items: list(keyToPath), defaultMode: S, optional: S }),
  configMap: struct({ name: S, items: list(keyToPath), defaultMode: S, optional: S }),
  persistentVolumeClaim: struct({ claimName: S, readOnly: S }),
  nfs: struct({ server: S, path: S, readOnly: S }),
  downwardAPI: struct({ items: list(downwardAPIFile), defaultMode: S }),
  projected: struct({
    sources: list(struct({
      secret: struct({ name: S, items: list(keyToPath), optional: S }),
      configMap: struct({ name: S, items: list(keyToPath), optional: S }),
      downwardAPI: struct({ items: list(downwardAPIFile) }),
      serviceAccountToken: struct({ audience: S, expirationSeconds: S, path: S }),
      clusterTrustBundle: ANY, // alpha; not worth describing
    })),
    defaultMode: S,
  }),
  csi: struct({ driver: S, readOnly: S, fsType: S, volumeAttributes: map(), nodePublishSecretRef: localObjectReference }),
  image: struct({ reference: S, pullPolicy: S }),
  // Storage-vendor sources and ephemeral volume claim templates are rare in federated manifests:
  // accepted as free-form rather than described field by field.
  ephemeral: ANY, gcePersistentDisk: ANY, awsElasticBlockStore: ANY, gitRepo: ANY, iscsi: ANY, glusterfs: ANY,
  rbd: ANY, flexVolume: ANY, cinder: ANY, cephfs: ANY, flocker: ANY, fc: ANY, azureFile: ANY, vsphereVolume: ANY,
  quobyte: ANY, azureDisk: ANY, photonPersistentDisk: ANY, portworxVolume: ANY, scaleIO: ANY, storageos: ANY,
};
/** The volume source keys: a volume must set exactly one. */
export const volumeSourceNames: readonly string[] = Object.keys(volumeSources);
const volume = struct({ name: S, ...volumeSources });

const nodeSelectorTerm = atomicStruct({
  matchExpressions: list(labelSelectorRequirement), matchFields: list(labelSelectorRequirement),
});
const podAffinityTerm = struct({
  labelSelector, namespaces: list(), topologyKey: S, namespaceSelector: labelSelector,
  matchLabelKeys: list(), mismatchLabelKeys: list(),
});
const podAffinity = struct({
  requiredDuringSchedulingIgnoredDuringExecution: list(podAffinityTerm),
  preferredDuringSchedulingIgnoredDuringExecution: list(struct({ weight: S, podAffinityTerm })),
});
const affinity = struct({
  nodeAffinity: struct({
    requiredDuringSchedulingIgnoredDuringExecution: atomicStruct({ nodeSelectorTerms: list(nodeSelectorTerm) }),
    preferredDuringSchedulingIgnoredDuringExecution: list(struct({ weight: S, preference: nodeSelectorTerm })),
  }),
  podAffinity, podAntiAffinity: podAffinity,
});

const podSpec = struct({
  volumes: keyed('name', volume),
  initContainers: keyed('name', container),
  containers: keyed('name', container),
  ephemeralContainers: keyed('name', ephemeralContainer),
  restartPolicy: S, terminationGracePeriodSeconds: S, activeDeadlineSeconds: S, dnsPolicy: S,
  nodeSelector: atomicMap(), serviceAccountName: S, serviceAccount: S, automountServiceAccountToken: S,
  nodeName: S, hostNetwork: S, hostPID: S, hostIPC: S, shareProcessNamespace: S,
  securityContext: podSecurityContext,
  imagePullSecrets: keyed('name', struct({ name: S })),
  hostname: S, subdomain: S, affinity, schedulerName: S,
  tolerations: list(struct({ key: S, operator: S, value: S, effect: S, tolerationSeconds: S })),
  hostAliases: keyed('ip', struct({ ip: S, hostnames: list() })),
  priorityClassName: S, priority: S,
  dnsConfig: struct({ nameservers: list(), searches: list(), options: list(struct({ name: S, value: S })) }),
  readinessGates: list(struct({ conditionType: S })),
  runtimeClassName: S, enableServiceLinks: S, preemptionPolicy: S, overhead: map(),
  topologySpreadConstraints: keyed('topologyKey', struct({
    maxSkew: S, topologyKey: S, whenUnsatisfiable: S, labelSelector, minDomains: S,
    nodeAffinityPolicy: S, nodeTaintsPolicy: S, matchLabelKeys: list(),
  })),
  setHostnameAsFQDN: S, os: struct({ name: S }), hostUsers: S,
  schedulingGates: keyed('name', struct({ name: S })),
  resourceClaims: keyed('name', struct({ name: S, resourceClaimName: S, resourceClaimTemplateName: S })),
  resources: resourceRequirements,
});
const podTemplateSpec = struct({ metadata: objectMeta, spec: podSpec });

/** A top-level object: every kind has these, and any status is accepted (status is written by controllers). */
const topLevel = (fields: Record<string, FieldSchema>): FieldSchema =>
  struct({ apiVersion: S, kind: S, metadata: objectMeta, status: ANY, ...fields });

// ---- workloads ----

const rollingUpdate = struct({ maxUnavailable: S, maxSurge: S });
const deploymentSpec = {
  replicas: S, selector: labelSelector, template: podTemplateSpec,
  strategy: struct({ type: S, rollingUpdate }),
  minReadySeconds: S, revisionHistoryLimit: S, paused: S, progressDeadlineSeconds: S,
};
const replicaSetSpec = { replicas: S, minReadySeconds: S, selector: labelSelector, template: podTemplateSpec };
const daemonSetSpec = {
  selector: labelSelector, template: podTemplateSpec, updateStrategy: struct({ type: S, rollingUpdate }),
  minReadySeconds: S, revisionHistoryLimit: S,
};
const jobSpec = struct({
  parallelism: S, completions: S, activeDeadlineSeconds: S, backoffLimit: S, backoffLimitPerIndex: S,
  maxFailedIndexes: S, selector: labelSelector, manualSelector: S, template: podTemplateSpec,
  ttlSecondsAfterFinished: S, completionMode: S, suspend: S, podReplacementPolicy: S, managedBy: S,
  podFailurePolicy: ANY, successPolicy: ANY, // rule lists with nested matchers; free-form here
});

// ---- services, config, cluster objects ----

const serviceSpec = struct({
  ports: keyed('port', struct({ name: S, protocol: S, appProtocol: S, port: S, targetPort: S, nodePort: S })),
  selector: atomicMap(), clusterIP: S, clusterIPs: list(), type: S, externalIPs: list(), sessionAffinity: S,
  loadBalancerIP: S, loadBalancerSourceRanges: list(), externalName: S, externalTrafficPolicy: S,
  healthCheckNodePort: S, publishNotReadyAddresses: S,
  sessionAffinityConfig: struct({ clientIP: struct({ timeoutSeconds: S }) }),
  ipFamilies: list(), ipFamilyPolicy: S, allocateLoadBalancerNodePorts: S, loadBalancerClass: S,
  internalTrafficPolicy: S, trafficDistribution: S,
});

const nodeSpec = struct({
  podCIDR: S, podCIDRs: set, providerID: S, unschedulable: S,
  taints: list(struct({ key: S, value: S, effect: S, timeAdded: S })),
  configSource: ANY, externalID: S, // deprecated fields still accepted by the API
});

const eventSeries = struct({ count: S, lastObservedTime: S });
const coreEvent = topLevel({
  involvedObject: objectReference, reason: S, message: S, source: struct({ component: S, host: S }),
  firstTimestamp: S, lastTimestamp: S, count: S, type: S, eventTime: S, series: eventSeries, action: S,
  related: objectReference, reportingComponent: S, reportingInstance: S,
});
const eventsEvent = topLevel({
  eventTime: S, series: eventSeries, reportingController: S, reportingInstance: S, action: S, reason: S,
  regarding: objectReference, related: objectReference, note: S, type: S,
  deprecatedSource: struct({ component: S, host: S }), deprecatedFirstTimestamp: S, deprecatedLastTimestamp: S,
  deprecatedCount: S,
});

const typedLocalObjectReference = atomicStruct({ apiGroup: S, kind: S, name: S });
const ingressTLS = list(struct({ hosts: list(), secretName: S }));
const ingressRules = (backend: FieldSchema): FieldSchema => list(struct({
  host: S, http: struct({ paths: list(struct({ path: S, pathType: S, backend })) }),
}));
const ingressBackendV1 = struct({
  service: struct({ name: S, port: struct({ name: S, number: S }) }), resource: typedLocalObjectReference,
});
const ingressBackendV1beta1 = struct({ serviceName: S, servicePort: S, resource: typedLocalObjectReference });
const ingressV1 = topLevel({ spec: struct({
  ingressClassName: S, defaultBackend: ingressBackendV1, tls: ingressTLS, rules: ingressRules(ingressBackendV1),
}) });
const ingressV1beta1 = topLevel({ spec: struct({
  ingressClassName: S, backend: ingressBackendV1beta1, tls: ingressTLS, rules: ingressRules(ingressBackendV1beta1),
}) });

// The legacy extensions/v1beta1 group had a few more fields than apps/v1.
const kinds: Readonly<Record<string, FieldSchema>> = {
  'apps/Deployment': topLevel({ spec: struct(deploymentSpec) }),
  'extensions/Deployment': topLevel({ spec: struct({ ...deploymentSpec, rollbackTo: struct({ revision: S }) }) }),
  'apps/ReplicaSet': topLevel({ spec: struct(replicaSetSpec) }),
  'extensions/ReplicaSet': topLevel({ spec: struct(replicaSetSpec) }),
  'apps/DaemonSet': topLevel({ spec: struct(daemonSetSpec) }),
  'extensions/DaemonSet': topLevel({ spec: struct({ ...daemonSetSpec, templateGeneration: S }) }),
  'batch/Job': topLevel({ spec: jobSpec }),
  '/Pod': topLevel({ spec: podSpec }),
  '/PodTemplate': topLevel({ template: podTemplateSpec }),
  '/Service': topLevel({ spec: serviceSpec }),
  '/Secret': topLevel({ data: map(), stringData: map(), type: S, immutable: S }),
  '/ConfigMap': topLevel({ data: map(), binaryData: map(), immutable: S }),
  '/Namespace': topLevel({ spec: struct({ finalizers: list() }) }),
  '/Node': topLevel({ spec: nodeSpec }),
  '/Event': coreEvent,
  'events.k8s.io/Event': eventsEvent,
  'networking.k8s.io/Ingress': ingressV1,
  'extensions/Ingress': ingressV1beta1,
};

/** The schema of a built-in kind, or undefined for kinds we do not describe (custom kinds). */
export function schemaForKind(gk: GroupKind): FieldSchema | undefined {
  return kinds[`${gk.group}/${gk.kind}`];
}

// For kinds we do not describe, metadata is still known (finalizers merge as a set, labels are
// owned one by one); everything else is free-form.
const genericObject = topLevel({});

/** The schema patching and apply merge by: the kind's own, or the generic object shape. */
export function mergeSchemaForKind(gk: GroupKind): FieldSchema {
  return schemaForKind(gk) ?? genericObject;
}
