// What the syncer and the aggregator work from: the federation's read model plus every object's placement and the copies deleted objects leave behind.
import * as t from 'io-ts';
import type { EventEnvelope } from '../events/envelope.js';
import type { Projection } from '../events/projection.js';
import { Placement, PropagationPolicy } from '../events/types.js';
import { federationState, type FederationState, type FederationStateOptions } from '../federation/state.js';
import { isAnnotatedTrue, ORPHAN_ANNOTATION } from './render.js';

export interface SyncView {
  readonly federation: FederationState;
  /** The last placement of every live object (all kinds: non-replicated ones have no status.placement). */
  readonly placements: Map<string, Placement>;
  /** Object streams placed on each cluster: what a cluster's syncer must hold there. */
  readonly byCluster: Map<string, Set<string>>;
  /**
   * Objects deleted with their copies orphaned (propagationPolicy Orphan or the orphan annotation): the
   * copies stay in the members and kfed lets go of them. Forgotten when the object is created again.
   */
  readonly released: Set<string>;
}

const PlacementData = t.type({ placement: Placement });
const DeletedData = t.type({ propagationPolicy: PropagationPolicy });

function place(s: SyncView, stream: string, next: Placement | undefined): void {
  for (const cluster of Object.keys(s.placements.get(stream) ?? {})) {
    const streams = s.byCluster.get(cluster);
    streams?.delete(stream);
    if (streams?.size === 0) s.byCluster.delete(cluster);
  }
  if (next === undefined) {
    s.placements.delete(stream);
    return;
  }
  s.placements.set(stream, next);
  for (const cluster of Object.keys(next)) {
    let streams = s.byCluster.get(cluster);
    if (streams === undefined) s.byCluster.set(cluster, (streams = new Set()));
    streams.add(stream);
  }
}

export function syncView(options: FederationStateOptions): Projection<SyncView> {
  const federation = federationState(options);
  return {
    name: 'sync-view',
    initial: () => ({ federation: federation.initial(), placements: new Map(), byCluster: new Map(), released: new Set() }),
    evolve(s, e: EventEnvelope) {
      const before = s.federation.objects.get(e.stream);
      federation.evolve(s.federation, e);
      switch (e.type) {
        case 'PlacementDecided': {
          // A payload this build cannot read leaves the last placement standing: copies are never dropped on a misread.
          const decoded = PlacementData.decode(e.data);
          if (decoded._tag === 'Right' && s.federation.objects.has(e.stream)) place(s, e.stream, decoded.right.placement);
          break;
        }
        case 'ObjectApplied':
          s.released.delete(e.stream);
          break;
        case 'ObjectDeleted': {
          if (before === undefined) break;
          place(s, e.stream, undefined);
          const decoded = DeletedData.decode(e.data);
          const orphan = (decoded._tag === 'Right' && decoded.right.propagationPolicy === 'Orphan') || isAnnotatedTrue(before.object, ORPHAN_ANNOTATION);
          if (orphan) s.released.add(e.stream);
          break;
        }
        default:
          break;
      }
      return s;
    },
  };
}
