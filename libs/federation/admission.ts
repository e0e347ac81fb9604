// Federation admission: the checks the federation API adds to the built-in ones (placement
// annotations, Cluster specs). Nothing invalid reaches the log.
import * as E from 'fp-ts/lib/Either.js';
import { getArray, getRecord, getString } from '../kube-api/json.js';
import type { AdmissionPlugin } from '../kube-api/writes.js';
import type { FieldError } from '../kube-api/status.js';
import { isDns1123Subdomain } from '../kube-api/validation.js';
import {
  CLUSTER_SELECTOR_ANNOTATION, PREFERENCES_ANNOTATION, formatPreferencesError, parseClusterSelector, parsePreferences,
} from '../placement/preferences.js';

const annotationField = (name: string): string => `metadata.annotations[${name}]`;

const invalidValue = (field: string, value: string, detail: string): FieldError => ({
  reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
});

/** The replica-set preferences and cluster-selector annotations must parse, wherever they appear. */
export function placementAnnotationErrors(annotations: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const prefs = annotations[PREFERENCES_ANNOTATION];
  if (typeof prefs === 'string') {
    const parsed = parsePreferences(prefs);
    if (E.isLeft(parsed)) errors.push(invalidValue(annotationField(PREFERENCES_ANNOTATION), prefs, formatPreferencesError(parsed.left)));
  }
  const selector = annotations[CLUSTER_SELECTOR_ANNOTATION];
  if (typeof selector === 'string') {
    const parsed = parseClusterSelector(selector);
    if (E.isLeft(parsed)) errors.push(invalidValue(annotationField(CLUSTER_SELECTOR_ANNOTATION), selector, formatPreferencesError(parsed.left)));
  }
  return errors;
}

const cidrPattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function isIPv4Cidr(s: string): boolean {
  const m = cidrPattern.exec(s);
  return m !== null && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}

/** A member API address: a URL (https://host:port) or host:port, as Federation v1 accepted. */
export function isServerAddress(s: string): boolean {
  if (/^https?:\/\//.test(s)) return URL.canParse(s);
  return URL.canParse(`https://${s}`) && !s.includes('/');
}

/** federation/v1beta1 Cluster spec rules. */
export function clusterSpecErrors(obj: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const spec = getRecord(obj, 'spec');
  const addresses = getArray(obj, 'spec', 'serverAddressByClientCIDRs');
  if (addresses.length === 0) {
    errors.push({ reason: 'FieldValueRequired', field: 'spec.serverAddressByClientCIDRs', message: 'Required value: at least one server address' });
  }
  addresses.forEach((a, i) => {
    const base = `spec.serverAddressByClientCIDRs[${i}]`;
    const cidr = getString(a, 'clientCIDR');
    const server = getString(a, 'serverAddress');
    if (cidr === undefined || cidr === '') errors.push({ reason: 'FieldValueRequired', field: `${base}.clientCIDR`, message: 'Required value' });
    else if (!isIPv4Cidr(cidr)) errors.push(invalidValue(`${base}.clientCIDR`, cidr, 'must be a CIDR such as 0.0.0.0/0 or 10.0.0.0/8'));
    if (server === undefined || server === '') errors.push({ reason: 'FieldValueRequired', field: `${base}.serverAddress`, message: 'Required value' });
    else if (!isServerAddress(server)) errors.push(invalidValue(`${base}.serverAddress`, server, 'must be a URL such as https://10.0.0.1:6443 or a host:port'));
  });
  const secret = spec['secretRef'];
  if (secret !== undefined) {
    const name = getString(secret, 'name');
    if (name === undefined || name === '') errors.push({ reason: 'FieldValueRequired', field: 'spec.secretRef.name', message: 'Required value' });
    else if (!isDns1123Subdomain(name)) errors.push(invalidValue('spec.secretRef.name', name, 'must be the name of a Secret in namespace kfed-system'));
  }
  return errors;
}

export const federationAdmission: AdmissionPlugin = {
  validate: ({ type, object, subresource }) => {
    if (subresource !== undefined) return [];
    const errors = placementAnnotationErrors(object.metadata.annotations ?? {});
    if (type.group === 'federation' && type.kind === 'Cluster') errors.push(...clusterSpecErrors(object));
    return errors;
  },
};
