// The simulated controllers' in-process API client: the kube-api write path (defaulting, validation, managedFields) over the cluster's store.
import type * as E from 'fp-ts/lib/Either.js';
import type { KubeObject, PropagationPolicy, Status } from '../../../libs/kube-api/object.js';
import type { ResourceType } from '../../../libs/kube-api/resources.js';
import type { Store } from '../../../libs/kube-api/store.js';
import * as writes from '../../../libs/kube-api/writes.js';

export interface ClusterClient {
  get(type: ResourceType, namespace: string, name: string): Promise<KubeObject | undefined>;
  /** namespace undefined: all namespaces. */
  list(type: ResourceType, namespace?: string): Promise<readonly KubeObject[]>;
  create(type: ResourceType, obj: KubeObject): Promise<E.Either<Status, KubeObject>>;
  /** A JSON merge patch of the object or its status. */
  patch(type: ResourceType, obj: KubeObject, patch: unknown, part: 'main' | 'status'): Promise<E.Either<Status, KubeObject>>;
  delete(type: ResourceType, namespace: string, name: string, propagationPolicy?: PropagationPolicy): Promise<E.Either<Status, KubeObject>>;
}

export interface ClusterClientDeps {
  readonly store: Store;
  readonly clock: () => Date;
  readonly newUid: () => string;
  /** The field manager and user of every write (kube-controller-manager, kube-scheduler, kubelet). */
  readonly manager: string;
}

export function clusterClient(deps: ClusterClientDeps): ClusterClient {
  const writeDeps: writes.WriteDeps = { store: deps.store, clock: deps.clock, newUid: deps.newUid, admission: [] };
  const target = (type: ResourceType, namespace: string, name: string): writes.WriteTarget => ({
    type, namespace: type.namespaced ? namespace : '', name, dryRun: false, fieldValidation: 'Ignore', fieldManager: deps.manager,
    user: { name: `system:${deps.manager}` },
    ctx: { actor: `system:${deps.manager}`, correlationId: deps.newUid(), fieldManager: deps.manager },
  });
  const unwrap = (r: E.Either<Status, writes.Written>): E.Either<Status, KubeObject> =>
    (r._tag === 'Left' ? r : { _tag: 'Right', right: r.right.object });
  return {
    get: (type, namespace, name) => deps.store.get(type.storage, type.namespaced ? namespace : '', name),
    list: async (type, namespace) => (await deps.store.list(type.storage, type.namespaced ? namespace : undefined)).items,
    create: async (type, obj) => unwrap(await writes.create(writeDeps, target(type, obj.metadata.namespace ?? '', ''), obj)),
    patch: async (type, obj, patch, part) =>
      unwrap(await writes.patch(writeDeps, target(type, obj.metadata.namespace ?? '', obj.metadata.name ?? ''), part, 'merge', patch, false)),
    delete: async (type, namespace, name, propagationPolicy = 'Background') =>
      unwrap(await writes.remove(writeDeps, target(type, namespace, name), { propagationPolicy })),
  };
}
