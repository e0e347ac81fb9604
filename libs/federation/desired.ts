// The desired-state request/reply over NATS (subjects desired.apply and desired.delete): for
// pipelines that speak NATS rather than HTTP, and `kfed publish`.
import * as t from 'io-ts';
import { Status } from '../kube-api/object.js';

/** A request is one Kubernetes object (for delete, its apiVersion, kind and metadata suffice). */
export const DesiredRequest = t.UnknownRecord;

export const DesiredReply = t.union([
  t.type({
    ok: t.literal(true),
    action: t.keyof({ created: null, configured: null, unchanged: null, deleted: null }),
    /** kubectl's name for it: `replicaset.apps/nginx`. */
    object: t.string,
    namespace: t.string,
    resourceVersion: t.string,
  }),
  t.type({ ok: t.literal(false), status: Status }),
]);
export type DesiredReply = t.TypeOf<typeof DesiredReply>;

/** The header that carries the bearer token, as on HTTP. */
export const AUTHORIZATION_HEADER = 'Authorization';

