// Describes io-ts decode failures by field path and expected type, without echoing the values.
import * as t from 'io-ts';

/** One decode failure: where it happened (`spec.replicas`, or '' for the root) and what was expected. */
export interface FieldError {
  readonly path: string;
  readonly expected: string;
}

/**
 * Unlike PathReporter this never prints the offending value: payloads carry Secrets and
 * kubeconfigs, and a decode failure must be loggable as is. Union branch indices are left out
 * of the path because they name no field the sender wrote.
 */
export function fieldErrors(errors: t.Errors): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of errors) {
    const keys = e.context
      .filter((entry, i) => i > 0 && !(e.context[i - 1]?.type instanceof t.UnionType) && entry.key !== '')
      .map((entry) => entry.key);
    const last = e.context[e.context.length - 1];
    const error = { path: keys.join('.'), expected: e.message ?? last?.type.name ?? 'unknown' };
    const id = `${error.path}\u0000${error.expected}`;
    if (!seen.has(id)) {
      seen.add(id);
      out.push(error);
    }
  }
  return out;
}

/** `spec.replicas: expected number; metadata: expected {...}` — one line for a log or an error message. */
export function describeFieldErrors(errors: t.Errors): string {
  return fieldErrors(errors).map((e) => `${e.path === '' ? '<root>' : e.path}: expected ${e.expected}`).join('; ');
}
