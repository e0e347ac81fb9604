// Replay of a recorded decision: the planner re-run on its recorded input must give the recorded placement.
import type { Placement } from '../events/types.js';
import { plan, PLANNER_VERSION } from '../placement/planner.js';
import { everywhere, placementOf, samePlacement, type PlacementDecidedData } from './decide.js';

const showPlacement = (p: Placement): string => JSON.stringify(p);

/** Undefined when the decision replays bit for bit; otherwise what differs. */
export function replayMismatch(d: PlacementDecidedData): string | undefined {
  if (d.plannerVersion !== PLANNER_VERSION) {
    return `recorded by planner version ${d.plannerVersion}, this kfed runs version ${PLANNER_VERSION}: cannot be re-run`;
  }
  const eligible = d.clusters.filter((c) => c.eligible).map((c) => c.name);
  if (d.input === null) {
    const expected = everywhere(d.clusters);
    return samePlacement(expected, d.placement) ? undefined
      : `placement ${showPlacement(d.placement)} is not the eligible clusters ${showPlacement(expected)}`;
  }
  if (eligible.join('\n') !== d.input.clusters.join('\n')) {
    return `input clusters [${d.input.clusters.join(', ')}] are not the eligible clusters [${eligible.join(', ')}]`;
  }
  const result = plan(d.input);
  const placement = placementOf(d.input, result.plan);
  const problems: string[] = [];
  if (!samePlacement(placement, d.placement)) problems.push(`placement: recorded ${showPlacement(d.placement)}, replayed ${showPlacement(placement)}`);
  if (!samePlacement(result.overflow, d.overflow)) problems.push(`overflow: recorded ${showPlacement(d.overflow)}, replayed ${showPlacement(result.overflow)}`);
  return problems.length === 0 ? undefined : problems.join('; ');
}
