// The placement annotations of a federated object (replica-set preferences, cluster selector): codecs and parsing.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { requirement, type LabelSelector, type Operator, type Requirement } from '../kube-api/selectors.js';

export const PREFERENCES_ANNOTATION = 'federation.kubernetes.io/replica-set-preferences';
export const CLUSTER_SELECTOR_ANNOTATION = 'federation.alpha.kubernetes.io/cluster-selector';

/** An expected validation failure: `field` is a path into the decoded value ("clusters.berlin.weight"), "" for the whole value. */
export interface PreferencesError { readonly _tag: 'InvalidPreferences'; readonly field: string; readonly message: string }

export const formatPreferencesError = (e: PreferencesError): string => (e.field === '' ? e.message : `${e.field}: ${e.message}`);

// Replica counts and weights are int32 like spec.replicas. The bound also keeps the planner's
// products (replicas × weight < 2^62) inside int64, where Go computes them without overflow.
export const MAX_COUNT = 2 ** 31 - 1;

/** A non-negative int32: replicas, capacities, weights. */
export const Count = new t.Type<number, number, unknown>(
  'Count',
  (u): u is number => Number.isInteger(u) && (u as number) >= 0 && (u as number) <= MAX_COUNT,
  (u, c) => {
    if (typeof u !== 'number') return t.failure(u, c, 'must be a number');
    if (!Number.isInteger(u)) return t.failure(u, c, 'must be an integer');
    if (u < 0) return t.failure(u, c, 'must be greater than or equal to 0');
    if (u > MAX_COUNT) return t.failure(u, c, `must be less than or equal to ${MAX_COUNT}`);
    return t.success(u);
  },
  t.identity,
);

/** maxReplicas: null (or absent) means unbounded, as a nil *int64 in Federation v1. */
const MaxReplicas = new t.Type<number | null, number | null, unknown>(
  'MaxReplicas',
  (u): u is number | null => u === null || Count.is(u),
  (u, c) => (u === null ? t.success(null) : Count.validate(u, c)),
  t.identity,
);

/**
 * An object codec that rejects fields it does not know. Federation v1 silently ignored them, so a
 * typo such as "wieght" meant weight 0 and moved every replica away; here it is an error naming the field.
 */
export function closedObject<R extends t.Props, O extends t.Props>(name: string, required: R, optional: O) {
  const req = t.type(required);
  const opt = t.partial(optional);
  const known = new Set([...Object.keys(required), ...Object.keys(optional)]);
  type A = t.TypeOf<typeof req> & t.TypeOf<typeof opt>;
  return new t.Type<A, A, unknown>(
    name,
    (u): u is A => req.is(u) && opt.is(u),
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, 'must be an object');
      const unknownKey = Object.keys(u).find((k) => !known.has(k));
      if (unknownKey !== undefined) {
        return t.failure((u as Record<string, unknown>)[unknownKey], t.appendContext(c, unknownKey, t.unknown), 'unknown field');
      }
      const a = req.validate(u, c);
      if (E.isLeft(a)) return a;
      const b = opt.validate(u, c);
      return E.isLeft(b) ? b : t.success({ ...a.right, ...b.right } as A);
    },
    t.identity,
  );
}

const ClusterPreferencesFields = closedObject('ClusterPreferences', {}, {
  minReplicas: Count,
  maxReplicas: MaxReplicas,
  weight: Count,
});
type ClusterPreferencesFields = t.TypeOf<typeof ClusterPreferencesFields>;

/** One cluster's entry (or the "*" entry). Absent minReplicas and weight are 0, absent maxReplicas unbounded. */
export const ClusterPreferences = new t.Type<ClusterPreferencesFields, ClusterPreferencesFields, unknown>(
  'ClusterPreferences',
  (u): u is ClusterPreferencesFields => ClusterPreferencesFields.is(u) && minWithinMax(u),
  (u, c) => E.chain((p: ClusterPreferencesFields) => minWithinMax(p)
    ? t.success(p)
    : t.failure<ClusterPreferencesFields>(u, c, 'minReplicas must be less than or equal to maxReplicas'))(ClusterPreferencesFields.validate(u, c)),
  t.identity,
);
export type ClusterPreferences = t.TypeOf<typeof ClusterPreferences>;

function minWithinMax(p: ClusterPreferencesFields): boolean {
  return p.maxReplicas === undefined || p.maxReplicas === null || (p.minReplicas ?? 0) <= p.maxReplicas;
}

/** The value of the federation.kubernetes.io/replica-set-preferences annotation, field names as Federation v1 wrote them. */
export const ReplicaSetPreferences = closedObject('ReplicaSetPreferences',
  { clusters: t.readonly(t.record(t.string, ClusterPreferences)) },
  { rebalance: t.boolean },
);
export type ReplicaSetPreferences = t.TypeOf<typeof ReplicaSetPreferences>;

/** What an object without the annotation gets: an even split, keeping what already runs (rebalance false). */
export const DEFAULT_PREFERENCES: ReplicaSetPreferences = { rebalance: false, clusters: { '*': { weight: 1 } } };

const isIndex = (tag: string | undefined): boolean => tag === 'ArrayType' || tag === 'ReadonlyArrayType';

/** The first decoding error as a field path ("clusters.berlin.weight", "[2].values") and a message. */
export function toPreferencesError(errors: t.Errors): PreferencesError {
  const first = errors[0];
  if (first === undefined) return { _tag: 'InvalidPreferences', field: '', message: 'invalid value' };
  let field = '';
  for (let i = 1; i < first.context.length; i++) {
    const entry = first.context[i] as t.ContextEntry;
    const parent = first.context[i - 1] as t.ContextEntry;
    const index = Array.isArray(parent.actual) || isIndex((parent.type as { _tag?: string })._tag);
    field += index ? `[${entry.key}]` : field === '' ? entry.key : `.${entry.key}`;
  }
  const last = first.context[first.context.length - 1]?.type;
  const message = first.message ?? (first.value === undefined ? 'required' : `must be ${last === undefined ? 'valid' : expected(last)}`);
  return { _tag: 'InvalidPreferences', field, message };
}

/** What a built-in io-ts codec wants, in words. */
function expected(type: t.Decoder<unknown, unknown>): string {
  const tagged = type as unknown as { _tag?: string; type?: t.Decoder<unknown, unknown> };
  switch (tagged._tag) {
    case 'ReadonlyType': return tagged.type === undefined ? type.name : expected(tagged.type);
    case 'DictionaryType':
    case 'InterfaceType':
    case 'PartialType': return 'an object';
    case 'ArrayType':
    case 'ReadonlyArrayType': return 'an array';
    case 'StringType': return 'a string';
    case 'BooleanType': return 'a boolean';
    case 'NumberType': return 'a number';
    default: return type.name;
  }
}

/** Decodes with `codec`, reporting the first failure by field path. */
export function decodeWith<A>(codec: t.Decoder<unknown, A>, u: unknown): E.Either<PreferencesError, A> {
  return E.mapLeft(toPreferencesError)(codec.decode(u));
}

function parseJson(text: string): E.Either<PreferencesError, unknown> {
  return E.tryCatch(
    () => JSON.parse(text) as unknown,
    (e) => ({ _tag: 'InvalidPreferences' as const, field: '', message: `invalid JSON: ${(e as Error).message}` }),
  );
}

/** undefined (no annotation) gives DEFAULT_PREFERENCES. */
export function parsePreferences(annotationValue: string | undefined): E.Either<PreferencesError, ReplicaSetPreferences> {
  if (annotationValue === undefined) return E.right(DEFAULT_PREFERENCES);
  return E.chain((u: unknown) => decodeWith(ReplicaSetPreferences, u))(parseJson(annotationValue));
}

// Federation v1 accepted these spellings of each operator (clusterselector.ConvertOperator);
// "=", "==" and "!=" are single-value In and NotIn.
const OPERATORS: Readonly<Record<string, Operator>> = {
  In: 'In', in: 'In', '=': 'In', '==': 'In',
  NotIn: 'NotIn', notin: 'NotIn', '!=': 'NotIn',
  Exists: 'Exists', exists: 'Exists',
  DoesNotExist: 'DoesNotExist', '!': 'DoesNotExist',
  Gt: 'Gt', gt: 'Gt', '>': 'Gt',
  Lt: 'Lt', lt: 'Lt', '<': 'Lt',
};
const SINGLE_VALUE = new Set(['=', '==', '!=']);

const SelectorRequirement = closedObject('ClusterSelectorRequirement',
  { key: t.string, operator: t.string },
  { values: t.readonlyArray(t.string) },
);
const ClusterSelectorRequirements = t.readonlyArray(SelectorRequirement);

/** The cluster-selector annotation: a JSON array of {key, operator, values} matched against Cluster labels; undefined selects every cluster. */
export function parseClusterSelector(annotationValue: string | undefined): E.Either<PreferencesError, LabelSelector> {
  if (annotationValue === undefined) return E.right([]);
  const decoded = E.chain((u: unknown) => decodeWith(ClusterSelectorRequirements, u))(parseJson(annotationValue));
  if (E.isLeft(decoded)) return decoded;
  const out: Requirement[] = [];
  for (const [i, r] of decoded.right.entries()) {
    const fail = (field: string, message: string): E.Either<PreferencesError, never> =>
      E.left({ _tag: 'InvalidPreferences', field: `[${i}]${field}`, message });
    const operator = Object.hasOwn(OPERATORS, r.operator) ? OPERATORS[r.operator] : undefined;
    if (operator === undefined) return fail('.operator', `"${r.operator}" is not a valid selector operator`);
    const values = r.values ?? [];
    if (SINGLE_VALUE.has(r.operator) && values.length !== 1) return fail('.values', `operator "${r.operator}" takes exactly one value`);
    const req = requirement(r.key, operator, values);
    if (E.isLeft(req)) return fail('', req.left);
    out.push(req.right);
  }
  return E.right(out);
}
