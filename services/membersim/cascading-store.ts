// A Store decorator for deletion propagation: Orphan deletes first release the object's dependents, as kube's orphan finalizer does.
import type { Either } from 'fp-ts/lib/Either.js';
import type { KubeObject } from '../../libs/kube-api/object.js';
import type { StorageKind } from '../../libs/kube-api/resources.js';
import type { DeleteRequest, Store, StoreError, StoreEvent, WatchExpired, WriteContext } from '../../libs/kube-api/store.js';

/**
 * Background deletion (the default) needs nothing here: the garbage collector deletes the dependents of
 * owners that are gone. Foreground is treated as Background: the owner goes first, its dependents right after.
 */
export class CascadingStore implements Store {
  constructor(private readonly inner: Store, private readonly dependentKinds: readonly StorageKind[]) {}

  get(kind: StorageKind, namespace: string, name: string): Promise<KubeObject | undefined> {
    return this.inner.get(kind, namespace, name);
  }

  list(kind: StorageKind, namespace: string | undefined): Promise<{ readonly items: readonly KubeObject[]; readonly resourceVersion: string }> {
    return this.inner.list(kind, namespace);
  }

  create(kind: StorageKind, obj: KubeObject, ctx: WriteContext): Promise<Either<StoreError, KubeObject>> {
    return this.inner.create(kind, obj, ctx);
  }

  update(kind: StorageKind, obj: KubeObject, expectedResourceVersion: string, ctx: WriteContext): Promise<Either<StoreError, KubeObject>> {
    return this.inner.update(kind, obj, expectedResourceVersion, ctx);
  }

  watch(kind: StorageKind, namespace: string | undefined, fromResourceVersion: string, signal: AbortSignal): Promise<Either<WatchExpired, AsyncIterable<StoreEvent>>> {
    return this.inner.watch(kind, namespace, fromResourceVersion, signal);
  }

  async delete(kind: StorageKind, namespace: string, name: string, req: DeleteRequest, ctx: WriteContext): Promise<Either<StoreError, KubeObject>> {
    const { propagationPolicy, orphanDependents } = req.options;
    if (propagationPolicy === 'Orphan' || (propagationPolicy === undefined && orphanDependents === true)) {
      const owner = await this.inner.get(kind, namespace, name);
      if (owner?.metadata.uid !== undefined) await this.orphanDependents(owner.metadata.uid, namespace, ctx);
    }
    return this.inner.delete(kind, namespace, name, req, ctx);
  }

  private async orphanDependents(uid: string, namespace: string, ctx: WriteContext): Promise<void> {
    const owns = (o: KubeObject | undefined): o is KubeObject => (o?.metadata.ownerReferences ?? []).some((r) => r.uid === uid);
    for (const kind of this.dependentKinds) {
      for (const listed of (await this.inner.list(kind, namespace)).items.filter(owns)) {
        // Re-read and retry on conflicts: a dependent left owned would be deleted by the garbage collector.
        for (let attempt = 0, dep: KubeObject | undefined = listed; attempt < 20 && owns(dep); attempt += 1) {
          const { ownerReferences = [], ...meta } = dep.metadata;
          const rest = ownerReferences.filter((r) => r.uid !== uid);
          const released = { ...dep, metadata: rest.length > 0 ? { ...meta, ownerReferences: rest } : meta };
          const r = await this.inner.update(kind, released, dep.metadata.resourceVersion ?? '', ctx);
          if (r._tag === 'Right' || r.left._tag !== 'Conflict') break;
          dep = await this.inner.get(kind, namespace, dep.metadata.name ?? '');
        }
      }
    }
  }
}
