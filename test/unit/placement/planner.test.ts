// The replica planner: Federation v1's own planner cases, FNV-1 ordering, and properties against the baseline port.
import t from 'tap';
import { baselinePlan } from '../../../bench/_baseline-planner.js';
import { fnv1_32, plan, PLANNER_VERSION, type PlanInput } from '../../../libs/placement/planner.js';
import type { ClusterPreferences, ReplicaSetPreferences } from '../../../libs/placement/preferences.js';
import { intIn, pick, prng } from '../../support/prng.js';

type Prefs = Record<string, ClusterPreferences>;
interface Case {
  readonly name: string;
  readonly prefs: Prefs;
  readonly rebalance?: boolean;
  readonly total: number;
  readonly clusters: readonly string[];
  readonly current?: Record<string, number>;
  readonly capacity?: Record<string, number>;
  readonly plan: Record<string, number>;
  readonly overflow?: Record<string, number>;
}

// The cases of Federation v1's planner_test.go (key ""; rebalance false unless stated), which its
// users' placements followed. "hash dependent" ones pin the FNV-1 tie order.
const cases: Case[] = [
  { name: 'equal weights, 50 over 3 (issue example)', prefs: { '*': { weight: 1 } }, total: 50, clusters: ['A', 'B', 'C'], plan: { A: 16, B: 17, C: 17 } },
  { name: 'equal weights, 50 over 2', prefs: { '*': { weight: 1 } }, total: 50, clusters: ['A', 'B'], plan: { A: 25, B: 25 } },
  { name: 'equal weights, 1 over 2', prefs: { '*': { weight: 1 } }, total: 1, clusters: ['A', 'B'], plan: { A: 0, B: 1 } },
  { name: 'equal weights, 1 over 4', prefs: { '*': { weight: 1 } }, total: 1, clusters: ['A', 'B', 'C', 'D'], plan: { A: 0, B: 0, C: 0, D: 1 } },
  { name: 'one cluster', prefs: { '*': { weight: 1 } }, total: 1, clusters: ['A'], plan: { A: 1 } },
  { name: 'no clusters', prefs: { '*': { weight: 1 } }, total: 1, clusters: [], plan: {} },

  { name: 'existing C 30 kept', prefs: { '*': { weight: 1 } }, total: 50, clusters: ['A', 'B', 'C'], current: { C: 30 }, plan: { A: 10, B: 10, C: 30 } },
  { name: 'existing A 30 kept', prefs: { '*': { weight: 1 } }, total: 50, clusters: ['A', 'B'], current: { A: 30 }, plan: { A: 30, B: 20 } },
  ...[0, 1, 4, 5, 6, 7].map((a): Case => ({
    name: `15 over 2, current A ${a} B 8${a === 7 ? ' (issue example)' : ''}`, prefs: { '*': { weight: 1 } }, total: 15, clusters: ['A', 'B'],
    current: { A: a, B: 8 }, plan: { A: 7, B: 8 },
  })),
  { name: 'large existing', prefs: { '*': { weight: 1 } }, total: 500000, clusters: ['A', 'B'], current: { A: 300000 }, plan: { A: 300000, B: 200000 } },
  { name: 'existing below share', prefs: { '*': { weight: 1 } }, total: 50, clusters: ['A', 'B'], current: { A: 10 }, plan: { A: 25, B: 25 } },
  // Federation v1 notes 10:40 would be better (kubernetes issue 31816); compatibility keeps its answer.
  { name: 'existing above total', prefs: { '*': { weight: 1 } }, total: 50, clusters: ['A', 'B'], current: { A: 10, B: 70 }, plan: { A: 0, B: 50 } },
  { name: 'existing, 1 replica', prefs: { '*': { weight: 1 } }, total: 1, clusters: ['A', 'B'], current: { A: 30 }, plan: { A: 1, B: 0 } },
  { name: 'existing both below share', prefs: { '*': { weight: 1 } }, total: 50, clusters: ['A', 'B'], current: { A: 10, B: 20 }, plan: { A: 25, B: 25 } },

  { name: 'capacity overflow', rebalance: true, prefs: { '*': { weight: 1 } }, total: 50, clusters: ['A', 'B', 'C'], capacity: { C: 10 },
    plan: { A: 20, B: 20, C: 10 }, overflow: { C: 7 } },
  { name: 'capacity, other cluster has no entry', rebalance: true, prefs: { A: { weight: 10000 }, B: { weight: 1 } }, total: 50, clusters: ['B', 'C'],
    capacity: { B: 10 }, plan: { B: 10, C: 0 }, overflow: { B: 40 } },
  { name: 'capacity on the heavier cluster', rebalance: true, prefs: { A: { weight: 1 }, B: { weight: 2 } }, total: 60, clusters: ['A', 'B', 'C'],
    capacity: { B: 10 }, plan: { A: 50, B: 10, C: 0 }, overflow: { B: 30 } },
  { name: 'capacity below maxReplicas', rebalance: true,
    prefs: { A: { weight: 10000, maxReplicas: 10 }, B: { weight: 1 }, C: { weight: 1, maxReplicas: 21 }, D: { weight: 1, maxReplicas: 10 } },
    total: 71, clusters: ['A', 'B', 'C', 'D'], capacity: { C: 10 }, plan: { A: 10, B: 41, C: 10, D: 10 }, overflow: { C: 11 } },
  { name: 'capacity everywhere, rebalance false', prefs: { A: { weight: 1 }, B: { weight: 1 } }, total: 60, clusters: ['A', 'B', 'C'],
    capacity: { A: 10, B: 10 }, plan: { A: 10, B: 10, C: 0 }, overflow: { A: 20, B: 20 } },
  { name: 'rebalance false trims overflow to the unplaced', prefs: { A: { weight: 1 }, B: { weight: 5 } }, total: 60, clusters: ['A', 'B', 'C'],
    capacity: { B: 10 }, plan: { A: 50, B: 10, C: 0 }, overflow: {} },
  { name: 'minReplicas with capacity', prefs: { '*': { minReplicas: 20, weight: 0 } }, total: 50, clusters: ['A', 'B', 'C'],
    capacity: { B: 10 }, plan: { A: 20, B: 10, C: 20 }, overflow: {} },
  { name: 'minReplicas, weights and capacity', rebalance: true, prefs: { '*': { minReplicas: 20, weight: 1 } }, total: 60, clusters: ['A', 'B'],
    capacity: { B: 10 }, plan: { A: 50, B: 10 }, overflow: { B: 15 } },

  { name: 'minReplicas only', prefs: { '*': { minReplicas: 2, weight: 0 } }, total: 50, clusters: ['A', 'B', 'C'], plan: { A: 2, B: 2, C: 2 } },
  { name: 'minReplicas exceed the total (issue example)', prefs: { '*': { minReplicas: 20, weight: 0 } }, total: 50, clusters: ['A', 'B', 'C'],
    plan: { A: 10, B: 20, C: 20 } },
  { name: 'own entry before "*"', prefs: { '*': { minReplicas: 20, weight: 0 }, A: { minReplicas: 100, weight: 1 } }, total: 50, clusters: ['A', 'B', 'C'],
    plan: { A: 50, B: 0, C: 0 } },
  { name: 'minReplicas with maxReplicas', prefs: { '*': { minReplicas: 10, weight: 1, maxReplicas: 12 } }, total: 50, clusters: ['A', 'B', 'C'],
    plan: { A: 12, B: 12, C: 12 } },

  { name: 'maxReplicas', prefs: { '*': { weight: 1, maxReplicas: 2 } }, total: 50, clusters: ['A', 'B', 'C'], plan: { A: 2, B: 2, C: 2 } },
  { name: 'maxReplicas, weight 0', prefs: { '*': { weight: 0, maxReplicas: 2 } }, total: 50, clusters: ['A', 'B', 'C'], plan: { A: 0, B: 0, C: 0 } },

  { name: 'weights 1:2', prefs: { A: { weight: 1 }, B: { weight: 2 } }, total: 60, clusters: ['A', 'B', 'C'], plan: { A: 20, B: 40, C: 0 } },
  { name: 'dominant weight', prefs: { A: { weight: 10000 }, B: { weight: 1 } }, total: 50, clusters: ['A', 'B', 'C'], plan: { A: 50, B: 0, C: 0 } },
  { name: 'dominant weight absent', prefs: { A: { weight: 10000 }, B: { weight: 1 } }, total: 50, clusters: ['B', 'C'], plan: { B: 50, C: 0 } },
  { name: 'dominant weight capped (issue example)', prefs: { A: { weight: 10000, maxReplicas: 10 }, B: { weight: 1 }, C: { weight: 1 } },
    total: 50, clusters: ['A', 'B', 'C'], plan: { A: 10, B: 20, C: 20 } },
  { name: 'two capped', prefs: { A: { weight: 10000, maxReplicas: 10 }, B: { weight: 1 }, C: { weight: 1, maxReplicas: 10 } },
    total: 50, clusters: ['A', 'B', 'C'], plan: { A: 10, B: 30, C: 10 } },
  { name: 'caps over several rounds',
    prefs: { A: { weight: 10000, maxReplicas: 10 }, B: { weight: 1 }, C: { weight: 1, maxReplicas: 21 }, D: { weight: 1, maxReplicas: 10 } },
    total: 71, clusters: ['A', 'B', 'C', 'D'], plan: { A: 10, B: 30, C: 21, D: 10 } },
  { name: 'caps over several rounds, 5 clusters',
    prefs: { A: { weight: 10000, maxReplicas: 10 }, B: { weight: 1 }, C: { weight: 1, maxReplicas: 21 }, D: { weight: 1, maxReplicas: 10 }, E: { weight: 1 } },
    total: 91, clusters: ['A', 'B', 'C', 'D', 'E'], plan: { A: 10, B: 25, C: 21, D: 10, E: 25 } },

  // The article's walkthrough: 10 replicas, equal weights, then all weight on one cluster.
  { name: 'seed: equal weights', rebalance: true, prefs: { 'new-york': { minReplicas: 0, maxReplicas: 10, weight: 1 }, berlin: { minReplicas: 0, maxReplicas: 10, weight: 1 } },
    total: 10, clusters: ['berlin', 'new-york'], current: { berlin: 2, 'new-york': 2 }, plan: { berlin: 5, 'new-york': 5 } },
  { name: 'seed: weight moved', rebalance: true, prefs: { 'new-york': { minReplicas: 0, maxReplicas: 10, weight: 20 }, berlin: { minReplicas: 0, maxReplicas: 10, weight: 0 } },
    total: 10, clusters: ['berlin', 'new-york'], current: { berlin: 5, 'new-york': 5 }, plan: { berlin: 0, 'new-york': 10 } },
];

function inputOf(c: Case, key = ''): PlanInput {
  const preferences: ReplicaSetPreferences = { rebalance: c.rebalance ?? false, clusters: c.prefs };
  return { preferences, totalReplicas: c.total, clusters: c.clusters, key, current: c.current ?? {}, capacity: c.capacity ?? {} };
}

t.test('Federation v1 planner cases', async (t) => {
  for (const c of cases) {
    const got = plan(inputOf(c));
    t.same(got, { plan: c.plan, overflow: c.overflow ?? {} }, c.name);
    t.same(baselinePlan(inputOf(c)), got, `${c.name}: baseline agrees`);
  }
});

t.test('the plan lists every given cluster in input order; clusters without an entry get 0', async (t) => {
  const got = plan({ preferences: { clusters: { b: { weight: 1 } } }, totalReplicas: 4, clusters: ['c', 'b', 'a'], key: 'ns/x' });
  t.same(Object.keys(got.plan), ['c', 'b', 'a']);
  t.same(got.plan, { c: 0, b: 4, a: 0 });
  t.equal(PLANNER_VERSION, 1);
});

t.test('FNV-1 32 (Go hash/fnv New32 golden values)', async (t) => {
  const utf8 = new TextEncoder();
  const golden: [string, number][] = [['', 0x811c9dc5], ['a', 0x050c5d7e], ['ab', 0x70772d38], ['abc', 0x439c2f4b], ['foobar', 0x31f0b262]];
  for (const [s, h] of golden) t.equal(fnv1_32(utf8.encode(s)), h, JSON.stringify(s));
});

t.test('ties: equal weights go by FNV-1 of cluster name then key, lowest first; weight first', async (t) => {
  const utf8 = new TextEncoder();
  const names = ['berlin', 'new-york', 'san-francisco', 'tokyo', 'zürich', '東京', '🚀-launch', 'lone-\ud800-surrogate'];
  for (const key of ['default/nginx', 'prod/web', 'a/b']) {
    const lowest = [...names].sort((a, b) => fnv1_32(utf8.encode(a + key)) - fnv1_32(utf8.encode(b + key)))[0] as string;
    const one = plan({ preferences: { clusters: { '*': { weight: 1 } } }, totalReplicas: 1, clusters: names, key });
    t.equal(one.plan[lowest], 1, `${key}: the single replica goes to ${lowest}`);
    const heavier = names.find((n) => n !== lowest) as string;
    const weighted = plan({ preferences: { clusters: { '*': { weight: 1 }, [heavier]: { weight: 2 } } }, totalReplicas: 1, clusters: names, key });
    t.equal(weighted.plan[heavier], 1, `${key}: weight beats hash`);
    // k replicas over equal weights go one each to the k first clusters: this reveals the whole order.
    const byHash = [...names].sort((a, b) => fnv1_32(utf8.encode(a + key)) - fnv1_32(utf8.encode(b + key)));
    for (let k = 1; k < names.length; k++) {
      const got = plan({ preferences: { clusters: { '*': { weight: 1 } } }, totalReplicas: k, clusters: names, key });
      t.same(names.filter((n) => got.plan[n] === 1).sort(), byHash.slice(0, k).sort(), `${key}: ${k} replicas`);
    }
  }
});

t.test('scaling up by one with rebalance false and large current counts', async (t) => {
  // Go needs one round per preallocated replica here (500000 rounds); the result is the same.
  const input: PlanInput = { preferences: { clusters: { '*': { weight: 1 } } }, totalReplicas: 1_000_001, clusters: ['A', 'B'],
    current: { A: 500_000, B: 500_000 }, key: 'default/web' };
  const got = plan(input);
  t.same(got, baselinePlan(input));
  t.equal(Object.values(got.plan).reduce((a, b) => a + b, 0), 1_000_001);
});

// ---- properties over seeded random inputs ----

function randomInput(rand: () => number, opts: { maxClusters: number; unbounded: boolean }): PlanInput {
  const n = intIn(rand, 0, opts.maxClusters);
  const clusters = Array.from({ length: n }, (_, i) => `c${i}-${intIn(rand, 0, 99)}`).filter((c, i, all) => all.indexOf(c) === i);
  const weights = pick(rand, [[0, 1], [1], [1, 2, 3], [0, 1, 2, 5, 10000], [0, 7, 1_000_000_000]]);
  const big = rand() < 0.1;
  const entry = (): ClusterPreferences => {
    const min = rand() < 0.6 ? 0 : intIn(rand, 0, big ? 100_000 : 30);
    const pref: { minReplicas?: number; maxReplicas?: number | null; weight?: number } = {};
    if (min > 0 || rand() < 0.3) pref.minReplicas = min;
    if (rand() < 0.9) pref.weight = pick(rand, weights);
    if (!opts.unbounded && rand() < 0.4) pref.maxReplicas = rand() < 0.2 ? null : min + intIn(rand, 0, big ? 200_000 : 40);
    return pref;
  };
  const prefs: Record<string, ClusterPreferences> = {};
  if (rand() < 0.7) prefs['*'] = entry();
  for (const c of clusters) if (rand() < 0.4) prefs[c] = entry();
  const counts = (p: number, max: number): Record<string, number> =>
    Object.fromEntries(clusters.filter(() => rand() < p).map((c) => [c, intIn(rand, 0, max)]));
  return {
    preferences: { rebalance: rand() < 0.5, clusters: prefs },
    totalReplicas: big ? intIn(rand, 0, rand() < 0.5 ? 2 ** 31 - 1 : 2_000_000) : intIn(rand, 0, 120),
    clusters,
    current: rand() < 0.7 ? counts(0.7, big ? 1_500_000 : 60) : undefined,
    capacity: !opts.unbounded && rand() < 0.5 ? counts(0.4, big ? 500_000 : 40) : undefined,
    key: `ns/obj-${intIn(rand, 0, 9)}`,
  } as PlanInput;
}

const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);
const prefOf = (input: PlanInput, c: string): ClusterPreferences | undefined =>
  Object.hasOwn(input.preferences.clusters, c) ? input.preferences.clusters[c] : input.preferences.clusters['*'];

t.test('properties: bounds, determinism, agreement with the baseline', async (t) => {
  const rand = prng(20240611);
  let failures = 0;
  for (let k = 0; k < 4000 && failures < 5; k++) {
    const input = randomInput(rand, { maxClusters: k % 10 === 0 ? 60 : 12, unbounded: false });
    const got = plan(input);
    const problems: string[] = [];
    if (sum(got.plan) > input.totalReplicas) problems.push('places more than the total');
    for (const c of input.clusters) {
      const v = got.plan[c];
      const max = prefOf(input, c)?.maxReplicas;
      const cap = input.capacity?.[c];
      if (v === undefined || !Number.isInteger(v) || v < 0) problems.push(`${c}: not a count`);
      else {
        if (max !== undefined && max !== null && v > max) problems.push(`${c}: exceeds maxReplicas`);
        if (cap !== undefined && v > cap) problems.push(`${c}: exceeds capacity`);
      }
    }
    for (const [c, o] of Object.entries(got.overflow)) {
      if (!(o > 0) || input.capacity?.[c] === undefined) problems.push(`${c}: overflow ${o} without a capacity`);
    }
    const reversed = plan({ ...input, clusters: [...input.clusters].reverse() });
    if (JSON.stringify(plan(input)) !== JSON.stringify(got)) problems.push('not deterministic');
    if (JSON.stringify(Object.entries(reversed.plan).sort()) !== JSON.stringify(Object.entries(got.plan).sort())) problems.push('depends on input order');
    const oracle = baselinePlan(input);
    const sorted = (r: Record<string, number>): string => JSON.stringify(Object.entries(r).sort());
    if (sorted(oracle.plan) !== sorted(got.plan) || sorted(oracle.overflow) !== sorted(got.overflow)) problems.push('differs from the baseline');
    if (problems.length > 0) {
      failures++;
      t.fail(problems.join('; '), { input: JSON.stringify(input), got, oracle });
    }
  }
  t.equal(failures, 0, '4000 random inputs');
});

t.test('property: places exactly the total when a weighted cluster is unbounded', async (t) => {
  const rand = prng(7);
  let checked = 0;
  for (let k = 0; k < 3000; k++) {
    const input = randomInput(rand, { maxClusters: 12, unbounded: true });
    if (!input.clusters.some((c) => (prefOf(input, c)?.weight ?? 0) > 0)) continue;
    checked++;
    const got = plan(input);
    if (sum(got.plan) !== input.totalReplicas) {
      t.fail('did not place every replica', { input: JSON.stringify(input), got });
      break;
    }
  }
  t.ok(checked > 1000, `${checked} inputs with a weighted cluster`);
});

t.test('property: many clusters and repeated weights agree with the baseline', async (t) => {
  const rand = prng(99);
  for (let k = 0; k < 150; k++) {
    const n = intIn(rand, 50, 400);
    const clusters = Array.from({ length: n }, (_, i) => `member-${i}`);
    const prefs: Record<string, ClusterPreferences> = { '*': { weight: intIn(rand, 1, 3) } };
    for (const c of clusters) {
      if (rand() < 0.3) prefs[c] = { weight: intIn(rand, 0, 4), ...(rand() < 0.5 ? { maxReplicas: intIn(rand, 0, 30) } : {}) };
    }
    const current = Object.fromEntries(clusters.filter(() => rand() < 0.6).map((c) => [c, intIn(rand, 0, 40)]));
    const capacity = Object.fromEntries(clusters.filter(() => rand() < 0.2).map((c) => [c, intIn(rand, 0, 25)]));
    const input: PlanInput = {
      preferences: { rebalance: rand() < 0.5, clusters: prefs }, totalReplicas: intIn(rand, 0, n * 20), clusters, current, capacity, key: `ns/o${k}`,
    };
    const got = plan(input);
    const oracle = baselinePlan(input);
    if (JSON.stringify(Object.entries(got.plan).sort()) !== JSON.stringify(Object.entries(oracle.plan).sort())
      || JSON.stringify(Object.entries(got.overflow).sort()) !== JSON.stringify(Object.entries(oracle.overflow).sort())) {
      t.fail('differs from the baseline', { input: JSON.stringify(input) });
      return;
    }
  }
  t.pass('150 large inputs agree');
});
