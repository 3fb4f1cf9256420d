/**
 * A fixed-size ring of snapshots of cumulative counters. A window's delta is the latest snapshot minus
 * the one `k` steps back, so any window costs O(width) whatever its length, and memory is fixed:
 * capacity × width doubles. Overwriting the oldest snapshot is the design (a rolling window), not a drop.
 */
export class SnapshotRing {
  readonly width: number;
  readonly capacity: number;
  readonly #data: Float64Array;
  #head = -1;
  #size = 0;

  constructor(capacity: number, width: number) {
    this.capacity = capacity;
    this.width = width;
    this.#data = new Float64Array(capacity * width);
  }

  /** Snapshots stored (at most `capacity`). */
  get size(): number {
    return this.#size;
  }

  /** Appends a copy of `values` (length `width`, read from `offset`). */
  push(values: ArrayLike<number>, offset = 0): void {
    this.#head = (this.#head + 1) % this.capacity;
    const base = this.#head * this.width;
    for (let i = 0; i < this.width; i++) this.#data[base + i] = values[offset + i]!;
    if (this.#size < this.capacity) this.#size++;
  }

  /** Index into `data` of the snapshot `k` steps back (0 = latest), clamped to the oldest kept. */
  offsetAgo(k: number): number {
    const back = Math.min(k, this.#size - 1);
    const slot = (this.#head - back + this.capacity * 2) % this.capacity;
    return slot * this.width;
  }

  /** True when the snapshot `k` steps back is still kept (the window is fully covered). */
  covers(k: number): boolean {
    return k <= this.#size - 1;
  }

  /** Value `i` of the snapshot `k` steps back. */
  valueAgo(k: number, i: number): number {
    return this.#data[this.offsetAgo(k) + i]!;
  }
}
