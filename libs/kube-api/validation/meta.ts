// ObjectMeta, label, annotation and label-selector validation (kube's apimachinery ValidateObjectMeta and friends).
import type { GroupKind } from '../patch.js';
import { isJsonObject, type JsonObject } from '../json-value.js';
import { forbidden, invalid, required, tooLong, type FieldCause } from './field-cause.js';
import {
  dns1035LabelErrors, dns1123LabelErrors, dns1123SubdomainErrors, labelValueErrors, negativeError, qualifiedNameErrors,
} from './names.js';

/** Which syntax an object's name must follow: most kinds a DNS subdomain, Namespaces a label, Services a DNS-1035 label. */
export type NameRule = 'subdomain' | 'label' | 'dns1035';

export function nameRuleFor(gk: GroupKind): NameRule {
  if (gk.group === '' && gk.kind === 'Namespace') return 'label';
  if (gk.group === '' && gk.kind === 'Service') return 'dns1035';
  return 'subdomain';
}

const nameErrors: Record<NameRule, (s: string) => string[]> = {
  subdomain: dns1123SubdomainErrors, label: dns1123LabelErrors, dns1035: dns1035LabelErrors,
};

const totalAnnotationSizeLimit = 256 * 1024;
const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/** String-valued entries of a map-like value (labels, annotations, selectors); other values are not ours to judge here. */
export const stringEntries = (v: unknown): [string, string][] =>
  isJsonObject(v) ? Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string') : [];

export function validateLabels(labels: unknown, field: string): FieldCause[] {
  return stringEntries(labels).flatMap(([k, v]) => [
    ...qualifiedNameErrors(k).map((m) => invalid(field, k, m)),
    ...labelValueErrors(v).map((m) => invalid(field, v, m)),
  ]);
}

export function validateAnnotations(annotations: unknown, field: string): FieldCause[] {
  const entries = stringEntries(annotations);
  // Annotation keys are qualified names, except that case does not matter.
  const causes = entries.flatMap(([k]) => qualifiedNameErrors(k.toLowerCase()).map((m) => invalid(field, k, m)));
  const size = entries.reduce((n, [k, v]) => n + utf8Length(k) + utf8Length(v), 0);
  return size > totalAnnotationSizeLimit ? [...causes, tooLong(field, totalAnnotationSizeLimit)] : causes;
}

/**
 * Name (or generateName) required and well formed, namespace required on namespaced kinds and
 * forbidden on cluster-scoped ones, labels, annotations, finalizers.
 */
export function validateObjectMeta(meta: unknown, namespaced: boolean, nameRule: NameRule): FieldCause[] {
  const m: JsonObject = isJsonObject(meta) ? meta : {};
  const str = (k: string): string => (typeof m[k] === 'string' ? m[k] : '');
  const check = nameErrors[nameRule];
  const causes: FieldCause[] = [];
  const generateName = str('generateName');
  if (generateName !== '') {
    // A generated name gets a suffix, so a trailing '-' is fine in the prefix.
    causes.push(...check(generateName.replace(/-$/, 'a')).map((msg) => invalid('metadata.generateName', generateName, msg)));
  }
  const name = str('name');
  if (name === '') {
    if (generateName === '') causes.push(required('metadata.name', 'name or generateName is required'));
  } else {
    causes.push(...check(name).map((msg) => invalid('metadata.name', name, msg)));
  }
  const namespace = str('namespace');
  if (namespaced) {
    if (namespace === '') causes.push(required('metadata.namespace'));
    else causes.push(...dns1123LabelErrors(namespace).map((msg) => invalid('metadata.namespace', namespace, msg)));
  } else if (namespace !== '') {
    causes.push(forbidden('metadata.namespace', 'not allowed on this type'));
  }
  if (typeof m.generation === 'number' && m.generation < 0) causes.push(invalid('metadata.generation', m.generation, negativeError));
  causes.push(...validateLabels(m.labels, 'metadata.labels'));
  causes.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  if (Array.isArray(m.finalizers)) {
    for (const f of m.finalizers) {
      if (typeof f === 'string') causes.push(...qualifiedNameErrors(f).map((msg) => invalid('metadata.finalizers', f, msg)));
    }
  }
  return causes;
}

export function validateLabelSelector(selector: unknown, field: string): FieldCause[] {
  if (!isJsonObject(selector)) return [];
  const causes: FieldCause[] = [];
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  expressions.forEach((e, i) => {
    if (!isJsonObject(e)) return;
    const path = `${field}.matchExpressions[${i}]`;
    const values = Array.isArray(e.values) ? e.values : [];
    switch (e.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) causes.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) causes.push(forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        causes.push(invalid(`${path}.operator`, e.operator, 'not a valid selector operator'));
    }
    const key = typeof e.key === 'string' ? e.key : '';
    causes.push(...qualifiedNameErrors(key).map((msg) => invalid(`${path}.key`, key, msg)));
  });
  causes.push(...validateLabels(selector.matchLabels, `${field}.matchLabels`));
  return causes;
}

export const selectorIsEmpty = (selector: JsonObject): boolean =>
  stringEntries(selector.matchLabels).length === 0 && !(Array.isArray(selector.matchExpressions) && selector.matchExpressions.length > 0);

/** Whether a metav1.LabelSelector selects a label set. */
export function selectorMatches(selector: JsonObject, labels: unknown): boolean {
  const have = new Map(stringEntries(labels));
  const byLabels = stringEntries(selector.matchLabels).every(([k, v]) => have.get(k) === v);
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions.filter(isJsonObject) : [];
  return byLabels && expressions.every((e) => {
    const v = typeof e.key === 'string' ? have.get(e.key) : undefined;
    const values = Array.isArray(e.values) ? e.values : [];
    switch (e.operator) {
      case 'In': return v !== undefined && values.includes(v);
      case 'NotIn': return v === undefined || !values.includes(v);
      case 'Exists': return v !== undefined;
      case 'DoesNotExist': return v === undefined;
      default: return false;
    }
  });
}
