import type {
  Attributes,
  Counter,
  Histogram,
  Meter,
  ObservableGauge,
  ObservableResult,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_OTEL_COMPONENT_NAME,
  ATTR_WAL_CORRUPTION_REASON,
  ATTR_WAL_CURSOR,
  ATTR_WAL_DROP_REASON,
  METRIC_WAL_APPEND_BYTES,
  METRIC_WAL_APPEND_DURATION,
  METRIC_WAL_APPEND_RECORDS,
  METRIC_WAL_CORRUPTIONS,
  METRIC_WAL_CURSOR_BACKLOG,
  METRIC_WAL_DROPPED,
  METRIC_WAL_ERRORS,
  METRIC_WAL_FSYNC_DURATION,
  METRIC_WAL_SEGMENTS,
  METRIC_WAL_SIZE,
  METRIC_WAL_WRITE_BYTES,
} from './semconv.js';

/** What the observable gauges read at collection time. */
export interface WalGaugeSnapshot {
  readonly segments: number;
  readonly bytes: number;
  readonly cursors: readonly { readonly name: string; readonly backlog: number }[];
}

interface Instruments {
  appendBytes: Counter;
  appendRecords: Counter;
  appendDuration: Histogram;
  writeBytes: Counter;
  fsyncDuration: Histogram;
  dropped: Counter;
  corruptions: Counter;
  errors: Counter;
  gauges: ObservableGauge[];
  callbacks: ((result: ObservableResult) => void)[];
}

let instanceCounter = 0;

/**
 * The WAL's self-metrics. Without a `Meter` every method is a no-op, so `@opentelemetry/api` is never
 * loaded at run time (it is an optional peer dependency; only its types are used here).
 */
export class WalMetrics {
  readonly #instruments: Instruments | undefined;
  readonly #base: Attributes;

  constructor(meter: Meter | undefined, snapshot: () => WalGaugeSnapshot) {
    this.#base = { [ATTR_OTEL_COMPONENT_NAME]: `wal/${instanceCounter++}` };
    if (meter === undefined) {
      this.#instruments = undefined;
      return;
    }
    const base = this.#base;
    const segments = meter.createObservableGauge(METRIC_WAL_SEGMENTS, {
      description: 'Segment files on disk.',
      unit: '{segment}',
    });
    const size = meter.createObservableGauge(METRIC_WAL_SIZE, {
      description: 'Bytes of segment files on disk.',
      unit: 'By',
    });
    const backlog = meter.createObservableGauge(METRIC_WAL_CURSOR_BACKLOG, {
      description: "Records after a cursor's committed offset.",
      unit: '{record}',
    });
    const callbacks = [
      (r: ObservableResult): void => r.observe(snapshot().segments, base),
      (r: ObservableResult): void => r.observe(snapshot().bytes, base),
      (r: ObservableResult): void => {
        for (const c of snapshot().cursors) r.observe(c.backlog, { ...base, [ATTR_WAL_CURSOR]: c.name });
      },
    ];
    const gauges = [segments, size, backlog];
    gauges.forEach((g, i) => g.addCallback(callbacks[i]!));
    this.#instruments = {
      appendBytes: meter.createCounter(METRIC_WAL_APPEND_BYTES, {
        description: 'Bytes of record input appended, before compression.',
        unit: 'By',
      }),
      appendRecords: meter.createCounter(METRIC_WAL_APPEND_RECORDS, {
        description: 'Records appended.',
        unit: '{record}',
      }),
      appendDuration: meter.createHistogram(METRIC_WAL_APPEND_DURATION, {
        description: 'Time from append() to its acknowledgement.',
        unit: 's',
        advice: {
          explicitBucketBoundaries: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        },
      }),
      writeBytes: meter.createCounter(METRIC_WAL_WRITE_BYTES, {
        description: 'Bytes written to segment files, after compression.',
        unit: 'By',
      }),
      fsyncDuration: meter.createHistogram(METRIC_WAL_FSYNC_DURATION, {
        description: 'Duration of each fdatasync.',
        unit: 's',
        advice: {
          explicitBucketBoundaries: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
        },
      }),
      dropped: meter.createCounter(METRIC_WAL_DROPPED, {
        description: 'Records lost, by reason.',
        unit: '{record}',
      }),
      corruptions: meter.createCounter(METRIC_WAL_CORRUPTIONS, {
        description: 'Damaged data found on open or on read.',
        unit: '{event}',
      }),
      errors: meter.createCounter(METRIC_WAL_ERRORS, {
        description: 'Failed appends, syncs and file operations, by error code.',
        unit: '{error}',
      }),
      gauges,
      callbacks,
    };
  }

  /** Counts records acknowledged: their input bytes, and the bytes their frames took on disk. */
  recordAppend(records: number, inputBytes: number): void {
    const i = this.#instruments;
    if (i === undefined) return;
    i.appendRecords.add(records, this.#base);
    i.appendBytes.add(inputBytes, this.#base);
  }

  /** Records one acknowledgement latency. */
  recordAppendDuration(seconds: number): void {
    this.#instruments?.appendDuration.record(seconds, this.#base);
  }

  /** Counts bytes written to segment files. */
  recordWrite(bytes: number): void {
    this.#instruments?.writeBytes.add(bytes, this.#base);
  }

  /** Records one fdatasync duration. */
  recordFsync(seconds: number): void {
    this.#instruments?.fsyncDuration.record(seconds, this.#base);
  }

  /** Counts records lost for `reason`, for one cursor or (without `cursor`) for the log as a whole. */
  addDropped(records: number, reason: string, cursor?: string): void {
    const i = this.#instruments;
    if (i === undefined || records <= 0) return;
    const attributes: Attributes = { ...this.#base, [ATTR_WAL_DROP_REASON]: reason };
    if (cursor !== undefined) attributes[ATTR_WAL_CURSOR] = cursor;
    i.dropped.add(records, attributes);
  }

  /** Counts one corruption event. */
  addCorruption(reason: string): void {
    this.#instruments?.corruptions.add(1, { ...this.#base, [ATTR_WAL_CORRUPTION_REASON]: reason });
  }

  /** Counts one failure by error code. */
  addError(code: string): void {
    this.#instruments?.errors.add(1, { ...this.#base, [ATTR_ERROR_TYPE]: code });
  }

  /** Detaches the observable callbacks so a closed WAL is no longer reported. */
  shutdown(): void {
    const i = this.#instruments;
    if (i === undefined) return;
    i.gauges.forEach((g, n) => g.removeCallback(i.callbacks[n]!));
  }
}
