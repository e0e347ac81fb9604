// Why a placement changed, in words, computed from the previous decision's recorded inputs and the new ones.
import type { CandidateCluster, Placement } from '../events/types.js';
import type { PlanInput } from '../placement/planner.js';
import type { ClusterPreferences, ReplicaSetPreferences } from '../placement/preferences.js';
import type { PlacementDecidedData, SchedulingConfig } from './decide.js';

/** What a decision consists of, before its reason. */
export interface DecisionParts {
  readonly input: PlanInput | null;
  readonly clusters: readonly CandidateCluster[];
  readonly placement: Placement;
  readonly overflow: Placement;
}

/** Changes between two replica-set-preferences values: per-cluster weights, limits, the rebalance flag. */
export interface PreferenceChanges {
  /** "new-york 1→20" */
  readonly weights: readonly string[];
  /** "berlin maxReplicas 10→5" */
  readonly limits: readonly string[];
  /** "false→true" */
  readonly rebalance?: string;
}

const show = (v: number | null | undefined): string => (v === undefined ? 'none' : v === null ? 'unbounded' : String(v));

export function preferenceChanges(a: ReplicaSetPreferences, b: ReplicaSetPreferences): PreferenceChanges {
  const weights: string[] = [];
  const limits: string[] = [];
  // The new value's order first (it is how the user wrote it), then entries it dropped.
  const names = [...new Set([...Object.keys(b.clusters), ...Object.keys(a.clusters)])];
  for (const name of names) {
    const x: ClusterPreferences | undefined = Object.hasOwn(a.clusters, name) ? a.clusters[name] : undefined;
    const y: ClusterPreferences | undefined = Object.hasOwn(b.clusters, name) ? b.clusters[name] : undefined;
    const w = (p: ClusterPreferences | undefined): number | undefined => (p === undefined ? undefined : p.weight ?? 0);
    if (w(x) !== w(y)) weights.push(`${name} ${show(w(x))}→${show(w(y))}`);
    for (const field of ['minReplicas', 'maxReplicas'] as const) {
      const u = x === undefined ? undefined : x[field] ?? (field === 'minReplicas' ? 0 : null);
      const v = y === undefined ? undefined : y[field] ?? (field === 'minReplicas' ? 0 : null);
      if (u !== v && x !== undefined && y !== undefined) limits.push(`${name} ${field} ${show(u)}→${show(v)}`);
    }
  }
  const ra = a.rebalance === true;
  const rb = b.rebalance === true;
  return { weights, limits, ...(ra !== rb ? { rebalance: `${ra}→${rb}` } : {}) };
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10}s`;

function clusterChanges(before: readonly CandidateCluster[], after: readonly CandidateCluster[], config: SchedulingConfig): string[] {
  const out: string[] = [];
  const previous = new Map(before.map((c) => [c.name, c]));
  for (const c of after) {
    const p = previous.get(c.name);
    previous.delete(c.name);
    if (p === undefined) {
      if (c.eligible) out.push(`${c.name} joined`);
      continue;
    }
    if (p.why === c.why && p.state === c.state) continue;
    if (c.why === 'NotSelected') out.push(`${c.name} no longer selected`);
    else if (p.why === 'NotSelected') out.push(`${c.name} now selected`);
    else if (p.state !== c.state) {
      const delay = c.why === 'FailoverDelay' ? ` (keeps its replicas until ${c.until})` : c.why === 'RecoveryDelay' ? ` (re-enters at ${c.until})` : '';
      out.push(`${c.name} became ${c.state}${delay}`);
    } else if (c.why === 'NotReady') out.push(`${c.name} ${c.state} for longer than the failover delay (${seconds(config.failoverDelayMs)})`);
    else if (c.why === 'Ready') out.push(`${c.name} Ready again for the recovery delay (${seconds(config.recoveryDelayMs)})`);
  }
  for (const name of previous.keys()) out.push(`${name} left the federation`);
  return out;
}

function countChanges(a: Placement | undefined, b: Placement | undefined): string[] {
  const out: string[] = [];
  for (const name of new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])) {
    const x = a?.[name] ?? 0;
    const y = b?.[name] ?? 0;
    if (x !== y) out.push(`${name} ${x}→${y}`);
  }
  return out;
}

/** Capacity limits and overflow: "berlin over capacity by 3", "berlin no longer over capacity", "berlin capacity 7". */
function capacityChanges(before: DecisionParts | undefined, after: DecisionParts): string[] {
  const out: string[] = [];
  const overflowBefore = before?.overflow ?? {};
  const mentioned = new Set<string>();
  for (const name of new Set([...Object.keys(overflowBefore), ...Object.keys(after.overflow)])) {
    const x = overflowBefore[name] ?? 0;
    const y = after.overflow[name] ?? 0;
    if (x === y) continue;
    mentioned.add(name);
    out.push(y > 0 ? `${name} over capacity by ${y}` : `${name} no longer over capacity`);
  }
  const capBefore = before?.input?.capacity ?? {};
  const capAfter = after.input?.capacity ?? {};
  for (const name of new Set([...Object.keys(capBefore), ...Object.keys(capAfter)])) {
    if (mentioned.has(name) || capBefore[name] === capAfter[name]) continue;
    out.push(capAfter[name] === undefined ? `${name} capacity limit lifted` : `${name} capacity ${capAfter[name]}`);
  }
  return out;
}

/** The reason of a decision: every change since `previous` that can move replicas, joined by "; ". */
export function describeDecision(previous: PlacementDecidedData | undefined, next: DecisionParts, config: SchedulingConfig): string {
  const parts: string[] = [];
  const a = previous?.input ?? null;
  const b = next.input;
  if (previous === undefined) parts.push('first placement');
  if (a !== null && b !== null) {
    if (a.totalReplicas !== b.totalReplicas) parts.push(`scaled ${a.totalReplicas}→${b.totalReplicas}`);
    const prefs = preferenceChanges(a.preferences, b.preferences);
    if (prefs.weights.length > 0) parts.push(`weights changed: ${prefs.weights.join(', ')}`);
    if (prefs.limits.length > 0) parts.push(`limits changed: ${prefs.limits.join(', ')}`);
    if (prefs.rebalance !== undefined) parts.push(`rebalance ${prefs.rebalance}`);
  }
  if (previous !== undefined) parts.push(...clusterChanges(previous.clusters, next.clusters, config));
  parts.push(...capacityChanges(previous, next));
  const running = countChanges(a?.current, b?.current);
  if (b !== null && b.preferences.rebalance !== true && running.length > 0 && previous !== undefined) {
    parts.push(`running replicas changed: ${running.join(', ')}`);
  }
  if (!next.clusters.some((c) => c.eligible) && (previous === undefined || previous.clusters.some((c) => c.eligible))) {
    parts.push('no eligible cluster');
  }
  if (parts.length === 0) parts.push('re-planned');
  return parts.join('; ');
}

/**
 * "new-york 5→10, berlin 5→0": per-cluster replicas before → after, every cluster in either. For
 * kinds without replicas only membership moves: "new-york, +berlin, -paris".
 */
export function describeMove(before: Placement | null, after: Placement, replicated: boolean): string {
  const names = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])];
  if (names.length === 0) return 'nowhere';
  return names.map((n) => {
    const x = before === null || !Object.hasOwn(before, n) ? undefined : before[n];
    const y = Object.hasOwn(after, n) ? after[n] : undefined;
    if (!replicated) return x === undefined ? `+${n}` : y === undefined ? `-${n}` : n;
    return x === y ? `${n} ${String(y)}` : `${n} ${x ?? 0}→${y ?? 0}`;
  }).join(', ');
}
