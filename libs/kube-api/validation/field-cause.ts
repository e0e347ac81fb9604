// Field errors as kube-apiserver reports them: the Status cause (reason, field path, message) and the 422 message.
import type { GroupKind } from '../patch.js';
import { isJsonObject } from '../json-value.js';

export interface FieldCause {
  readonly reason: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotSupported' | 'FieldValueDuplicate' | 'FieldValueForbidden' | 'FieldValueTooLong' | 'FieldValueNotFound';
  readonly message: string;
  readonly field: string;
}

/** A value already in Go's printed form (kube prints some values as Go structs). */
export interface GoLiteral { readonly goLiteral: string }
export const goLiteral = (goLiteral: string): GoLiteral => ({ goLiteral });

/**
 * How kube's field errors print a bad value: strings quoted, numbers and booleans bare,
 * string maps as Go map literals; anything else as JSON (kube would print a Go struct).
 */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isJsonObject(v) && typeof v.goLiteral === 'string') return v.goLiteral;
  if (isJsonObject(v) && Object.values(v).every((x) => typeof x === 'string')) {
    return `map[string]string{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(v[k])}`).join(', ')}}`;
  }
  return JSON.stringify(v);
}

export const invalid = (field: string, value: unknown, detail: string): FieldCause =>
  ({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${goValue(value)}: ${detail}` });
export const required = (field: string, detail = ''): FieldCause =>
  ({ reason: 'FieldValueRequired', field, message: detail === '' ? 'Required value' : `Required value: ${detail}` });
export const notSupported = (field: string, value: unknown, supported: readonly string[]): FieldCause =>
  ({ reason: 'FieldValueNotSupported', field, message: `Unsupported value: ${goValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` });
export const duplicate = (field: string, value: unknown): FieldCause =>
  ({ reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${goValue(value)}` });
export const forbidden = (field: string, detail: string): FieldCause =>
  ({ reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` });
export const tooLong = (field: string, maxBytes: number): FieldCause =>
  ({ reason: 'FieldValueTooLong', field, message: `Too long: may not be more than ${maxBytes} bytes` });
export const notFound = (field: string, value: unknown): FieldCause =>
  ({ reason: 'FieldValueNotFound', field, message: `Not found: ${goValue(value)}` });

/** `<field>: <message>`, one cause as kubectl prints it. */
export const causeText = (c: FieldCause): string => (c.field === '' ? c.message : `${c.field}: ${c.message}`);

/** The message of a 422 Invalid Status: `Deployment.apps "x" is invalid: [a: ..., b: ...]`. */
export function invalidMessage(gk: GroupKind, name: string, causes: readonly FieldCause[]): string {
  const qualified = gk.group === '' ? gk.kind : `${gk.kind}.${gk.group}`;
  const [only] = causes;
  if (only === undefined) return `${qualified} ${JSON.stringify(name)} is invalid`;
  const detail = causes.length === 1 ? causeText(only) : `[${causes.map(causeText).join(', ')}]`;
  return `${qualified} ${JSON.stringify(name)} is invalid: ${detail}`;
}
