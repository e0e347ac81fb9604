// Scheduler benchmark: replica plans per second of kfed's planner against the baseline port of the Go planner, measured in the same run.
import { performance } from 'node:perf_hooks';
import { plan, type PlanInput, type PlanResult } from '../libs/placement/planner.js';
import { baselinePlan } from './_baseline-planner.js';
import { printTable, type Row } from './_report.js';

const SIZES = [3, 10, 100, 1000] as const;
/** Plans/s of Federation v1's Go planner for this workload, as reported in the planner's issue. */
const GO_PLANS_PER_SECOND: Readonly<Record<number, number>> = { 3: 1_480_000, 10: 420_000, 100: 33_000, 1000: 2_700 };
const KEYS = 16; // objects planned in turn, so that the tie hashes differ between plans

type Workload = (clusters: readonly string[], key: string) => PlanInput;

/** The workload: "*" weight 1, rebalance on, 10 replicas per cluster. */
const evenSplit: Workload = (clusters, key) => ({
  preferences: { rebalance: true, clusters: { '*': { weight: 1 } } }, totalReplicas: 10 * clusters.length, clusters, key,
});
/** One replica more than divides evenly: the last round's order matters, so clusters are hashed and sorted. */
const unevenSplit: Workload = (clusters, key) => ({ ...evenSplit(clusters, key), totalReplicas: 10 * clusters.length + 1 });
/** The default (rebalance false) scaling up by one with 10 running everywhere: Go spends a round per running replica. */
const scaleUpByOne: Workload = (clusters, key) => ({
  preferences: { rebalance: false, clusters: { '*': { weight: 1 } } }, totalReplicas: 10 * clusters.length + 1, clusters, key,
  current: Object.fromEntries(clusters.map((c) => [c, 10])),
});

function plansPerSecond(planner: (input: PlanInput) => PlanResult, inputs: readonly PlanInput[], ms: number): number {
  let sink = 0;
  // Runs batches of doubling size for `duration` ms; returns [plans, elapsed ms].
  const timed = (duration: number): [number, number] => {
    let done = 0;
    let size = 1;
    const t0 = performance.now();
    let elapsed = 0;
    while (elapsed < duration) {
      for (let k = 0; k < size; k++) sink += Object.keys(planner(inputs[(done + k) % inputs.length] as PlanInput).overflow).length;
      done += size;
      size = Math.min(size * 2, 10_000);
      elapsed = performance.now() - t0;
    }
    return [done, elapsed];
  };
  timed(Math.max(100, ms / 4)); // warm-up: let the JIT settle
  const [done, elapsed] = timed(ms);
  if (sink < 0) throw new Error('unreachable');
  return (done / elapsed) * 1000;
}

function measure(workload: Workload, ms: number, withGo: boolean): Row[] {
  return SIZES.map((n) => {
    const clusters = Array.from({ length: n }, (_, i) => `member-${String(i).padStart(4, '0')}`);
    const inputs = Array.from({ length: KEYS }, (_, k) => workload(clusters, `default/app-${k}`));
    for (const input of inputs) {
      if (canonical(plan(input)) !== canonical(baselinePlan(input))) {
        throw new Error(`planner and baseline disagree at ${n} clusters`);
      }
    }
    const kfed = plansPerSecond(plan, inputs, ms);
    const baseline = plansPerSecond(baselinePlan, inputs, ms);
    const row: Row = { clusters: n, 'kfed plans/s': Math.round(kfed), 'baseline plans/s': Math.round(baseline), 'vs baseline': `${(kfed / baseline).toFixed(1)}x` };
    return withGo ? { ...row, 'Go reference plans/s': GO_PLANS_PER_SECOND[n] ?? '', 'vs Go': `${(kfed / (GO_PLANS_PER_SECOND[n] ?? NaN)).toFixed(1)}x` } : row;
  });
}

const canonical = (r: PlanResult): string =>
  JSON.stringify([Object.entries(r.plan).sort(), Object.entries(r.overflow).sort()]);

export async function run(args: string[]): Promise<void> {
  const msArg = args.indexOf('--ms');
  const ms = msArg >= 0 ? Number(args[msArg + 1]) : 500;
  if (!(ms > 0)) throw new Error('usage: npm run bench -- scheduler [--ms MILLISECONDS_PER_MEASUREMENT]');

  printTable('Replica planner: "*" weight 1, rebalance on, 10 replicas per cluster (baseline = Go planner ported line by line, same run)',
    measure(evenSplit, ms, true));
  printTable('Replica planner: 10 per cluster + 1 (order decides the last replica)', measure(unevenSplit, ms, false));
  printTable('Replica planner: rebalance off, 10 running per cluster, scale up by one', measure(scaleUpByOne, ms, false));

  // ---- End-to-end placement decisions ----
  // The scheduler service adds its figures here: decisions/s and latency percentiles from an
  // object change to its PlacementDecided in the log, against its own baseline.
}
