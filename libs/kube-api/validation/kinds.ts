// Kind-specific validation of the built-in kinds, with kube-apiserver's field paths and wording.
import type { KubeObjectLike } from '../apply.js';
import type { GroupKind } from '../patch.js';
import { cloneJson, isJsonObject, type JsonObject } from '../json-value.js';
import {
  duplicate, forbidden, goLiteral, invalid, notSupported, required, tooLong, type FieldCause,
} from './field-cause.js';
import { selectorIsEmpty, selectorMatches, stringEntries, validateLabels, validateLabelSelector } from './meta.js';
import { configMapKeyErrors, dns1035LabelErrors, dns1123SubdomainErrors, labelValueErrors, negativeError, percentErrors, portNameErrors, portNumberErrors, qualifiedNameErrors } from './names.js';
import {
  asObject, asObjects, asString, intOrStringLiteral, labelErrors, portNumOrNameErrors, protocols, validatePodSpec, validatePodTemplateSpec,
} from './pod.js';

export interface ValidationOptions {
  /** extensions/v1beta1 defaulted a missing selector from the template labels instead of rejecting it. */
  readonly legacySelectorDefaulting: boolean;
}

const nonNegative = (v: unknown, field: string): FieldCause[] =>
  typeof v === 'number' && v < 0 ? [invalid(field, v, negativeError)] : [];

/** Go's printing of a *metav1.LabelSelector (its generated String()). */
function selectorLiteral(sel: JsonObject) {
  const labels = stringEntries(sel.matchLabels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}: ${v},`).join('');
  return goLiteral(`&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{},}`);
}

/**
 * The selector and template rules shared by Deployment, ReplicaSet and DaemonSet: selector required
 * and non-empty, and it must select the template's labels.
 */
function validateSelectorAndTemplate(spec: JsonObject, kindWord: string, opts: ValidationOptions, requireSelector: boolean): FieldCause[] {
  const template = asObject(spec.template);
  const templateLabels = asObject(template.metadata).labels;
  const causes: FieldCause[] = [];
  let selector = isJsonObject(spec.selector) ? spec.selector : undefined;
  if (selector === undefined && opts.legacySelectorDefaulting && stringEntries(templateLabels).length > 0) {
    selector = { matchLabels: templateLabels };
  }
  if (selector === undefined) {
    if (requireSelector) causes.push(required('spec.selector'));
  } else {
    causes.push(...validateLabelSelector(selector, 'spec.selector'));
    if (selectorIsEmpty(selector)) causes.push(invalid('spec.selector', selectorLiteral(selector), `empty selector is invalid for ${kindWord}`));
  }
  // A missing selector selects nothing, so kube reports the mismatch too.
  if (selector === undefined || (!selectorIsEmpty(selector) && !selectorMatches(selector, templateLabels))) {
    causes.push(invalid('spec.template.metadata.labels', asObject(templateLabels), '`selector` does not match template `labels`'));
  }
  causes.push(...validatePodTemplateSpec(template, 'spec.template'));
  const podSpec = asObject(template.spec);
  const restartPolicy = podSpec.restartPolicy ?? 'Always';
  if (restartPolicy !== 'Always') causes.push(notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined) {
    causes.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return causes;
}

const intOrPercentValue = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]+%$/.test(v) ? Number(v.slice(0, -1)) : undefined;

function validateIntOrPercent(v: unknown, field: string): FieldCause[] {
  if (typeof v === 'string') return percentErrors(v).map((m) => invalid(field, intOrStringLiteral(v), m));
  return typeof v === 'number' && v < 0 ? [invalid(field, intOrStringLiteral(v), negativeError)] : [];
}

function validateDeploymentStrategy(strategy: unknown): FieldCause[] {
  const s = asObject(strategy);
  const type = s.type ?? 'RollingUpdate';
  if (type === 'Recreate') {
    return s.rollingUpdate === undefined || s.rollingUpdate === null
      ? [] : [forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'")];
  }
  if (type !== 'RollingUpdate') {
    return [notSupported('spec.strategy', goLiteral(`apps.DeploymentStrategy{Type:${JSON.stringify(type)}, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}`), ['Recreate', 'RollingUpdate'])];
  }
  const ru = asObject(s.rollingUpdate);
  // Unset values default to 25%.
  const maxUnavailable = ru.maxUnavailable ?? '25%';
  const maxSurge = ru.maxSurge ?? '25%';
  const causes = [
    ...validateIntOrPercent(maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'),
    ...validateIntOrPercent(maxSurge, 'spec.strategy.rollingUpdate.maxSurge'),
  ];
  if (intOrPercentValue(maxUnavailable) === 0 && intOrPercentValue(maxSurge) === 0) {
    causes.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', intOrStringLiteral(maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
  }
  if (typeof maxUnavailable === 'string' && (intOrPercentValue(maxUnavailable) ?? 0) > 100) {
    causes.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', intOrStringLiteral(maxUnavailable), 'must not be greater than 100%'));
  }
  return causes;
}

function validateDeployment(obj: KubeObjectLike, opts: ValidationOptions): FieldCause[] {
  const spec = asObject(obj.spec);
  const causes = [
    ...nonNegative(spec.replicas, 'spec.replicas'),
    ...validateSelectorAndTemplate(spec, 'deployment', opts, true),
    ...validateDeploymentStrategy(spec.strategy),
    ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
  ];
  const pds = spec.progressDeadlineSeconds;
  if (typeof pds === 'number') {
    causes.push(...nonNegative(pds, 'spec.progressDeadlineSeconds'));
    if (pds <= (typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0)) {
      causes.push(invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
    }
  }
  return causes;
}

function validateReplicaSet(obj: KubeObjectLike, opts: ValidationOptions): FieldCause[] {
  const spec = asObject(obj.spec);
  return [
    ...nonNegative(spec.replicas, 'spec.replicas'),
    ...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    // kube's ReplicaSet validation really says "deployment" here.
    ...validateSelectorAndTemplate(spec, 'deployment', opts, true),
  ];
}

function validateDaemonSet(obj: KubeObjectLike, opts: ValidationOptions): FieldCause[] {
  const spec = asObject(obj.spec);
  const causes = validateSelectorAndTemplate(spec, 'daemonset', opts, false);
  const type = asObject(spec.updateStrategy).type ?? 'RollingUpdate';
  if (type !== 'RollingUpdate' && type !== 'OnDelete') {
    causes.push(notSupported('spec.updateStrategy', goLiteral(`apps.DaemonSetUpdateStrategy{Type:${JSON.stringify(type)}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}`), ['RollingUpdate', 'OnDelete']));
  }
  causes.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'), ...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return causes;
}

function validateJob(obj: KubeObjectLike): FieldCause[] {
  const spec = asObject(obj.spec);
  const causes = ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']
    .flatMap((k) => nonNegative(spec[k], `spec.${k}`));
  const template = asObject(spec.template);
  if (spec.manualSelector === true) {
    if (!isJsonObject(spec.selector)) causes.push(required('spec.selector'));
    else {
      causes.push(...validateLabelSelector(spec.selector, 'spec.selector'));
      if (!selectorMatches(spec.selector, asObject(template.metadata).labels)) {
        causes.push(invalid('spec.template.metadata.labels', asObject(asObject(template.metadata).labels), '`selector` does not match template `labels`'));
      }
    }
  } else if (isJsonObject(spec.selector)) {
    // The server generates a Job's selector unless the user opts out with manualSelector.
    causes.push(invalid('spec.selector', selectorLiteral(spec.selector), '`selector` not auto-generated'));
  }
  causes.push(...validatePodTemplateSpec(template, 'spec.template'));
  const restartPolicy = asObject(template.spec).restartPolicy ?? 'Always';
  if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
    causes.push(notSupported('spec.template.spec.restartPolicy', restartPolicy, ['OnFailure', 'Never']));
  }
  return causes;
}

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const sessionAffinities = ['ClientIP', 'None'];

function validateService(obj: KubeObjectLike): FieldCause[] {
  const spec = asObject(obj.spec);
  const type = spec.type ?? 'ClusterIP';
  const ports = asObjects(spec.ports);
  const headless = spec.clusterIP === 'None';
  const causes: FieldCause[] = [];
  if (ports.length === 0 && !headless && type !== 'ExternalName') causes.push(required('spec.ports'));
  if (type === 'ExternalName') {
    const externalName = asString(spec.externalName);
    if (externalName === '') causes.push(required('spec.externalName'));
    else causes.push(...dns1123SubdomainErrors(externalName).map((m) => invalid('spec.externalName', externalName, m)));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    const name = asString(p.name);
    if (ports.length > 1 && name === '') causes.push(required(`${at}.name`));
    else if (name !== '') {
      causes.push(...labelErrors(name, `${at}.name`));
      if (names.has(name)) causes.push(duplicate(`${at}.name`, name));
      names.add(name);
    }
    const port = typeof p.port === 'number' ? p.port : 0;
    causes.push(...portNumberErrors(port).map((m) => invalid(`${at}.port`, port, m)));
    if (p.protocol !== undefined && !protocols.includes(asString(p.protocol))) causes.push(notSupported(`${at}.protocol`, p.protocol, protocols));
    causes.push(...portNumOrNameErrors(p.targetPort, `${at}.targetPort`));
  });
  causes.push(...validateLabels(spec.selector, 'spec.selector'));
  if (spec.sessionAffinity !== undefined && !sessionAffinities.includes(asString(spec.sessionAffinity))) {
    causes.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, sessionAffinities));
  }
  if (!serviceTypes.includes(asString(type))) causes.push(notSupported('spec.type', type, serviceTypes));
  if (type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (typeof p.nodePort === 'number' && p.nodePort !== 0) causes.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const protocol = asString(p.protocol) || 'TCP';
    const key = `${protocol}/${String(p.port)}`;
    if (seen.has(key)) {
      causes.push(duplicate(`spec.ports[${i}]`, goLiteral(`core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${String(p.port)}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`)));
    }
    seen.add(key);
  });
  return causes;
}

const maxDataSize = 1024 * 1024;
const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/** The decoded length of standard base64, or the index of the first offending byte as Go reports it. */
function base64Length(s: string): { ok: true; length: number } | { ok: false; at: number } {
  const bad = s.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return { ok: false, at: bad };
  const m = /^[A-Za-z0-9+/]*(={0,2})$/.exec(s);
  if (m === null) return { ok: false, at: s.indexOf('=') };
  if (s.length % 4 !== 0) return { ok: false, at: s.length - (s.length % 4) };
  return { ok: true, length: (s.length / 4) * 3 - (m[1] ?? '').length };
}

function validateConfigKeys(data: unknown, field: string): FieldCause[] {
  return isJsonObject(data) ? Object.keys(data).flatMap((k) => configMapKeyErrors(k).map((m) => invalid(`${field}[${k}]`, k, m))) : [];
}

function validateSecret(obj: KubeObjectLike): FieldCause[] {
  const data = asObject(obj.data);
  const stringData = asObject(obj.stringData);
  // stringData is folded into data on write, so kube reports its keys under data.
  const causes = [...validateConfigKeys(data, 'data'), ...validateConfigKeys(stringData, 'data')];
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    const decoded = base64Length(asString(v));
    if (decoded.ok) size += decoded.length;
    else causes.push(invalid(`data[${k}]`, '<secret contents redacted>', `illegal base64 data at input byte ${decoded.at}`));
  }
  for (const v of Object.values(stringData)) size += utf8Length(asString(v));
  if (size > maxDataSize) causes.push(tooLong('data', maxDataSize));
  const has = (k: string) => k in data || k in stringData;
  switch (obj.type) {
    case 'kubernetes.io/service-account-token':
      if (asString(asObject(obj.metadata?.annotations)['kubernetes.io/service-account.name']) === '') {
        causes.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg':
      if (!has('.dockercfg')) causes.push(required('data[.dockercfg]'));
      break;
    case 'kubernetes.io/dockerconfigjson':
      if (!has('.dockerconfigjson')) causes.push(required('data[.dockerconfigjson]'));
      break;
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) causes.push(required('data[username]'), required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!has('ssh-privatekey')) causes.push(required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) causes.push(required('data[tls.crt]'));
      if (!has('tls.key')) causes.push(required('data[tls.key]'));
      break;
  }
  return causes;
}

function validateConfigMap(obj: KubeObjectLike): FieldCause[] {
  const data = asObject(obj.data);
  const binaryData = asObject(obj.binaryData);
  const causes = [
    ...validateConfigKeys(data, 'data'),
    ...Object.keys(data).filter((k) => k in binaryData).map((k) => invalid(`data[${k}]`, k, 'duplicate of key present in binaryData')),
    ...validateConfigKeys(binaryData, 'binaryData'),
    ...Object.keys(binaryData).filter((k) => k in data).map((k) => invalid(`binaryData[${k}]`, k, 'duplicate of key present in data')),
  ];
  const size = Object.values(data).reduce((n: number, v) => n + utf8Length(asString(v)), 0)
    + Object.values(binaryData).reduce((n: number, v) => n + Math.floor(asString(v).length * 3 / 4), 0);
  if (size > maxDataSize) causes.push(tooLong('', maxDataSize));
  return causes;
}

function validateNamespace(obj: KubeObjectLike): FieldCause[] {
  const finalizers = asObject(obj.spec).finalizers;
  return (Array.isArray(finalizers) ? finalizers : []).flatMap((f) => {
    const name = asString(f);
    return qualifiedNameErrors(name).map((m) => invalid('spec.finalizers', name, m));
  });
}

const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function validateNode(obj: KubeObjectLike): FieldCause[] {
  const seen = new Set<string>();
  return asObjects(asObject(obj.spec).taints).flatMap((t, i) => {
    const at = `spec.taints[${i}]`;
    const key = asString(t.key);
    const value = asString(t.value);
    const causes = qualifiedNameErrors(key).map((m) => invalid(`${at}.key`, key, m));
    const valueErrs = labelValueErrors(value);
    if (valueErrs.length > 0) causes.push(invalid(`${at}.value`, value, valueErrs.join(';')));
    if (asString(t.effect) === '') causes.push(required(`${at}.effect`));
    else if (!taintEffects.includes(asString(t.effect))) causes.push(notSupported(`${at}.effect`, t.effect, taintEffects));
    const id = `${key}:${asString(t.effect)}`;
    if (seen.has(id)) causes.push(duplicate(`${at}.effect`, t.effect));
    seen.add(id);
    return causes;
  });
}

function validateEvent(obj: KubeObjectLike): FieldCause[] {
  const namespace = asString(obj.metadata?.namespace);
  const involved = asString(asObject(obj.involvedObject).namespace);
  const matches = involved === '' ? namespace === '' || namespace === 'default' : namespace === involved;
  return matches ? [] : [invalid('involvedObject.namespace', involved, 'does not match event.namespace')];
}

const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];

/** An Ingress backend in the networking.k8s.io/v1 shape (legacy backends are converted first, as kube does). */
function validateIngressBackend(backend: JsonObject, field: string): FieldCause[] {
  const hasResource = isJsonObject(backend.resource);
  const service = isJsonObject(backend.service) ? backend.service : undefined;
  if (hasResource && service !== undefined) return [invalid(field, '', 'cannot set both resource and service backends')];
  if (hasResource) return [];
  if (service === undefined) return [invalid(field, '', 'resource or service backend is required')];
  const causes: FieldCause[] = [];
  const name = asString(service.name);
  if (name === '') causes.push(required(`${field}.service.name`));
  else causes.push(...dns1035LabelErrors(name).map((m) => invalid(`${field}.service.name`, name, m)));
  const port = asObject(service.port);
  const portName = asString(port.name);
  const portNumber = typeof port.number === 'number' ? port.number : 0;
  if (portName !== '' && portNumber !== 0) causes.push(invalid(field, '', 'cannot set both port name & port number'));
  else if (portName !== '') causes.push(...portNameErrors(portName).map((m) => invalid(`${field}.service.port.name`, portName, m)));
  else if (portNumber !== 0) causes.push(...portNumberErrors(portNumber).map((m) => invalid(`${field}.service.port.number`, portNumber, m)));
  else causes.push(required(field, 'port name or number is required'));
  return causes;
}

function legacyBackend(b: JsonObject): JsonObject {
  if (isJsonObject(b.resource) || b.serviceName === undefined) return b;
  const port = b.servicePort;
  return { service: { name: b.serviceName, port: typeof port === 'string' ? { name: port } : { number: port } } };
}

function validateIngress(obj: KubeObjectLike, legacy: boolean): FieldCause[] {
  const spec = asObject(obj.spec);
  const backendField = legacy ? 'backend' : 'defaultBackend';
  const convert = (b: unknown) => (legacy ? legacyBackend(asObject(b)) : asObject(b));
  const rules = asObjects(spec.rules);
  const causes: FieldCause[] = [];
  if (rules.length === 0 && !isJsonObject(spec[backendField])) {
    causes.push(invalid('spec', goLiteral('[]networking.IngressRule(nil)'), `either \`${backendField}\` or \`rules\` must be specified`));
  }
  if (isJsonObject(spec[backendField])) causes.push(...validateIngressBackend(convert(spec[backendField]), `spec.${backendField}`));
  rules.forEach((rule, i) => {
    const at = `spec.rules[${i}]`;
    const host = asString(rule.host);
    if (host !== '') {
      if (/^[0-9.]+$/.test(host) || host.includes(':')) causes.push(invalid(`${at}.host`, host, 'must be a DNS name, not an IP address'));
      const checked = host.startsWith('*.') ? host.slice(2) : host;
      causes.push(...dns1123SubdomainErrors(checked).map((m) => invalid(`${at}.host`, host, m)));
    }
    if (!isJsonObject(rule.http)) return;
    const paths = asObjects(rule.http.paths);
    if (paths.length === 0) causes.push(required(`${at}.http.paths`));
    paths.forEach((p, j) => {
      const pat = `${at}.http.paths[${j}]`;
      const pathType = p.pathType ?? (legacy ? 'ImplementationSpecific' : undefined);
      const path = asString(p.path);
      if (pathType === undefined) { causes.push(required(`${pat}.pathType`, 'pathType must be specified')); return; }
      if (!pathTypes.includes(asString(pathType))) causes.push(notSupported(`${pat}.pathType`, pathType, pathTypes));
      else if ((pathType !== 'ImplementationSpecific' || path !== '') && !path.startsWith('/')) {
        causes.push(invalid(`${pat}.path`, path, 'must be an absolute path'));
      }
      causes.push(...validateIngressBackend(convert(p.backend), `${pat}.backend`));
    });
  });
  return causes;
}

/**
 * Kind-specific rules (ObjectMeta is validated separately by validateObjectMeta). Values are checked
 * as sent, before defaulting, so unset fields that kube would default count as their defaults.
 */
export function validateBuiltin(obj: KubeObjectLike, gk: GroupKind, opts: ValidationOptions): FieldCause[] {
  const legacy = gk.group === 'extensions';
  switch (gk.kind) {
    case 'Deployment': return gk.group === 'apps' || legacy ? validateDeployment(obj, opts) : [];
    case 'ReplicaSet': return gk.group === 'apps' || legacy ? validateReplicaSet(obj, opts) : [];
    case 'DaemonSet': return gk.group === 'apps' || legacy ? validateDaemonSet(obj, opts) : [];
    case 'Job': return gk.group === 'batch' ? validateJob(obj) : [];
    case 'Pod': return gk.group === '' ? validatePodSpec(obj.spec, 'spec') : [];
    case 'Service': return gk.group === '' ? validateService(obj) : [];
    case 'Secret': return gk.group === '' ? validateSecret(obj) : [];
    case 'ConfigMap': return gk.group === '' ? validateConfigMap(obj) : [];
    case 'Namespace': return gk.group === '' ? validateNamespace(obj) : [];
    case 'Node': return gk.group === '' ? validateNode(obj) : [];
    case 'Event': return gk.group === '' ? validateEvent(obj) : [];
    case 'Ingress': return gk.group === 'networking.k8s.io' || legacy ? validateIngress(obj, legacy) : [];
    default: return [];
  }
}

/**
 * The extensions/v1beta1 defaulting of ReplicaSet, Deployment and DaemonSet: a missing selector
 * selects the template's labels, and missing object labels copy them.
 */
export function defaultSelectorFromTemplate(obj: KubeObjectLike): KubeObjectLike {
  const spec = asObject(obj.spec);
  const templateLabels = asObject(asObject(spec.template).metadata).labels;
  if (!isJsonObject(templateLabels)) return cloneJson(obj);
  const out = cloneJson(obj);
  const outSpec = asObject(out.spec);
  if (!isJsonObject(outSpec.selector)) out.spec = { ...outSpec, selector: { matchLabels: cloneJson(templateLabels) } };
  const meta = out.metadata ?? {};
  if (!isJsonObject(meta.labels) || Object.keys(meta.labels).length === 0) out.metadata = { ...meta, labels: cloneJson(templateLabels) };
  return out;
}
