// Consumer groups on the global log: at-least-once delivery shared by the replicas of a service.
import { decodeEntries, type EventLog, type ReadResult } from './eventlog.js';
import type { Redis } from './connection.js';

type Entry = [id: string, fields: string[]];

export interface ConsumerOptions {
  /** Group name: every replica of one service uses the same group. */
  readonly group: string;
  /** This replica's name within the group. */
  readonly consumer: string;
  /** Where a new group starts: '0' = the whole log, '$' = only what comes next. */
  readonly startAt?: '0' | '$';
}

export interface Consumer {
  /**
   * The next deliveries for this consumer: first its own pending entries (delivered before a
   * crash and never acknowledged), then new ones, waiting up to blockMs for them.
   */
  read(options?: { count?: number; blockMs?: number }): Promise<ReadResult>;
  /** Acknowledge handled positions: they will not be delivered again. */
  ack(positions: readonly string[]): Promise<void>;
  /** Take over entries another consumer left pending for at least minIdleMs (XAUTOCLAIM). */
  claimStale(minIdleMs: number, count?: number): Promise<ReadResult>;
  /** Stop: releases the blocking connection. Idempotent. */
  close(): void;
}

export async function createConsumer(redis: Redis, log: EventLog, options: ConsumerOptions): Promise<Consumer> {
  const key = log.keys.log;
  const { group, consumer } = options;
  try {
    await redis.xgroup('CREATE', key, group, options.startAt === '$' ? '$' : '0', 'MKSTREAM');
  } catch (err) {
    if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
  }
  // Blocking reads get a connection of their own so that they never stall other commands.
  const conn = redis.duplicate({ enableAutoPipelining: false });
  // Own pending entries are re-read from this cursor (an id) until exhausted, then new ones ('>').
  let pendingCursor: string | undefined = '0-0';
  let closed = false;

  const readGroup = async (id: string, count: number, blockMs?: number): Promise<Entry[]> => {
    const args: (string | number)[] = ['GROUP', group, consumer, 'COUNT', count];
    if (blockMs !== undefined) args.push('BLOCK', blockMs);
    args.push('STREAMS', key, id);
    const reply = (await conn.call('XREADGROUP', ...args)) as [string, Entry[]][] | null;
    return reply?.[0]?.[1] ?? [];
  };

  return {
    async read({ count = 500, blockMs = 5000 } = {}) {
      while (pendingCursor !== undefined) {
        // An entry whose body was deleted comes back with null fields and can only be acknowledged.
        const pending = await readGroup(pendingCursor, count);
        if (pending.length === 0) {
          pendingCursor = undefined;
          break;
        }
        pendingCursor = (pending[pending.length - 1] as Entry)[0];
        const live = pending.filter(([, fields]) => fields !== null);
        const gone = pending.filter(([, fields]) => fields === null).map(([id]) => id);
        if (gone.length > 0) await redis.xack(key, group, ...gone);
        if (live.length > 0) return decodeEntries(live, '0');
      }
      return decodeEntries(await readGroup('>', count, blockMs), '0');
    },
    async ack(positions) {
      if (positions.length > 0) await redis.xack(key, group, ...positions.map((p) => `${p}-0`));
    },
    async claimStale(minIdleMs, count = 100) {
      const reply = (await redis.call('XAUTOCLAIM', key, group, consumer, minIdleMs, '0-0', 'COUNT', count)) as [string, Entry[], string[]?];
      return decodeEntries(reply[1].filter(([, fields]) => fields !== null), '0');
    },
    close() {
      if (closed) return;
      closed = true;
      conn.disconnect();
    },
  };
}
