// What a member cluster should hold for one federated object, and the one step that gets its live copy there.
import { parseObjectStream } from '../events/streams.js';
import type { StoredObject } from '../federation/state.js';
import type { KubeObject } from '../kube-api/object.js';
import { notPlacedBecause } from '../scheduling/decide.js';
import { ADOPT_ANNOTATION, diffNeeded, isAnnotatedTrue, isManagedBy, ORPHAN_ANNOTATION, render } from './render.js';
import type { SyncView } from './view.js';

/** What `cluster` should hold for one object stream. */
export type Desired =
  /** kfed's copy, as rendered; `adopt`: an unmanaged object of the same name may be taken over. */
  | { readonly _tag: 'Present'; readonly object: KubeObject; readonly adopt: boolean }
  /** No copy: delete kfed's, if any (cascading to its dependents, as kube's default). */
  | { readonly _tag: 'Absent' }
  /** Not placed here, but the object asks to orphan: kfed's copy stays as it is while the object lives. */
  | { readonly _tag: 'Kept' }
  /** The object was deleted with its copies orphaned: they stay, and kfed lets go of them. */
  | { readonly _tag: 'Released' }
  /** Never propagated (control-plane namespace, Clusters, Events): kfed touches nothing. */
  | { readonly _tag: 'Never'; readonly why: string };

/**
 * Copies already rendered, per stored object (objects in the read model are values: a change replaces
 * them) and share: the clusters that get the same share of an object get the same copy, rendered once.
 * Copies are never mutated. The memo goes with the object it was rendered from.
 */
const renderedCopies = new WeakMap<KubeObject, Map<string, KubeObject>>();

function renderedCopy(stored: StoredObject, replicas: number, federation: string): KubeObject {
  let byShare = renderedCopies.get(stored.object);
  if (byShare === undefined) renderedCopies.set(stored.object, (byShare = new Map()));
  const key = `${federation}/${replicas}`;
  let copy = byShare.get(key);
  if (copy === undefined) byShare.set(key, (copy = render(stored, replicas, federation)));
  return copy;
}

export function desiredFor(view: SyncView, stream: string, cluster: string, federation: string): Desired {
  const ref = parseObjectStream(stream);
  if (ref === undefined) return { _tag: 'Never', why: `${stream} is not an object stream` };
  const never = notPlacedBecause(ref);
  if (never !== undefined) return { _tag: 'Never', why: never };
  const stored = view.federation.objects.get(stream);
  if (stored === undefined) return view.released.has(stream) ? { _tag: 'Released' } : { _tag: 'Absent' };
  const replicas = view.placements.get(stream)?.[cluster];
  if (replicas === undefined) return isAnnotatedTrue(stored.object, ORPHAN_ANNOTATION) ? { _tag: 'Kept' } : { _tag: 'Absent' };
  return { _tag: 'Present', object: renderedCopy(stored, replicas, federation), adopt: isAnnotatedTrue(stored.object, ADOPT_ANNOTATION) };
}

/** Why a member's object is left as it is although kfed would write it. */
export interface NotOurs {
  readonly reason: 'AlreadyExists';
  readonly message: string;
}

/** The write that brings a member's copy to what is desired (at most one per reconcile; the next run sees its result). */
export type SyncStep =
  /** Nothing there (a GET said so): create it. */
  | { readonly _tag: 'Create'; readonly object: KubeObject }
  /** kfed's copy (or one to adopt) differs in a field kfed owns: apply it. */
  | { readonly _tag: 'Apply'; readonly object: KubeObject }
  /** Delete kfed's copy; `uid` guards against deleting an object re-created meanwhile. */
  | { readonly _tag: 'Delete'; readonly uid: string | undefined }
  /** Remove kfed's label and annotations from the copy, leaving the object to the member. */
  | { readonly _tag: 'Release' }
  /** Holds what is desired already. */
  | { readonly _tag: 'InSync' }
  /** An object kfed does not manage is in the way. */
  | { readonly _tag: 'Blocked'; readonly why: NotOurs };

const kindName = (o: KubeObject): string => `${o.kind.toLowerCase()} "${o.metadata.namespace === undefined ? '' : `${o.metadata.namespace}/`}${o.metadata.name ?? ''}"`;

/**
 * The next step for one member object. `live` is the member's object of that name (undefined: none).
 * A Namespace that exists unmanaged already serves the objects placed in it: kfed neither takes it
 * over nor reports it (members have their own `default`, and so often does the federation).
 */
export function planSync(desired: Desired, live: KubeObject | undefined, federation: string): SyncStep {
  const ours = live !== undefined && isManagedBy(live, federation);
  switch (desired._tag) {
    case 'Present':
      if (live === undefined) return { _tag: 'Create', object: desired.object };
      if (ours || desired.adopt) return diffNeeded(desired.object, live) ? { _tag: 'Apply', object: desired.object } : { _tag: 'InSync' };
      if (live.kind === 'Namespace') return { _tag: 'InSync' };
      return {
        _tag: 'Blocked',
        why: {
          reason: 'AlreadyExists',
          message: `${kindName(live)} already exists in the member and kfed does not manage it (annotate the federated object ${ADOPT_ANNOTATION}: "true" to take it over)`,
        },
      };
    case 'Absent': return ours ? { _tag: 'Delete', uid: live.metadata.uid } : { _tag: 'InSync' };
    case 'Released': return ours ? { _tag: 'Release' } : { _tag: 'InSync' };
    case 'Kept':
    case 'Never':
      return { _tag: 'InSync' };
  }
}
