/**
 * A fixed pool of work slots, like a database connection pool: work beyond the pool waits in line. It
 * is what makes the overload phase real: requests queue, latency and in-flight grow, and the SLO
 * admission controller starts shedding (bronze first) to bring the queue back down.
 */
export interface Capacity {
  /** Holds one slot for `millis` (queueing first if every slot is busy). */
  work(millis: number): Promise<void>;
  readonly busy: number;
  readonly queued: number;
}

function sleep(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}

export function createCapacity(slots: number): Capacity {
  let busy = 0;
  const waiting: (() => void)[] = [];
  const acquire = (): Promise<void> => {
    if (busy < slots) {
      busy++;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (): void => {
    const next = waiting.shift();
    // A waiter inherits the slot: busy stays the same.
    if (next !== undefined) next();
    else busy--;
  };
  return {
    async work(millis) {
      await acquire();
      try {
        await sleep(millis);
      } finally {
        release();
      }
    },
    get busy() {
      return busy;
    },
    get queued() {
      return waiting.length;
    },
  };
}
