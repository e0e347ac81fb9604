// Typed reads of untyped JSON values (objects arrive open-ended: only metadata is typed).
import { isJsonObject } from './json-value.js';

/** The value at `path` (object keys), or undefined when any step is missing or not an object. */
export function getPath(v: unknown, ...path: readonly string[]): unknown {
  let cur = v;
  for (const key of path) {
    if (!isJsonObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

export function getString(v: unknown, ...path: readonly string[]): string | undefined {
  const x = getPath(v, ...path);
  return typeof x === 'string' ? x : undefined;
}

export function getNumber(v: unknown, ...path: readonly string[]): number | undefined {
  const x = getPath(v, ...path);
  return typeof x === 'number' ? x : undefined;
}

export function getArray(v: unknown, ...path: readonly string[]): unknown[] {
  const x = getPath(v, ...path);
  return Array.isArray(x) ? x : [];
}

export function getRecord(v: unknown, ...path: readonly string[]): Record<string, unknown> {
  const x = getPath(v, ...path);
  return isJsonObject(x) ? x : {};
}

/** A copy of `v` with `value` at `path`, creating objects on the way. */
export function setPath(v: unknown, path: readonly string[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const base = isJsonObject(v) ? v : {};
  return { ...base, [head]: setPath(base[head], rest, value) };
}
