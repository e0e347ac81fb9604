// Kubernetes label and field selectors: kubectl text and LabelSelector objects parsed into one model, canonical text, matching.
import * as E from 'fp-ts/lib/Either.js';

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
export interface Requirement { readonly key: string; readonly operator: Operator; readonly values: readonly string[] }
/** AND of requirements; [] matches everything. */
export type LabelSelector = readonly Requirement[];

export interface FieldRequirement { readonly field: string; readonly op: '=' | '!='; readonly value: string }
export type FieldSelector = readonly FieldRequirement[];

// Label key and value syntax as apimachinery validates it (IsQualifiedName, IsValidLabelValue).
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const NAME_RULE = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
// int64 as strconv.ParseInt(s, 10, 64) accepts it: Gt/Lt compare such integers, anything else never matches.
const INTEGER = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function validateKey(key: string): E.Either<string, string> {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined) {
    if (prefix.length === 0) return E.left(`invalid label key "${key}": prefix part must be non-empty`);
    if (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) {
      return E.left(`invalid label key "${key}": prefix part must be a lowercase RFC 1123 subdomain of at most 253 characters`);
    }
  }
  if (name.length === 0) return E.left(`invalid label key "${key}": name part must be non-empty`);
  if (name.length > 63) return E.left(`invalid label key "${key}": name part must be no more than 63 characters`);
  if (!NAME.test(name)) return E.left(`invalid label key "${key}": name part ${NAME_RULE}`);
  return E.right(key);
}

function validateValue(value: string): E.Either<string, string> {
  if (value.length > 63) return E.left(`invalid label value "${value}": must be no more than 63 characters`);
  if (value !== '' && !NAME.test(value)) return E.left(`invalid label value "${value}": ${NAME_RULE}`);
  return E.right(value);
}

function parseInt64(s: string): bigint | undefined {
  if (!INTEGER.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/**
 * One validated requirement, with the arity rules of apimachinery's labels.NewRequirement:
 * In/NotIn take at least one value, Exists/DoesNotExist none, Gt/Lt exactly one integer.
 */
export function requirement(key: string, operator: Operator, values: readonly string[]): E.Either<string, Requirement> {
  const k = validateKey(key);
  if (E.isLeft(k)) return k;
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) return E.left(`"${key}": values must be non-empty for operator ${operator}`);
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0) return E.left(`"${key}": values must be empty for operator ${operator}`);
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1 || parseInt64(values[0] ?? '') === undefined) {
        return E.left(`"${key}": operator ${operator} takes exactly one integer value`);
      }
      return E.right({ key, operator, values: [...values] });
  }
  for (const v of values) {
    const checked = validateValue(v);
    if (E.isLeft(checked)) return checked;
  }
  return E.right({ key, operator, values: [...values] });
}

// ---- kubectl text syntax (apimachinery labels.Parse) ----

type Token =
  | { readonly kind: 'id'; readonly text: string }
  | { readonly kind: '!' | '!=' | '=' | '==' | '(' | ')' | ',' | '>' | '<' | 'in' | 'notin' | 'end' };

const SPECIAL = new Set(['=', '!', '(', ')', ',', '>', '<']);
const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i] as string;
    if (WHITESPACE.has(ch)) { i++; continue; }
    if (SPECIAL.has(ch)) {
      const two = s.slice(i, i + 2);
      if (two === '!=' || two === '==') { tokens.push({ kind: two }); i += 2; continue; }
      tokens.push({ kind: ch as '!' | '=' | '(' | ')' | ',' | '>' | '<' });
      i++;
      continue;
    }
    let j = i;
    while (j < s.length && !WHITESPACE.has(s[j] as string) && !SPECIAL.has(s[j] as string)) j++;
    const text = s.slice(i, j);
    tokens.push(text === 'in' || text === 'notin' ? { kind: text } : { kind: 'id', text });
    i = j;
  }
  tokens.push({ kind: 'end' });
  return tokens;
}

const describe = (t: Token): string => (t.kind === 'id' ? `'${t.text}'` : t.kind === 'end' ? 'end of string' : `'${t.kind}'`);

/**
 * kubectl's `-l` syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`,
 * comma-separated. `a=b` is stored as `a In (b)` and `a!=b` as `a NotIn (b)` (same matching).
 */
export function parseLabelSelector(s: string): E.Either<string, LabelSelector> {
  const tokens = tokenize(s);
  let pos = 0;
  const peek = (): Token => tokens[pos] as Token;
  const next = (): Token => tokens[pos++] as Token;
  const fail = (found: Token, expected: string): E.Either<string, never> =>
    E.left(`unable to parse label selector "${s}": found ${describe(found)}, expected: ${expected}`);

  const exactValue = (): E.Either<string, string> => {
    const t = peek();
    if (t.kind === 'end' || t.kind === ',') return E.right('');
    next();
    return t.kind === 'id' ? E.right(t.text) : fail(t, 'a value');
  };
  const valueList = (): E.Either<string, string[]> => {
    const open = next();
    if (open.kind !== '(') return fail(open, "'('");
    const values: string[] = [];
    for (;;) {
      const t = next();
      if (t.kind === 'id') {
        values.push(t.text);
        const sep = next();
        if (sep.kind === ')') return E.right(values);
        if (sep.kind !== ',') return fail(sep, "',' or ')'");
      } else if (t.kind === ',' || t.kind === ')') {
        // An empty slot is the empty value, as in apimachinery: `a in ()` is `a in ("")`.
        values.push('');
        if (t.kind === ')') return E.right(values);
      } else {
        return fail(t, 'a value');
      }
    }
  };
  const one = (): E.Either<string, Requirement> => {
    const first = next();
    if (first.kind === '!') {
      const key = next();
      if (key.kind !== 'id') return fail(key, 'a label key');
      return requirement(key.text, 'DoesNotExist', []);
    }
    if (first.kind !== 'id') return fail(first, "'!' or a label key");
    const key = first.text;
    const op = peek();
    if (op.kind === 'end' || op.kind === ',') return requirement(key, 'Exists', []);
    next();
    switch (op.kind) {
      case '=':
      case '==':
      case '!=':
        return E.chain((v: string) => requirement(key, op.kind === '!=' ? 'NotIn' : 'In', [v]))(exactValue());
      case 'in':
      case 'notin':
        return E.chain((vs: string[]) => requirement(key, op.kind === 'in' ? 'In' : 'NotIn', vs))(valueList());
      case '>':
      case '<':
        return E.chain((v: string) => requirement(key, op.kind === '>' ? 'Gt' : 'Lt', [v]))(exactValue());
      default:
        return fail(op, "'=', '==', '!=', 'in', 'notin', '>' or '<'");
    }
  };

  const out: Requirement[] = [];
  if (peek().kind === 'end') return E.right(out);
  for (;;) {
    const r = one();
    if (E.isLeft(r)) return r;
    out.push(r.right);
    const sep = next();
    if (sep.kind === 'end') return E.right(out);
    if (sep.kind !== ',') return fail(sep, "',' or end of string");
  }
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);
const SPEC_OPERATORS: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/**
 * A metav1.LabelSelector object ({matchLabels, matchExpressions}) as in Deployment.spec.selector.
 * Errors name the field relative to the selector ("matchExpressions[0].values: ...").
 */
export function labelSelectorFromSpec(spec: unknown): E.Either<string, LabelSelector> {
  if (!isRecord(spec)) return E.left('must be an object');
  const out: Requirement[] = [];
  const { matchLabels, matchExpressions } = spec;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isRecord(matchLabels)) return E.left('matchLabels: must be an object');
    for (const [k, v] of Object.entries(matchLabels)) {
      if (typeof v !== 'string') return E.left(`matchLabels.${k}: must be a string`);
      const r = requirement(k, 'In', [v]);
      if (E.isLeft(r)) return E.left(`matchLabels.${k}: ${r.left}`);
      out.push(r.right);
    }
  }
  if (matchExpressions !== undefined && matchExpressions !== null) {
    if (!Array.isArray(matchExpressions)) return E.left('matchExpressions: must be an array');
    for (const [i, x] of matchExpressions.entries()) {
      const at = `matchExpressions[${i}]`;
      if (!isRecord(x)) return E.left(`${at}: must be an object`);
      const { key, operator, values = [] } = x;
      if (typeof key !== 'string') return E.left(`${at}.key: must be a string`);
      if (typeof operator !== 'string' || !SPEC_OPERATORS.has(operator)) {
        return E.left(`${at}.operator: ${JSON.stringify(operator)} is not a valid selector operator`);
      }
      if (!Array.isArray(values) || !values.every((v): v is string => typeof v === 'string')) {
        return E.left(`${at}.values: must be an array of strings`);
      }
      const wantsValues = operator === 'In' || operator === 'NotIn';
      if (wantsValues && values.length === 0) return E.left(`${at}.values: must be specified when \`operator\` is 'In' or 'NotIn'`);
      if (!wantsValues && values.length > 0) {
        return E.left(`${at}.values: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`);
      }
      const r = requirement(key, operator as Operator, values);
      if (E.isLeft(r)) return E.left(`${at}: ${r.left}`);
      out.push(r.right);
    }
  }
  return E.right(out);
}

function formatRequirement(r: Requirement): string {
  const values = [...r.values].sort();
  switch (r.operator) {
    case 'Exists': return r.key;
    case 'DoesNotExist': return `!${r.key}`;
    case 'Gt': return `${r.key}>${values[0] ?? ''}`;
    case 'Lt': return `${r.key}<${values[0] ?? ''}`;
    case 'In': return values.length === 1 ? `${r.key}=${values[0]}` : `${r.key} in (${values.join(',')})`;
    case 'NotIn': return values.length === 1 ? `${r.key}!=${values[0]}` : `${r.key} notin (${values.join(',')})`;
  }
}

/** Canonical text (requirements by key, values sorted), as Scale.status.selector carries it; parses back to the same selector. */
export function formatLabelSelector(sel: LabelSelector): string {
  return [...sel].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(formatRequirement).join(',');
}

function matchesRequirement(r: Requirement, labels: Readonly<Record<string, string>> | undefined): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'In': return value !== undefined && r.values.includes(value);
    case 'NotIn': return value === undefined || !r.values.includes(value);
    case 'Gt':
    case 'Lt': {
      // As apimachinery: a missing label or a non-integer on either side never matches.
      const have = value === undefined ? undefined : parseInt64(value);
      const want = parseInt64(r.values[0] ?? '');
      if (have === undefined || want === undefined) return false;
      return r.operator === 'Gt' ? have > want : have < want;
    }
  }
}

export function matchesLabels(sel: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  return sel.every((r) => matchesRequirement(r, labels));
}

// ---- field selectors (apimachinery fields.ParseSelector) ----

/** Splits at commas not escaped with a backslash. */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === ',') { terms.push(s.slice(start, i)); start = i + 1; }
  }
  terms.push(s.slice(start));
  return terms;
}

function unescapeValue(v: string): E.Either<string, string> {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const ch = v[i] as string;
    if (ch === '\\') {
      const escaped = v[i + 1];
      if (escaped !== '\\' && escaped !== ',' && escaped !== '=') return E.left(`invalid escape sequence in value "${v}"`);
      out += escaped;
      i++;
    } else if (ch === '=' || ch === ',') {
      return E.left(`invalid value "${v}": unescaped ${ch} (write \\${ch})`);
    } else {
      out += ch;
    }
  }
  return E.right(out);
}

/** `metadata.name=x`, `==`, `!=`, comma-separated; `\,` `\=` `\\` escape inside values. */
export function parseFieldSelector(s: string): E.Either<string, FieldSelector> {
  const out: FieldRequirement[] = [];
  for (const term of splitTerms(s)) {
    if (term === '') continue;
    // The first operator wins, checking "!=" and "==" before "=" at each position.
    let found: { at: number; len: number; op: '=' | '!=' } | undefined;
    for (let i = 0; i < term.length && found === undefined; i++) {
      if (term.startsWith('!=', i)) found = { at: i, len: 2, op: '!=' };
      else if (term.startsWith('==', i)) found = { at: i, len: 2, op: '=' };
      else if (term[i] === '=') found = { at: i, len: 1, op: '=' };
    }
    if (found === undefined) return E.left(`invalid field selector "${s}": can't understand "${term}"`);
    const field = term.slice(0, found.at).trim();
    if (field === '') return E.left(`invalid field selector "${s}": empty field name in "${term}"`);
    const value = unescapeValue(term.slice(found.at + found.len));
    if (E.isLeft(value)) return E.left(`invalid field selector "${s}": ${value.left}`);
    out.push({ field, op: found.op, value: value.right });
  }
  return E.right(out);
}

/** The field's value as a field selector sees it: scalars as text, absent or null as "", objects as no value. */
function fieldValue(obj: unknown, path: string): string | undefined {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isRecord(cur) || !Object.hasOwn(cur, part)) return '';
    cur = cur[part];
  }
  if (cur === null || cur === undefined) return '';
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return undefined;
}

export function matchesFields(sel: FieldSelector, obj: unknown): boolean {
  return sel.every((r) => {
    const v = fieldValue(obj, r.field);
    return r.op === '=' ? v === r.value : v !== r.value;
  });
}
