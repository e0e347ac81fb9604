// A gate: at most `limit` pieces of async work run at once; the rest wait their turn, first come first served.

export type Gate = <A>(work: () => Promise<A>) => Promise<A>;

export function createGate(limit: number): Gate {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <A>(work: () => Promise<A>): Promise<A> => {
    if (running < limit) running += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over as it frees
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next !== undefined) next();
      else running -= 1;
    }
  };
}
