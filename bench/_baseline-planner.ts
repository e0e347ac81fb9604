// Baseline replica planner: a line-by-line port of Federation v1's Go planner that rescans every cluster each round.
// The benchmark measures kfed's planner against it, and the property tests use it as the oracle.
import { fnv1_32, type PlanInput, type PlanResult } from '../libs/placement/planner.js';
import type { ClusterPreferences } from '../libs/placement/preferences.js';

interface Named { readonly name: string; readonly hash: number; readonly pref: ClusterPreferences }

const utf8 = new TextEncoder();

/** ceil(a·b/c) exactly, as Go's int64 (a*b + c - 1) / c. */
function ceilDiv(a: number, b: number, c: number): number {
  const p = a * b;
  if (p <= Number.MAX_SAFE_INTEGER) return (p - (p % c)) / c + (p % c > 0 ? 1 : 0);
  return Number((BigInt(a) * BigInt(b) + BigInt(c) - 1n) / BigInt(c));
}

const lookup = (r: Readonly<Record<string, number>> | undefined, k: string): number | undefined =>
  r !== undefined && Object.hasOwn(r, k) ? r[k] : undefined;

export function baselinePlan(input: PlanInput): PlanResult {
  const { preferences, totalReplicas, clusters, key } = input;
  const current = input.current ?? {};
  const capacity = input.capacity ?? {};
  const plan = new Map<string, number>();
  const overflow = new Map<string, number>();
  const named = (name: string, pref: ClusterPreferences): Named =>
    ({ name, hash: fnv1_32(utf8.encode(name + key)), pref });

  let prefs: Named[] = [];
  for (const c of clusters) {
    if (Object.hasOwn(preferences.clusters, c)) prefs.push(named(c, preferences.clusters[c] as ClusterPreferences));
    else if (Object.hasOwn(preferences.clusters, '*')) prefs.push(named(c, preferences.clusters['*'] as ClusterPreferences));
    else plan.set(c, 0);
  }
  const w = (p: Named): number => p.pref.weight ?? 0;
  prefs.sort((a, b) => w(b) - w(a) || a.hash - b.hash || (a.name < b.name ? -1 : 1));

  let remaining = totalReplicas;
  for (const p of prefs) {
    let min = Math.min(p.pref.minReplicas ?? 0, remaining);
    const cap = lookup(capacity, p.name);
    if (cap !== undefined) min = Math.min(min, cap);
    remaining -= min;
    plan.set(p.name, min);
  }

  const preallocated = new Map<string, number>();
  if (preferences.rebalance !== true) {
    for (const p of prefs) {
      const planned = plan.get(p.name) ?? 0;
      const count = lookup(current, p.name);
      if (count !== undefined && count > planned) {
        let target = count;
        if (p.pref.maxReplicas !== undefined && p.pref.maxReplicas !== null) target = Math.min(p.pref.maxReplicas, target);
        const cap = lookup(capacity, p.name);
        if (cap !== undefined) target = Math.min(cap, target);
        const extra = Math.max(0, Math.min(target - planned, remaining));
        remaining -= extra;
        preallocated.set(p.name, extra);
        plan.set(p.name, extra + planned);
      }
    }
  }

  let modified = true;
  while (modified && remaining > 0) {
    modified = false;
    let weightSum = 0;
    for (const p of prefs) weightSum += w(p);
    const next: Named[] = [];
    const distribute = remaining;
    for (const p of prefs) {
      if (weightSum === 0) break;
      const start = plan.get(p.name) ?? 0;
      let extra = Math.min(ceilDiv(distribute, w(p), weightSum), remaining);
      const prealloc = preallocated.get(p.name) ?? 0;
      const used = Math.min(extra, prealloc);
      preallocated.set(p.name, prealloc - used);
      extra -= used;
      if (used > 0) modified = true;
      let total = start + extra;
      let full = false;
      const max = p.pref.maxReplicas;
      if (max !== undefined && max !== null && total > max) { total = max; full = true; }
      const cap = lookup(capacity, p.name);
      if (cap !== undefined && total > cap) { overflow.set(p.name, total - cap); total = cap; full = true; }
      if (!full) next.push(p);
      remaining -= total - start;
      plan.set(p.name, total);
      if (total > start) modified = true;
    }
    prefs = next;
  }

  // rebalance false: overflow is trimmed to the replicas that could not be placed anywhere.
  const trimmed = [...overflow]
    .map(([name, v]): [string, number] => [name, preferences.rebalance === true ? v : Math.min(v, remaining)])
    .filter(([, v]) => v > 0);
  return { plan: Object.fromEntries(plan), overflow: Object.fromEntries(trimmed) };
}
