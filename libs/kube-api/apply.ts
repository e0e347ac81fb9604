// Server-side apply and field ownership: metadata.managedFields kept in kube's FieldsV1 format.
import * as E from 'fp-ts/lib/Either.js';
import { fieldSchemaOrAny, itemSchema, mergeSchemaForKind, type FieldSchema } from './field-schema.js';
import { cloneJson, deepEqual, isJsonObject, type JsonObject } from './json-value.js';

export type KubeObjectLike = { apiVersion?: string; kind?: string; metadata?: Record<string, unknown>; [k: string]: unknown };

export interface ApplyConflict {
  readonly _tag: 'ApplyConflict';
  /** `field` like ".spec.replicas"; `operation`/`apiVersion` name the conflicting manager's entry, as kube prints it. */
  readonly conflicts: ReadonlyArray<{ readonly manager: string; readonly field: string; readonly operation?: 'Apply' | 'Update'; readonly apiVersion?: string }>;
}

/** The manager kube-apiserver assigns an object's fields to when it first sees an object without managedFields. */
export const beforeFirstApplyManager = 'before-first-apply';

// ---- field paths ----

/** A path of FieldsV1 elements: `f:<field>`, `k:<json of key fields>`, `v:<json value>`. */
type FieldPath = readonly string[];
type FieldSet = Map<string, FieldPath>;

const pathId = (p: FieldPath): string => JSON.stringify(p);
const isPrefixOf = (prefix: FieldPath, p: FieldPath): boolean =>
  prefix.length <= p.length && prefix.every((e, i) => e === p[i]);

type PathElement =
  | { readonly t: 'f'; readonly name: string }
  | { readonly t: 'k'; readonly key: JsonObject }
  | { readonly t: 'v'; readonly value: unknown };

function parseElement(pe: string): PathElement | undefined {
  const body = pe.slice(2);
  switch (pe.slice(0, 2)) {
    case 'f:': return { t: 'f', name: body };
    case 'k:': { const key: unknown = JSON.parse(body); return isJsonObject(key) ? { t: 'k', key } : undefined; }
    case 'v:': return { t: 'v', value: JSON.parse(body) as unknown };
    default: return undefined; // i: (index) elements are never produced for the lists we track
  }
}

/** kube's printed form of a path (`.spec.template.spec.containers[name="nginx"].image`), used in conflicts. */
export function formatFieldPath(p: FieldPath): string {
  return p.map((pe) => {
    const e = parseElement(pe);
    if (e === undefined) return `[${pe.slice(2)}]`;
    switch (e.t) {
      case 'f': return `.${e.name}`;
      case 'k': return `[${Object.entries(e.key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      case 'v': return `[=${JSON.stringify(e.value)}]`;
    }
  }).join('');
}

interface Member { readonly path: FieldPath; readonly leaf: boolean }

/**
 * The fields an object sets, at the granularity apply tracks: scalars, atomic structs/lists and empty
 * maps are leaves; keyed list items and set values are members of their own.
 */
function collectMembers(value: unknown, s: FieldSchema, prefix: FieldPath, out: Member[]): void {
  if (isJsonObject(value) && !((s.type === 'struct' || s.type === 'map') && s.atomic === true)) {
    const entries = Object.entries(value).filter(([, v]) => v !== null);
    if (entries.length === 0 && prefix.length > 0) out.push({ path: prefix, leaf: true });
    for (const [k, v] of entries) collectMembers(v, fieldSchemaOrAny(s, k), [...prefix, `f:${k}`], out);
    return;
  }
  if (Array.isArray(value) && s.type === 'list' && value.length > 0) {
    const { mergeKey } = s;
    if (s.set === true) {
      for (const v of value) out.push({ path: [...prefix, `v:${JSON.stringify(v)}`], leaf: false });
      return;
    }
    if (mergeKey !== undefined && value.every((v) => isJsonObject(v) && v[mergeKey] !== undefined)) {
      for (const item of value as JsonObject[]) {
        const itemPath = [...prefix, `k:${JSON.stringify({ [mergeKey]: item[mergeKey] })}`];
        out.push({ path: itemPath, leaf: false });
        collectMembers(item, s.items, itemPath, out);
      }
      return;
    }
  }
  out.push({ path: prefix, leaf: true });
}

const serverOwnedMetadata = [
  'name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'managedFields', 'selfLink',
];

/** The object without identity and server-maintained fields, which nobody owns. */
function ownableFields(obj: KubeObjectLike): JsonObject {
  const { apiVersion: _a, kind: _k, metadata, ...rest } = obj;
  if (!isJsonObject(metadata)) return rest;
  const meta = Object.fromEntries(Object.entries(metadata).filter(([k]) => !serverOwnedMetadata.includes(k)));
  return Object.keys(meta).length > 0 ? { ...rest, metadata: meta } : rest;
}

function membersOf(obj: KubeObjectLike, s: FieldSchema): Member[] {
  const out: Member[] = [];
  collectMembers(ownableFields(obj), s, [], out);
  return out;
}

const toSet = (members: readonly Member[]): FieldSet => new Map(members.map((m) => [pathId(m.path), m.path]));

function valueAt(obj: unknown, p: FieldPath): { readonly value: unknown } | undefined {
  let cur: unknown = obj;
  for (const pe of p) {
    const e = parseElement(pe);
    if (e === undefined) return undefined;
    if (e.t === 'f') {
      if (!isJsonObject(cur) || !Object.hasOwn(cur, e.name)) return undefined;
      cur = cur[e.name];
    } else {
      if (!Array.isArray(cur)) return undefined;
      const found = cur.find((x) => elementMatches(x, e));
      if (found === undefined) return undefined;
      cur = found;
    }
  }
  return { value: cur };
}

function elementMatches(x: unknown, e: PathElement): boolean {
  if (e.t === 'v') return deepEqual(x, e.value);
  return e.t === 'k' && isJsonObject(x) && Object.entries(e.key).every(([k, v]) => deepEqual(x[k], v));
}

/**
 * Removes the field at `p` from `node`, without mutating it. Maps and lists that become empty
 * because of the removal go too, so dropping a container's last port drops `ports` rather than
 * leaving `ports: []` behind.
 */
function removeAt(node: unknown, p: FieldPath): { readonly value: unknown } | undefined {
  const [head, ...rest] = p;
  const e = head === undefined ? undefined : parseElement(head);
  if (e === undefined) return { value: node };
  const removeChild = (child: unknown): { readonly value: unknown } | undefined => {
    if (rest.length === 0) return undefined;
    const r = removeAt(child, rest);
    const emptied = r !== undefined && ((Array.isArray(r.value) && r.value.length === 0) || (isJsonObject(r.value) && Object.keys(r.value).length === 0));
    const wasEmpty = (Array.isArray(child) && child.length === 0) || (isJsonObject(child) && Object.keys(child).length === 0);
    return emptied && !wasEmpty ? undefined : r;
  };
  if (e.t === 'f') {
    if (!isJsonObject(node) || !Object.hasOwn(node, e.name)) return { value: node };
    const { [e.name]: child, ...others } = node;
    const r = removeChild(child);
    return { value: r === undefined ? others : { ...others, [e.name]: r.value } };
  }
  if (!Array.isArray(node)) return { value: node };
  const out: unknown[] = [];
  for (const x of node) {
    if (!elementMatches(x, e)) { out.push(x); continue; }
    const r = removeChild(x);
    if (r !== undefined) out.push(r.value);
  }
  return { value: out };
}

// ---- FieldsV1 encoding ----

interface Trie { member: boolean; readonly children: Map<string, Trie> }

export function encodeFieldsV1(set: FieldSet): JsonObject {
  const root: Trie = { member: false, children: new Map() };
  for (const p of set.values()) {
    let node = root;
    for (const pe of p) {
      let next = node.children.get(pe);
      if (next === undefined) { next = { member: false, children: new Map() }; node.children.set(pe, next); }
      node = next;
    }
    node.member = true;
  }
  const render = (t: Trie): JsonObject => {
    const out: JsonObject = t.member && t.children.size > 0 ? { '.': {} } : {};
    for (const k of [...t.children.keys()].sort()) out[k] = render(t.children.get(k) as Trie);
    return out;
  };
  return render(root);
}

export function decodeFieldsV1(fields: unknown): FieldSet {
  const set: FieldSet = new Map();
  const walk = (node: unknown, prefix: FieldPath): void => {
    if (!isJsonObject(node)) return;
    const keys = Object.keys(node);
    if (prefix.length > 0 && (keys.length === 0 || keys.includes('.'))) set.set(pathId(prefix), prefix);
    for (const k of keys) if (k !== '.') walk(node[k], [...prefix, k]);
  };
  walk(fields, []);
  return set;
}

// ---- managedFields entries ----

interface Manager {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly apiVersion: string;
  readonly time: string | undefined;
  readonly subresource: string | undefined;
  readonly fields: FieldSet;
}

const sameManager = (a: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>, b: typeof a): boolean =>
  a.manager === b.manager && a.operation === b.operation && a.subresource === b.subresource &&
  (a.operation === 'Apply' || a.apiVersion === b.apiVersion); // Apply entries are one per manager, whatever the version

function readManagers(obj: KubeObjectLike | undefined, s: FieldSchema, now: string, apiVersion: string): Manager[] {
  if (obj === undefined) return [];
  const raw = obj.metadata?.managedFields;
  const entries = Array.isArray(raw) ? raw.filter(isJsonObject) : [];
  if (entries.length === 0) {
    // As kube-apiserver does: an object nobody tracked yet belongs to one synthetic manager.
    const fields = toSet(membersOf(obj, s));
    return fields.size === 0 ? [] : [{ manager: beforeFirstApplyManager, operation: 'Update', apiVersion, time: now, subresource: undefined, fields }];
  }
  return entries.map((e) => ({
    manager: typeof e.manager === 'string' ? e.manager : '',
    operation: e.operation === 'Apply' ? 'Apply' : 'Update',
    apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : apiVersion,
    time: typeof e.time === 'string' ? e.time : undefined,
    subresource: typeof e.subresource === 'string' ? e.subresource : undefined,
    fields: decodeFieldsV1(e.fieldsV1),
  }));
}

function writeManagers(obj: JsonObject, managers: readonly Manager[]): KubeObjectLike {
  const entries = managers.filter((m) => m.fields.size > 0).map((m) => ({
    manager: m.manager, operation: m.operation, apiVersion: m.apiVersion,
    ...(m.time === undefined ? {} : { time: m.time }),
    fieldsType: 'FieldsV1', fieldsV1: encodeFieldsV1(m.fields),
    ...(m.subresource === undefined ? {} : { subresource: m.subresource }),
  }));
  const meta = isJsonObject(obj.metadata) ? { ...obj.metadata } : {};
  if (entries.length > 0) meta.managedFields = entries;
  else delete meta.managedFields;
  return { ...obj, metadata: meta };
}

/** Drops `removed` paths and everything under them. */
function withoutPaths(fields: FieldSet, removed: readonly FieldPath[]): FieldSet {
  return new Map([...fields].filter(([, p]) => !removed.some((r) => isPrefixOf(r, p))));
}

const setsEqual = (a: FieldSet, b: FieldSet): boolean => a.size === b.size && [...a.keys()].every((k) => b.has(k));

const schemaOf = (obj: KubeObjectLike): FieldSchema => {
  const [group, version] = (obj.apiVersion ?? '').split('/');
  return mergeSchemaForKind({ group: version === undefined ? '' : (group ?? ''), kind: obj.kind ?? '' });
};

// ---- apply ----

/** Merges an applied configuration into the live object: keyed lists by key, sets by value, atomic parts whole. */
function mergeApplied(live: unknown, applied: unknown, s: FieldSchema): unknown {
  if (isJsonObject(applied)) {
    if ((s.type === 'struct' || s.type === 'map') && s.atomic === true) return applied;
    const out: JsonObject = isJsonObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(applied)) {
      if (v !== null) out[k] = mergeApplied(out[k], v, fieldSchemaOrAny(s, k));
    }
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live) && s.type === 'list') {
    if (s.set === true) return [...applied, ...live.filter((x) => !applied.some((a) => deepEqual(a, x)))];
    const { mergeKey } = s;
    const keyed = (xs: unknown[]): xs is JsonObject[] => xs.every((x) => isJsonObject(x) && x[mergeKey ?? ''] !== undefined);
    if (mergeKey !== undefined && keyed(applied) && keyed(live)) {
      const sameKey = (a: JsonObject) => (b: JsonObject) => deepEqual(a[mergeKey], b[mergeKey]);
      const merged = applied.map((a) => mergeApplied(live.find(sameKey(a)), a, itemSchema(s)));
      return [...merged, ...live.filter((l) => !applied.some((a) => sameKey(a)(l)))];
    }
  }
  return applied;
}

/**
 * Server-side apply of `applied` by `manager`. Fields set to a value other than live and owned by
 * another manager conflict unless `force` (then ownership moves). Fields this manager applied before
 * and no longer applies are removed unless someone else owns them. Returns the new object with its
 * managedFields; the caller sets resourceVersion, uid and the like.
 */
export function serverSideApply(
  live: KubeObjectLike | undefined, applied: KubeObjectLike, manager: string, force: boolean, now: string, apiVersion: string,
): E.Either<ApplyConflict, KubeObjectLike> {
  const s = schemaOf(live ?? applied);
  const appliedMembers = membersOf(applied, s);
  const appliedSet = toSet(appliedMembers);
  const me = { manager, operation: 'Apply' as const, apiVersion, subresource: undefined };
  let managers = readManagers(live, s, now, apiVersion);
  const previous = managers.find((m) => sameManager(m, me));
  const appliedValues = ownableFields(applied);

  const conflicts: { manager: Manager; path: FieldPath }[] = [];
  for (const { path, leaf } of appliedMembers) {
    if (!leaf) continue;
    const current = valueAt(live, path);
    if (current === undefined || deepEqual(current.value, valueAt(appliedValues, path)?.value)) continue;
    for (const m of managers) {
      if (!sameManager(m, me) && m.fields.has(pathId(path))) conflicts.push({ manager: m, path });
    }
  }
  if (conflicts.length > 0 && !force) {
    return E.left({
      _tag: 'ApplyConflict',
      conflicts: conflicts.map((c) => ({ manager: c.manager.manager, field: formatFieldPath(c.path), operation: c.manager.operation, apiVersion: c.manager.apiVersion })),
    });
  }
  const taken = conflicts.map((c) => c.path);
  managers = managers.map((m) => (sameManager(m, me) ? m : { ...m, fields: withoutPaths(m.fields, taken) }));

  const base: JsonObject = live ?? {
    apiVersion: applied.apiVersion, kind: applied.kind,
    metadata: Object.fromEntries(['name', 'namespace', 'generateName'].flatMap((k) => (applied.metadata?.[k] === undefined ? [] : [[k, applied.metadata[k]]]))),
  };
  let result = mergeApplied(base, appliedValues, s);
  const othersOwn = (p: FieldPath) => managers.some((m) => !sameManager(m, me) && [...m.fields.values()].some((q) => isPrefixOf(p, q)));
  for (const p of previous?.fields.values() ?? []) {
    if (!appliedSet.has(pathId(p)) && !othersOwn(p)) result = removeAt(result, p)?.value;
  }

  const unchanged = previous !== undefined && setsEqual(previous.fields, appliedSet) && deepEqual(result, live);
  const mine: Manager = { ...me, time: unchanged ? previous.time : now, fields: appliedSet };
  managers = previous === undefined ? [...managers, mine] : managers.map((m) => (m === previous ? mine : m));
  return E.right(writeManagers(result as JsonObject, managers));
}

/**
 * Records an Update operation (create, PUT, patch, scale) by `manager`: it takes ownership of the
 * fields it added or changed, away from other managers; fields it removed are dropped from every
 * manager. Returns `after` with metadata.managedFields maintained.
 */
export function recordUpdate(before: KubeObjectLike | undefined, after: KubeObjectLike, manager: string, now: string, apiVersion: string): KubeObjectLike {
  const s = schemaOf(after);
  const beforeValues = before === undefined ? {} : ownableFields(before);
  const afterValues = ownableFields(after);
  const beforeSet = toSet(before === undefined ? [] : membersOf(before, s));
  const afterMembers = membersOf(after, s);
  const changed = afterMembers
    .filter(({ path, leaf }) => {
      const old = valueAt(beforeValues, path);
      return old === undefined || (leaf && !deepEqual(old.value, valueAt(afterValues, path)?.value));
    })
    .map((m) => m.path);
  const afterSet = toSet(afterMembers);
  const removed = [...beforeSet.values()].filter((p) => !afterSet.has(pathId(p)));

  const me = { manager, operation: 'Update' as const, apiVersion, subresource: undefined };
  const managers = readManagers(before, s, now, apiVersion).map((m) => ({
    ...m, fields: withoutPaths(m.fields, sameManager(m, me) ? removed : [...removed, ...changed]),
  }));
  const previous = managers.find((m) => sameManager(m, me));
  const fields: FieldSet = new Map([...(previous?.fields ?? []), ...changed.map((p): [string, FieldPath] => [pathId(p), p])]);
  const mine: Manager = { ...me, time: changed.length === 0 && previous !== undefined ? previous.time : now, fields };
  const next = previous === undefined ? [...managers, mine] : managers.map((m) => (m === previous ? mine : m));
  return writeManagers(cloneJson(after), next);
}

// ---- conflict reporting ----

function managerLabel(c: ApplyConflict['conflicts'][number], apiVersion: string): string {
  const name = JSON.stringify(c.manager);
  return c.operation === 'Apply' ? name : `${name} using ${c.apiVersion ?? apiVersion}`;
}

/** The Status causes kube-apiserver attaches to a 409 apply conflict. */
export function conflictCauses(c: ApplyConflict, apiVersion: string): { reason: 'FieldManagerConflict'; message: string; field: string }[] {
  return c.conflicts.map((x) => ({ reason: 'FieldManagerConflict', message: `conflict with ${managerLabel(x, apiVersion)}`, field: x.field }));
}

/** kube-apiserver's message for a 409 apply conflict (`apiVersion` names Update managers whose entry carries none). */
export function conflictMessage(c: ApplyConflict, apiVersion: string): string {
  const [only] = c.conflicts;
  if (c.conflicts.length === 1 && only !== undefined) {
    return `Apply failed with 1 conflict: conflict with ${managerLabel(only, apiVersion)}: ${only.field}`;
  }
  const byManager = new Map<string, string[]>();
  for (const x of c.conflicts) {
    const label = managerLabel(x, apiVersion);
    byManager.set(label, [...(byManager.get(label) ?? []), x.field]);
  }
  const lines = [...byManager.keys()].sort().flatMap((label) => [`conflicts with ${label}:`, ...(byManager.get(label) ?? []).map((f) => `- ${f}`)]);
  return `Apply failed with ${c.conflicts.length} conflicts: ${lines.join('\n')}`;
}
