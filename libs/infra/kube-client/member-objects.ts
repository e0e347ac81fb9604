// Reads and writes of a member cluster's objects through @kubernetes/client-node, with failures as values and one keep-alive connection pool per member.
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import * as k8s from '@kubernetes/client-node';
import * as E from 'fp-ts/lib/Either.js';
import { KubeObject } from '../../kube-api/object.js';
import { apiVersionOf, builtinTypes, collectionPath, groupVersionPath, type ResourceType } from '../../kube-api/resources.js';
import type { MemberAccess } from '../../federation/member-access.js';
import { memberKubeConfig } from './member.js';

/** Why a member request failed: the member answered with an error Status, or did not answer. */
export type MemberError =
  | { readonly _tag: 'MemberRejected'; readonly code: number; readonly reason: string; readonly message: string }
  | { readonly _tag: 'MemberUnreachable'; readonly message: string };

/** What names one object (kind, namespace, name). */
export interface ObjectHeader {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string };
}

export interface MemberList {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
}

/** One page of a collection; `continueToken` asks for the next (absent: this was the last). */
export interface MemberListPage extends MemberList {
  readonly continueToken?: string;
}

export interface ListQuery {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continueToken?: string;
}

export interface WatchQuery {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly resourceVersion: string;
  /** The member ends the watch after this long (the caller then resumes it). */
  readonly timeoutSeconds: number;
}

export type MemberWatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface MemberObjects {
  readonly kubeConfig: k8s.KubeConfig;
  /** The object, or undefined when the member has none of that name. */
  get(header: ObjectHeader): Promise<E.Either<MemberError, KubeObject | undefined>>;
  /** Server-side apply as `fieldManager`, forced: the member then holds exactly these fields for kfed. Creates when missing. */
  apply(object: KubeObject): Promise<E.Either<MemberError, KubeObject>>;
  create(object: KubeObject): Promise<E.Either<MemberError, KubeObject>>;
  mergePatch(header: ObjectHeader, patch: Record<string, unknown>): Promise<E.Either<MemberError, KubeObject>>;
  /** Background cascade; `uid` (if given) must still match. An object already gone counts as deleted. */
  delete(header: ObjectHeader, uid: string | undefined): Promise<E.Either<MemberError, void>>;
  list(apiVersion: string, kind: string, selectors: { readonly label?: string; readonly field?: string }): Promise<E.Either<MemberError, MemberList>>;
  /** One page of the collection at `path` (e.g. /apis/apps/v1/deployments), as the member sent it. */
  listPage(path: string, query: ListQuery): Promise<E.Either<MemberError, MemberListPage>>;
  /**
   * Watches the collection at `path` from `query.resourceVersion`, calling `onEvent` per event as it
   * arrives, until the member ends the stream (Right), the watch fails or the member sends an ERROR
   * event (Left: a 410 means the version is too old to resume from), or `signal` aborts. `onOpen`
   * runs once the member accepted the watch.
   */
  watch(path: string, query: WatchQuery, onEvent: (type: MemberWatchEventType, object: KubeObject) => void, signal: AbortSignal, onOpen: () => void): Promise<E.Either<MemberError, void>>;
  /** Frees the connection pool. */
  close(): void;
}

export interface MemberObjectsOptions {
  readonly fieldManager: string;
  /** A request not answered within this is abandoned (MemberUnreachable). */
  readonly requestTimeoutMs: number;
  /** Concurrent connections to the member. */
  readonly maxSockets: number;
}

/** client-node hands back typed models (Date fields); kfed works on the JSON the member sent. */
export function plainObject(o: unknown): KubeObject | undefined {
  const json = JSON.parse(JSON.stringify(o)) as unknown;
  return KubeObject.is(json) ? json : undefined;
}

/** A failed client-node call as a value: ApiException (and a watch's non-200 status) is the member's answer, anything else no answer. */
export function memberError(err: unknown, timeoutMs: number): MemberError {
  // client-node hands the Status over parsed (an object) or as text, depending on the call.
  if (err instanceof k8s.ApiException) return rejected(err.code, typeof err.body === 'string' ? err.body : JSON.stringify(err.body));
  const e = err as { name?: string; message?: string; statusCode?: number };
  if (typeof e.statusCode === 'number') return { _tag: 'MemberRejected', code: e.statusCode, reason: `HTTP${e.statusCode}`, message: e.message ?? '' };
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return { _tag: 'MemberUnreachable', message: `no answer within ${timeoutMs} ms` };
  return { _tag: 'MemberUnreachable', message: e.message ?? String(err) };
}

function agentFor(access: MemberAccess, maxSockets: number): http.Agent {
  if (access.server.startsWith('http://')) return new http.Agent({ keepAlive: true, maxSockets });
  const b64 = (s: string | undefined): Buffer | undefined => (s === undefined ? undefined : Buffer.from(s, 'base64'));
  // One TLS context per member: given the CA and key as options, every new connection would parse them again.
  const ca = b64(access.caData);
  const cert = b64(access.clientCertData);
  const key = b64(access.clientKeyData);
  return new https.Agent({
    keepAlive: true, maxSockets, rejectUnauthorized: !access.insecureSkipTlsVerify,
    secureContext: tls.createSecureContext({ ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }) }),
  });
}

/**
 * The transport under client-node's API classes: node:https on one keep-alive pool per member, each
 * request bounded in time. (client-node's own goes through node-fetch 2, which builds an agent per
 * request and, on Node 20, fails chunked responses on reused connections with "Premature close".)
 */
function pooledTransport(agent: http.Agent, timeoutMs: number): k8s.HttpLibrary {
  const send = (ctx: k8s.RequestContext): Promise<k8s.ResponseContext> => new Promise((resolve, reject) => {
    const url = new URL(ctx.getUrl());
    const request = (url.protocol === 'http:' ? http.request : https.request)(url, {
      method: ctx.getHttpMethod(), headers: ctx.getHeaders(), agent, signal: AbortSignal.timeout(timeoutMs),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve(new k8s.ResponseContext(res.statusCode ?? 0, headers, { text: async () => body.toString('utf8'), binary: async () => body }));
      });
    });
    request.on('error', reject);
    const body = ctx.getBody();
    if (typeof body === 'string' || Buffer.isBuffer(body)) request.write(body);
    request.end();
  });
  return k8s.wrapHttpLibrary({ send });
}

/** Built-in types by `apiVersion/kind`: their paths are known without asking the member (discovery). */
const knownTypes = new Map<string, ResourceType>(builtinTypes.map((t) => [`${apiVersionOf(t)}/${t.kind}`, t]));

/** The URL path of an object of a built-in type, or undefined for kinds only discovery can place. */
export function objectPath(o: ObjectHeader): string | undefined {
  const type = knownTypes.get(`${o.apiVersion}/${o.kind}`);
  const name = o.metadata.name;
  if (type === undefined || name === undefined || name === '') return undefined;
  const ns = type.namespaced ? `/namespaces/${encodeURIComponent(o.metadata.namespace ?? 'default')}` : '';
  return `${groupVersionPath(type)}${ns}/${type.plural}/${encodeURIComponent(name)}`;
}

/** The path of a built-in type's collection across all namespaces, or undefined for kinds only discovery can place. */
function collectionPathOf(apiVersion: string, kind: string): string | undefined {
  const type = knownTypes.get(`${apiVersion}/${kind}`);
  return type === undefined ? undefined : collectionPath(type);
}

/** `?a=b&c=d` of the parameters that are set (empty when none is). */
function queryString(params: Readonly<Record<string, string | number | undefined>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const text = q.toString();
  return text === '' ? '' : `?${text}`;
}

/** A list body's items that are objects (a member list names its items' kind only on the list). */
function listOf(body: unknown, apiVersion: string, kind: string): MemberListPage | undefined {
  const list = body as { metadata?: { resourceVersion?: unknown; continue?: unknown }; items?: unknown } | null;
  if (list === null || typeof list !== 'object' || !Array.isArray(list.items)) return undefined;
  const items: KubeObject[] = [];
  for (const item of list.items as Record<string, unknown>[]) {
    if (item === null || typeof item !== 'object') continue;
    if (typeof item['apiVersion'] !== 'string') item['apiVersion'] = apiVersion;
    if (typeof item['kind'] !== 'string') item['kind'] = kind;
    if (KubeObject.is(item)) items.push(item);
  }
  const rv = list.metadata?.resourceVersion;
  const next = list.metadata?.continue;
  return { items, resourceVersion: typeof rv === 'string' ? rv : '', ...(typeof next === 'string' && next !== '' ? { continueToken: next } : {}) };
}

/** The object kind a list kind names ("DeploymentList" → "Deployment"). */
const itemKind = (listKind: unknown): string => (typeof listKind === 'string' && listKind.endsWith('List') ? listKind.slice(0, -4) : '');

/** A short text answer (a proxy's or a bare HTTP server's error page) is worth quoting; anything else is not. */
const plainText = (body: string): string => {
  const text = body.trim();
  return text !== '' && text.length <= 200 && !text.startsWith('{') ? `: ${text}` : '';
};

/** A member's non-2xx answer as a MemberError, from its Status body when it sent one. */
function rejected(code: number, body: string): MemberError {
  let status: { reason?: unknown; message?: unknown } = {};
  try {
    status = JSON.parse(body) as typeof status;
  } catch {
    // A body that is not a Status: the code says enough.
  }
  return {
    _tag: 'MemberRejected', code,
    reason: typeof status.reason === 'string' ? status.reason : `HTTP${code}`,
    message: typeof status.message === 'string' ? status.message : `the member answered ${code}${plainText(body)}`,
  };
}

/** Watches are long-lived: they get connections of their own, outside the pool's bound. */
const WATCH_SOCKETS = Infinity;

export function memberObjects(access: MemberAccess, options: MemberObjectsOptions): MemberObjects {
  const kubeConfig = memberKubeConfig(access);
  const agent = agentFor(access, options.maxSockets);
  const watchAgent = agentFor(access, WATCH_SOCKETS);
  const timeoutMs = options.requestTimeoutMs;
  const transport = pooledTransport(agent, timeoutMs);
  const api = new k8s.KubernetesObjectApi(k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(access.server, {}),
    authMethods: { default: kubeConfig },
    httpApi: transport,
  }));

  const auth: Record<string, string> = access.token === undefined ? {} : { authorization: `Bearer ${access.token}` };
  const raw = async (method: string, path: string, contentType: string, body: string): Promise<{ status: number; body: string }> => {
    const ctx = new k8s.RequestContext(`${access.server.replace(/\/$/, '')}${path}`, method as k8s.HttpMethod);
    for (const [k, v] of Object.entries({ ...auth, accept: 'application/json', 'content-type': contentType })) ctx.setHeaderParam(k, v);
    ctx.setBody(body);
    const res = await transport.send(ctx).toPromise();
    return { status: res.httpStatusCode, body: await res.body.text() };
  };
  const attempt = async <A>(f: () => Promise<A>): Promise<E.Either<MemberError, A>> => {
    try {
      return E.right(await f());
    } catch (err) {
      return E.left(memberError(err, timeoutMs));
    }
  };
  /** A member's answer carrying one object: the object, or the member's error. */
  const objectAnswer = (answer: { status: number; body: string }): E.Either<MemberError, KubeObject> => {
    if (answer.status < 200 || answer.status > 299) return E.left(rejected(answer.status, answer.body));
    const parsed = parseJson(answer.body);
    return KubeObject.is(parsed) ? E.right(parsed) : E.left(notAnObject);
  };
  const listPage = async (path: string, q: ListQuery): Promise<E.Either<MemberError, MemberListPage>> => {
    const query = queryString({ labelSelector: q.labelSelector, fieldSelector: q.fieldSelector, limit: q.limit, continue: q.continueToken });
    const r = await attempt(() => raw('GET', `${path}${query}`, 'application/json', ''));
    if (E.isLeft(r)) return r;
    if (r.right.status < 200 || r.right.status > 299) return E.left(rejected(r.right.status, r.right.body));
    const body = parseJson(r.right.body) as { apiVersion?: unknown; kind?: unknown } | undefined;
    const page = listOf(body, typeof body?.apiVersion === 'string' ? body.apiVersion : '', itemKind(body?.kind));
    return page === undefined ? E.left(notAnObject) : E.right(page);
  };
  const asObject = (o: unknown): KubeObject => {
    const plain = plainObject(o);
    if (plain === undefined) throw new Error('the member answered with something that is not a Kubernetes object');
    return plain;
  };
  const header = (h: ObjectHeader): k8s.KubernetesObject => ({
    apiVersion: h.apiVersion, kind: h.kind,
    metadata: { name: h.metadata.name, ...(h.metadata.namespace === undefined ? {} : { namespace: h.metadata.namespace }) },
  });

  return {
    kubeConfig,
    async get(h) {
      const path = objectPath(h);
      if (path !== undefined) {
        const r = await attempt(() => raw('GET', path, 'application/json', ''));
        if (E.isLeft(r)) return r;
        if (r.right.status === 404) return E.right(undefined);
        return objectAnswer(r.right);
      }
      const r = await attempt(() => api.read({ ...header(h), metadata: { name: h.metadata.name ?? '', namespace: h.metadata.namespace } }));
      if (E.isLeft(r)) return r.left._tag === 'MemberRejected' && r.left.code === 404 ? E.right(undefined) : r;
      return E.right(asObject(r.right));
    },
    async apply(object) {
      // The hot path of a syncer: for built-in types, one plain request, without client-node's model
      // (de)serialisation, which costs several times the request itself.
      const path = objectPath(object);
      if (path !== undefined) {
        const query = `?fieldManager=${encodeURIComponent(options.fieldManager)}&force=true`;
        const r = await attempt(() => raw('PATCH', `${path}${query}`, 'application/apply-patch+yaml', JSON.stringify(object)));
        return E.isLeft(r) ? r : objectAnswer(r.right);
      }
      const r = await attempt(() => api.patch(structuredClone(object) as k8s.KubernetesObject, undefined, undefined, options.fieldManager, true, k8s.PatchStrategy.ServerSideApply));
      return E.map(asObject)(r);
    },
    async create(object) {
      const r = await attempt(() => api.create(structuredClone(object) as k8s.KubernetesObject, undefined, undefined, options.fieldManager));
      return E.map(asObject)(r);
    },
    async mergePatch(h, patch) {
      const base = header(h);
      const body = { ...patch, ...base, metadata: { ...(patch['metadata'] as object | undefined), ...base.metadata } };
      const r = await attempt(() => api.patch(body as k8s.KubernetesObject, undefined, undefined, options.fieldManager, undefined, k8s.PatchStrategy.MergePatch));
      return E.map(asObject)(r);
    },
    async delete(h, uid) {
      const body = uid === undefined ? undefined : { preconditions: { uid } };
      const r = await attempt(() => api.delete(header(h), undefined, undefined, undefined, undefined, 'Background', body));
      if (E.isLeft(r)) return r.left._tag === 'MemberRejected' && r.left.code === 404 ? E.right(undefined) : r;
      return E.right(undefined);
    },
    async list(apiVersion, kind, selectors) {
      const path = collectionPathOf(apiVersion, kind);
      if (path !== undefined) {
        // Page by page: a member holding thousands of copies is never one reply in memory.
        const items: KubeObject[] = [];
        let continueToken: string | undefined;
        for (;;) {
          const page = await listPage(path, { labelSelector: selectors.label, fieldSelector: selectors.field, limit: LIST_PAGE, continueToken });
          if (E.isLeft(page)) return page;
          items.push(...page.right.items);
          continueToken = page.right.continueToken;
          if (continueToken === undefined) return E.right({ items, resourceVersion: page.right.resourceVersion });
        }
      }
      const r = await attempt(() => api.list(apiVersion, kind, undefined, undefined, undefined, undefined, selectors.field, selectors.label));
      return E.map((l: k8s.KubernetesListObject<k8s.KubernetesObject>) => ({ items: l.items.map(asObject), resourceVersion: l.metadata?.resourceVersion ?? '' }))(r);
    },
    listPage,
    watch(path, q, onEvent, signal, onOpen) {
      const query = queryString({
        watch: 'true', allowWatchBookmarks: 'true', resourceVersion: q.resourceVersion, timeoutSeconds: q.timeoutSeconds,
        labelSelector: q.labelSelector, fieldSelector: q.fieldSelector,
      });
      return watchStream(new URL(`${access.server.replace(/\/$/, '')}${path}${query}`), { ...auth, accept: 'application/json' }, watchAgent, {
        openTimeoutMs: timeoutMs, idleTimeoutMs: (q.timeoutSeconds + WATCH_GRACE_S) * 1000, onEvent, onOpen, signal,
      });
    },
    close: () => {
      agent.destroy();
      watchAgent.destroy();
    },
  };
}

/** Items per page when listing a collection. */
const LIST_PAGE = 500;
/** How long past its timeoutSeconds a silent watch is given before it counts as cut off. */
const WATCH_GRACE_S = 30;

const notAnObject: MemberError = { _tag: 'MemberUnreachable', message: 'the member answered with something that is not a Kubernetes object' };

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

interface WatchStreamOptions {
  /** The member must answer the request within this. */
  readonly openTimeoutMs: number;
  /** A stream silent for this long is abandoned (a member that vanished without closing it). */
  readonly idleTimeoutMs: number;
  readonly onEvent: (type: MemberWatchEventType, object: KubeObject) => void;
  readonly onOpen: () => void;
  readonly signal: AbortSignal;
}

/** One watch request: newline-framed JSON events, each handed over as it completes. */
function watchStream(url: URL, headers: Record<string, string>, agent: http.Agent, o: WatchStreamOptions): Promise<E.Either<MemberError, void>> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: E.Either<MemberError, void>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(openTimer);
      o.signal.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish(E.right(undefined));
    const req = (url.protocol === 'http:' ? http.request : https.request)(url, { method: 'GET', headers, agent }, (res) => {
      clearTimeout(openTimer);
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (chunk: string) => { body += chunk; });
        res.on('end', () => finish(E.left(rejected(res.statusCode ?? 0, body))));
        res.on('error', () => finish(E.left(rejected(res.statusCode ?? 0, body))));
        return;
      }
      o.onOpen();
      let buffered = '';
      res.on('data', (chunk: string) => {
        buffered += chunk;
        for (let nl = buffered.indexOf('\n'); nl >= 0 && !settled; nl = buffered.indexOf('\n')) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          const event = parseJson(line) as { type?: unknown; object?: unknown } | undefined;
          if (event === undefined || typeof event !== 'object') continue;
          if (event.type === 'ERROR') {
            const status = event.object as { code?: unknown } | undefined;
            finish(E.left(rejected(typeof status?.code === 'number' ? status.code : 500, JSON.stringify(event.object ?? {}))));
          } else if ((event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED' || event.type === 'BOOKMARK') && KubeObject.is(event.object)) {
            o.onEvent(event.type, event.object);
          }
        }
      });
      // A stream that ends or breaks is resumed by the caller from the last version it saw.
      res.on('end', () => finish(E.right(undefined)));
      res.on('error', () => finish(E.right(undefined)));
      res.on('close', () => finish(E.right(undefined)));
    });
    const openTimer = setTimeout(() => finish(E.left({ _tag: 'MemberUnreachable', message: `no answer within ${o.openTimeoutMs} ms` })), o.openTimeoutMs);
    req.setTimeout(o.idleTimeoutMs, () => finish(E.right(undefined)));
    req.on('error', (err) => finish(E.left(memberError(err, o.openTimeoutMs))));
    o.signal.addEventListener('abort', onAbort, { once: true });
    if (o.signal.aborted) onAbort();
    else req.end();
  });
}
