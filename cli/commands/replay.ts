// `kfed replay`: re-runs the planner on every recorded PlacementDecided and compares with what was recorded.
import * as E from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { eventData } from '../../libs/events/types.js';
import { PLANNER_VERSION } from '../../libs/placement/planner.js';
import { replayMismatch } from '../../libs/scheduling/replay.js';
import type { EventLog } from '../../libs/infra/redis/eventlog.js';
import { parseCommandArgs } from '../args.js';
import { LOG_FLAGS_HELP, LOG_OPTIONS, openLog } from '../federation-log.js';

export const summary = 'replay every recorded placement decision through the planner (--verify: report mismatches)';

const HELP = `usage: kfed replay [--verify] [--federation ID] [--redis URL]

Reads the federation's whole log and re-runs the replica planner (version ${PLANNER_VERSION}) on the
input recorded with every PlacementDecided, comparing its result with the recorded placement and
overflow. Without --verify every decision is listed with its outcome; with --verify only mismatches
are printed, then a summary.

${LOG_FLAGS_HELP}

Exit codes: 0 every decision replays, 1 a mismatch (or the log could not be read), 2 invalid arguments.`;

export interface ReplayedDecision {
  readonly position: string;
  readonly stream: string;
  readonly placement: unknown;
  /** What differs; undefined when the decision replays bit for bit. */
  readonly mismatch?: string;
}

export interface ReplayReport {
  readonly decisions: ReplayedDecision[];
  readonly objects: number;
  /** Log entries that were not events at all (reported by the log reader, skipped). */
  readonly malformed: number;
}

/** Reads the log from the start and replays every PlacementDecided. */
export async function replayLog(log: EventLog, chunk = 2000): Promise<ReplayReport> {
  const decisions: ReplayedDecision[] = [];
  const objects = new Set<string>();
  let malformed = 0;
  let after = '0';
  for (;;) {
    const page = await log.readLog(after, chunk);
    malformed += page.malformed.length;
    for (const e of page.events) {
      if (e.type !== 'PlacementDecided') continue;
      objects.add(e.stream);
      const decoded = eventData.PlacementDecided.decode(e.data);
      decisions.push(E.isLeft(decoded)
        ? { position: e.position, stream: e.stream, placement: undefined, mismatch: `undecodable: ${PathReporter.report(decoded).join('; ')}` }
        : { position: e.position, stream: e.stream, placement: decoded.right.placement, ...withMismatch(replayMismatch(decoded.right)) });
    }
    if (page.last === after) break;
    after = page.last;
  }
  return { decisions, objects: objects.size, malformed };
}

const withMismatch = (m: string | undefined): { mismatch?: string } => (m === undefined ? {} : { mismatch: m });

export async function main(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('replay', HELP, args, { options: { verify: { type: 'boolean', default: false }, ...LOG_OPTIONS } });
  if (E.isLeft(parsed)) return parsed.left;
  const { verify, ...flags } = parsed.right.values;
  const opened = openLog(flags, process.env);
  if (E.isLeft(opened)) {
    process.stderr.write(`kfed replay: ${opened.left}\n`);
    return 2;
  }
  const { log, redis, federation, failure } = opened.right;
  try {
    const report = await replayLog(log);
    const mismatches = report.decisions.filter((d) => d.mismatch !== undefined);
    for (const d of verify ? mismatches : report.decisions) {
      const outcome = d.mismatch === undefined ? 'ok' : `MISMATCH: ${d.mismatch}`;
      process.stdout.write(`${d.position}\t${d.stream}\t${JSON.stringify(d.placement)}\t${outcome}\n`);
    }
    const skipped = report.malformed > 0 ? ` (${report.malformed} malformed log entries skipped)` : '';
    process.stdout.write(mismatches.length === 0
      ? `replayed ${report.decisions.length} decisions of ${report.objects} objects in federation ${federation}: no mismatch${skipped}\n`
      : `replayed ${report.decisions.length} decisions of ${report.objects} objects in federation ${federation}: ${mismatches.length} mismatches${skipped}\n`);
    return mismatches.length === 0 ? 0 : 1;
  } catch (err) {
    process.stderr.write(`kfed replay: ${failure(err)}\n`);
    return 1;
  } finally {
    redis.disconnect();
  }
}
