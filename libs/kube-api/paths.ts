// Request paths of the Kubernetes API, parsed into typed routes (syntax only: which types exist is the catalog's business).

export type Route =
  | { readonly _tag: 'version' }
  | { readonly _tag: 'health'; readonly check: 'healthz' | 'readyz' | 'livez' }
  | { readonly _tag: 'coreVersions' }
  | { readonly _tag: 'groups' }
  | { readonly _tag: 'group'; readonly group: string }
  | { readonly _tag: 'resourceList'; readonly group: string; readonly version: string }
  | { readonly _tag: 'openapiV2' }
  | { readonly _tag: 'openapiV3' }
  | ResourceRoute
  | { readonly _tag: 'unknown' };

/** `…/<plural>` (namespace undefined: all namespaces, or a cluster-scoped type), `…/<plural>/<name>[/<sub>]`. */
export interface ResourceRoute {
  readonly _tag: 'resource';
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

/** Subresources of a Namespace, which the path shape would otherwise take for a namespaced collection. */
const namespaceSubresources = new Set(['status', 'finalize']);

export function parsePath(path: string): Route {
  let segments: string[];
  try {
    segments = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  } catch {
    return unknown; // malformed %-escape
  }
  const [first, ...rest] = segments;
  switch (first) {
    case 'version':
      return rest.length === 0 ? { _tag: 'version' } : unknown;
    case 'healthz':
    case 'readyz':
    case 'livez':
      return { _tag: 'health', check: first };
    case 'openapi':
      return rest[0] === 'v2' && rest.length === 1 ? { _tag: 'openapiV2' } : rest[0] === 'v3' ? { _tag: 'openapiV3' } : unknown;
    case 'api': {
      const [version, ...resource] = rest;
      if (version === undefined) return { _tag: 'coreVersions' };
      return resourcePath('', version, resource);
    }
    case 'apis': {
      const [group, version, ...resource] = rest;
      if (group === undefined) return { _tag: 'groups' };
      if (version === undefined) return { _tag: 'group', group };
      return resourcePath(group, version, resource);
    }
    default:
      return unknown;
  }
}

const unknown: Route = { _tag: 'unknown' };

function resourcePath(group: string, version: string, segments: readonly string[]): Route {
  if (segments.length === 0) return { _tag: 'resourceList', group, version };
  const [a, b, c, d, e, ...extra] = segments;
  if (extra.length > 0 || a === undefined) return unknown;
  // namespaces/<ns>/<plural>[/<name>[/<sub>]], unless <plural> is a subresource of the Namespace itself.
  if (a === 'namespaces' && b !== undefined && c !== undefined && !(d === undefined && namespaceSubresources.has(c))) {
    return object(group, version, c, b, d, e);
  }
  if (d !== undefined) return unknown;
  return object(group, version, a, undefined, b, c);
}

function object(group: string, version: string, plural: string, namespace: string | undefined, name: string | undefined, subresource: string | undefined): ResourceRoute {
  return {
    _tag: 'resource', group, version, plural,
    ...(namespace === undefined ? {} : { namespace }),
    ...(name === undefined ? {} : { name }),
    ...(subresource === undefined ? {} : { subresource }),
  };
}
