// Stream names: which aggregate an event belongs to. Built here only.
import * as t from 'io-ts';

/** Identity of a federated object, by storage group/kind (aliases such as extensions/v1beta1 share it). */
export const ObjectRef = t.type({
  group: t.string, // '' for the core group
  kind: t.string,
  namespace: t.string, // '' for cluster-scoped objects
  name: t.string,
});
export type ObjectRef = t.TypeOf<typeof ObjectRef>;

export const objectStream = (ref: ObjectRef): string =>
  `object:${ref.group === '' ? 'core' : ref.group}/${ref.kind}/${ref.namespace === '' ? '-' : ref.namespace}/${ref.name}`;

/** Inverse of objectStream; undefined for streams of other aggregates. */
export function parseObjectStream(stream: string): ObjectRef | undefined {
  const m = /^object:([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(stream);
  if (m === null) return undefined;
  const [, group = '', kind = '', namespace = '', name = ''] = m;
  return { group: group === 'core' ? '' : group, kind, namespace: namespace === '-' ? '' : namespace, name };
}

export const clusterStream = (cluster: string): string => `cluster:${cluster}`;
