/**
 * The trace ids most recently decided one way, kept so that spans ending after their trace was decided
 * follow that decision. First in, first out, bounded; size 0 keeps nothing.
 */
export class DecisionCache {
  readonly #ids = new Set<string>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  add(traceId: string): void {
    if (this.#max === 0) return;
    this.#ids.delete(traceId);
    this.#ids.add(traceId);
    if (this.#ids.size > this.#max) {
      const oldest = this.#ids.values().next();
      if (oldest.done !== true) this.#ids.delete(oldest.value);
    }
  }

  has(traceId: string): boolean {
    return this.#ids.has(traceId);
  }

  get size(): number {
    return this.#ids.size;
  }
}
