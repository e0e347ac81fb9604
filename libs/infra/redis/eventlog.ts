// The event log on Redis streams: atomic check-and-append, per-stream reads, the global ordered log.
import * as E from 'fp-ts/lib/Either.js';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { EventEnvelope, type ExpectedVersion, type NewEvent, type VersionConflict } from '../../events/envelope.js';
import { redisKeys, type Keys } from './keys.js';
import type { Redis } from './connection.js';

// One script call appends for one or many streams. KEYS: log, position counter, then the stream
// key of each request. ARGV: per request its stream name, expected version (-1 = any), event
// count, then one JSON body per event. A stream's length is its version (streams are never
// trimmed). Positions come from one counter: a log entry's id is `<position>-0`; a stream entry's
// id is `<version>-0` and its field `p` points at the position. Per request the reply holds
// {1, newVersion, firstPosition}, or {0, actualVersion, 0} for a version conflict, in which case
// that request writes nothing. Requests are independent, applied in order.
const appendScript = `
local out = {}
local a = 1
for r = 1, #KEYS - 2 do
  local skey = KEYS[r + 2]
  local stream = ARGV[a]
  local expected = tonumber(ARGV[a + 1])
  local n = tonumber(ARGV[a + 2])
  local current = redis.call('XLEN', skey)
  if expected >= 0 and expected ~= current then
    out[#out + 1] = 0; out[#out + 1] = current; out[#out + 1] = 0
  else
    local first = redis.call('INCRBY', KEYS[2], n) - n + 1
    for i = 1, n do
      local pos = string.format('%d', first + i - 1)
      local v = string.format('%d', current + i)
      redis.call('XADD', KEYS[1], pos .. '-0', 's', stream, 'v', v, 'e', ARGV[a + 2 + i])
      redis.call('XADD', skey, v .. '-0', 'p', pos)
    end
    out[#out + 1] = 1; out[#out + 1] = current + n; out[#out + 1] = first
  end
  a = a + 3 + n
end
return out
`;

export interface Appended {
  readonly stream: string;
  /** The stream's version after the append (= the last appended event's version). */
  readonly version: number;
  /** Log positions of the appended events, in order. */
  readonly positions: readonly string[];
}

/** A log entry that could not be decoded: reported to the reader and skipped. */
export interface Malformed {
  readonly position: string;
  readonly reason: string;
}

export interface ReadResult {
  readonly events: readonly EventEnvelope[];
  readonly malformed: readonly Malformed[];
  /** Position of the last entry read (decoded or not); the cursor to continue from. */
  readonly last: string;
}

export interface AppendRequest {
  readonly stream: string;
  readonly expected: ExpectedVersion;
  readonly events: readonly NewEvent[];
}

export interface EventLog {
  readonly keys: Keys;
  append(stream: string, expected: ExpectedVersion, events: readonly NewEvent[]): Promise<E.Either<VersionConflict, Appended>>;
  /** Several independent appends in one round trip; each succeeds or conflicts on its own. */
  appendBatch(requests: readonly AppendRequest[]): Promise<ReadonlyArray<E.Either<VersionConflict, Appended>>>;
  streamVersion(stream: string): Promise<number>;
  /** Events of one stream with version ≥ fromVersion, in order. */
  readStream(stream: string, fromVersion?: number): Promise<ReadResult>;
  /** Up to `count` log entries strictly after `after` ('0' = from the beginning). */
  readLog(after: string, count: number): Promise<ReadResult>;
  /** The position of the newest entry ('0' when the log is empty). */
  head(): Promise<string>;
  /** Entries after `after`, as they arrive (blocking reads on a dedicated connection), until `signal` aborts. */
  tail(after: string, signal: AbortSignal, options?: { count?: number; blockMs?: number }): AsyncGenerator<ReadResult>;
}

type Fields = string[];
type Entry = [id: string, fields: Fields];

function field(fields: Fields, name: string): string | undefined {
  for (let i = 0; i < fields.length - 1; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

const positionOf = (id: string): string => id.slice(0, id.indexOf('-'));

/** Decode log entries into envelopes; undecodable ones are reported, never thrown. */
export function decodeEntries(entries: readonly Entry[], after: string): ReadResult {
  const events: EventEnvelope[] = [];
  const malformed: Malformed[] = [];
  let last = after;
  for (const [id, fields] of entries) {
    const position = positionOf(id);
    last = position;
    const body = field(fields, 'e');
    const stream = field(fields, 's');
    const version = Number(field(fields, 'v'));
    let parsed: unknown;
    try {
      parsed = body === undefined ? undefined : JSON.parse(body);
    } catch (err) {
      malformed.push({ position, reason: `event body is not JSON: ${(err as Error).message}` });
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      malformed.push({ position, reason: 'event body is not a JSON object' });
      continue;
    }
    if (stream === undefined || !Number.isInteger(version)) {
      malformed.push({ position, reason: 'log entry lacks its stream or version' });
      continue;
    }
    const candidate = Object.assign(parsed, { stream, version, position });
    // `is` checks the same structure as `decode` without building error contexts: the replay hot
    // path. Only an entry that fails it pays for decode's report.
    if (EventEnvelope.is(candidate)) events.push(candidate);
    else malformed.push({ position, reason: PathReporter.report(EventEnvelope.decode(candidate)).join('; ') });
  }
  return { events, malformed, last };
}

interface AppendCapable extends Redis {
  kfedAppend(numberOfKeys: number, ...keysAndArgs: string[]): Promise<number[]>;
}

export function createEventLog(redis: Redis, federation: string): EventLog {
  const keys = redisKeys(federation);
  const r = redis as AppendCapable;
  if (typeof r.kfedAppend !== 'function') redis.defineCommand('kfedAppend', { lua: appendScript });

  const appendAll = async (requests: readonly AppendRequest[]): Promise<E.Either<VersionConflict, Appended>[]> => {
    const streamKeys: string[] = [];
    const argv: string[] = [];
    for (const req of requests) {
      if (req.events.length === 0) throw new Error('append needs at least one event');
      streamKeys.push(keys.stream(req.stream));
      argv.push(req.stream, String(req.expected._tag === 'Exact' ? req.expected.version : -1), String(req.events.length));
      for (const e of req.events) argv.push(JSON.stringify(e));
    }
    const reply = await r.kfedAppend(streamKeys.length + 2, keys.log, keys.position, ...streamKeys, ...argv);
    return requests.map((req, i) => {
      const [ok, version = 0, first = 0] = reply.slice(i * 3, i * 3 + 3);
      if (ok !== 1) {
        const expected = req.expected._tag === 'Exact' ? req.expected.version : -1;
        return E.left({ _tag: 'VersionConflict', stream: req.stream, expected, actual: version });
      }
      return E.right({ stream: req.stream, version, positions: req.events.map((_, j) => String(first + j)) });
    });
  };

  const readPositions = async (positions: readonly string[], after: string): Promise<ReadResult> => {
    if (positions.length === 0) return { events: [], malformed: [], last: after };
    const pipeline = redis.pipeline();
    for (const p of positions) pipeline.xrange(keys.log, `${p}-0`, `${p}-0`);
    const replies = (await pipeline.exec()) ?? [];
    const entries: Entry[] = [];
    for (const [err, reply] of replies) {
      if (err !== null) throw err;
      entries.push(...(reply as Entry[]));
    }
    return decodeEntries(entries, after);
  };

  return {
    keys,
    async append(stream, expected, events) {
      return (await appendAll([{ stream, expected, events }]))[0] as E.Either<VersionConflict, Appended>;
    },
    appendBatch: async (requests) => (requests.length === 0 ? [] : appendAll(requests)),
    streamVersion: (stream) => redis.xlen(keys.stream(stream)),
    async readStream(stream, fromVersion = 1) {
      const entries = (await redis.xrange(keys.stream(stream), `${Math.max(1, fromVersion)}-0`, '+')) as Entry[];
      const positions = entries.map(([, fields]) => field(fields, 'p')).filter((p): p is string => p !== undefined);
      return readPositions(positions, '0');
    },
    async readLog(after, count) {
      const entries = (await redis.xrange(keys.log, `(${after}-0`, '+', 'COUNT', count)) as Entry[];
      return decodeEntries(entries, after);
    },
    async head() {
      return (await redis.get(keys.position)) ?? '0';
    },
    async *tail(after, signal, options = {}) {
      const count = options.count ?? 1000;
      const blockMs = options.blockMs ?? 5000;
      // A blocking read holds its connection; give it one of its own and drop it to stop.
      const conn = redis.duplicate({ enableAutoPipelining: false });
      const abort = (): void => conn.disconnect();
      signal.addEventListener('abort', abort, { once: true });
      try {
        let cursor = after;
        while (!signal.aborted) {
          let reply: [string, Entry[]][] | null;
          try {
            reply = (await conn.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', keys.log, `${cursor}-0`)) as [string, Entry[]][] | null;
          } catch (err) {
            if (signal.aborted) return;
            throw err;
          }
          const entries = reply?.[0]?.[1];
          if (entries === undefined || entries.length === 0) continue;
          const result = decodeEntries(entries, cursor);
          cursor = result.last;
          yield result;
        }
      } finally {
        signal.removeEventListener('abort', abort);
        conn.disconnect();
      }
    },
  };
}
