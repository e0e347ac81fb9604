// `kfed publish -f FILE`: sends desired state to the federation over NATS instead of HTTP.
import { readFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { parseAllDocuments } from 'yaml';
import { AUTHORIZATION_HEADER, DesiredReply, DesiredRequest } from '../../libs/federation/desired.js';
import { createLogger } from '../../libs/infra/log/logger.js';
import { connectBus } from '../../libs/infra/nats/bus.js';
import { parseCommandArgs } from '../args.js';

export const summary = 'apply (or delete) the objects of a YAML/JSON file through the federation\'s NATS subjects';

const HELP = `usage: kfed publish -f FILE [--delete] [--token TOKEN] [--nats URL] [--federation ID] [--timeout MS]

Sends every object of FILE ("-" for stdin; several YAML documents or a JSON List allowed) on the
federation's desired-state subjects. The API server validates, authorises and stores each exactly
as for kubectl, and each object prints one line, as kubectl does:
  replicaset.apps/nginx created

  --token       bearer token (default $KFED_TOKEN); needed when the federation has a token file
  --nats        NATS URL (default $NATS_URL or nats://127.0.0.1:4222)
  --federation  federation id (default $KFED_FEDERATION or kfed)
  --delete      delete the objects instead of applying them

Exit codes: 0 all objects done, 1 some failed (each error is printed), 2 bad arguments or file.`;

async function readSource(path: string): Promise<string> {
  if (path !== '-') return readFile(path, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** Objects of a file: YAML documents, each an object or a List of them. */
export function objectsOf(text: string): E.Either<string, Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) return E.left(`document ${i + 1}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) return E.left(`document ${i + 1}: not an object`);
    const obj = value as Record<string, unknown>;
    if (typeof obj['kind'] === 'string' && obj['kind'].endsWith('List') && Array.isArray(obj['items'])) {
      out.push(...(obj['items'] as Record<string, unknown>[]));
    } else out.push(obj);
  }
  return out.length === 0 ? E.left('no objects in the file') : E.right(out);
}

export async function main(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('publish', HELP, args, {
    options: {
      filename: { type: 'string', short: 'f' }, delete: { type: 'boolean', default: false }, token: { type: 'string' },
      nats: { type: 'string' }, federation: { type: 'string' }, timeout: { type: 'string', default: '10000' },
    },
  });
  if (E.isLeft(parsed)) return parsed.left;
  const opts = parsed.right.values;
  if (opts.filename === undefined) {
    process.stderr.write(`kfed publish: -f FILE is required\n\n${HELP}\n`);
    return 2;
  }
  let text: string;
  try {
    text = await readSource(opts.filename);
  } catch (err) {
    process.stderr.write(`kfed publish: cannot read ${opts.filename}: ${(err as Error).message}\n`);
    return 2;
  }
  const objects = objectsOf(text);
  if (E.isLeft(objects)) {
    process.stderr.write(`kfed publish: ${opts.filename}: ${objects.left}\n`);
    return 2;
  }
  const token = opts.token ?? process.env.KFED_TOKEN;
  const bus = await connectBus({
    url: opts.nats ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    federation: opts.federation ?? process.env.KFED_FEDERATION ?? 'kfed',
    logger: createLogger({ service: 'kfed-publish', level: 'error', destination: process.stderr }),
    name: 'kfed-publish',
  });
  let failures = 0;
  try {
    const subject = opts.delete ? bus.subjects.desired.delete() : bus.subjects.desired.apply();
    for (const obj of objects.right) {
      const reply = await bus.request(subject, DesiredRequest, obj, DesiredReply, {
        timeoutMs: Number(opts.timeout),
        ...(token === undefined ? {} : { headers: { [AUTHORIZATION_HEADER]: `Bearer ${token}` } }),
      });
      if (E.isLeft(reply)) {
        failures++;
        const why = reply.left._tag === 'NoResponders' ? 'no federation API server answers on NATS (is the federation running, and is the federation id right?)' : reply.left.message;
        process.stderr.write(`error: ${why}\n`);
      } else if (!reply.right.ok) {
        failures++;
        const s = reply.right.status;
        process.stderr.write(`Error from server (${s.reason ?? 'Unknown'}): ${s.message ?? ''}\n`);
      } else {
        process.stdout.write(`${reply.right.object} ${reply.right.action}\n`);
      }
    }
  } finally {
    await bus.stop();
  }
  return failures === 0 ? 0 : 1;
}
