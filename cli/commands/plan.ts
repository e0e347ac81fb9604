// `kfed plan`: runs the replica planner on JSON inputs and prints the plans, without a federation.
import { readFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { decodePlanInput, plan, PLANNER_VERSION, type PlanInput } from '../../libs/placement/planner.js';
import { formatPreferencesError, type PreferencesError } from '../../libs/placement/preferences.js';
import { parseCommandArgs } from '../args.js';

export const summary = 'compute replica placements from a JSON input, as the scheduler would';

const HELP = `usage: kfed plan --input FILE   (FILE "-" reads stdin)

Runs the replica planner (version ${PLANNER_VERSION}, Kubernetes Federation v1 semantics) and prints
{"plan": {...}, "overflow": {...}}. The input is one object, or a JSON array of them (the output is
then an array in the same order):

  {
    "preferences": {"rebalance": false, "clusters": {"*": {"weight": 1}, "berlin": {"minReplicas": 1, "maxReplicas": 10, "weight": 2}}},
    "totalReplicas": 10,
    "clusters": ["berlin", "new-york"],
    "current": {"berlin": 4},          optional: replicas running now (kept when rebalance is false)
    "capacity": {"new-york": 3},       optional: replicas a cluster can take; the excess is overflow
    "key": "default/nginx"             namespace/name of the object: breaks ties between equal weights
  }

Exit codes: 0 planned, 1 the input could not be read, 2 invalid arguments or input.`;

async function readInput(path: string): Promise<string> {
  if (path !== '-') return readFile(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** The inputs, or the first invalid one's error with its array index in the field path. */
function decodeInputs(u: unknown): E.Either<PreferencesError, { readonly many: boolean; readonly inputs: PlanInput[] }> {
  if (!Array.isArray(u)) return E.map((input: PlanInput) => ({ many: false, inputs: [input] }))(decodePlanInput(u));
  const inputs: PlanInput[] = [];
  for (const [i, item] of u.entries()) {
    const decoded = decodePlanInput(item);
    if (E.isLeft(decoded)) {
      const { field } = decoded.left;
      return E.left({ ...decoded.left, field: field === '' ? `[${i}]` : `[${i}].${field}` });
    }
    inputs.push(decoded.right);
  }
  return E.right({ many: true, inputs });
}

export async function main(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('plan', HELP, args, { options: { input: { type: 'string' } } });
  if (E.isLeft(parsed)) return parsed.left;
  const path = parsed.right.values.input;
  if (path === undefined || path === '') {
    process.stderr.write(`kfed plan: --input FILE is required\n\n${HELP}\n`);
    return 2;
  }

  let text: string;
  try {
    text = await readInput(path);
  } catch (e) {
    process.stderr.write(`kfed plan: cannot read ${path}: ${(e as Error).message}\n`);
    return 1;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    process.stderr.write(`kfed plan: invalid input: not JSON: ${(e as Error).message}\n`);
    return 2;
  }
  const decoded = decodeInputs(json);
  if (E.isLeft(decoded)) {
    process.stderr.write(`kfed plan: invalid input: ${formatPreferencesError(decoded.left)}\n`);
    return 2;
  }
  const results = decoded.right.inputs.map(plan);
  process.stdout.write(`${JSON.stringify(decoded.right.many ? results : results[0], null, 2)}\n`);
  return 0;
}
