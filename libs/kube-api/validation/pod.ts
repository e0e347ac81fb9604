// PodSpec and PodTemplateSpec validation: the subset of kube's core validation users most often hit.
import { volumeSourceNames } from '../field-schema.js';
import { isJsonObject, type JsonObject } from '../json-value.js';
import {
  duplicate, forbidden, goLiteral, invalid, notFound, notSupported, required, type FieldCause,
} from './field-cause.js';
import { validateAnnotations, validateLabels } from './meta.js';
import {
  dns1123LabelErrors, dns1123SubdomainErrors, envVarNameErrors, inclusiveRangeError, negativeError, portNameErrors, portNumberErrors,
} from './names.js';

export const asObject = (v: unknown): JsonObject => (isJsonObject(v) ? v : {});
export const asObjects = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.map(asObject) : []);
export const asString = (v: unknown): string => (typeof v === 'string' ? v : '');

export const protocols = ['SCTP', 'TCP', 'UDP'];

export function labelErrors(value: string, field: string): FieldCause[] {
  return dns1123LabelErrors(value).map((m) => invalid(field, value, m));
}

/** A port given as a number or an IANA name (targetPort, probe ports). */
export function portNumOrNameErrors(port: unknown, field: string): FieldCause[] {
  if (typeof port === 'number') return port === 0 ? [] : portNumberErrors(port).map((m) => invalid(field, port, m));
  if (typeof port === 'string' && port !== '') return portNameErrors(port).map((m) => invalid(field, port, m));
  return [];
}

// Binary and decimal suffixes of resource.Quantity.
const quantitySuffixes: Record<string, number> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The numeric value of a resource quantity ("500m", "1Gi", "1e3"), or undefined if it is not one. */
export function quantityValue(q: unknown): number | undefined {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return undefined;
  const m = /^([+-]?[0-9.]+)([eE][-+]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$/.exec(q);
  if (m === null || m[1] === undefined) return undefined;
  const base = Number(m[1]);
  const suffix = m[2] ?? '';
  const factor = /^[eE]/.test(suffix) ? 10 ** Number(suffix.slice(1)) : quantitySuffixes[suffix];
  return Number.isNaN(base) || factor === undefined ? undefined : base * factor;
}

function validateResources(resources: unknown, path: string): FieldCause[] {
  const r = asObject(resources);
  const limits = asObject(r.limits);
  const requests = asObject(r.requests);
  const causes: FieldCause[] = [];
  for (const [kind, values] of [['limits', limits], ['requests', requests]] as const) {
    for (const [name, q] of Object.entries(values)) {
      const v = quantityValue(q);
      if (v !== undefined && v < 0) causes.push(invalid(`${path}.${kind}[${name}]`, String(q), negativeError));
    }
  }
  for (const [name, q] of Object.entries(requests)) {
    const req = quantityValue(q);
    const lim = quantityValue(limits[name]);
    if (req !== undefined && lim !== undefined && req > lim) {
      causes.push(invalid(`${path}.requests[${name}]`, String(q), `must be less than or equal to ${name} limit of ${String(limits[name])}`));
    }
  }
  return causes;
}

function validatePorts(ports: unknown, path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  const names = new Set<string>();
  asObjects(ports).forEach((p, i) => {
    const at = `${path}[${i}]`;
    const name = asString(p.name);
    if (name !== '') {
      const errs = portNameErrors(name);
      if (errs.length > 0) causes.push(...errs.map((m) => invalid(`${at}.name`, name, m)));
      else if (names.has(name)) causes.push(duplicate(`${at}.name`, name));
      else names.add(name);
    }
    const containerPort = p.containerPort;
    if (containerPort === undefined || containerPort === 0) causes.push(required(`${at}.containerPort`));
    else if (typeof containerPort === 'number') causes.push(...portNumberErrors(containerPort).map((m) => invalid(`${at}.containerPort`, containerPort, m)));
    if (typeof p.hostPort === 'number' && p.hostPort !== 0) {
      const hostPort = p.hostPort;
      causes.push(...portNumberErrors(hostPort).map((m) => invalid(`${at}.hostPort`, hostPort, m)));
    }
    if (p.protocol !== undefined && !protocols.includes(asString(p.protocol))) causes.push(notSupported(`${at}.protocol`, p.protocol, protocols));
  });
  return causes;
}

const valueSources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'];

function validateEnv(env: unknown, path: string): FieldCause[] {
  return asObjects(env).flatMap((e, i) => {
    const at = `${path}[${i}]`;
    const name = asString(e.name);
    const causes: FieldCause[] = name === '' ? [required(`${at}.name`)] : [];
    causes.push(...envVarNameErrors(name).map((m) => invalid(`${at}.name`, name, m)));
    if (!isJsonObject(e.valueFrom)) return causes;
    const from = e.valueFrom;
    const set = valueSources.filter((k) => isJsonObject(from[k]));
    if (asString(e.value) !== '') causes.push(invalid(`${at}.valueFrom`, '', 'may not be specified when `value` is not empty'));
    if (set.length === 0) causes.push(invalid(`${at}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (set.length > 1) causes.push(invalid(`${at}.valueFrom`, '', 'may not have more than one field specified at a time'));
    for (const ref of ['configMapKeyRef', 'secretKeyRef']) {
      if (!isJsonObject(from[ref])) continue;
      const r = from[ref];
      if (asString(r.name) === '') causes.push(required(`${at}.valueFrom.${ref}.name`));
      if (asString(r.key) === '') causes.push(required(`${at}.valueFrom.${ref}.key`));
    }
    if (isJsonObject(from.fieldRef) && asString(from.fieldRef.fieldPath) === '') causes.push(required(`${at}.valueFrom.fieldRef.fieldPath`));
    return causes;
  });
}

function validateVolumeMounts(mounts: unknown, volumes: ReadonlySet<string>, path: string): FieldCause[] {
  const seen = new Set<string>();
  return asObjects(mounts).flatMap((m, i) => {
    const at = `${path}[${i}]`;
    const name = asString(m.name);
    const mountPath = asString(m.mountPath);
    const causes: FieldCause[] = [];
    if (name === '') causes.push(required(`${at}.name`));
    if (!volumes.has(name)) causes.push(notFound(`${at}.name`, name));
    if (mountPath === '') causes.push(required(`${at}.mountPath`));
    if (seen.has(mountPath)) causes.push(invalid(`${at}.mountPath`, mountPath, 'must be unique'));
    seen.add(mountPath);
    return causes;
  });
}

const pullPolicies = ['Always', 'IfNotPresent', 'Never'];
const terminationMessagePolicies = ['File', 'FallbackToLogsOnError'];

function validateProbe(probe: unknown, path: string): FieldCause[] {
  if (!isJsonObject(probe)) return [];
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((k) => isJsonObject(probe[k]));
  const causes: FieldCause[] = [];
  if (handlers.length === 0) causes.push(required(path, 'must specify a handler type'));
  for (const h of handlers.slice(1)) causes.push(forbidden(`${path}.${h}`, 'may not specify more than 1 handler type'));
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    const v = probe[k];
    if (typeof v === 'number' && v < 0) causes.push(invalid(`${path}.${k}`, v, negativeError));
  }
  const httpGet = asObject(probe.httpGet);
  causes.push(...portNumOrNameErrors(httpGet.port, `${path}.httpGet.port`));
  causes.push(...portNumOrNameErrors(asObject(probe.tcpSocket).port, `${path}.tcpSocket.port`));
  return causes;
}

function validateContainers(containers: unknown, volumes: ReadonlySet<string>, path: string, requireOne: boolean, names: Set<string>): FieldCause[] {
  const list = asObjects(containers);
  const causes: FieldCause[] = requireOne && list.length === 0 ? [required(path)] : [];
  list.forEach((c, i) => {
    const at = `${path}[${i}]`;
    const name = asString(c.name);
    if (name === '') causes.push(required(`${at}.name`));
    else causes.push(...labelErrors(name, `${at}.name`));
    if (asString(c.image) === '') causes.push(required(`${at}.image`));
    if (c.terminationMessagePolicy !== undefined && !terminationMessagePolicies.includes(asString(c.terminationMessagePolicy))) {
      causes.push(notSupported(`${at}.terminationMessagePolicy`, c.terminationMessagePolicy, terminationMessagePolicies));
    }
    causes.push(...validatePorts(c.ports, `${at}.ports`));
    causes.push(...validateEnv(c.env, `${at}.env`));
    causes.push(...validateVolumeMounts(c.volumeMounts, volumes, `${at}.volumeMounts`));
    if (c.imagePullPolicy !== undefined && !pullPolicies.includes(asString(c.imagePullPolicy))) {
      causes.push(notSupported(`${at}.imagePullPolicy`, c.imagePullPolicy, pullPolicies));
    }
    causes.push(...validateResources(c.resources, `${at}.resources`));
    if (name !== '' && names.has(name)) causes.push(duplicate(`${at}.name`, name));
    names.add(name);
    for (const p of ['livenessProbe', 'readinessProbe', 'startupProbe']) causes.push(...validateProbe(c[p], `${at}.${p}`));
  });
  return causes;
}

// The sources a volume may name, with the field each requires.
const volumeSourceRequired: Record<string, string> = {
  secret: 'secretName', configMap: 'name', persistentVolumeClaim: 'claimName', hostPath: 'path', nfs: 'server',
};

function validateVolumes(volumes: unknown, path: string): { causes: FieldCause[]; names: Set<string> } {
  const names = new Set<string>();
  const causes: FieldCause[] = [];
  asObjects(volumes).forEach((v, i) => {
    const at = `${path}[${i}]`;
    // No source at all is fine: kube defaults such a volume to an emptyDir.
    const sources = volumeSourceNames.filter((s) => v[s] !== undefined && v[s] !== null);
    for (const s of sources.slice(1)) causes.push(forbidden(`${at}.${s}`, 'may not specify more than 1 volume type'));
    for (const s of sources) {
      const field = volumeSourceRequired[s];
      if (field !== undefined && asString(asObject(v[s])[field]) === '') causes.push(required(`${at}.${s}.${field}`));
    }
    const name = asString(v.name);
    if (name === '') causes.push(required(`${at}.name`));
    else causes.push(...labelErrors(name, `${at}.name`));
    if (names.has(name)) causes.push(duplicate(`${at}.name`, name));
    names.add(name);
  });
  return { causes, names };
}

const restartPolicies = ['Always', 'OnFailure', 'Never'];
const dnsPolicies = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const tolerationOperators = ['Equal', 'Exists'];
const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function validateTolerations(tolerations: unknown, path: string): FieldCause[] {
  return asObjects(tolerations).flatMap((t, i) => {
    const at = `${path}[${i}]`;
    const causes: FieldCause[] = [];
    const operator = t.operator === undefined ? 'Equal' : t.operator;
    if (!tolerationOperators.includes(asString(operator))) causes.push(notSupported(`${at}.operator`, operator, tolerationOperators));
    if (asString(t.key) === '' && operator !== 'Exists') causes.push(invalid(`${at}.operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (operator === 'Exists' && asString(t.value) !== '') causes.push(invalid(`${at}.operator`, t.value, 'value must be empty when `operator` is \'Exists\''));
    if (t.effect !== undefined && t.effect !== '' && !taintEffects.includes(asString(t.effect))) causes.push(notSupported(`${at}.effect`, t.effect, taintEffects));
    return causes;
  });
}

export function validatePodSpec(spec: unknown, path: string): FieldCause[] {
  const s = asObject(spec);
  const { causes, names: volumes } = validateVolumes(s.volumes, `${path}.volumes`);
  const containerNames = new Set<string>();
  causes.push(...validateContainers(s.containers, volumes, `${path}.containers`, true, containerNames));
  causes.push(...validateContainers(s.initContainers, volumes, `${path}.initContainers`, false, containerNames));
  if (s.restartPolicy !== undefined && !restartPolicies.includes(asString(s.restartPolicy))) {
    causes.push(notSupported(`${path}.restartPolicy`, s.restartPolicy, restartPolicies));
  }
  if (s.dnsPolicy !== undefined && !dnsPolicies.includes(asString(s.dnsPolicy))) causes.push(notSupported(`${path}.dnsPolicy`, s.dnsPolicy, dnsPolicies));
  causes.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  asObjects(s.imagePullSecrets).forEach((p, i) => {
    if (asString(p.name) === '') causes.push(required(`${path}.imagePullSecrets[${i}].name`));
  });
  const sa = asString(s.serviceAccountName);
  if (sa !== '') causes.push(...dns1123SubdomainErrors(sa).map((m) => invalid(`${path}.serviceAccountName`, sa, m)));
  if (typeof s.activeDeadlineSeconds === 'number' && (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > 2147483647)) {
    causes.push(invalid(`${path}.activeDeadlineSeconds`, s.activeDeadlineSeconds, inclusiveRangeError(1, 2147483647)));
  }
  const hostname = asString(s.hostname);
  if (hostname !== '') causes.push(...labelErrors(hostname, `${path}.hostname`));
  if (typeof s.terminationGracePeriodSeconds === 'number' && s.terminationGracePeriodSeconds < 0) {
    causes.push(invalid(`${path}.terminationGracePeriodSeconds`, s.terminationGracePeriodSeconds, negativeError));
  }
  causes.push(...validateTolerations(s.tolerations, `${path}.tolerations`));
  return causes;
}

/** A pod template: kube reports its labels at `<path>.labels` (not `.metadata.labels`). */
export function validatePodTemplateSpec(template: unknown, path: string): FieldCause[] {
  const t = asObject(template);
  const meta = asObject(t.metadata);
  return [
    ...validateLabels(meta.labels, `${path}.labels`),
    ...validateAnnotations(meta.annotations, `${path}.annotations`),
    ...validatePodSpec(t.spec, `${path}.spec`),
  ];
}

/** Go's printing of an IntOrString value in kube messages. */
export function intOrStringLiteral(v: unknown) {
  return typeof v === 'string'
    ? goLiteral(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}`)
    : goLiteral(`intstr.IntOrString{Type:0, IntVal:${typeof v === 'number' ? v : 0}, StrVal:""}`);
}
