/**
 * A token bucket: `ratePerSecond` tokens accrue continuously up to `capacity`; a take succeeds when the
 * bucket holds at least its cost. It starts full. Over any interval of T seconds it admits at most
 * capacity + rate·T cost, because it is refilled on every take (a lazier refill, as in Jaeger's client,
 * can credit time spent full and admit two bursts back to back).
 */
export class TokenBucket {
  readonly #perMilli: number;
  readonly #capacity: number;
  #tokens: number;
  #last: number;

  constructor(ratePerSecond: number, capacity: number, nowMillis: number) {
    this.#perMilli = ratePerSecond / 1000;
    this.#capacity = capacity;
    this.#tokens = capacity;
    this.#last = nowMillis;
  }

  /** Takes `cost` tokens at time `nowMillis` if the bucket holds them. */
  tryTake(cost: number, nowMillis: number): boolean {
    const elapsed = nowMillis - this.#last;
    // A clock that goes backwards (or NaN) adds nothing and does not move the reference point.
    if (elapsed > 0) {
      const tokens = this.#tokens + elapsed * this.#perMilli;
      this.#tokens = tokens < this.#capacity ? tokens : this.#capacity;
      this.#last = nowMillis;
    }
    if (this.#tokens >= cost) {
      this.#tokens -= cost;
      return true;
    }
    return false;
  }

  /** Tokens currently available (after refilling to `nowMillis`, without taking). */
  available(nowMillis: number): number {
    const elapsed = nowMillis - this.#last;
    return elapsed > 0 ? Math.min(this.#capacity, this.#tokens + elapsed * this.#perMilli) : this.#tokens;
  }
}
