// Strict field validation (fieldValidation=Strict): the fields of an object that its kind's schema does not know.
import { fieldSchema, itemSchema, schemaForKind, type FieldSchema } from '../field-schema.js';
import type { GroupKind } from '../patch.js';
import { isJsonObject } from '../json-value.js';

function collect(value: unknown, s: FieldSchema, path: string, out: string[]): void {
  if (s.type === 'scalar' || s.type === 'any') return;
  if (Array.isArray(value)) {
    if (s.type === 'list') value.forEach((v, i) => collect(v, itemSchema(s), `${path}[${i}]`, out));
    return;
  }
  if (!isJsonObject(value) || s.type === 'list') return;
  for (const [k, v] of Object.entries(value)) {
    const child = path === '' ? k : `${path}.${k}`;
    const fs = fieldSchema(s, k);
    if (fs === undefined) out.push(child);
    else collect(v, fs, child, out);
  }
}

/** Dotted paths (`spec.template.spec.containers[0].imagex`) of fields the kind does not have; [] for kinds we do not describe. */
export function unknownFields(obj: unknown, gk: GroupKind): string[] {
  const s = schemaForKind(gk);
  const out: string[] = [];
  if (s !== undefined) collect(obj, s, '', out);
  return out;
}

/** kube-apiserver's 400 message under fieldValidation=Strict. */
export function strictDecodingMessage(fields: readonly string[]): string {
  return `strict decoding error: ${fields.map((f) => `unknown field ${JSON.stringify(f)}`).join(', ')}`;
}
