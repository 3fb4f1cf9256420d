/** Synthetic golden-signal feeds and a fake clock for the live evaluator and admission tests. */
import type { GoldenSignalSource, LiveSeries, SaturationReading, SloClock } from '../src/evaluator.js';

export class FakeClock implements SloClock {
  t = 0;
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export class FakeSeries implements LiveSeries {
  readonly sloClass: string | undefined;
  readonly isError: boolean;
  readonly errorType: string | undefined;
  readonly duration: { bounds: readonly number[]; counts: Float64Array; count: number };

  constructor(sloClass: string | undefined, isError: boolean, bounds: readonly number[], errorType?: string) {
    this.sloClass = sloClass;
    this.isError = isError;
    this.errorType = errorType;
    this.duration = { bounds, counts: new Float64Array(bounds.length + 1), count: 0 };
  }

  /** Records `n` requests in bucket `index` (bounds.length = above every bound). */
  addToBucket(index: number, n = 1): void {
    this.duration.counts[index]! += n;
    this.duration.count += n;
  }

  /** Records one request of `seconds` (upper bounds inclusive, as core's recorder). */
  record(seconds: number): void {
    let i = 0;
    while (i < this.duration.bounds.length && seconds > this.duration.bounds[i]!) i++;
    this.addToBucket(i);
  }
}

export class FakeRecorder implements GoldenSignalSource {
  readonly http: FakeSeries[] = [];
  readonly rpc: FakeSeries[] = [];
  readonly active: { value: number }[] = [];
  readonly #bounds: readonly number[];

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
  }

  series(
    kind: 'http' | 'rpc',
    sloClass: string | undefined,
    isError: boolean,
    errorType?: string,
  ): FakeSeries {
    const list = kind === 'http' ? this.http : this.rpc;
    let s = list.find((x) => x.sloClass === sloClass && x.isError === isError && x.errorType === errorType);
    if (s === undefined) {
      s = new FakeSeries(sloClass, isError, this.#bounds, errorType);
      list.push(s);
    }
    return s;
  }

  forEachSeries(kind: 'http.server' | 'rpc.server', visit: (series: LiveSeries) => void): void {
    for (const s of kind === 'http.server' ? this.http : this.rpc) visit(s);
  }

  forEachActive(
    kind: 'http.server' | 'rpc.server',
    visit: (counter: { readonly value: number }) => void,
  ): void {
    if (kind === 'http.server') for (const a of this.active) visit(a);
  }
}

export class FakeSaturation {
  reading: SaturationReading = {
    eventLoopDelayP99Seconds: 0.011,
    eventLoopDelayResolutionSeconds: 0.01,
    eventLoopUtilization: 0.2,
    heapUsedRatio: 0.3,
  };
  saturation(): SaturationReading {
    return this.reading;
  }
}

/** A seeded PRNG (mulberry32), so synthetic traffic is reproducible. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
