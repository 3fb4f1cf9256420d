/**
 * Fault injection, switched by the scenario through IPC. Deterministic: a route with error rate r fails
 * request n exactly when ⌊(n+1)·r⌋ > ⌊n·r⌋, so any run of requests holds exactly the share asked for,
 * and every injected fault is counted, so the end-to-end test knows what was injected.
 */

/** What the scenario injects, by HTTP route template (`/api/recommendations`) or RPC method (`shop.Inventory/Reserve`). */
export interface Faults {
  /** Share (0…1) of requests that fail. */
  readonly errorRate: Readonly<Record<string, number>>;
  /** Milliseconds added to each request. */
  readonly extraLatencyMs: Readonly<Record<string, number>>;
}

export const NO_FAULTS: Faults = Object.freeze({ errorRate: {}, extraLatencyMs: {} });

/** Holds the current faults and counts what it injected. */
export interface FaultInjector {
  set(faults: Faults): void;
  readonly current: Faults;
  /** Decides for the next request of `key` whether it fails (and counts it). */
  shouldFail(key: string): boolean;
  extraLatencyMs(key: string): number;
  /** Injected failures per key since start. */
  injected(): Record<string, number>;
}

export function createFaultInjector(initial: Faults = NO_FAULTS): FaultInjector {
  let current = initial;
  const seen = new Map<string, number>();
  const injected = new Map<string, number>();
  return {
    set(faults) {
      current = faults;
    },
    get current() {
      return current;
    },
    shouldFail(key) {
      const rate = current.errorRate[key] ?? 0;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      if (!(rate > 0)) return false;
      const fail = Math.floor((n + 1) * rate) > Math.floor(n * rate);
      if (fail) injected.set(key, (injected.get(key) ?? 0) + 1);
      return fail;
    },
    extraLatencyMs(key) {
      return current.extraLatencyMs[key] ?? 0;
    },
    injected() {
      return Object.fromEntries(injected);
    },
  };
}
