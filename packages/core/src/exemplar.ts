import type { Attributes, HrTime } from '@opentelemetry/api';
import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';

/**
 * One exemplar: a sampled observation with the trace and span it came from. The shape matches the
 * OTLP `Exemplar` message and the OpenMetrics exemplar (`# {trace_id="…",span_id="…"} value timestamp`).
 */
export interface Exemplar {
  readonly filteredAttributes: Attributes;
  readonly value: number;
  readonly timestamp: HrTime;
  readonly traceId: string;
  readonly spanId: string;
}

/**
 * A histogram data point that carries exemplars. The recorder's points have `exemplars` (one slot per
 * bucket, `undefined` where the bucket has none); points from plain sdk-metrics instruments do not.
 */
export interface HistogramDataPointWithExemplars extends DataPoint<Histogram> {
  /** Per bucket (same index as `value.buckets.counts`), the latest sampled observation in it. */
  readonly bucketExemplars?: readonly (Exemplar | undefined)[];
  /** The same exemplars as a dense list, the form OTLP `HistogramDataPoint.exemplars` takes. */
  readonly exemplars?: readonly Exemplar[];
}

/** Which observations may become exemplars (the OpenTelemetry `ExemplarFilter` choices). */
export type ExemplarFilter = 'trace_based' | 'always_off';

/** Reads the exemplars of a histogram data point, if it has any. */
export function getExemplars(point: DataPoint<unknown>): readonly Exemplar[] {
  const list = (point as { exemplars?: unknown }).exemplars;
  return Array.isArray(list) ? (list as Exemplar[]) : [];
}

/** Reads the per-bucket exemplars of a histogram data point (same length as its bucket counts). */
export function getBucketExemplars(point: DataPoint<unknown>): readonly (Exemplar | undefined)[] | undefined {
  const list = (point as { bucketExemplars?: unknown }).bucketExemplars;
  return Array.isArray(list) ? (list as (Exemplar | undefined)[]) : undefined;
}
