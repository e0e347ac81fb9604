// The three PATCH body types kube-apiserver accepts from kubectl: JSON merge patch, JSON patch and strategic merge patch.
import * as E from 'fp-ts/lib/Either.js';
import { ANY, fieldSchemaOrAny, mergeSchemaForKind, type FieldSchema } from './field-schema.js';
import { cloneJson, deepEqual, isJsonObject, type JsonObject } from './json-value.js';

export interface PatchError { readonly _tag: 'PatchError'; readonly code: 400 | 422; readonly message: string }
export interface GroupKind { readonly group: string; readonly kind: string }

const patchError = (code: 400 | 422, message: string): PatchError => ({ _tag: 'PatchError', code, message });

// ---- RFC 7386 ----

/** RFC 7386 JSON merge patch. The result shares no structure with the inputs. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result: JsonObject = isJsonObject(target) ? cloneJson(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = applyMergePatch(result[k], v);
  }
  return result;
}

// ---- RFC 6902 ----

type JsonPatchOp =
  | { readonly op: 'add' | 'replace' | 'test'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'move' | 'copy'; readonly path: string; readonly from: string };

function decodeOperation(raw: unknown, i: number): E.Either<PatchError, JsonPatchOp> {
  const bad = (why: string) => E.left(patchError(400, `invalid JSON patch operation ${i}: ${why}`));
  if (!isJsonObject(raw)) return bad('not an object');
  const { op, path } = raw;
  if (typeof path !== 'string' || !isPointer(path)) return bad('"path" must be a JSON pointer');
  switch (op) {
    case 'add': case 'replace': case 'test':
      return 'value' in raw ? E.right({ op, path, value: raw.value }) : bad(`"${op}" needs a "value"`);
    case 'remove':
      return E.right({ op, path });
    case 'move': case 'copy':
      return typeof raw.from === 'string' && isPointer(raw.from) ? E.right({ op, path, from: raw.from }) : bad(`"${op}" needs a "from" JSON pointer`);
    default:
      return bad(`unknown op ${JSON.stringify(op)}`);
  }
}

const isPointer = (p: string): boolean => p === '' || p.startsWith('/');

function pointerTokens(p: string): string[] {
  return p === '' ? [] : p.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

// Messages follow the evanphx/json-patch library kube-apiserver uses, so kubectl shows the familiar text.
const missing = 'missing value';
const indexPattern = /^(0|[1-9][0-9]*)$/;

/** Where a JSON pointer points: the document root, a key of an object, a slot of an array, or nowhere (a missing parent). */
type Location =
  | { readonly at: 'root' }
  | { readonly at: 'key'; readonly parent: JsonObject; readonly key: string }
  | { readonly at: 'index'; readonly parent: unknown[]; readonly token: string }
  | { readonly at: 'nowhere' };

function locate(root: unknown, path: string): Location {
  const tokens = pointerTokens(path);
  const last = tokens.pop();
  if (last === undefined) return { at: 'root' };
  let cur: unknown = root;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = indexPattern.test(t) ? cur[Number(t)] : undefined;
    else if (isJsonObject(cur)) cur = Object.hasOwn(cur, t) ? cur[t] : undefined;
    else return { at: 'nowhere' };
  }
  if (Array.isArray(cur)) return { at: 'index', parent: cur, token: last };
  return isJsonObject(cur) ? { at: 'key', parent: cur, key: last } : { at: 'nowhere' };
}

/** An existing element's index, or (when inserting) also the end of the array; undefined if invalid. */
function arrayIndex(arr: readonly unknown[], token: string, inserting: boolean): number | undefined {
  if (inserting && token === '-') return arr.length;
  if (!indexPattern.test(token)) return undefined;
  const i = Number(token);
  return i < arr.length || (inserting && i === arr.length) ? i : undefined;
}

const invalidIndex = (token: string) => `Unable to access invalid index: ${token}: invalid index referenced`;

interface Doc { root: unknown }

function valueAt(doc: Doc, loc: Location): { readonly value: unknown } | undefined {
  switch (loc.at) {
    case 'root': return { value: doc.root };
    case 'key': return Object.hasOwn(loc.parent, loc.key) ? { value: loc.parent[loc.key] } : undefined;
    case 'index': {
      const i = arrayIndex(loc.parent, loc.token, false);
      return i === undefined ? undefined : { value: loc.parent[i] };
    }
    case 'nowhere': return undefined;
  }
}

function addAt(doc: Doc, path: string, value: unknown): string | undefined {
  const loc = locate(doc.root, path);
  switch (loc.at) {
    case 'root': doc.root = value; return undefined;
    case 'key': loc.parent[loc.key] = value; return undefined;
    case 'index': {
      const i = arrayIndex(loc.parent, loc.token, true);
      if (i === undefined) return `error in add for path: '${path}': ${invalidIndex(loc.token)}`;
      loc.parent.splice(i, 0, value);
      return undefined;
    }
    case 'nowhere': return `add operation does not apply: doc is missing path: "${path}": ${missing}`;
  }
}

function removeAt(doc: Doc, path: string, opName: string): string | undefined {
  const loc = locate(doc.root, path);
  switch (loc.at) {
    case 'key':
      if (!Object.hasOwn(loc.parent, loc.key)) return `error in remove for path: '${path}': Unable to remove nonexistent key: ${loc.key}: ${missing}`;
      delete loc.parent[loc.key];
      return undefined;
    case 'index': {
      const i = arrayIndex(loc.parent, loc.token, false);
      if (i === undefined) return `error in remove for path: '${path}': ${invalidIndex(loc.token)}`;
      loc.parent.splice(i, 1);
      return undefined;
    }
    default: return `${opName} operation does not apply: doc is missing path: "${path}": ${missing}`;
  }
}

function applyOperation(doc: Doc, op: JsonPatchOp): string | undefined {
  switch (op.op) {
    case 'add':
      return addAt(doc, op.path, cloneJson(op.value));
    case 'remove':
      return removeAt(doc, op.path, 'remove');
    case 'replace': {
      const loc = locate(doc.root, op.path);
      if (loc.at === 'nowhere') return `replace operation does not apply: doc is missing path: ${op.path}: ${missing}`;
      if (valueAt(doc, loc) === undefined) return `replace operation does not apply: doc is missing key: ${op.path}: ${missing}`;
      const value = cloneJson(op.value);
      if (loc.at === 'root') doc.root = value;
      else if (loc.at === 'key') loc.parent[loc.key] = value;
      else loc.parent[Number(loc.token)] = value;
      return undefined;
    }
    case 'test': {
      const loc = locate(doc.root, op.path);
      if (loc.at === 'nowhere') return `test operation does not apply: is missing path: ${op.path}: ${missing}`;
      return deepEqual(valueAt(doc, loc)?.value ?? null, op.value) ? undefined : `testing value ${op.path} failed: test failed`;
    }
    case 'move': case 'copy': {
      const src = valueAt(doc, locate(doc.root, op.from));
      if (src === undefined) return `${op.op} operation does not apply: doc is missing from path: ${op.from}: ${missing}`;
      if (op.op === 'move') {
        if (op.path === op.from) return undefined;
        if (op.path.startsWith(`${op.from}/`)) return `move operation does not apply: cannot move ${op.from} into its own child ${op.path}`;
        const err = removeAt(doc, op.from, 'move');
        if (err !== undefined) return err;
      }
      if (locate(doc.root, op.path).at === 'nowhere') {
        return `${op.op} operation does not apply: doc is missing destination path: ${op.path}: ${missing}`;
      }
      return addAt(doc, op.path, op.op === 'copy' ? cloneJson(src.value) : src.value);
    }
  }
}

/** RFC 6902 JSON patch: a malformed operation document is a 400, an operation that does not apply a 422. */
export function applyJsonPatch(target: unknown, operations: unknown): E.Either<PatchError, unknown> {
  if (!Array.isArray(operations)) {
    return E.left(patchError(400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'));
  }
  const ops: JsonPatchOp[] = [];
  for (const [i, raw] of operations.entries()) {
    const op = decodeOperation(raw, i);
    if (E.isLeft(op)) return op;
    ops.push(op.right);
  }
  const doc: Doc = { root: cloneJson(target) };
  for (const op of ops) {
    const err = applyOperation(doc, op);
    if (err !== undefined) return E.left(patchError(422, err));
  }
  return E.right(doc.root);
}

// ---- strategic merge patch ----

const setElementOrderPrefix = '$setElementOrder/';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList/';

/** Renders a patch map the way Go prints a map[string]interface{} in kube's error messages. */
const goMap = (m: JsonObject): string =>
  `map[${Object.keys(m).sort().map((k) => `${k}:${typeof m[k] === 'object' ? JSON.stringify(m[k]) : String(m[k])}`).join(' ')}]`;

/**
 * Merges a patch map into an original map (undefined when absent). Returns undefined when the
 * patch deletes the map (`$patch: delete`). Never mutates its inputs; unpatched subtrees are shared
 * with `orig`, so the public entry point copies the final result.
 */
function mergeMap(orig: JsonObject | undefined, patch: JsonObject, s: FieldSchema): E.Either<PatchError, JsonObject | undefined> {
  const directive = patch.$patch;
  if (directive === 'delete') return E.right(undefined);
  if (directive === 'replace') {
    const rest = Object.fromEntries(Object.entries(patch).filter(([k]) => k !== '$patch'));
    return mergeMap(undefined, rest, s);
  }
  if (directive !== undefined && directive !== 'merge') {
    return E.left(patchError(422, `unknown patch type: ${String(directive)} in map: ${goMap(patch)}`));
  }

  let result: JsonObject = { ...orig };
  const retainKeys = patch.$retainKeys;
  if (retainKeys !== undefined) {
    if (!Array.isArray(retainKeys)) return E.left(patchError(422, `$retainKeys must be a list, got ${JSON.stringify(retainKeys)}`));
    result = Object.fromEntries(Object.entries(result).filter(([k]) => retainKeys.includes(k)));
  }

  // $deleteFromPrimitiveList applies to the original list, before the patch's own values are added.
  for (const [key, values] of Object.entries(patch)) {
    if (!key.startsWith(deleteFromPrimitiveListPrefix)) continue;
    const field = key.slice(deleteFromPrimitiveListPrefix.length);
    const cur = result[field];
    if (Array.isArray(cur) && Array.isArray(values)) {
      result[field] = cur.filter((x) => !values.some((v) => deepEqual(v, x)));
    }
  }

  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) { delete result[key]; continue; }
    const fs = fieldSchemaOrAny(s, key);
    const cur = result[key];
    if (isJsonObject(value)) {
      const merged = mergeMap(isJsonObject(cur) ? cur : undefined, value, fs);
      if (E.isLeft(merged)) return merged;
      if (merged.right === undefined) delete result[key];
      else result[key] = merged.right;
    } else if (Array.isArray(value)) {
      const merged = mergeList(Array.isArray(cur) ? cur : [], value, fs);
      if (E.isLeft(merged)) return merged;
      result[key] = merged.right;
    } else {
      result[key] = value;
    }
  }

  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    const field = key.slice(setElementOrderPrefix.length);
    const cur = result[field];
    if (Array.isArray(cur) && Array.isArray(order)) {
      result[field] = orderElements(cur, order, listMergeKey(fieldSchemaOrAny(s, field)));
    }
  }
  return E.right(result);
}

const listMergeKey = (s: FieldSchema): string | undefined => (s.type === 'list' ? s.mergeKey : undefined);

function mergeList(orig: readonly unknown[], patch: readonly unknown[], s: FieldSchema): E.Either<PatchError, unknown[]> {
  if (s.type !== 'list') return replaceList(patch, ANY);
  if (s.set === true) {
    const result = [...orig];
    for (const v of patch) if (!result.some((x) => deepEqual(x, v))) result.push(v);
    return E.right(result);
  }
  const { mergeKey } = s;
  // Atomic list: the patch's list replaces the original. Its maps may still carry directives.
  if (mergeKey === undefined) return replaceList(patch, s.items);
  if (patch.some((p) => isJsonObject(p) && p.$patch === 'replace')) {
    return replaceList(patch.filter((p) => !(isJsonObject(p) && p.$patch === 'replace')), s.items);
  }
  const result = [...orig];
  for (const item of patch) {
    if (!isJsonObject(item)) return E.left(patchError(422, `list of maps merged by "${mergeKey}" got a non-map element: ${JSON.stringify(item)}`));
    const key = item[mergeKey];
    if (key === undefined) return E.left(patchError(422, `map: ${goMap(item)} does not contain declared merge key: ${mergeKey}`));
    const matches = (e: unknown) => isJsonObject(e) && deepEqual(e[mergeKey], key);
    const idx = result.findIndex(matches);
    if (item.$patch === 'delete') {
      for (let i = result.length - 1; i >= 0; i--) if (matches(result[i])) result.splice(i, 1);
      continue;
    }
    const existing = idx >= 0 ? result[idx] : undefined;
    const merged = mergeMap(isJsonObject(existing) ? existing : undefined, item, s.items);
    if (E.isLeft(merged)) return merged;
    const next = merged.right;
    if (idx < 0) {
      if (next !== undefined) result.push(next);
    } else if (next === undefined) {
      result.splice(idx, 1);
    } else {
      result[idx] = next;
    }
  }
  return E.right(result);
}

function replaceList(patch: readonly unknown[], items: FieldSchema): E.Either<PatchError, unknown[]> {
  const out: unknown[] = [];
  for (const p of patch) {
    if (!isJsonObject(p)) { out.push(p); continue; }
    const m = mergeMap(undefined, p, items);
    if (E.isLeft(m)) return m;
    if (m.right !== undefined) out.push(m.right);
  }
  return E.right(out);
}

/**
 * `$setElementOrder`: elements named in `order` come first, in that order; elements the patch
 * did not mention (present only on the server) keep their relative order after them.
 */
function orderElements(list: readonly unknown[], order: readonly unknown[], mergeKey: string | undefined): unknown[] {
  const identity = (e: unknown): unknown => (mergeKey !== undefined && isJsonObject(e) ? e[mergeKey] : e);
  const rank = (e: unknown): number => {
    const id = identity(e);
    const i = order.findIndex((o) => deepEqual(identity(o), id));
    return i < 0 ? order.length : i;
  };
  return list.map((e, i) => ({ e, i, r: rank(e) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.e);
}

/**
 * Strategic merge patch as kubectl emits it for built-in kinds. List merge keys come from the kind's
 * schema; outside metadata, kinds we do not describe merge maps and replace lists (what a JSON
 * merge patch would do, plus the directives).
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, kind: GroupKind): E.Either<PatchError, unknown> {
  if (!isJsonObject(patch)) {
    return E.left(patchError(400, `json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`));
  }
  const merged = mergeMap(isJsonObject(target) ? target : undefined, patch, mergeSchemaForKind(kind));
  return E.map((m: JsonObject | undefined) => cloneJson(m ?? {}))(merged);
}
