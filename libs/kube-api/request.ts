// The transport-neutral request and response of the API handler, body decoding and response building.
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { parse as parseYaml } from 'yaml';
import type { Status, WatchEvent } from './object.js';
import { decodeProtobufObject } from './protobuf.js';
import { badRequest, unsupportedMediaType } from './status.js';

export interface UserInfo {
  readonly name: string;
  readonly groups?: readonly string[];
}

export interface ApiRequest {
  readonly method: string;
  /** The URL path, without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body?: Uint8Array;
  /** The authenticated user; undefined for anonymous access. */
  readonly user?: UserInfo;
  /** Aborted when the client goes away or the server shuts down; ends watches. */
  readonly signal?: AbortSignal;
}

export type ResponseHeaders = Readonly<Record<string, string | readonly string[]>>;

export type ApiResponse =
  | { readonly _tag: 'complete'; readonly status: number; readonly headers: ResponseHeaders; readonly body: string | Uint8Array }
  /** A watch: the adapter writes each event as one `\n`-terminated JSON line, and ends it after timeoutSeconds. */
  | {
    readonly _tag: 'watch';
    readonly status: 200;
    readonly headers: ResponseHeaders;
    readonly events: AsyncIterable<WatchEvent>;
    readonly timeoutSeconds?: number;
  };

export function jsonResponse(status: number, body: unknown, headers: ResponseHeaders = {}): ApiResponse {
  return { _tag: 'complete', status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function statusResponse(s: Status, headers: ResponseHeaders = {}): ApiResponse {
  return jsonResponse(s.code, s, headers);
}

/** The media type of a Content-Type header, parameters and case dropped (`application/json`). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export const patchTypes = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;
export type PatchType = keyof typeof patchTypes;

/** Patch types by exact media type: `merge-patch+json` is a suffix of `strategic-merge-patch+json`, so never match loosely. */
export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const m = mediaType(contentType);
  return (Object.keys(patchTypes) as PatchType[]).find((k) => patchTypes[k] === m);
}

const bodyTypes = ['application/json', 'application/yaml'];
const protobufType = 'application/vnd.kubernetes.protobuf';

/** JSON is YAML: a YAML body that is a JSON object (as client-node sends it) takes the much faster JSON parser. */
function parseJsonAsYaml(text: string): unknown {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseText(text: string, yaml: boolean): Either<Status, unknown> {
  const json = yaml ? parseJsonAsYaml(text) : undefined;
  if (json !== undefined) return right(json);
  try {
    return right(yaml ? parseYaml(text, { uniqueKeys: false }) as unknown : JSON.parse(text) as unknown);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return left(badRequest(yaml ? `error converting YAML to JSON: ${why}` : `couldn't decode the request body: ${why}`));
  }
}

/** A POST/PUT body as JSON, YAML (an empty Content-Type reads as JSON) or, for a few kinds, protobuf. */
export function parseObjectBody(req: ApiRequest): Either<Status, unknown> {
  const m = mediaType(req.headers['content-type']);
  if (m === protobufType) {
    const decoded = decodeProtobufObject(req.body ?? new Uint8Array());
    if (decoded._tag === 'Right') return decoded;
    return left(decoded.left._tag === 'UnsupportedKind'
      ? unsupportedMediaType(bodyTypes)
      : badRequest(`error decoding protobuf body: ${decoded.left.message}`));
  }
  if (m !== '' && !bodyTypes.includes(m)) return left(unsupportedMediaType([...bodyTypes, protobufType]));
  return parseText(bodyText(req), m === 'application/yaml');
}

/** A PATCH body: YAML for apply patches (JSON is YAML too), JSON otherwise. */
export function parsePatchBody(req: ApiRequest, type: PatchType): Either<Status, unknown> {
  return parseText(bodyText(req), type === 'apply');
}

function bodyText(req: ApiRequest): string {
  return new TextDecoder().decode(req.body ?? new Uint8Array());
}

/** The field path of a decoding failure (`metadata.labels.app`), skipping intersection and union members. */
function errorPath(context: t.Context): string {
  return context
    .filter((c, i) => i > 0 && !['IntersectionType', 'UnionType'].includes((context[i - 1]?.type as { _tag?: string })._tag ?? ''))
    .map((c) => c.key)
    .join('.');
}

/** Decode a parsed body with a codec; failures are 400 naming the field, as kube's decoder does. */
export function decodeWith<A>(codec: t.Decoder<unknown, A>, value: unknown, what: string): Either<Status, A> {
  const r = codec.decode(value);
  if (r._tag === 'Right') return right(r.right);
  const first = r.left[0];
  if (first === undefined) return left(badRequest(`error decoding ${what}`));
  const path = errorPath(first.context);
  const expected = first.context.at(-1)?.type.name ?? 'object';
  return left(badRequest(`error decoding ${what}: ${path === '' ? 'body' : path}: invalid value ${JSON.stringify(first.value) ?? 'undefined'}, expected ${expected}`));
}
