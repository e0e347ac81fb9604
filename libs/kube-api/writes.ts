// Writes (create, replace, patch, server-side apply, status, scale, delete) with kube-apiserver's registry semantics over a Store.
import * as E from 'fp-ts/lib/Either.js';
import { conflictCauses, conflictMessage, recordUpdate, serverSideApply, type KubeObjectLike } from './apply.js';
import { getNumber, getPath, getString, setPath } from './json.js';
import { deepEqual, isJsonObject } from './json-value.js';
import {
  formatTimestamp, KubeObjectInput, ScaleInput, type DeleteOptions, type KubeObject, type ObjectMeta, type Scale, type Status,
} from './object.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, type GroupKind } from './patch.js';
import { decodeWith, type PatchType, type UserInfo } from './request.js';
import { apiVersionOf, servedAs, storedAs, type ResourceType } from './resources.js';
import { formatLabelSelector, labelSelectorFromSpec } from './selectors.js';
import {
  alreadyExists, applyConflict, badRequest, conflict, invalid, invalidRequest, notFound, serviceUnavailable,
  unsupportedMediaType, type ResourceName,
} from './status.js';
import type { Store, StoreError, WriteContext } from './store.js';
import {
  defaultSelectorFromTemplate, strictDecodingMessage, unknownFields, validateBuiltin, validateObjectMeta, type FieldCause,
} from './validation.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface AdmissionAttributes {
  readonly operation: 'CREATE' | 'UPDATE';
  readonly type: ResourceType;
  /** 'status', 'scale' or 'finalize' for subresource writes. */
  readonly subresource?: string;
  /** The object about to be stored (storage form). */
  readonly object: KubeObject;
  readonly oldObject?: KubeObject;
  readonly user?: UserInfo;
  readonly dryRun: boolean;
}

/** Admission control a server adds to the built-in rules (the federation's Cluster checks, for example). */
export interface AdmissionPlugin {
  /** Mutating admission: runs after defaulting, before validation. */
  readonly mutate?: (a: AdmissionAttributes) => KubeObject | Promise<KubeObject>;
  /** Validating admission: causes are answered as one 422 Invalid together with the built-in ones. */
  readonly validate?: (a: AdmissionAttributes) => readonly FieldCause[] | Promise<readonly FieldCause[]>;
}

export interface WriteDeps {
  readonly store: Store;
  readonly clock: () => Date;
  readonly newUid: () => string;
  readonly admission: readonly AdmissionPlugin[];
}

/** One write, resolved by the handler: which object, and the request's write options. */
export interface WriteTarget {
  readonly type: ResourceType;
  /** '' for cluster-scoped types. */
  readonly namespace: string;
  /** The name in the URL; '' for create, where the body (or generateName) names the object. */
  readonly name: string;
  readonly dryRun: boolean;
  readonly fieldValidation: FieldValidation;
  readonly fieldManager: string;
  readonly user?: UserInfo;
  readonly ctx: WriteContext;
}

export interface Written {
  readonly status: 200 | 201;
  /** Served at the target type's group version. */
  readonly object: KubeObject;
  /** Warning texts for the Warning header (fieldValidation=Warn). */
  readonly warnings: readonly string[];
}

type Result<A> = Promise<E.Either<Status, A>>;

/** Which part of the object a write may change. */
type Part = 'main' | 'status' | 'scale' | 'finalize';

/** What a write wants stored, computed from the current object (served form) on every attempt. */
interface Candidate {
  readonly object: unknown;
  /** A resourceVersion the client required; without one, internal conflicts are retried. */
  readonly precondition?: string;
  /** 'record': an Update by the field manager; 'given': managedFields already computed (server-side apply). */
  readonly managedFields: 'record' | 'given';
}

/** Bound on read-modify-write retries after a concurrent write: each retry re-reads and re-applies. */
const maxAttempts = 50;
/** Alphabet of generated name suffixes (kube's: no vowels, no look-alikes). */
const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
/** Metadata only the server sets; client values are dropped. */
const systemMeta = ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink'];

/** Schemas, validation and merge keys follow the requested group version (extensions/v1beta1 had its own fields). */
const servedKind = (type: ResourceType): GroupKind => ({ group: type.group, kind: type.kind });

export const resourceNameOf = (type: ResourceType): ResourceName => ({ group: type.group, plural: type.plural });

export function storeErrorStatus(type: ResourceType, name: string, e: StoreError): Status {
  switch (e._tag) {
    case 'NotFound': return notFound(resourceNameOf(type), name);
    case 'AlreadyExists': return alreadyExists(resourceNameOf(type), name);
    case 'Conflict': return conflict(resourceNameOf(type), name);
    case 'Unavailable': return serviceUnavailable(e.message);
  }
}

/** Objects the algorithms produce are built from KubeObjects, so they keep the KubeObject shape. */
const asKube = (o: KubeObjectLike): KubeObject => o as KubeObject;

function omitKeys<T extends object>(o: T, keys: readonly string[]): T {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k))) as T;
}

function generatedSuffix(uid: string): string {
  const hex = uid.replace(/[^0-9a-f]/gi, '').padEnd(10, '0');
  return Array.from({ length: 5 }, (_, i) => suffixAlphabet[parseInt(hex.slice(2 * i, 2 * i + 2), 16) % suffixAlphabet.length]).join('');
}

/** The body must be of the target's kind, in its namespace, and (for updates) carry the URL's name. */
function checkIdentity(t: WriteTarget, input: KubeObjectInput): E.Either<Status, void> {
  const apiVersion = apiVersionOf(t.type);
  if (input.apiVersion !== undefined && input.apiVersion !== apiVersion) {
    return E.left(badRequest(`the API version in the data (${input.apiVersion}) does not match the expected API version (${apiVersion})`));
  }
  if (input.kind !== undefined && input.kind !== t.type.kind) {
    return E.left(badRequest(`the kind in the data (${input.kind}) does not match the expected kind (${t.type.kind})`));
  }
  const ns = input.metadata?.namespace;
  if (t.type.namespaced && ns !== undefined && ns !== '' && ns !== t.namespace) {
    return E.left(badRequest('the namespace of the provided object does not match the namespace sent on the request'));
  }
  const name = input.metadata?.name;
  if (t.name !== '' && name !== undefined && name !== t.name) {
    return E.left(badRequest(`the name of the object (${name}) does not match the name on the URL (${t.name})`));
  }
  return E.right(undefined);
}

/** fieldValidation: Strict rejects unknown fields with 400, Warn reports them, Ignore drops them silently. */
function checkFields(t: WriteTarget, served: unknown): E.Either<Status, string[]> {
  if (t.fieldValidation === 'Ignore') return E.right([]);
  const unknown = unknownFields(served, servedKind(t.type));
  if (unknown.length > 0 && t.fieldValidation === 'Strict') return E.left(badRequest(strictDecodingMessage(unknown)));
  return E.right(unknown.map((f) => `unknown field ${JSON.stringify(f)}`));
}

/** Go decodes a JSON null as the zero value: `"creationTimestamp": null` (kubectl 1.27 sends it) means unset. */
function withoutNullMetadata(body: unknown): unknown {
  const meta = getPath(body, 'metadata');
  if (!isJsonObject(body) || !isJsonObject(meta)) return body;
  return { ...body, metadata: Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== null)) };
}

function decodeObject(t: WriteTarget, body: unknown): E.Either<Status, KubeObjectInput> {
  return E.chain((input: KubeObjectInput) => E.map(() => input)(checkIdentity(t, input)))(decodeWith(KubeObjectInput, withoutNullMetadata(body), t.type.kind));
}

/** Defaulting, mutating admission, then validation (built-in and admission), as kube orders them. */
async function admit(deps: WriteDeps, t: WriteTarget, part: Part, obj: KubeObject, old: KubeObject | undefined): Result<KubeObject> {
  let cur = t.type.defaults(t.type.legacySelectorDefaulting ? asKube(defaultSelectorFromTemplate(obj)) : obj);
  const attrs = (object: KubeObject): AdmissionAttributes => ({
    operation: old === undefined ? 'CREATE' : 'UPDATE', type: t.type, object, dryRun: t.dryRun,
    ...(part === 'main' ? {} : { subresource: part }),
    ...(old === undefined ? {} : { oldObject: old }),
    ...(t.user === undefined ? {} : { user: t.user }),
  });
  for (const p of deps.admission) {
    if (p.mutate !== undefined) cur = await p.mutate(attrs(cur));
  }
  const causes: FieldCause[] = [
    ...validateObjectMeta(cur.metadata, t.type.namespaced, t.type.nameFormat),
    ...validateBuiltin(cur, servedKind(t.type), { legacySelectorDefaulting: t.type.legacySelectorDefaulting }),
  ];
  for (const p of deps.admission) {
    if (p.validate !== undefined) causes.push(...await p.validate(attrs(cur)));
  }
  if (causes.length > 0) return E.left(invalid({ group: t.type.group, kind: t.type.kind }, cur.metadata.name ?? '', causes));
  return E.right(cur);
}

export async function create(deps: WriteDeps, t: WriteTarget, body: unknown): Result<Written> {
  const input = decodeObject(t, body);
  return E.isLeft(input) ? input : createObject(deps, t, input.right, 'record');
}

async function createObject(deps: WriteDeps, t: WriteTarget, input: KubeObjectInput, managed: Candidate['managedFields']): Result<Written> {
  const warnings = checkFields(t, { ...input, apiVersion: apiVersionOf(t.type), kind: t.type.kind });
  if (E.isLeft(warnings)) return warnings;
  const meta = omitKeys(input.metadata ?? {}, managed === 'given' ? systemMeta : [...systemMeta, 'managedFields']);
  const { status: _status, ...withoutStatus } = input;
  const generateName = meta.generateName;
  for (let attempt = 0; ; attempt += 1) {
    const now = formatTimestamp(deps.clock());
    const uid = deps.newUid();
    const generated = (meta.name === undefined || meta.name === '') && generateName !== undefined && generateName !== '';
    const metadata: ObjectMeta = {
      ...omitKeys(meta, ['namespace']),
      ...(generated ? { name: generateName + generatedSuffix(uid) } : {}),
      ...(t.type.namespaced ? { namespace: t.namespace } : {}),
      uid,
      creationTimestamp: now,
      ...(t.type.tracksGeneration ? { generation: 1 } : {}),
    };
    // Types with a status subresource start with an empty status, whatever the client sent.
    const fresh = t.type.resetsStatusOnCreate ? withoutStatus : input;
    const admitted = await admit(deps, t, 'main', storedAs(t.type, { ...fresh, apiVersion: '', kind: '', metadata }), undefined);
    if (E.isLeft(admitted)) return admitted;
    const obj = managed === 'given' ? admitted.right : asKube(recordUpdate(undefined, admitted.right, t.fieldManager, now, apiVersionOf(t.type)));
    if (t.dryRun) return E.right({ status: 201, object: servedAs(t.type, obj), warnings: warnings.right });
    const stored = await deps.store.create(t.type.storage, obj, t.ctx);
    if (E.isRight(stored)) return E.right({ status: 201, object: servedAs(t.type, stored.right), warnings: warnings.right });
    if (!(generated && stored.left._tag === 'AlreadyExists' && attempt < 8)) {
      return E.left(storeErrorStatus(t.type, obj.metadata.name ?? '', stored.left));
    }
  }
}

/** The parts of an object metadata.generation counts: everything but metadata and status. */
const specOf = (o: KubeObject): Record<string, unknown> => omitKeys(o, ['metadata', 'status']);

/** Equal for storage purposes: resourceVersion and managedFields timestamps aside; Updates also ignore ownership. */
function unchanged(a: KubeObject, b: KubeObject, managed: Candidate['managedFields']): boolean {
  const norm = (o: KubeObject): KubeObject => ({
    ...o,
    metadata: {
      ...omitKeys(o.metadata, ['resourceVersion', 'managedFields']),
      ...(managed === 'given' ? { managedFields: (o.metadata.managedFields ?? []).map((m) => omitKeys(m, ['time'])) } : {}),
    },
  });
  return deepEqual(norm(a), norm(b));
}

async function prepareUpdate(deps: WriteDeps, t: WriteTarget, part: Part, stored: KubeObject, cand: Candidate): Result<{ object: KubeObject; warnings: string[] }> {
  const input = decodeObject(t, cand.object);
  if (E.isLeft(input)) return input;
  const uid = input.right.metadata?.uid;
  if (uid !== undefined && uid !== '' && uid !== stored.metadata.uid) {
    return E.left(conflict(resourceNameOf(t.type), t.name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${stored.metadata.uid ?? ''}`));
  }
  const warnings = checkFields(t, input.right);
  if (E.isLeft(warnings)) return warnings;
  const keep = Object.fromEntries(systemMeta.flatMap((k) => {
    const v = (stored.metadata as Record<string, unknown>)[k];
    return v === undefined ? [] : [[k, v]];
  })) as ObjectMeta;
  const given = storedAs(t.type, {
    ...input.right, apiVersion: '', kind: '',
    metadata: { ...omitKeys(input.right.metadata ?? {}, [...systemMeta, 'namespace', 'name']), name: t.name, ...(t.type.namespaced ? { namespace: t.namespace } : {}), ...keep },
  });
  let next: KubeObject;
  switch (part) {
    case 'status':
      next = withField(stored, 'status', given['status']);
      next = cand.managedFields === 'given' ? { ...next, metadata: { ...next.metadata, managedFields: given.metadata.managedFields ?? [] } } : next;
      break;
    case 'finalize':
      next = { ...stored, spec: { ...(stored['spec'] as object | undefined), finalizers: getPath(given, 'spec', 'finalizers') ?? [] } };
      break;
    default:
      next = t.type.status ? withField(given, 'status', stored['status']) : given;
  }
  if (t.type.tracksGeneration && !deepEqual(specOf(stored), specOf(next))) {
    next = { ...next, metadata: { ...next.metadata, generation: (stored.metadata.generation ?? 0) + 1 } };
  }
  const admitted = await admit(deps, t, part, next, stored);
  if (E.isLeft(admitted)) return admitted;
  const now = formatTimestamp(deps.clock());
  const object = cand.managedFields === 'given' ? admitted.right : asKube(recordUpdate(stored, admitted.right, t.fieldManager, now, apiVersionOf(t.type)));
  return E.right({ object, warnings: warnings.right });
}

function withField(o: KubeObject, key: string, value: unknown): KubeObject {
  const { [key]: _old, ...rest } = o;
  return (value === undefined ? rest : { ...rest, [key]: value }) as KubeObject;
}

/**
 * Read-modify-write: re-read the object, compute the candidate from it, store it if the object was not
 * written meanwhile. Without an explicit precondition a concurrent write just means another round, so
 * concurrent patches never lose an update.
 */
async function updateLoop(deps: WriteDeps, t: WriteTarget, part: Part, compute: (current: KubeObject, stored: KubeObject) => E.Either<Status, Candidate>): Result<Written> {
  for (let attempt = 1; ; attempt += 1) {
    const stored = await deps.store.get(t.type.storage, t.namespace, t.name);
    if (stored === undefined) return E.left(notFound(resourceNameOf(t.type), t.name));
    const cand = compute(servedAs(t.type, stored), stored);
    if (E.isLeft(cand)) return cand;
    const { precondition } = cand.right;
    if (precondition !== undefined && precondition !== stored.metadata.resourceVersion) return E.left(conflict(resourceNameOf(t.type), t.name));
    const prepared = await prepareUpdate(deps, t, part, stored, cand.right);
    if (E.isLeft(prepared)) return prepared;
    const { object: next, warnings } = prepared.right;
    if (unchanged(stored, next, cand.right.managedFields)) return E.right({ status: 200, object: servedAs(t.type, stored), warnings });
    if (t.dryRun) return E.right({ status: 200, object: servedAs(t.type, next), warnings });
    // Removing the last finalizer of an object being deleted completes its deletion.
    const finished = next.metadata.deletionTimestamp !== undefined && (next.metadata.finalizers ?? []).length === 0;
    const written = finished
      ? await deps.store.delete(t.type.storage, t.namespace, t.name, { expectedResourceVersion: stored.metadata.resourceVersion ?? '', options: {} }, t.ctx)
      : await deps.store.update(t.type.storage, next, stored.metadata.resourceVersion ?? '', t.ctx);
    if (E.isRight(written)) return E.right({ status: 200, object: servedAs(t.type, written.right), warnings });
    const retry = written.left._tag === 'Conflict' && precondition === undefined && attempt < maxAttempts;
    if (!retry) return E.left(storeErrorStatus(t.type, t.name, written.left));
  }
}

const nonEmpty = (s: string | undefined): string | undefined => (s === '' ? undefined : s);

/** PUT of the object or its status/finalize subresource; a body resourceVersion is a precondition. */
export async function replace(deps: WriteDeps, t: WriteTarget, part: 'main' | 'status' | 'finalize', body: unknown): Result<Written> {
  const precondition = nonEmpty(getString(body, 'metadata', 'resourceVersion'));
  return updateLoop(deps, t, part, () => E.right({ object: body, managedFields: 'record', ...(precondition === undefined ? {} : { precondition }) }));
}

/** Apply a merge, JSON or strategic merge patch to `current` (the served form). */
function patchWith(pt: Exclude<PatchType, 'apply'>, gk: GroupKind, strategic: boolean, current: unknown, patch: unknown): E.Either<Status, unknown> {
  switch (pt) {
    case 'merge':
      return E.right(applyMergePatch(current, patch));
    case 'json':
      return E.mapLeft((e: { code: number; message: string }) => (e.code === 422 ? invalidRequest(e.message) : badRequest(e.message)))(applyJsonPatch(current, patch));
    case 'strategic':
      if (!strategic) return E.left(unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']));
      return E.mapLeft((e: { code: number; message: string }) => (e.code === 422 ? invalidRequest(e.message) : badRequest(e.message)))(applyStrategicMergePatch(current, patch, gk));
  }
}

/** The resourceVersion a patch requires: the one it names, or (JSON patch) the one its result carries. */
function patchPrecondition(pt: PatchType, patch: unknown, current: KubeObject | Scale, result: unknown): string | undefined {
  if (pt !== 'json') return nonEmpty(getString(patch, 'metadata', 'resourceVersion'));
  const rv = getString(result, 'metadata', 'resourceVersion');
  return rv === current.metadata.resourceVersion ? undefined : nonEmpty(rv);
}

export async function patch(deps: WriteDeps, t: WriteTarget, part: 'main' | 'status', pt: PatchType, body: unknown, force: boolean): Result<Written> {
  if (pt === 'apply') return applyWrite(deps, t, part, body, force);
  return updateLoop(deps, t, part, (current) => E.map((result: unknown): Candidate => {
    const precondition = patchPrecondition(pt, body, current, result);
    return { object: result, managedFields: 'record', ...(precondition === undefined ? {} : { precondition }) };
  })(patchWith(pt, servedKind(t.type), t.type.strategicMergePatch, current, body)));
}

/** Server-side apply: create when missing (201), else merge with field ownership (409 on conflicts unless forced). */
async function applyWrite(deps: WriteDeps, t: WriteTarget, part: 'main' | 'status', body: unknown, force: boolean): Result<Written> {
  const input = decodeObject(t, body);
  if (E.isLeft(input)) return input;
  const apiVersion = apiVersionOf(t.type);
  const applied = storedAs(t.type, {
    ...input.right, apiVersion: '', kind: '',
    metadata: { ...input.right.metadata, name: t.name, ...(t.type.namespaced ? { namespace: t.namespace } : {}) },
  });
  const precondition = nonEmpty(input.right.metadata?.resourceVersion);
  for (let attempt = 0; ; attempt += 1) {
    const updated = await updateLoop(deps, t, part, (_current, stored) => {
      const r = serverSideApply(stored, applied, t.fieldManager, force, formatTimestamp(deps.clock()), apiVersion);
      if (E.isLeft(r)) return E.left(applyConflict(resourceNameOf(t.type), t.name, conflictMessage(r.left, apiVersion), conflictCauses(r.left, apiVersion)));
      return E.right({ object: servedAs(t.type, asKube(r.right)), managedFields: 'given', ...(precondition === undefined ? {} : { precondition }) });
    });
    if (!(E.isLeft(updated) && updated.left.reason === 'NotFound') || part !== 'main') return updated;
    const r = serverSideApply(undefined, applied, t.fieldManager, force, formatTimestamp(deps.clock()), apiVersion);
    if (E.isLeft(r)) return E.left(applyConflict(resourceNameOf(t.type), t.name, conflictMessage(r.left, apiVersion), conflictCauses(r.left, apiVersion)));
    const created = await createObject(deps, t, servedAs(t.type, asKube(r.right)), 'given');
    // Created by someone else in between: apply again, now as an update.
    if (!(E.isLeft(created) && created.left.reason === 'AlreadyExists' && attempt < 3)) return created;
  }
}

// ---- scale ----

const scaleKind: GroupKind = { group: 'autoscaling', kind: 'Scale' };

/** The autoscaling/v1 Scale view of a scalable object. */
export function scaleOf(type: ResourceType, obj: KubeObject): Scale {
  const s = type.scale;
  const sel = s === undefined ? undefined : getPath(obj, ...s.selectorPath);
  const selector = typeof sel === 'string' ? sel : sel === undefined ? '' : E.match(() => '', formatLabelSelector)(labelSelectorFromSpec(sel));
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp,
    } as ObjectMeta,
    spec: { replicas: s === undefined ? 0 : getNumber(obj, ...s.specReplicasPath) ?? 0 },
    status: { replicas: s === undefined ? 0 : getNumber(obj, ...s.statusReplicasPath) ?? 0, ...(selector === '' ? {} : { selector }) },
  };
}

/** Write through the Scale view: only spec.replicas reaches the object. */
async function writeScale(deps: WriteDeps, t: WriteTarget, compute: (scale: Scale) => E.Either<Status, { scale: unknown; precondition?: string }>): Result<{ scale: Scale; warnings: readonly string[] }> {
  const paths = t.type.scale;
  if (paths === undefined) return E.left(notFound(resourceNameOf(t.type), t.name));
  const written = await updateLoop(deps, t, 'scale', (current) => {
    const c = compute(scaleOf(t.type, current));
    if (E.isLeft(c)) return c;
    const input = decodeWith(ScaleInput, c.right.scale, 'Scale');
    if (E.isLeft(input)) return input;
    const replicas = input.right.spec.replicas ?? getNumber(current, ...paths.specReplicasPath) ?? 0;
    if (!Number.isInteger(replicas) || replicas < 0) {
      return E.left(invalid(scaleKind, t.name, [{ reason: 'FieldValueInvalid', message: `Invalid value: ${replicas}: must be greater than or equal to 0`, field: 'spec.replicas' }]));
    }
    const { precondition } = c.right;
    return E.right({ object: setPath(current, paths.specReplicasPath, replicas), managedFields: 'record', ...(precondition === undefined ? {} : { precondition }) });
  });
  return E.map((w: Written) => ({ scale: scaleOf(t.type, w.object), warnings: w.warnings }))(written);
}

export function replaceScale(deps: WriteDeps, t: WriteTarget, body: unknown): Result<{ scale: Scale; warnings: readonly string[] }> {
  const precondition = nonEmpty(getString(body, 'metadata', 'resourceVersion'));
  return writeScale(deps, t, () => E.right({ scale: body, ...(precondition === undefined ? {} : { precondition }) }));
}

export function patchScale(deps: WriteDeps, t: WriteTarget, pt: PatchType, body: unknown): Result<{ scale: Scale; warnings: readonly string[] }> {
  return writeScale(deps, t, (scale) => {
    // An apply patch on a Scale sets what it names, like a merge patch.
    const result = patchWith(pt === 'apply' ? 'merge' : pt, scaleKind, true, scale, body);
    return E.map((r: unknown) => {
      const precondition = patchPrecondition(pt, body, scale, r);
      return { scale: r, ...(precondition === undefined ? {} : { precondition }) };
    })(result);
  });
}

// ---- delete ----

/**
 * DELETE: an object with finalizers gets a deletionTimestamp and stays until they are removed; any other
 * is removed at once. Answers the object (its last state, or the one marked for deletion).
 */
export async function remove(deps: WriteDeps, t: WriteTarget, options: DeleteOptions): Result<Written> {
  const rn = resourceNameOf(t.type);
  const pre = options.preconditions;
  for (let attempt = 1; ; attempt += 1) {
    const stored = await deps.store.get(t.type.storage, t.namespace, t.name);
    if (stored === undefined) return E.left(notFound(rn, t.name));
    const { uid, resourceVersion } = stored.metadata;
    if (pre?.uid !== undefined && pre.uid !== uid) {
      return E.left(conflict(rn, t.name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${uid ?? ''}`));
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== resourceVersion) {
      return E.left(conflict(rn, t.name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${resourceVersion ?? ''}`));
    }
    const graceful = (stored.metadata.finalizers ?? []).length > 0;
    if (graceful && stored.metadata.deletionTimestamp !== undefined) return E.right({ status: 200, object: servedAs(t.type, stored), warnings: [] });
    const marked: KubeObject = {
      ...stored,
      metadata: {
        ...stored.metadata,
        deletionTimestamp: formatTimestamp(deps.clock()),
        deletionGracePeriodSeconds: 0,
        ...(t.type.tracksGeneration ? { generation: (stored.metadata.generation ?? 0) + 1 } : {}),
      },
    };
    if (t.dryRun) return E.right({ status: 200, object: servedAs(t.type, graceful ? marked : stored), warnings: [] });
    const written = graceful
      ? await deps.store.update(t.type.storage, marked, resourceVersion ?? '', t.ctx)
      : await deps.store.delete(t.type.storage, t.namespace, t.name, { expectedResourceVersion: resourceVersion ?? '', options }, t.ctx);
    if (E.isRight(written)) return E.right({ status: 200, object: servedAs(t.type, written.right), warnings: [] });
    if (!(written.left._tag === 'Conflict' && attempt < maxAttempts)) return E.left(storeErrorStatus(t.type, t.name, written.left));
  }
}
