// Runs a projection: rebuilds it from the global log, then keeps it current by tailing the log.
import type { Logger } from '../log/logger.js';
import { comparePositions, type EventEnvelope } from '../../events/envelope.js';
import type { Projection } from '../../events/projection.js';
import type { EventLog, ReadResult } from './eventlog.js';

export interface RunningProjection<S> {
  /** The current state. Read it, never change it. */
  state(): S;
  /** Position of the last log entry folded in. */
  position(): string;
  /** Resolves once the log as it stood at start-up has been folded in. */
  readonly ready: Promise<void>;
  /** Resolves true once `position` has been folded in, false if timeoutMs passes first. */
  waitFor(position: string, timeoutMs: number): Promise<boolean>;
  /** Called after each batch is folded in, with the events of the batch. Returns an unsubscribe. */
  onApplied(listener: (events: readonly EventEnvelope[]) => void): () => void;
  /** Stops tailing. Idempotent. */
  stop(): Promise<void>;
}

export interface RunProjectionOptions<S> {
  readonly log: EventLog;
  readonly projection: Projection<S>;
  readonly logger: Logger;
  /** Log entries per read while rebuilding. */
  readonly chunk?: number;
}

export function runProjection<S>({ log, projection, logger, chunk = 1000 }: RunProjectionOptions<S>): RunningProjection<S> {
  let state = projection.initial();
  let cursor = '0';
  const listeners = new Set<(events: readonly EventEnvelope[]) => void>();
  let waiters: { position: string; resolve: (ok: boolean) => void }[] = [];
  const abort = new AbortController();

  const apply = (result: ReadResult): void => {
    for (const m of result.malformed) {
      logger.warn({ projection: projection.name, position: m.position, reason: m.reason }, 'skipped a malformed log entry');
    }
    for (const e of result.events) state = projection.evolve(state, e);
    cursor = result.last;
    if (result.events.length > 0) for (const l of listeners) l(result.events);
    if (waiters.length > 0) {
      const due = waiters.filter((w) => comparePositions(w.position, cursor) <= 0);
      waiters = waiters.filter((w) => comparePositions(w.position, cursor) > 0);
      for (const w of due) w.resolve(true);
    }
  };

  const rebuild = async (): Promise<void> => {
    const head = await log.head();
    // The next chunk is requested before the current one is folded: Redis serialises while we fold.
    // (Chunks of about a thousand entries: larger replies cost Redis more per entry.)
    let next = log.readLog(cursor, chunk);
    while (comparePositions(cursor, head) < 0) {
      const result = await next;
      if (result.last === cursor) break;
      if (comparePositions(result.last, head) < 0) next = log.readLog(result.last, chunk);
      apply(result);
    }
    logger.info({ projection: projection.name, position: cursor }, 'projection rebuilt from the log');
  };

  const follow = async (): Promise<void> => {
    let delay = 100;
    while (!abort.signal.aborted) {
      try {
        for await (const result of log.tail(cursor, abort.signal)) {
          apply(result);
          delay = 100;
        }
      } catch (err) {
        if (abort.signal.aborted) return;
        logger.error({ projection: projection.name, err }, 'tailing the log failed; retrying');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  };

  const ready = rebuild();
  const following = ready.then(follow, (err: unknown) => {
    logger.error({ projection: projection.name, err }, 'projection rebuild failed');
    throw err;
  });

  return {
    state: () => state,
    position: () => cursor,
    ready,
    waitFor(position, timeoutMs) {
      if (comparePositions(position, cursor) <= 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const waiter = { position, resolve };
        waiters.push(waiter);
        setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs).unref();
      });
    },
    onApplied(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      abort.abort();
      for (const w of waiters) w.resolve(false);
      waiters = [];
      await following.catch(() => undefined);
    },
  };
}
