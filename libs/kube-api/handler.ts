// The Kubernetes API as one function from request to response: routing, discovery, reads, writes, watches.
import * as E from 'fp-ts/lib/Either.js';
import {
  aggregatedDiscovery, coreVersions, discoveryContentType, group, groupList, negotiateDiscovery, resourceList, type VersionInfo,
} from './discovery.js';
import { DeleteOptions, type KubeObject, type ListMeta, type Status } from './object.js';
import { parsePath, type ResourceRoute } from './paths.js';
import {
  decodeWith, jsonResponse, parseObjectBody, parsePatchBody, patchTypeOf, patchTypes, statusResponse,
  type ApiRequest, type ApiResponse, type ResponseHeaders, type UserInfo,
} from './request.js';
import { apiVersionOf, servedAs, type ResourceType } from './resources.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import {
  badRequest, forbidden, methodNotAllowed, notFound, pathNotFound, unsupportedMediaType, expired,
} from './status.js';
import type { Store } from './store.js';
import { negotiateTable, parseIncludeObject, toTable } from './table.js';
import { watch } from './watch.js';
import * as writes from './writes.js';
import type { AdmissionPlugin, FieldValidation, WriteDeps, WriteTarget, Written } from './writes.js';

export interface AuthorizationRequest {
  readonly user?: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection. */
  readonly verb: string;
  readonly type: ResourceType;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

export interface ApiHandlerDeps {
  /** The served types, in discovery order (see resources.ts builtinTypes). */
  readonly types: readonly ResourceType[];
  readonly store: Store;
  readonly clock: () => Date;
  readonly newUid: () => string;
  readonly version: VersionInfo;
  readonly admission?: readonly AdmissionPlugin[];
  /** Without it every request is allowed. */
  readonly authorize?: (r: AuthorizationRequest) => boolean | Promise<boolean>;
}

/**
 * Expected failures (bad input, conflicts, missing objects, an unavailable store) come back as Status
 * responses; a rejected promise means a bug or a store that threw, which the transport answers with 500.
 */
export type ApiHandler = (req: ApiRequest) => Promise<ApiResponse>;

const openapiV2ContentType = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const never = new AbortController().signal;

export function createApiHandler(deps: ApiHandlerDeps): ApiHandler {
  const byPath = new Map(deps.types.map((ty) => [`${ty.group}/${ty.version}/${ty.plural}`, ty]));
  const writeDeps: WriteDeps = { store: deps.store, clock: deps.clock, newUid: deps.newUid, admission: deps.admission ?? [] };

  const discovery = (req: ApiRequest, scope: 'core' | 'groups'): ApiResponse => {
    const format = negotiateDiscovery(req.headers['accept']);
    if (format !== 'legacy') {
      return jsonResponse(200, aggregatedDiscovery(deps.types, scope, format), { 'content-type': discoveryContentType(format) });
    }
    return jsonResponse(200, scope === 'core' ? coreVersions(req.headers['host'] ?? '') : groupList(deps.types));
  };
  const found = (doc: unknown): ApiResponse => (doc === undefined ? statusResponse(pathNotFound()) : jsonResponse(200, doc));

  return async (req) => {
    const route = parsePath(req.path);
    if (route._tag === 'resource') return resource(req, route);
    if (req.method !== 'GET' && req.method !== 'HEAD') return statusResponse(methodNotAllowed());
    switch (route._tag) {
      case 'version': return jsonResponse(200, deps.version);
      case 'health': return { _tag: 'complete', status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'ok' };
      case 'coreVersions': return discovery(req, 'core');
      case 'groups': return discovery(req, 'groups');
      case 'group': return found(group(deps.types, route.group));
      case 'resourceList': return found(resourceList(deps.types, route.group, route.version));
      // An empty OpenAPI v2 document: kubectl's check for fieldValidation support passes, and it validates nothing client-side.
      case 'openapiV2': return { _tag: 'complete', status: 200, headers: { 'content-type': openapiV2ContentType }, body: new Uint8Array() };
      case 'openapiV3':
      case 'unknown': return statusResponse(pathNotFound());
    }
  };

  async function resource(req: ApiRequest, route: ResourceRoute): Promise<ApiResponse> {
    const type = byPath.get(`${route.group}/${route.version}/${route.plural}`);
    if (type === undefined) return statusResponse(pathNotFound());
    const { name, subresource } = route;
    if (!type.namespaced && route.namespace !== undefined) return statusResponse(pathNotFound());
    const supported = subresource === undefined
      || (subresource === 'status' && type.status) || (subresource === 'scale' && type.scale !== undefined) || (subresource === 'finalize' && type.finalize);
    if (!supported) return statusResponse(pathNotFound());
    const verb = verbOf(req, name);
    if (verb === undefined) return statusResponse(methodNotAllowed());
    const namespace = route.namespace;
    // Namespaced types are addressed in a namespace, except to list or watch across all of them.
    if (type.namespaced && namespace === undefined && verb !== 'list' && verb !== 'watch') return statusResponse(pathNotFound());
    if (deps.authorize !== undefined) {
      const allowed = await deps.authorize({
        verb, type,
        ...(req.user === undefined ? {} : { user: req.user }),
        ...(namespace === undefined ? {} : { namespace }),
        ...(name === undefined ? {} : { name }),
        ...(subresource === undefined ? {} : { subresource }),
      });
      if (!allowed) {
        return statusResponse(forbidden({
          user: req.user?.name ?? 'system:anonymous', verb, resource: { group: type.group, plural: type.plural },
          ...(name === undefined ? {} : { name }), ...(namespace === undefined ? {} : { namespace }), ...(subresource === undefined ? {} : { subresource }),
        }));
      }
    }
    if (name === undefined) {
      switch (verb) {
        case 'watch': return watchCollection(req, type, namespace);
        case 'list': return list(req, type, namespace);
        case 'deletecollection': return deleteCollection(req, type, namespace ?? '');
        default: return create(req, type, namespace ?? '');
      }
    }
    const target = writeTarget(req, type, namespace ?? '', name);
    if (E.isLeft(target)) return statusResponse(target.left);
    const t = target.right;
    switch (verb) {
      case 'get': return get(req, type, t, subresource);
      case 'delete': return remove(req, t);
      case 'update': return replace(req, t, subresource);
      default: return patch(req, t, subresource);
    }
  }

  function writeTarget(req: ApiRequest, type: ResourceType, namespace: string, name: string): E.Either<Status, WriteTarget> {
    const q = req.query;
    const dryRun = q.getAll('dryRun');
    if (!dryRun.every((d) => d === 'All')) return E.left(badRequest(`dryRun: Unsupported value: "${dryRun.join(',')}": supported values: "All"`));
    const fieldValidation = q.get('fieldValidation') ?? 'Warn';
    if (!['Strict', 'Warn', 'Ignore'].includes(fieldValidation)) {
      return E.left(badRequest(`fieldValidation: Unsupported value: "${fieldValidation}": supported values: "Ignore", "Strict", "Warn"`));
    }
    // As kube: without a fieldManager the client's User-Agent names the manager.
    const fieldManager = q.get('fieldManager') ?? (req.headers['user-agent'] ?? 'unknown').split('/')[0] ?? 'unknown';
    const actor = req.user?.name ?? 'system:anonymous';
    return E.right({
      type, namespace, name, dryRun: dryRun.length > 0, fieldValidation: fieldValidation as FieldValidation, fieldManager,
      ...(req.user === undefined ? {} : { user: req.user }),
      ctx: { actor, correlationId: req.headers['x-request-id'] ?? deps.newUid(), fieldManager },
    });
  }

  function selection(req: ApiRequest, type: ResourceType): E.Either<Status, (obj: KubeObject) => boolean> {
    const labels = parseLabelSelector(req.query.get('labelSelector') ?? '');
    if (E.isLeft(labels)) return E.left(badRequest(`unable to parse requirement: ${labels.left}`));
    const fields = parseFieldSelector(req.query.get('fieldSelector') ?? '');
    if (E.isLeft(fields)) return E.left(badRequest(fields.left));
    const allowed = ['metadata.name', 'metadata.namespace', ...type.fieldSelectors];
    const unsupported = fields.right.find((f) => !allowed.includes(f.field));
    if (unsupported !== undefined) return E.left(badRequest(`field label not supported: ${unsupported.field}`));
    return E.right((obj) => matchesLabels(labels.right, obj.metadata.labels) && matchesFields(fields.right, obj));
  }

  async function get(req: ApiRequest, type: ResourceType, t: WriteTarget, subresource: string | undefined): Promise<ApiResponse> {
    const stored = await deps.store.get(type.storage, t.namespace, t.name);
    if (stored === undefined) return statusResponse(notFound({ group: type.group, plural: type.plural }, t.name));
    const obj = servedAs(type, stored);
    if (subresource === 'scale') return jsonResponse(200, writes.scaleOf(type, obj));
    const tableVersion = negotiateTable(req.headers['accept']);
    if (tableVersion === undefined) return jsonResponse(200, obj);
    return jsonResponse(200, toTable(type, [obj], {
      version: tableVersion, now: deps.clock(), listMeta: { resourceVersion: obj.metadata.resourceVersion ?? '' },
      includeObject: parseIncludeObject(req.query.get('includeObject')), withColumns: true,
    }));
  }

  async function list(req: ApiRequest, type: ResourceType, namespace: string | undefined): Promise<ApiResponse> {
    const matches = selection(req, type);
    if (E.isLeft(matches)) return statusResponse(matches.left);
    const snapshot = await deps.store.list(type.storage, namespace);
    const key = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
    const sorted = snapshot.items.filter(matches.right).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const after = continueKey(req.query.get('continue'));
    if (E.isLeft(after)) return statusResponse(after.left);
    const rest = after.right === undefined ? sorted : sorted.filter((o) => key(o) > (after.right ?? ''));
    const limit = Number(req.query.get('limit') ?? '0');
    const page = Number.isInteger(limit) && limit > 0 ? rest.slice(0, limit) : rest;
    const last = page.at(-1);
    const listMeta: ListMeta = {
      resourceVersion: snapshot.resourceVersion,
      ...(page.length < rest.length && last !== undefined
        ? { continue: Buffer.from(JSON.stringify({ rv: snapshot.resourceVersion, start: key(last) })).toString('base64url'), remainingItemCount: rest.length - page.length }
        : {}),
    };
    const items = page.map((o) => servedAs(type, o));
    const tableVersion = negotiateTable(req.headers['accept']);
    if (tableVersion !== undefined) {
      return jsonResponse(200, toTable(type, items, {
        version: tableVersion, now: deps.clock(), listMeta, includeObject: parseIncludeObject(req.query.get('includeObject')), withColumns: true,
      }));
    }
    return jsonResponse(200, { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata: listMeta, items });
  }

  async function watchCollection(req: ApiRequest, type: ResourceType, namespace: string | undefined): Promise<ApiResponse> {
    const matches = selection(req, type);
    if (E.isLeft(matches)) return statusResponse(matches.left);
    const tableVersion = negotiateTable(req.headers['accept']);
    const rv = req.query.get('resourceVersion');
    const events = await watch(deps.store, {
      type, namespace, matches: matches.right,
      resourceVersion: rv ?? undefined,
      allowBookmarks: isTrue(req.query.get('allowWatchBookmarks')),
      ...(tableVersion === undefined ? {} : { table: { version: tableVersion, includeObject: parseIncludeObject(req.query.get('includeObject')) } }),
      now: deps.clock,
      signal: req.signal ?? never,
    });
    if (E.isLeft(events)) return statusResponse(events.left);
    const timeout = Number(req.query.get('timeoutSeconds') ?? '');
    return {
      _tag: 'watch', status: 200, headers: { 'content-type': 'application/json' }, events: events.right,
      ...(Number.isFinite(timeout) && timeout > 0 ? { timeoutSeconds: timeout } : {}),
    };
  }

  async function create(req: ApiRequest, type: ResourceType, namespace: string): Promise<ApiResponse> {
    const t = writeTarget(req, type, namespace, '');
    if (E.isLeft(t)) return statusResponse(t.left);
    const body = parseObjectBody(req);
    if (E.isLeft(body)) return statusResponse(body.left);
    return written(await writes.create(writeDeps, t.right, body.right));
  }

  async function replace(req: ApiRequest, t: WriteTarget, subresource: string | undefined): Promise<ApiResponse> {
    const body = parseObjectBody(req);
    if (E.isLeft(body)) return statusResponse(body.left);
    if (subresource === 'scale') return scaled(await writes.replaceScale(writeDeps, t, body.right));
    const part = subresource === 'status' || subresource === 'finalize' ? subresource : 'main';
    return written(await writes.replace(writeDeps, t, part, body.right));
  }

  async function patch(req: ApiRequest, t: WriteTarget, subresource: string | undefined): Promise<ApiResponse> {
    const pt = patchTypeOf(req.headers['content-type']);
    if (pt === undefined) return statusResponse(unsupportedMediaType(Object.values(patchTypes)));
    if (pt === 'apply' && req.query.get('fieldManager') === null) {
      return statusResponse(badRequest('PATCH requests with an apply patch must include the fieldManager query parameter'));
    }
    const body = parsePatchBody(req, pt);
    if (E.isLeft(body)) return statusResponse(body.left);
    if (subresource === 'scale') return scaled(await writes.patchScale(writeDeps, t, pt, body.right));
    if (subresource === 'finalize') return statusResponse(methodNotAllowed());
    return written(await writes.patch(writeDeps, t, subresource === 'status' ? 'status' : 'main', pt, body.right, isTrue(req.query.get('force'))));
  }

  async function remove(req: ApiRequest, t: WriteTarget): Promise<ApiResponse> {
    const options = deleteOptions(req);
    if (E.isLeft(options)) return statusResponse(options.left);
    const target = { ...t, dryRun: t.dryRun || (options.right.dryRun ?? []).includes('All') };
    return written(await writes.remove(writeDeps, target, options.right));
  }

  /** DELETE on a collection: each matching object deleted as by its own DELETE; answers the list of them. */
  async function deleteCollection(req: ApiRequest, type: ResourceType, namespace: string): Promise<ApiResponse> {
    const matches = selection(req, type);
    if (E.isLeft(matches)) return statusResponse(matches.left);
    const options = deleteOptions(req);
    if (E.isLeft(options)) return statusResponse(options.left);
    const snapshot = await deps.store.list(type.storage, type.namespaced ? namespace : undefined);
    const items: KubeObject[] = [];
    for (const obj of snapshot.items.filter(matches.right)) {
      const t = writeTarget(req, type, obj.metadata.namespace ?? '', obj.metadata.name ?? '');
      if (E.isLeft(t)) return statusResponse(t.left);
      const r = await writes.remove(writeDeps, t.right, options.right);
      if (E.isRight(r)) items.push(r.right.object);
      else if (r.left.reason !== 'NotFound') return statusResponse(r.left);
    }
    return jsonResponse(200, { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata: { resourceVersion: snapshot.resourceVersion }, items });
  }
}

function verbOf(req: ApiRequest, name: string | undefined): string | undefined {
  const byMethod: Record<string, string | undefined> = name === undefined
    ? { GET: isTrue(req.query.get('watch')) ? 'watch' : 'list', POST: 'create', DELETE: 'deletecollection' }
    : { GET: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  return byMethod[req.method];
}

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}

/** DeleteOptions from the body (kubectl) and the query (client-node); the query wins. */
function deleteOptions(req: ApiRequest): E.Either<Status, DeleteOptions> {
  const text = new TextDecoder().decode(req.body ?? new Uint8Array()).trim();
  const fromBody = text === '' ? E.right({}) : E.chain((v: unknown) => decodeWith(DeleteOptions, v, 'DeleteOptions'))(parseObjectBody(req));
  if (E.isLeft(fromBody)) return fromBody;
  const q = req.query;
  const policy = q.get('propagationPolicy');
  const grace = q.get('gracePeriodSeconds');
  return decodeWith(DeleteOptions, {
    ...fromBody.right,
    ...(policy === null ? {} : { propagationPolicy: policy }),
    ...(grace === null ? {} : { gracePeriodSeconds: Number(grace) }),
  }, 'DeleteOptions');
}

/** The position a continue token resumes after; tokens are opaque to clients. */
function continueKey(token: string | null): E.Either<Status, string | undefined> {
  if (token === null || token === '') return E.right(undefined);
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { start?: unknown };
    if (typeof parsed.start === 'string') return E.right(parsed.start);
  } catch {
    // falls through to the error below
  }
  return E.left(expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'));
}

function warningHeaders(warnings: readonly string[]): ResponseHeaders {
  return warnings.length === 0 ? {} : { warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) };
}

function written(r: E.Either<Status, Written>): ApiResponse {
  return E.isLeft(r) ? statusResponse(r.left) : jsonResponse(r.right.status, r.right.object, warningHeaders(r.right.warnings));
}

function scaled(r: E.Either<Status, { scale: unknown; warnings: readonly string[] }>): ApiResponse {
  return E.isLeft(r) ? statusResponse(r.left) : jsonResponse(200, r.right.scale, warningHeaders(r.right.warnings));
}
