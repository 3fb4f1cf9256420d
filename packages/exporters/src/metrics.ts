import {
  metrics,
  type Attributes,
  type Counter,
  type Histogram,
  type MeterProvider,
  type ObservableGauge,
  type ObservableResult,
} from '@opentelemetry/api';
import { LateMeter } from './internal/late-meter.js';
import { VERSION } from './version.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_EXPORTER_DROP_REASON,
  ATTR_EXPORTER_OUTCOME,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_OTEL_COMPONENT_NAME,
  ATTR_OTEL_COMPONENT_TYPE,
  METRIC_EXPORTER_BYTES_SENT,
  METRIC_EXPORTER_EXPORT_DURATION,
  METRIC_EXPORTER_ITEMS_DROPPED,
  METRIC_EXPORTER_ITEMS_FAILED,
  METRIC_EXPORTER_ITEMS_REJECTED,
  METRIC_EXPORTER_ITEMS_RETRIED,
  METRIC_EXPORTER_ITEMS_SENT,
  METRIC_EXPORTER_QUEUE_BACKLOG,
  METRIC_EXPORTER_QUEUE_BATCHES,
} from './semconv.js';

/**
 * Why items were given up on:
 * - `queue_full`: the in-memory queue was at `maxPendingBytes` (non-durable mode);
 * - `permanent_error`: the receiver answered a status that must not be retried (e.g. 400), with
 *   `http.response.status_code`;
 * - `retries_exhausted`: retryable failures until `retry.maxElapsedMillis` ran out;
 * - `shutdown`: still queued in memory when shutdown's deadline passed;
 * - `retention`: the WAL dropped unsent records to stay within its size or age limit (durable mode);
 * - `encode_error`: the telemetry could not be encoded;
 * - `wal_error`: the WAL refused the append (disk full, I/O error);
 * - `corrupt_record`: a WAL record could not be read back.
 */
export type DropReason =
  | 'queue_full'
  | 'permanent_error'
  | 'retries_exhausted'
  | 'shutdown'
  | 'retention'
  | 'encode_error'
  | 'wal_error'
  | 'corrupt_record';

/** What the queue gauges read at collection time. */
export interface QueueSnapshot {
  readonly bytes: number;
  readonly batches: number;
}

interface Instruments {
  readonly sent: Counter;
  readonly failed: Counter;
  readonly retried: Counter;
  readonly dropped: Counter;
  readonly rejected: Counter;
  readonly bytes: Counter;
  readonly duration: Histogram;
  readonly gauges: readonly ObservableGauge[];
  readonly callbacks: readonly ((r: ObservableResult) => void)[];
}

const instanceCounters = new Map<string, number>();

/** Gives each exporter instance its `otel.component.name` (`<type>/<n>`, n counting per type). */
export function nextComponentName(type: string): string {
  const n = instanceCounters.get(type) ?? 0;
  instanceCounters.set(type, n + 1);
  return `${type}/${n}`;
}

/**
 * Self-metrics of one exporter (`trisignal.exporter.*`), every point carrying `otel.component.type` and
 * `otel.component.name`. Instruments are created on first use, not at construction: exporters are
 * built before `init()` registers the global meter provider, and the metrics API has no proxy that
 * would forward instruments made earlier.
 */
export class ExporterMetrics {
  readonly componentName: string;
  /** A meter for components built before the exporter's first use (the WAL); bound with the exporter's. */
  readonly lateMeter = new LateMeter();
  readonly #base: Attributes;
  readonly #meterProvider: MeterProvider | undefined;
  readonly #snapshot: () => QueueSnapshot;
  #instruments: Instruments | undefined;
  readonly #droppedAttrs = new Map<string, Attributes>();
  readonly #failedAttrs = new Map<string, Attributes>();
  readonly #durationAttrs = new Map<string, Attributes>();

  constructor(type: string, meterProvider: MeterProvider | undefined, snapshot: () => QueueSnapshot) {
    this.componentName = nextComponentName(type);
    this.#base = Object.freeze({
      [ATTR_OTEL_COMPONENT_TYPE]: type,
      [ATTR_OTEL_COMPONENT_NAME]: this.componentName,
    });
    this.#meterProvider = meterProvider;
    this.#snapshot = snapshot;
  }

  #get(): Instruments {
    if (this.#instruments !== undefined) return this.#instruments;
    const meter = (this.#meterProvider ?? metrics.getMeterProvider()).getMeter(
      '@trisignal/exporters',
      VERSION,
    );
    this.lateMeter.bind(meter);
    const base = this.#base;
    const backlog = meter.createObservableGauge(METRIC_EXPORTER_QUEUE_BACKLOG, {
      description: 'Bytes waiting to be sent (in memory, or unread in the WAL).',
      unit: 'By',
    });
    const batches = meter.createObservableGauge(METRIC_EXPORTER_QUEUE_BATCHES, {
      description: 'Batches waiting to be sent.',
      unit: '{batch}',
    });
    const callbacks = [
      (r: ObservableResult): void => r.observe(this.#snapshot().bytes, base),
      (r: ObservableResult): void => r.observe(this.#snapshot().batches, base),
    ];
    backlog.addCallback(callbacks[0]!);
    batches.addCallback(callbacks[1]!);
    this.#instruments = {
      sent: meter.createCounter(METRIC_EXPORTER_ITEMS_SENT, {
        description: 'Items delivered (the receiver answered 2xx).',
        unit: '{item}',
      }),
      failed: meter.createCounter(METRIC_EXPORTER_ITEMS_FAILED, {
        description: 'Items in failed attempts, retried or not.',
        unit: '{item}',
      }),
      retried: meter.createCounter(METRIC_EXPORTER_ITEMS_RETRIED, {
        description: 'Items scheduled for another attempt.',
        unit: '{item}',
      }),
      dropped: meter.createCounter(METRIC_EXPORTER_ITEMS_DROPPED, {
        description: 'Items given up on, by reason.',
        unit: '{item}',
      }),
      rejected: meter.createCounter(METRIC_EXPORTER_ITEMS_REJECTED, {
        description: 'Items the receiver rejected in an OTLP partial success.',
        unit: '{item}',
      }),
      bytes: meter.createCounter(METRIC_EXPORTER_BYTES_SENT, {
        description: 'Request body bytes put on the wire (after compression), per attempt.',
        unit: 'By',
      }),
      duration: meter.createHistogram(METRIC_EXPORTER_EXPORT_DURATION, {
        description: 'Duration of one HTTP attempt.',
        unit: 's',
        advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] },
      }),
      gauges: [backlog, batches],
      callbacks,
    };
    return this.#instruments;
  }

  /** Items delivered. */
  addSent(items: number): void {
    this.#get().sent.add(items, this.#base);
  }

  /** Bytes of one attempt's body. */
  addBytes(bytes: number): void {
    this.#get().bytes.add(bytes, this.#base);
  }

  /** Items of a failed attempt; `errorType` is the status (`'503'`), `'timeout'` or a network error code. */
  addFailed(items: number, errorType: string): void {
    let attrs = this.#failedAttrs.get(errorType);
    if (attrs === undefined) {
      attrs = Object.freeze({ ...this.#base, [ATTR_ERROR_TYPE]: errorType });
      if (this.#failedAttrs.size < 64) this.#failedAttrs.set(errorType, attrs);
    }
    this.#get().failed.add(items, attrs);
  }

  /** Items scheduled for another attempt. */
  addRetried(items: number): void {
    this.#get().retried.add(items, this.#base);
  }

  /** Items given up on; `status` is the HTTP status of a permanent error. */
  addDropped(items: number, reason: DropReason, status?: number): void {
    if (items <= 0) return;
    const key = status === undefined ? reason : `${reason}:${status}`;
    let attrs = this.#droppedAttrs.get(key);
    if (attrs === undefined) {
      attrs = Object.freeze({
        ...this.#base,
        [ATTR_EXPORTER_DROP_REASON]: reason,
        ...(status === undefined ? {} : { [ATTR_HTTP_RESPONSE_STATUS_CODE]: status }),
      });
      if (this.#droppedAttrs.size < 64) this.#droppedAttrs.set(key, attrs);
    }
    this.#get().dropped.add(items, attrs);
  }

  /** Items rejected in a partial success. */
  addRejected(items: number): void {
    if (items > 0) this.#get().rejected.add(items, this.#base);
  }

  /** One attempt's duration, by outcome and status. */
  recordAttempt(
    seconds: number,
    outcome: 'success' | 'retryable' | 'permanent',
    status: number | undefined,
  ): void {
    const key = `${outcome}:${status ?? ''}`;
    let attrs = this.#durationAttrs.get(key);
    if (attrs === undefined) {
      attrs = Object.freeze({
        ...this.#base,
        [ATTR_EXPORTER_OUTCOME]: outcome,
        ...(status === undefined ? {} : { [ATTR_HTTP_RESPONSE_STATUS_CODE]: status }),
      });
      if (this.#durationAttrs.size < 64) this.#durationAttrs.set(key, attrs);
    }
    this.#get().duration.record(seconds, attrs);
  }

  /** Creates the instruments now (so the backlog gauges report before the first export). */
  start(): void {
    this.#get();
  }

  /** Stops the gauges' callbacks. */
  stop(): void {
    const i = this.#instruments;
    if (i === undefined) return;
    i.gauges.forEach((g, n) => g.removeCallback(i.callbacks[n]!));
  }
}
