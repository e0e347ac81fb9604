// Status error values with kube-apiserver's exact reasons, codes and wording (kubectl prints them verbatim).
import type { Status, StatusCause, StatusDetails } from './object.js';
import { invalidMessage, type FieldCause } from './validation.js';

/** What an error names: the resource ("deployments" in group "apps") and, for 422, the Kind. */
export interface ResourceName {
  readonly group: string;
  readonly plural: string;
}

/** `deployments.apps`, or `pods` for the core group. */
export function qualifiedResource(r: ResourceName): string {
  return r.group === '' ? r.plural : `${r.plural}.${r.group}`;
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details === undefined ? {} : { details }),
    code,
  };
}

function resourceDetails(r: ResourceName, name: string): StatusDetails {
  return { name, ...(r.group === '' ? {} : { group: r.group }), kind: r.plural };
}

export function notFound(r: ResourceName, name: string): Status {
  return failure(404, 'NotFound', `${qualifiedResource(r)} "${name}" not found`, resourceDetails(r, name));
}

/** A path that names no resource this server serves. */
export function pathNotFound(): Status {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function alreadyExists(r: ResourceName, name: string): Status {
  return failure(409, 'AlreadyExists', `${qualifiedResource(r)} "${name}" already exists`, resourceDetails(r, name));
}

export const modifiedConflictReason = 'the object has been modified; please apply your changes to the latest version and try again';

/** 409 Conflict; `why` defaults to the stale-resourceVersion wording. */
export function conflict(r: ResourceName, name: string, why: string = modifiedConflictReason): Status {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(r)} "${name}": ${why}`, resourceDetails(r, name));
}

/** 409 from server-side apply: the message comes from the field manager, causes name the fields. */
export function applyConflict(r: ResourceName, name: string, message: string, causes: readonly StatusCause[]): Status {
  return failure(409, 'Conflict', message, { ...resourceDetails(r, name), causes: [...causes] });
}

/** One cause of a 422, as validation and admission plugins report it. */
export type FieldError = FieldCause;

/** 422 Invalid. Unlike the other errors, details.kind is the Kind; kubectl renders the text from the causes. */
export function invalid(gk: { readonly group: string; readonly kind: string }, name: string, causes: readonly FieldError[]): Status {
  return failure(422, 'Invalid', invalidMessage(gk, name, causes), {
    name,
    ...(gk.group === '' ? {} : { group: gk.group }),
    kind: gk.kind,
    causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
  });
}

/** 422 without details (kubectl prints `The request is invalid: <msg>`-style text from the message). */
export function invalidRequest(message: string): Status {
  return failure(422, 'Invalid', message);
}

export function badRequest(message: string): Status {
  return failure(400, 'BadRequest', message);
}

export function unauthorized(): Status {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export interface ForbiddenRequest {
  readonly user: string;
  readonly verb: string;
  readonly resource: ResourceName;
  readonly name?: string;
  readonly namespace?: string;
  readonly subresource?: string;
}

/** 403 with kube's RBAC wording. */
export function forbidden(f: ForbiddenRequest): Status {
  const what = f.name === undefined ? qualifiedResource(f.resource) : `${qualifiedResource(f.resource)} "${f.name}"`;
  const resource = f.subresource === undefined ? f.resource.plural : `${f.resource.plural}/${f.subresource}`;
  const scope = f.namespace === undefined ? 'at the cluster scope' : `in the namespace "${f.namespace}"`;
  return failure(403, 'Forbidden',
    `${what} is forbidden: User "${f.user}" cannot ${f.verb} resource "${resource}" in API group "${f.resource.group}" ${scope}`,
    { ...(f.name === undefined ? {} : { name: f.name }), ...(f.resource.group === '' ? {} : { group: f.resource.group }), kind: f.resource.plural });
}

export function methodNotAllowed(): Status {
  return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

export function notAcceptable(accept: string): Status {
  return failure(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/yaml (got ${accept})`);
}

export function requestEntityTooLarge(limitBytes: number): Status {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limitBytes}`);
}

/** 415: the SMP wording for kinds without a strategic-merge schema, or any unknown body format. */
export function unsupportedMediaType(accepted: readonly string[]): Status {
  return failure(415, 'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

/** 410 for a watch or continue token older than the server keeps. */
export function expired(message: string): Status {
  return failure(410, 'Expired', message);
}

export function gone(message: string): Status {
  return failure(410, 'Gone', message);
}

export function internalError(message: string): Status {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

export function serviceUnavailable(message: string): Status {
  return failure(503, 'ServiceUnavailable', message);
}

/** The Success Status some DELETEs return. */
export function success(details: StatusDetails): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}
