// The federation API as the join/unjoin commands use it: client-node's generic object API, outcomes as
// kubectl prints them ("secret/new-york created"), failures in words without credentials.
import * as E from 'fp-ts/lib/Either.js';
import * as k8s from '@kubernetes/client-node';
import { getString } from '../libs/kube-api/json.js';
import type { KubeObject } from '../libs/kube-api/object.js';

export type Outcome = 'created' | 'configured' | 'unchanged' | 'deleted' | 'not found';

export interface FederationApi {
  /** Creates the object, or replaces it when `differs(stored)` says it changed. */
  put(object: KubeObject, differs: (stored: KubeObject) => boolean): Promise<E.Either<string, Outcome>>;
  read(object: KubeObject): Promise<E.Either<string, KubeObject | undefined>>;
  remove(object: KubeObject): Promise<E.Either<string, Outcome>>;
}

const bodyMessage = (body: unknown): string | undefined => {
  if (typeof body === 'string') {
    try {
      return getString(JSON.parse(body), 'message');
    } catch {
      return undefined;
    }
  }
  return getString(body, 'message');
};

const errnoOf = (err: unknown): string | undefined => {
  for (let e: unknown = err; typeof e === 'object' && e !== null; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
};

/** kubectl's words for a failed request; never the request itself (its headers carry the token). */
export function describeFailure(err: unknown, server: string, context: string): string {
  if (err instanceof k8s.ApiException) {
    const message = bodyMessage(err.body) ?? `HTTP ${err.code}`;
    if (err.code === 401) return `the federation API at ${server} rejected the credentials of context "${context}" (401 Unauthorized)`;
    if (err.code === 403) return `Error from server (Forbidden): ${message}`;
    return `Error from server (${err.code}): ${message}`;
  }
  const code = errnoOf(err);
  const reason = code === 'ECONNREFUSED' ? 'connection refused' : code ?? 'the request failed';
  return `cannot reach the federation API at ${server} (context "${context}"): ${reason}`;
}

export function federationApi(kc: k8s.KubeConfig, context: string): FederationApi {
  const api = k8s.KubernetesObjectApi.makeApiClient(kc);
  const server = kc.getCurrentCluster()?.server ?? '(no server)';
  const header = (o: KubeObject) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name ?? '', namespace: o.metadata.namespace ?? '' } });
  const fail = (err: unknown): E.Either<string, never> => E.left(describeFailure(err, server, context));
  const notFound = (err: unknown): boolean => err instanceof k8s.ApiException && err.code === 404;

  const read: FederationApi['read'] = async (object) => {
    try {
      return E.right((await api.read(header(object))) as unknown as KubeObject);
    } catch (err) {
      return notFound(err) ? E.right(undefined) : fail(err);
    }
  };
  return {
    read,
    async put(object, differs) {
      const stored = await read(object);
      if (E.isLeft(stored)) return stored;
      try {
        if (stored.right === undefined) {
          await api.create(object as k8s.KubernetesObject);
          return E.right('created');
        }
        if (!differs(stored.right)) return E.right('unchanged');
        await api.replace({ ...object, metadata: { ...object.metadata, resourceVersion: stored.right.metadata.resourceVersion } } as k8s.KubernetesObject);
        return E.right('configured');
      } catch (err) {
        return fail(err);
      }
    },
    async remove(object) {
      try {
        await api.delete(header(object));
        return E.right('deleted');
      } catch (err) {
        return notFound(err) ? E.right('not found') : fail(err);
      }
    },
  };
}

/** kubectl's name of an object in output lines: `secret/x`, `cluster.federation/x`. */
export function shownName(o: KubeObject): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return `${o.kind.toLowerCase()}${group === '' ? '' : `.${group}`}/${o.metadata.name ?? ''}`;
}
