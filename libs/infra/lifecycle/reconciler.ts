// A keyed work queue à la controller-runtime: dedup, one run per key at a time, backoff on errors.
import type { Logger } from '../log/logger.js';

/** What one reconcile run asks for next. A rejected promise counts as `{error}`. */
export type ReconcileResult = 'done' | { readonly retryAfterMs: number } | { readonly error: unknown };

/** The timer the queue schedules retries with; tests inject a manual one. */
export interface Timer {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ReconcilerOptions {
  readonly name: string;
  /** Receives only the key: it re-reads desired and actual state itself, so a lost hint is harmless. */
  readonly reconcile: (key: string) => Promise<ReconcileResult>;
  readonly logger: Logger;
  /** How many different keys may run at once (a key never runs concurrently with itself). */
  readonly concurrency: number;
  /** Retry delay after the n-th consecutive error: initialMs · 2^(n-1), at most maxMs. Default 100 ms, 60 s. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  readonly timer?: Timer;
}

export interface Reconciler {
  /**
   * Queues a run for `key`, now. A key already waiting is not queued twice; a key being reconciled
   * runs once more afterwards; a pending retry of the key is replaced by this run.
   */
  enqueue(key: string): void;
  /** Idempotent: drops waiting keys and retries, stops intake, resolves when in-flight runs end. */
  stop(): Promise<void>;
}

const globalTimer: Timer = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function createReconciler(options: ReconcilerOptions): Reconciler {
  const { name, reconcile, concurrency, timer = globalTimer } = options;
  const { initialMs, maxMs } = options.backoff ?? { initialMs: 100, maxMs: 60_000 };
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`reconciler ${name}: concurrency must be a positive integer`);
  const log = options.logger.child({ reconciler: name });

  const ready = new Set<string>(); // insertion order = FIFO
  const running = new Set<string>();
  const rerun = new Set<string>(); // enqueued while running
  const retries = new Map<string, unknown>();
  const failures = new Map<string, number>();
  let stopping: Promise<void> | undefined;
  let drained: (() => void) | undefined;

  function cancelRetry(key: string): void {
    if (retries.has(key)) {
      timer.clearTimeout(retries.get(key));
      retries.delete(key);
    }
  }

  function pump(): void {
    while (stopping === undefined && running.size < concurrency) {
      const next = ready.values().next();
      if (next.done === true) return;
      ready.delete(next.value);
      running.add(next.value);
      void run(next.value);
    }
  }

  /** Records the outcome and returns when to run the key again (undefined: only when enqueued). */
  function settle(key: string, result: ReconcileResult): number | undefined {
    if (result === 'done') {
      failures.delete(key);
      return undefined;
    }
    if ('retryAfterMs' in result) {
      failures.delete(key);
      return Math.max(0, result.retryAfterMs);
    }
    const attempt = (failures.get(key) ?? 0) + 1;
    failures.set(key, attempt);
    const retryInMs = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 30));
    log.error({ key, err: result.error, attempt, retryInMs }, 'reconcile failed');
    return retryInMs;
  }

  async function run(key: string): Promise<void> {
    let result: ReconcileResult;
    try {
      result = await reconcile(key);
    } catch (error) {
      result = { error };
    }
    running.delete(key);
    const retryInMs = settle(key, result);
    if (stopping !== undefined) {
      if (running.size === 0) drained?.();
      return;
    }
    if (rerun.delete(key)) {
      ready.add(key); // the newer hint wins over the retry the result asked for
    } else if (retryInMs !== undefined) {
      retries.set(key, timer.setTimeout(() => {
        retries.delete(key);
        enqueue(key);
      }, retryInMs));
    }
    pump();
  }

  function enqueue(key: string): void {
    if (stopping !== undefined) return;
    cancelRetry(key);
    if (running.has(key)) rerun.add(key);
    else ready.add(key);
    pump();
  }

  return {
    enqueue,
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        for (const key of [...retries.keys()]) cancelRetry(key);
        ready.clear();
        rerun.clear();
        drained = resolve;
        if (running.size === 0) resolve();
      });
      return stopping;
    },
  };
}
