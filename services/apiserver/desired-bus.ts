// Desired state over NATS: apply and delete requests carrying a Kubernetes object go through the
// same handler (validation, authorisation, append) as kubectl's HTTP requests.
import { AUTHORIZATION_HEADER, DesiredReply, DesiredRequest } from '../../libs/federation/desired.js';
import type { Status } from '../../libs/kube-api/object.js';
import type { ApiHandler } from '../../libs/kube-api/handler.js';
import type { ApiRequest, UserInfo } from '../../libs/kube-api/request.js';
import { apiVersionOf, groupVersionPath, type ResourceType } from '../../libs/kube-api/resources.js';
import { badRequest, notFound, unauthorized } from '../../libs/kube-api/status.js';
import type { Logger } from '../../libs/infra/log/logger.js';
import type { Bus, BusSubscription } from '../../libs/infra/nats/bus.js';

export interface DesiredStateOptions {
  readonly bus: Bus;
  readonly handler: ApiHandler;
  readonly logger: Logger;
  readonly types: readonly ResourceType[];
  readonly queue: string;
  /** Maps a bearer token to its user; undefined means not authenticated. */
  readonly authenticate: (token: string) => UserInfo | undefined;
}

const failed = (status: Status): DesiredReply => ({ ok: false, status });

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

const jsonBody = (body: string | Uint8Array): unknown => JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
const resourceVersionOf = (obj: unknown): string | undefined =>
  str((obj as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion);

export function serveDesiredState(o: DesiredStateOptions): BusSubscription {
  const subjects = o.bus.subjects.desired;

  const route = (obj: Record<string, unknown>): { type: ResourceType; path: string; name: string; namespace: string } | Status => {
    const apiVersion = str(obj['apiVersion']);
    const kind = str(obj['kind']);
    const meta = (obj['metadata'] ?? {}) as Record<string, unknown>;
    const name = str(meta['name']);
    if (apiVersion === undefined || kind === undefined) return badRequest('Object \'apiVersion\' and \'kind\' are required');
    if (name === undefined) return badRequest('metadata.name is required');
    const type = o.types.find((ty) => apiVersionOf(ty) === apiVersion && ty.kind === kind);
    if (type === undefined) return notFound({ group: '', plural: `${kind} in ${apiVersion}` }, name);
    const namespace = type.namespaced ? (str(meta['namespace']) ?? 'default') : '';
    const path = `${groupVersionPath(type)}${type.namespaced ? `/namespaces/${namespace}` : ''}/${type.plural}/${name}`;
    return { type, path, name, namespace };
  };

  const serve = (verb: 'apply' | 'delete') => async (obj: Record<string, unknown>, headers: Readonly<Record<string, string>>): Promise<DesiredReply> => {
    const authorization = Object.entries(headers).find(([k]) => k.toLowerCase() === AUTHORIZATION_HEADER.toLowerCase())?.[1];
    const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    const user = bearer === undefined ? o.authenticate('') : o.authenticate(bearer);
    if (user === undefined) return failed(unauthorized());
    const target = route(obj);
    if (!('type' in target)) return failed(target);
    const { type, path, name, namespace } = target;
    const before = await o.handler({ method: 'GET', path, query: new URLSearchParams(), headers: { accept: 'application/json' }, user });
    const request: ApiRequest = verb === 'apply'
      ? {
        method: 'PATCH', path, user, body: new TextEncoder().encode(JSON.stringify({ ...obj, metadata: { ...(obj['metadata'] as object), namespace: namespace || undefined } })),
        query: new URLSearchParams({ fieldManager: 'kfed-publish', force: 'true', fieldValidation: 'Strict' }),
        headers: { 'content-type': 'application/apply-patch+yaml', accept: 'application/json' },
      }
      : { method: 'DELETE', path, user, query: new URLSearchParams(), headers: { accept: 'application/json' } };
    const res = await o.handler(request);
    if (res._tag !== 'complete') return failed(badRequest('unexpected watch response'));
    const body = jsonBody(res.body);
    if (res.status >= 300) return failed(body as Status);
    const rv = resourceVersionOf(body) ?? '';
    const previousRv = before._tag === 'complete' && before.status === 200 ? resourceVersionOf(jsonBody(before.body)) : undefined;
    const action = verb === 'delete' ? 'deleted' : res.status === 201 ? 'created' : rv === previousRv ? 'unchanged' : 'configured';
    const resource = type.group === '' ? type.singular : `${type.singular}.${type.group}`;
    return { ok: true, action, object: `${resource}/${name}`, namespace, resourceVersion: rv };
  };

  const subs = [
    o.bus.respond(subjects.apply(), DesiredRequest, DesiredReply, (req, d) => serve('apply')(req, d.headers), { queue: o.queue }),
    o.bus.respond(subjects.delete(), DesiredRequest, DesiredReply, (req, d) => serve('delete')(req, d.headers), { queue: o.queue }),
  ];
  return { stop: async () => { await Promise.all(subs.map((s) => s.stop())); } };
}
