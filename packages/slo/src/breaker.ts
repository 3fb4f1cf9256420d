/**
 * The breaker behind admission: closed → open when the health score drops below a threshold; open for
 * an exponentially growing time (with jitter); then half-open, where exactly `probeRequests` requests
 * are let through and judged (error or slower than the class's loosest latency threshold = failure);
 * enough successes close it, too many failures reopen it with the next backoff step. The backoff step
 * resets once the breaker has stayed closed for `backoffResetMillis`. Driven by explicit `now` values,
 * so a fake clock tests it exactly.
 */
import { invalidOption } from './errors.js';

/** Breaker states. */
export type BreakerState = 'closed' | 'open' | 'half_open';

/** Options of the breaker. */
export interface BreakerOptions {
  /** Health score below which the breaker opens. @default 0.35 */
  readonly openBelow?: number | undefined;
  /** First open period. @default 5000 */
  readonly openMillis?: number | undefined;
  /** Longest open period. @default 120000 */
  readonly maxOpenMillis?: number | undefined;
  /** Growth of the open period per consecutive opening. @default 2 */
  readonly backoffMultiplier?: number | undefined;
  /** Random spread of each open period, ± this share. @default 0.1 */
  readonly jitterRatio?: number | undefined;
  /** Requests admitted and judged while half-open. @default 5 */
  readonly probeRequests?: number | undefined;
  /** Share of probes that must succeed to close. @default 0.8 */
  readonly probeSuccessRatio?: number | undefined;
  /** A probe not completed within this time counts as failed. @default 10000 */
  readonly probeTimeoutMillis?: number | undefined;
  /** Closed this long, the backoff starts over. @default 300000 */
  readonly backoffResetMillis?: number | undefined;
}

/** Breaker options with every default applied. */
export type ResolvedBreakerOptions = { readonly [K in keyof BreakerOptions]-?: number };

/** Defaults of {@link BreakerOptions}. */
export const BREAKER_DEFAULTS: ResolvedBreakerOptions = Object.freeze({
  openBelow: 0.35,
  openMillis: 5000,
  maxOpenMillis: 120_000,
  backoffMultiplier: 2,
  jitterRatio: 0.1,
  probeRequests: 5,
  probeSuccessRatio: 0.8,
  probeTimeoutMillis: 10_000,
  backoffResetMillis: 300_000,
});

/** Validates breaker options and applies defaults; throws `TRISIGNAL_SLO_INVALID_OPTION`. */
export function resolveBreakerOptions(o: BreakerOptions = {}, path = 'breaker'): ResolvedBreakerOptions {
  const get = (key: keyof BreakerOptions, check: (v: number) => boolean, expected: string): number => {
    const v = o[key] ?? BREAKER_DEFAULTS[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || !check(v))
      throw invalidOption(`${path}.${key}`, v, expected);
    return v;
  };
  const openMillis = get('openMillis', (v) => v > 0, 'a positive number of milliseconds');
  return Object.freeze({
    openBelow: get('openBelow', (v) => v >= 0 && v <= 1, 'a health score from 0 to 1'),
    openMillis,
    maxOpenMillis: get(
      'maxOpenMillis',
      (v) => v >= openMillis,
      `a number of milliseconds at least \`openMillis\` (${openMillis})`,
    ),
    backoffMultiplier: get('backoffMultiplier', (v) => v >= 1, 'a number at least 1'),
    jitterRatio: get('jitterRatio', (v) => v >= 0 && v < 1, 'a share from 0 (inclusive) to 1 (exclusive)'),
    probeRequests: get('probeRequests', (v) => Number.isInteger(v) && v >= 1, 'a positive integer'),
    probeSuccessRatio: get('probeSuccessRatio', (v) => v > 0 && v <= 1, 'a share greater than 0, at most 1'),
    probeTimeoutMillis: get('probeTimeoutMillis', (v) => v > 0, 'a positive number of milliseconds'),
    backoffResetMillis: get('backoffResetMillis', (v) => v >= 0, 'a non-negative number of milliseconds'),
  });
}

/** The breaker state machine. Every method takes the current time; none throws. */
export class HealthBreaker {
  readonly options: ResolvedBreakerOptions;
  state: BreakerState = 'closed';
  /** When the open period ends (clock milliseconds). */
  openUntil = 0;
  /** Consecutive openings without a long enough closed period (the backoff exponent). */
  attempt = 0;
  closedAt: number;
  halfOpenAt = 0;
  probesIssued = 0;
  probeSuccesses = 0;
  probeFailures = 0;
  readonly #random: () => number;
  readonly #onTransition: (to: BreakerState, now: number) => void;

  constructor(
    options: ResolvedBreakerOptions,
    now: number,
    random: () => number,
    onTransition: (to: BreakerState, now: number) => void,
  ) {
    this.options = options;
    this.closedAt = now;
    this.#random = random;
    this.#onTransition = onTransition;
  }

  /** The open period of the next opening: openMillis × multiplier^attempt, capped, ± jitter. */
  nextOpenMillis(): number {
    const o = this.options;
    const base = Math.min(o.openMillis * o.backoffMultiplier ** this.attempt, o.maxOpenMillis);
    return base * (1 + o.jitterRatio * (2 * this.#random() - 1));
  }

  open(now: number): void {
    this.openUntil = now + this.nextOpenMillis();
    this.attempt++;
    this.state = 'open';
    this.#onTransition('open', now);
  }

  halfOpen(now: number): void {
    this.state = 'half_open';
    this.halfOpenAt = now;
    this.probesIssued = 0;
    this.probeSuccesses = 0;
    this.probeFailures = 0;
    this.#onTransition('half_open', now);
  }

  close(now: number): void {
    this.state = 'closed';
    this.closedAt = now;
    this.#onTransition('closed', now);
  }

  /** Admission path: moves open → half-open once the open period is over. */
  advance(now: number): void {
    if (this.state === 'open' && now >= this.openUntil) this.halfOpen(now);
  }

  /** Half-open: takes a probe slot if one is left. */
  tryProbe(): boolean {
    if (this.state !== 'half_open' || this.probesIssued >= this.options.probeRequests) return false;
    this.probesIssued++;
    return true;
  }

  /** A probe ended. */
  probeResult(ok: boolean, now: number): void {
    if (this.state !== 'half_open') return;
    if (ok) this.probeSuccesses++;
    else this.probeFailures++;
    this.#decide(now);
  }

  #decide(now: number): void {
    const n = this.options.probeRequests;
    const needed = Math.ceil(n * this.options.probeSuccessRatio - 1e-9);
    if (this.probeFailures > n - needed) this.open(now);
    else if (this.probeSuccesses >= needed && this.probeSuccesses + this.probeFailures >= n) this.close(now);
  }

  /** Periodic step: opens on a low score, ends open periods, times out probes, resets the backoff. */
  evaluate(now: number, score: number): void {
    switch (this.state) {
      case 'closed':
        if (this.attempt > 0 && now - this.closedAt >= this.options.backoffResetMillis) this.attempt = 0;
        if (score < this.options.openBelow) this.open(now);
        break;
      case 'open':
        this.advance(now);
        break;
      case 'half_open':
        if (this.probesIssued > 0 && now - this.halfOpenAt >= this.options.probeTimeoutMillis) {
          // Probes still running count as failures; slots never used (too little traffic) do not count.
          this.probeFailures += this.probesIssued - this.probeSuccesses - this.probeFailures;
          const judged = this.probeSuccesses + this.probeFailures;
          if (this.probeSuccesses / judged >= this.options.probeSuccessRatio) this.close(now);
          else this.open(now);
        }
        break;
    }
  }
}
