// The replica planner: how many of an object's replicas each cluster runs, with Kubernetes Federation v1's results.
import type * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { closedObject, Count, decodeWith, ReplicaSetPreferences, type PreferencesError } from './preferences.js';

/** Recorded with every decision; bump it whenever any result of `plan` changes. */
export const PLANNER_VERSION = 1;

const Counts = t.readonly(t.record(t.string, Count));

/** Cluster names; each at most once (the planner keys its results by name). */
const ClusterNames = new t.Type<readonly string[], readonly string[], unknown>(
  'ClusterNames',
  (u): u is readonly string[] => Array.isArray(u) && u.every((x) => typeof x === 'string') && new Set(u).size === u.length,
  (u, c) => {
    const names = t.readonlyArray(t.string).validate(u, c);
    if (names._tag === 'Left') return names;
    const seen = new Set<string>();
    for (const [i, name] of names.right.entries()) {
      if (seen.has(name)) return t.failure(name, t.appendContext(c, String(i), t.string), `duplicate cluster name "${name}"`);
      seen.add(name);
    }
    return names;
  },
  t.identity,
);

/** The planner's input, also the `kfed plan` input format. `key` is "<namespace>/<name>" of the federated object. */
export const PlanInput = closedObject('PlanInput',
  { preferences: ReplicaSetPreferences, totalReplicas: Count, clusters: ClusterNames, key: t.string },
  { current: Counts, capacity: Counts },
);
export type PlanInput = t.TypeOf<typeof PlanInput>;

/** `plan`: replicas per cluster, every given cluster present. `overflow`: replicas a cluster was due but has no capacity for. */
export const PlanResult = t.type({ plan: t.record(t.string, t.number), overflow: t.record(t.string, t.number) });
export type PlanResult = t.TypeOf<typeof PlanResult>;

export function decodePlanInput(u: unknown): E.Either<PreferencesError, PlanInput> {
  return decodeWith(PlanInput, u);
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

// The hash state is kept as an int32 (Math.imul's result) and read as unsigned at the end.

/** 32-bit FNV-1 (multiply, then xor; not FNV-1a), Go's hash/fnv New32. */
export function fnv1_32(bytes: Uint8Array): number {
  let h = FNV_OFFSET | 0;
  for (const b of bytes) h = Math.imul(h, FNV_PRIME) ^ b;
  return h >>> 0;
}

const UTF8_LEAD = [0, 0xc0, 0xe0, 0xf0];

/** Continues an FNV-1 hash (int32 state) over the UTF-8 bytes of `s`, lone surrogates as U+FFFD like TextEncoder. */
function fnv1String(state: number, s: string): number {
  let h = state;
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp < 0x80) {
      h = Math.imul(h, FNV_PRIME) ^ cp;
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const lo = s.charCodeAt(i + 1);
      if (cp <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) { cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00); i++; } else cp = 0xfffd;
    }
    // Lead byte, then continuation bytes of 6 bits each, most significant first.
    const tail = cp < 0x800 ? 1 : cp < 0x10000 ? 2 : 3;
    h = Math.imul(h, FNV_PRIME) ^ (UTF8_LEAD[tail]! | (cp >> (6 * tail)));
    for (let k = tail - 1; k >= 0; k--) h = Math.imul(h, FNV_PRIME) ^ (0x80 | ((cp >> (6 * k)) & 0x3f));
  }
  return h;
}

/** ceil(d·w/s) computed exactly: Go's (d*w + s - 1) / s on int64. */
function share(d: number, w: number, s: number): number {
  const p = d * w;
  if (p <= Number.MAX_SAFE_INTEGER) {
    const r = p % s;
    return (p - r) / s + (r > 0 ? 1 : 0);
  }
  return Number((BigInt(d) * BigInt(w) + BigInt(s) - 1n) / BigInt(s));
}

const own = <V>(r: Readonly<Record<string, V>> | undefined, k: string): V | undefined =>
  r !== undefined && Object.hasOwn(r, k) ? r[k] : undefined;

/** Sets `out[k]` as an own property even for "__proto__". */
function put(out: Record<string, number>, k: string, v: number): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

/**
 * Working memory of `plan`, indexed by participant (or weight group, of which there are at most as
 * many). Kept between calls because allocating it costs more than planning a small federation;
 * `plan` is synchronous and resets what it reads, so no state carries from one call to the next.
 * It holds a few dozen bytes per cluster of the largest plan so far.
 */
class Arena {
  size = 0;
  cluster = new Int32Array(0); // participant → index into input.clusters
  weight = new Float64Array(0);
  minR = new Float64Array(0);
  maxR = new Float64Array(0);
  capR = new Float64Array(0);
  lim = new Float64Array(0); // min(maxReplicas, capacity): the plan never exceeds it
  planned = new Float64Array(0);
  pre = new Float64Array(0); // preallocated (step 4), not yet absorbed by shares
  overflow = new Float64Array(0);
  hash = new Float64Array(0);
  order = new Int32Array(0);
  groupOf = new Int32Array(0);
  active = new Uint8Array(0);
  ckKey = new Float64Array(0);
  cutTo = new Float64Array(0);
  cutOverflow = new Float64Array(0);
  members = new Int32Array(0);
  tk = new Int32Array(0);
  ck = new Int32Array(0);
  sortKeys = new Float64Array(0);
  gw = new Float64Array(0);
  count = new Float64Array(0);
  C = new Float64Array(0);
  placing = new Float64Array(0);
  s = new Float64Array(0);
  start = new Int32Array(0);
  fill = new Int32Array(0);
  tkPtr = new Int32Array(0);
  tkEnd = new Int32Array(0);
  ckPtr = new Int32Array(0);
  ckEnd = new Int32Array(0);

  reserve(n: number): void {
    if (n <= this.size) return;
    const m = Math.max(n, 2 * this.size, 16);
    this.size = m;
    this.cluster = new Int32Array(m);
    for (const f of ['weight', 'minR', 'maxR', 'capR', 'lim', 'planned', 'pre', 'overflow', 'hash', 'sortKeys', 'ckKey', 'cutTo', 'cutOverflow',
      'gw', 'count', 'C', 'placing', 's'] as const) this[f] = new Float64Array(m);
    for (const f of ['order', 'groupOf', 'members', 'tk', 'ck', 'fill', 'tkPtr', 'tkEnd', 'ckPtr', 'ckEnd'] as const) this[f] = new Int32Array(m);
    this.start = new Int32Array(m + 1);
    this.active = new Uint8Array(m);
  }
}
const arena = new Arena();

/**
 * Distributes `totalReplicas` over `clusters` with the results of Kubernetes Federation v1's planner
 * (federation pkg/federation-controller/util/planner, reused by KubeFed for ReplicaSchedulingPreference):
 *
 * 1. Each cluster takes its own preferences entry, else the "*" entry; a cluster with neither gets 0
 *    and takes no further part. Absent minReplicas/weight are 0, absent or null maxReplicas unbounded.
 * 2. Participants are ordered by weight, highest first; equal weights by the 32-bit FNV-1 hash of the
 *    UTF-8 bytes of cluster name followed by `key`, lowest first (so single replicas do not all land
 *    on the alphabetically first cluster). Go's sort is not stable; the rare equal weight-and-hash is
 *    broken here by cluster name.
 * 3. In that order, each participant gets min(minReplicas, remaining), capped by its capacity.
 * 4. rebalance false: in order, a participant whose current count exceeds its plan is raised towards
 *    that count, capped by maxReplicas, capacity and what remains. The raise is "preallocated": in the
 *    rounds below it is paid out of the cluster's share before the share adds anything new.
 * 5. Rounds, while replicas remain and the previous round changed something (placed a replica or used
 *    preallocation): with D = remaining at round start and S = the weight sum of the still-active
 *    participants (stop if 0), each active participant in order takes share = ceil(D·weight/S), at most
 *    what remains at that point; preallocation absorbs min(share, preallocated) of it; the plan grows by
 *    the rest. A plan above maxReplicas is cut to it; a plan above capacity is cut to it and the excess
 *    is that cluster's overflow. A cut participant drops out of later rounds (so its overflow is set once).
 * 6. rebalance true: overflow as computed. rebalance false: each overflow is trimmed to the replicas
 *    left unplaced, and zero entries are dropped.
 *
 * The result equals the Go planner's round by round, but not its cost (O(clusters² · log replicas)
 * there, and one round per preallocated replica in the worst case). Here a round in which no
 * participant can be short-changed by "what remains" does not depend on the order, so it is computed
 * per weight group: participants of equal weight get the same share, and each participant's
 * preallocation and headroom become thresholds on the group's running share total, kept sorted and
 * consumed with a pointer. Such a round costs O(weight groups + participants it retires), and runs of
 * rounds that only consume preallocation are skipped at once. Only a round where the order matters (in
 * practice the last) walks the participants in order; the hash and sort are computed only then.
 *
 * Preconditions, which PlanInput's codec checks: non-negative int32 counts, minReplicas ≤ maxReplicas,
 * distinct cluster names.
 */
export function plan(input: PlanInput): PlanResult {
  const { preferences, totalReplicas, clusters, key, current, capacity } = input;
  const rebalance = preferences.rebalance === true;
  const table = preferences.clusters;
  const star = own(table, '*');
  const A = arena;
  A.reserve(clusters.length);
  const { cluster, weight, minR, maxR, capR, lim, planned, pre, overflow } = A;

  // Participants, numbered in input order.
  let n = 0;
  for (let c = 0; c < clusters.length; c++) {
    const name = clusters[c]!;
    const p = own(table, name) ?? star;
    if (p === undefined) continue;
    cluster[n] = c;
    weight[n] = p.weight ?? 0;
    minR[n] = p.minReplicas ?? 0;
    maxR[n] = p.maxReplicas ?? Infinity;
    capR[n] = own(capacity, name) ?? Infinity;
    lim[n] = Math.min(maxR[n]!, capR[n]!);
    pre[n] = 0;
    overflow[n] = 0;
    n++;
  }
  let sorted = false;
  const ordered = (): Int32Array => {
    if (!sorted) orderParticipants(A, n, clusters, key);
    sorted = true;
    return A.order.subarray(0, n);
  };

  // Steps 3 and 4 go in order only if the remainder runs out; otherwise everyone gets the full amount.
  let rem = totalReplicas;
  let want = 0;
  for (let i = 0; i < n; i++) want += (planned[i] = Math.min(minR[i]!, capR[i]!));
  if (want <= rem) rem -= want;
  else {
    for (const i of ordered()) {
      const m = Math.min(planned[i]!, rem);
      planned[i] = m;
      rem -= m;
    }
  }
  if (!rebalance && current !== undefined) {
    want = 0;
    for (let i = 0; i < n; i++) {
      const count = own(current, clusters[cluster[i]!]!);
      if (count !== undefined && count > planned[i]!) want += (pre[i] = Math.max(0, Math.min(count, lim[i]!) - planned[i]!));
    }
    if (want <= rem) {
      rem -= want;
      for (let i = 0; i < n; i++) planned[i]! += pre[i]!;
    } else {
      for (const i of ordered()) {
        const extra = Math.min(pre[i]!, rem);
        pre[i] = extra;
        planned[i]! += extra;
        rem -= extra;
      }
    }
  }

  if (rem > 0) rem = distribute(A, n, rem, ordered);

  const out: Record<string, number> = {};
  const spill: Record<string, number> = {};
  let j = 0;
  for (let c = 0; c < clusters.length; c++) {
    const name = clusters[c]!;
    if (j < n && cluster[j] === c) {
      put(out, name, planned[j]!);
      const o = rebalance ? overflow[j]! : Math.min(overflow[j]!, rem);
      if (o > 0) put(spill, name, o);
      j++;
    } else {
      put(out, name, 0);
    }
  }
  return { plan: out, overflow: spill };
}

const INDEX_BITS = 2 ** 21;

/**
 * Step 2: A.order[0..n) = participants by weight descending, FNV-1(name + key) ascending, name.
 * Sorting numbers without a comparator is several times faster, so each weight's participants are
 * bucketed (weights are few) and sorted as hash·2^21 + index, exact in a double; equal hashes,
 * which are rare, are then put in name order.
 */
function orderParticipants(A: Arena, n: number, clusters: readonly string[], key: string): void {
  const { order, hash, weight, cluster, sortKeys } = A;
  const name = (i: number): string => clusters[cluster[i]!]!;
  for (let i = 0; i < n; i++) hash[i] = fnv1String(fnv1String(FNV_OFFSET | 0, name(i)), key) >>> 0;
  if (n >= INDEX_BITS) {
    for (let i = 0; i < n; i++) order[i] = i;
    order.subarray(0, n).sort((a, b) => weight[b]! - weight[a]! || hash[a]! - hash[b]! || (name(a) < name(b) ? -1 : 1));
    return;
  }
  const distinct = new Map<number, number>();
  for (let i = 0; i < n; i++) distinct.set(weight[i]!, (distinct.get(weight[i]!) ?? 0) + 1);
  const weights = [...distinct.keys()].sort((a, b) => b - a);
  let at = 0;
  for (const w of weights) { const c = distinct.get(w)!; distinct.set(w, at); at += c; }
  for (let i = 0; i < n; i++) {
    const slot = distinct.get(weight[i]!)!;
    distinct.set(weight[i]!, slot + 1);
    sortKeys[slot] = hash[i]! * INDEX_BITS + i;
  }
  at = 0;
  for (const w of weights) {
    const end = distinct.get(w)!;
    sortKeys.subarray(at, end).sort();
    at = end;
  }
  for (let j = 0; j < n; j++) order[j] = sortKeys[j]! % INDEX_BITS;
  for (let j = 1; j < n; j++) {
    // Insertion by name within a run of equal weight and hash.
    for (let k = j; k > 0; k--) {
      const a = order[k - 1]!;
      const b = order[k]!;
      if (weight[a] !== weight[b] || hash[a] !== hash[b] || name(a) < name(b)) break;
      order[k - 1] = b;
      order[k] = a;
    }
  }
}

/**
 * Step 5. Returns the replicas left unplaced; fills `planned`, `overflow` (and consumes `pre`).
 *
 * Lazy state: within a weight group g, C[g] is the sum of the group's shares since the last rebuild.
 * An active member i then has plan planned[i] + max(0, C − pre[i]) and preallocation max(0, pre[i] − C):
 * it places once C passes pre[i] (threshold "tk"), and is cut once C passes
 * lim[i] − planned[i] + pre[i] (threshold "ck" ≥ tk).
 */
function distribute(A: Arena, n: number, remaining: number, ordered: () => Int32Array): number {
  const { weight, maxR, capR, lim, planned, pre, overflow, groupOf, active, ckKey, cutTo, cutOverflow,
    members, tk, ck, gw, count, C, placing, s, start, fill, tkPtr, tkEnd, ckPtr, ckEnd } = A;
  let rem = remaining;

  // Weight groups of the weighted participants (weight 0 never gains: it takes no part in the rounds).
  let G = 0;
  let byWeight: Map<number, number> | undefined;
  for (let i = 0; i < n; i++) {
    const w = weight[i]!;
    active[i] = w > 0 ? 1 : 0;
    if (w === 0) { groupOf[i] = -1; continue; }
    let g = G > 0 && gw[G - 1] === w ? G - 1 : -1;
    if (g < 0) {
      // Few distinct weights in practice: scan them, and use a map only once there are many.
      if (G > 8) {
        byWeight ??= new Map(Array.from(gw.subarray(0, G), (x, h) => [x, h]));
        g = byWeight.get(w) ?? -1;
      } else {
        for (let h = 0; h < G; h++) if (gw[h] === w) { g = h; break; }
      }
      if (g < 0) {
        g = G++;
        gw[g] = w;
        count[g] = 0;
        byWeight?.set(w, g);
      }
    }
    groupOf[i] = g;
    count[g]!++;
  }
  let S = 0;
  start[0] = 0;
  for (let g = 0; g < G; g++) {
    S += gw[g]! * count[g]!;
    start[g + 1] = start[g]! + count[g]!;
    fill[g] = start[g]!;
  }
  for (let i = 0; i < n; i++) if (groupOf[i]! >= 0) members[fill[groupOf[i]!]!++] = i;

  // Per group: members still absorbing preallocation sorted by tk, members with a limit sorted by ck,
  // each list read with a pointer that only moves forward until the next rebuild.
  const rebuild = (): void => {
    for (let g = 0; g < G; g++) {
      C[g] = 0;
      let nt = start[g]!;
      let nc = start[g]!;
      let pc = 0;
      for (let k = start[g]!; k < start[g + 1]!; k++) {
        const i = members[k]!;
        if (active[i] === 0) continue;
        if (pre[i]! > 0) tk[nt++] = i; else pc++;
        if (lim[i] !== Infinity) { ckKey[i] = lim[i]! - planned[i]! + pre[i]!; ck[nc++] = i; }
      }
      placing[g] = pc;
      tkPtr[g] = start[g]!;
      tkEnd[g] = nt;
      ckPtr[g] = start[g]!;
      ckEnd[g] = nc;
      if (nt - start[g]! > 1) tk.subarray(start[g]!, nt).sort((a, b) => pre[a]! - pre[b]!);
      if (nc - start[g]! > 1) ck.subarray(start[g]!, nc).sort((a, b) => ckKey[a]! - ckKey[b]!);
    }
  };
  const materialise = (): void => {
    for (let i = 0; i < n; i++) {
      if (active[i] === 0) continue;
      const c = C[groupOf[i]!]!;
      const pi = pre[i]!;
      if (c > pi) { planned[i]! += c - pi; pre[i] = 0; } else pre[i] = pi - c;
    }
    C.fill(0, 0, G);
  };

  rebuild();
  let modified = true;
  while (modified && rem > 0 && S > 0) {
    const D = rem;
    // Try the round without order: each member takes its whole share, so the round's total T and
    // each member's shortfall (share − taken) follow from the thresholds. If T + the largest
    // shortfall ≤ D, "what remains" bound no one, whatever the order, and this is the exact round.
    let T = 0;
    let maxGap = 0;
    let cuts = false;
    for (let g = 0; g < G; g++) {
      if (count[g] === 0) continue;
      const sg = (s[g] = share(D, gw[g]!, S));
      const c = C[g]!;
      const next = c + sg;
      let Tg = placing[g]! * sg;
      for (let k = tkPtr[g]!; k < tkEnd[g]! && pre[tk[k]!]! < next; k++) Tg += next - pre[tk[k]!]!;
      let cut = false;
      for (let k = ckPtr[g]!; k < ckEnd[g]! && ckKey[ck[k]!]! < next; k++) {
        const i = ck[k]!;
        const pi = pre[i]!;
        const before = planned[i]! + Math.max(0, c - pi);
        const gained = sg - Math.min(sg, Math.max(0, pi - c));
        const capped = Math.min(before + gained, maxR[i]!);
        cutOverflow[i] = capped > capR[i]! ? capped - capR[i]! : 0;
        cutTo[i] = Math.min(capped, capR[i]!);
        Tg += cutTo[i]! - before - gained;
        cut = true;
      }
      if (cut || tkPtr[g]! < tkEnd[g]!) maxGap = Math.max(maxGap, sg);
      cuts ||= cut;
      T += Tg;
    }

    if (T + maxGap > D) {
      // The order matters in this round: walk it as Go does (S stays as at the round's start).
      materialise();
      modified = false;
      let dropped = 0;
      for (const i of ordered()) {
        if (active[i] === 0) continue;
        const g = groupOf[i]!;
        const before = planned[i]!;
        let extra = Math.min(s[g]!, rem);
        const used = Math.min(extra, pre[i]!);
        pre[i]! -= used;
        extra -= used;
        let total = before + extra;
        let full = false;
        if (total > maxR[i]!) { total = maxR[i]!; full = true; }
        if (total > capR[i]!) { overflow[i] = total - capR[i]!; total = capR[i]!; full = true; }
        if (full) { active[i] = 0; count[g]!--; dropped += gw[g]!; }
        rem -= total - before;
        planned[i] = total;
        if (used > 0 || total > before) modified = true;
      }
      S -= dropped;
      if (modified && rem > 0) rebuild();
      continue;
    }

    // Commit the round.
    modified = T > 0;
    for (let g = 0; g < G; g++) {
      if (count[g] === 0) continue;
      const next = C[g]! + s[g]!;
      if (tkPtr[g]! < tkEnd[g]!) modified = true; // someone paid from preallocation
      while (tkPtr[g]! < tkEnd[g]! && pre[tk[tkPtr[g]!]!]! <= next) { tkPtr[g]!++; placing[g]!++; }
      while (ckPtr[g]! < ckEnd[g]! && ckKey[ck[ckPtr[g]!]!]! < next) {
        const i = ck[ckPtr[g]!++]!;
        active[i] = 0;
        planned[i] = cutTo[i]!;
        pre[i] = 0;
        overflow[i] = cutOverflow[i]!;
        placing[g]!--;
        count[g]!--;
        S -= gw[g]!;
      }
      C[g] = next;
    }
    rem = D - T;

    // A round that only drew on preallocation repeats identically (same D, S and shares) until some
    // member's preallocation runs short of its share: skip those rounds at once.
    if (T === 0 && !cuts && modified) {
      let skip = Infinity;
      for (let g = 0; g < G && skip > 0; g++) {
        if (count[g] === 0) continue;
        skip = placing[g]! > 0 ? 0 : Math.min(skip, Math.floor((pre[tk[tkPtr[g]!]!]! - C[g]!) / s[g]!));
      }
      if (skip > 0 && skip !== Infinity) for (let g = 0; g < G; g++) C[g]! += skip * s[g]!;
    }
  }
  materialise();
  return rem;
}
