// `kfed history <kind>/<name>`: the timeline of one federated object, answering "why did my pods move?".
import * as E from 'fp-ts/lib/Either.js';
import { objectStream, type ObjectRef } from '../../libs/events/streams.js';
import { resolveFederationType } from '../../libs/federation/kind-names.js';
import { historyRows, type HistoryRow } from '../../libs/scheduling/history.js';
import { parseCommandArgs } from '../args.js';
import { LOG_FLAGS_HELP, LOG_OPTIONS, openLog } from '../federation-log.js';
import { columns } from '../columns.js';

export const summary = 'show why an object\'s replicas moved: its desired-state changes and placement decisions';

const HELP = `usage: kfed history <kind>/<name> [-n NAMESPACE] [-o json] [--federation ID] [--redis URL]
       kfed history <kind> <name> ...

The timeline of one federated object, oldest first: time, actor, event, what changed in the
desired state, per-cluster replicas before → after, and the reason the scheduler recorded.
<kind> is any name kubectl accepts: rs, replicaset, replicasets, replicaset.apps, deploy, job, svc,
cluster ... (aggregated status reports are left out; kubectl get shows the current status).

  -n, --namespace NS  namespace of the object (default "default"; ignored for cluster-scoped kinds)
  -o, --output json   the rows as a JSON array
${LOG_FLAGS_HELP}

Exit codes: 0 shown, 1 no such object (or the log could not be read), 2 invalid arguments.`;

const COLUMNS: readonly [string, keyof HistoryRow][] = [
  ['TIME', 'time'], ['ACTOR', 'actor'], ['EVENT', 'event'], ['CHANGE', 'change'], ['PLACEMENT', 'placement'], ['REASON', 'reason'],
];

/** The rows as an aligned table, kubectl style (empty cells as "-", times to the second). */
export function formatHistory(rows: readonly HistoryRow[]): string {
  return columns(COLUMNS.map(([title]) => title), rows.map((r) => COLUMNS.map(([, key]) => (key === 'time' ? r.time.replace(/\.\d+Z$/, 'Z') : r[key]))));
}

function fail(message: string, code: number): number {
  process.stderr.write(`kfed history: ${message}\n`);
  return code;
}

export async function main(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('history', HELP, args, {
    allowPositionals: true,
    options: { namespace: { type: 'string', short: 'n' }, output: { type: 'string', short: 'o' }, ...LOG_OPTIONS },
  });
  if (E.isLeft(parsed)) return parsed.left;
  const { values: { namespace, output, ...flags }, positionals } = parsed.right;
  if (output !== undefined && output !== 'json') return fail(`unsupported output format "${output}" (only json)`, 2);
  const [first, second, ...rest] = positionals;
  const [kindName, name] = second === undefined && first !== undefined && first.includes('/')
    ? [first.slice(0, first.indexOf('/')), first.slice(first.indexOf('/') + 1)] : [first, second];
  if (kindName === undefined || name === undefined || name === '' || rest.length > 0) return fail(`expected <kind>/<name>\n\n${HELP}`, 2);
  const type = resolveFederationType(kindName);
  if (type === undefined) return fail(`the federation serves no resource type "${kindName}"`, 2);

  const ref: ObjectRef = { group: type.storage.group, kind: type.storage.kind, namespace: type.namespaced ? namespace ?? 'default' : '', name };
  const opened = openLog(flags, process.env);
  if (E.isLeft(opened)) return fail(opened.left, 2);
  const { log, redis, federation, failure } = opened.right;
  try {
    const { events } = await log.readStream(objectStream(ref));
    const where = type.namespaced ? ` in namespace "${ref.namespace}"` : '';
    const resource = type.group === '' ? type.plural : `${type.plural}.${type.group}`;
    if (events.length === 0) return fail(`${resource} "${name}" not found${where} (federation ${federation})`, 1);
    const rows = historyRows(events);
    process.stdout.write(output === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : formatHistory(rows));
    return 0;
  } catch (err) {
    return fail(failure(err), 1);
  } finally {
    redis.disconnect();
  }
}
