import type {
  Attributes,
  BatchObservableCallback,
  Counter,
  Gauge,
  Histogram,
  Meter,
  MetricOptions,
  Observable,
  ObservableCallback,
  ObservableCounter,
  ObservableGauge,
  ObservableUpDownCounter,
  UpDownCounter,
} from '@opentelemetry/api';

type SyncKind = 'counter' | 'upDownCounter' | 'histogram' | 'gauge';
type AsyncKind = 'observableGauge' | 'observableCounter' | 'observableUpDownCounter';

class SyncProxy {
  real: { add?(v: number, a?: Attributes): void; record?(v: number, a?: Attributes): void } | undefined;
  add(value: number, attributes?: Attributes): void {
    this.real?.add?.(value, attributes);
  }
  record(value: number, attributes?: Attributes): void {
    this.real?.record?.(value, attributes);
  }
}

class AsyncProxy {
  real: Observable | undefined;
  readonly callbacks = new Set<ObservableCallback>();
  addCallback(cb: ObservableCallback): void {
    this.callbacks.add(cb);
    this.real?.addCallback(cb);
  }
  removeCallback(cb: ObservableCallback): void {
    this.callbacks.delete(cb);
    this.real?.removeCallback(cb);
  }
}

/**
 * A `Meter` whose instruments start as no-ops and begin recording once `bind()` gives it the real
 * meter. The WAL creates its instruments when it is constructed, which for an exporter is before
 * `init()` has registered the global meter provider (and the metrics API forwards nothing made
 * earlier); binding at the first export makes its metrics flow like the exporter's own.
 */
export class LateMeter implements Meter {
  #real: Meter | undefined;
  readonly #pending: ((meter: Meter) => void)[] = [];

  bind(meter: Meter): void {
    if (this.#real !== undefined) return;
    this.#real = meter;
    for (const f of this.#pending.splice(0)) f(meter);
  }

  #sync(kind: SyncKind, name: string, options?: MetricOptions): SyncProxy {
    const proxy = new SyncProxy();
    const make = (m: Meter): void => {
      proxy.real =
        kind === 'counter'
          ? m.createCounter(name, options)
          : kind === 'upDownCounter'
            ? m.createUpDownCounter(name, options)
            : kind === 'histogram'
              ? m.createHistogram(name, options)
              : m.createGauge(name, options);
    };
    if (this.#real !== undefined) make(this.#real);
    else this.#pending.push(make);
    return proxy;
  }

  #async(kind: AsyncKind, name: string, options?: MetricOptions): AsyncProxy {
    const proxy = new AsyncProxy();
    const make = (m: Meter): void => {
      const real =
        kind === 'observableGauge'
          ? m.createObservableGauge(name, options)
          : kind === 'observableCounter'
            ? m.createObservableCounter(name, options)
            : m.createObservableUpDownCounter(name, options);
      for (const cb of proxy.callbacks) real.addCallback(cb);
      proxy.real = real;
    };
    if (this.#real !== undefined) make(this.#real);
    else this.#pending.push(make);
    return proxy;
  }

  createCounter(name: string, options?: MetricOptions): Counter {
    return this.#sync('counter', name, options);
  }
  createUpDownCounter(name: string, options?: MetricOptions): UpDownCounter {
    return this.#sync('upDownCounter', name, options);
  }
  createHistogram(name: string, options?: MetricOptions): Histogram {
    return this.#sync('histogram', name, options);
  }
  createGauge(name: string, options?: MetricOptions): Gauge {
    return this.#sync('gauge', name, options);
  }
  createObservableGauge(name: string, options?: MetricOptions): ObservableGauge {
    return this.#async('observableGauge', name, options);
  }
  createObservableCounter(name: string, options?: MetricOptions): ObservableCounter {
    return this.#async('observableCounter', name, options);
  }
  createObservableUpDownCounter(name: string, options?: MetricOptions): ObservableUpDownCounter {
    return this.#async('observableUpDownCounter', name, options);
  }
  addBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    const bindReal = (m: Meter): void =>
      m.addBatchObservableCallback(
        callback,
        observables.map((o) => (o as unknown as AsyncProxy).real ?? o),
      );
    if (this.#real !== undefined) bindReal(this.#real);
    else this.#pending.push(bindReal);
  }
  removeBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    this.#real?.removeBatchObservableCallback(
      callback,
      observables.map((o) => (o as unknown as AsyncProxy).real ?? o),
    );
  }
}
