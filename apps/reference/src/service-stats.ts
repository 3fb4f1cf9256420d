/**
 * What a service reports to the launcher once a second, read only through the packages' public APIs:
 * golden-signal series and in-flight counters from `obs.recorder`, burn rates and breaker from the SLO
 * admission controller, probabilities from the adaptive sampler, tail-sampling counters, and the
 * exporters' queue and delivery self-metrics from `obs.collect()`.
 */
import type { Observability, SeriesKind } from '@trisignal/core';
import type { AdaptiveSampler, TailSamplingProcessor, TailSamplingStats } from '@trisignal/sampling';
import { ERROR_TYPE_SHED } from '@trisignal/core';
import type { BreakerState, HealthScore, SloAdmission } from '@trisignal/slo';

export interface OperationStats {
  readonly kind: SeriesKind;
  /** `GET /api/items/:id`, `shop.Inventory/Reserve` (`GET` alone when no route matched). */
  readonly operation: string;
  /** Cumulative since the service started. */
  readonly count: number;
  /** Requests that count as errors, sheds excluded. */
  readonly errors: number;
  readonly shed: number;
  readonly bounds: readonly number[];
  /** Per-bucket (not cumulative) counts: `buckets[i]` counts values in (bounds[i-1], bounds[i]]; one more slot above. */
  readonly buckets: readonly number[];
}

export interface InFlightStats {
  readonly kind: SeriesKind;
  /** `GET` (HTTP counters have method and scheme only) or the RPC method. */
  readonly label: string;
  readonly value: number;
}

export interface ClassStats {
  readonly name: string;
  readonly requestRate: number;
  /** Availability burn rate over 1m and 5m (NaN without requests). */
  readonly burn1m: number;
  readonly burn5m: number;
  /** Worst latency-objective burn rate over 1m. */
  readonly latencyBurn1m: number;
  readonly shedProbability: number;
  readonly shed: number;
}

export interface ExporterStats {
  /** `otel.component.name` of the exporter, e.g. `otlp_http_span_exporter/0`. */
  readonly component: string;
  /** Batches accepted but not yet delivered (durable: the WAL backlog). */
  readonly backlogBatches: number;
  readonly itemsSent: number;
  readonly itemsFailed: number;
}

export interface ServiceStats {
  readonly service: string;
  readonly instanceId: string;
  readonly pid: number;
  readonly timeMillis: number;
  readonly operations: readonly OperationStats[];
  readonly inFlight: readonly InFlightStats[];
  readonly injected: Readonly<Record<string, number>>;
  readonly classes: readonly ClassStats[];
  readonly health: HealthScore;
  readonly breaker: BreakerState;
  readonly sampling: readonly { key: string; probability: number; qps: number; errorRate: number }[];
  readonly tail: TailSamplingStats;
  readonly exporters: readonly ExporterStats[];
  /** Records appended to the exporters' WALs (`trisignal.wal.append.records`), i.e. acknowledged batches. */
  readonly walAppended: number;
  readonly capacity: { readonly busy: number; readonly queued: number } | undefined;
}

export interface StatsSources {
  readonly service: string;
  readonly obs: Observability;
  readonly admission: SloAdmission;
  readonly adaptive: AdaptiveSampler;
  readonly tail: TailSamplingProcessor;
  readonly injected: () => Record<string, number>;
  readonly capacity?: { readonly busy: number; readonly queued: number } | undefined;
}

const KINDS: readonly SeriesKind[] = ['http.server', 'rpc.server', 'rpc.client'];

function operations(obs: Observability): OperationStats[] {
  const byOperation = new Map<string, { -readonly [K in keyof OperationStats]: OperationStats[K] }>();
  for (const kind of KINDS) {
    obs.recorder.forEachSeries(kind, (s) => {
      const key = `${kind}|${s.operation}`;
      let op = byOperation.get(key);
      if (op === undefined) {
        op = {
          kind,
          operation: s.operation,
          count: 0,
          errors: 0,
          shed: 0,
          bounds: [...s.duration.bounds],
          buckets: new Array<number>(s.duration.bounds.length + 1).fill(0),
        };
        byOperation.set(key, op);
      }
      op.count += s.duration.count;
      if (s.errorType === ERROR_TYPE_SHED) op.shed += s.duration.count;
      else if (s.isError) op.errors += s.duration.count;
      const buckets = op.buckets as number[];
      for (let i = 0; i < buckets.length; i++) buckets[i]! += s.duration.counts[i] ?? 0;
    });
  }
  return [...byOperation.values()];
}

function inFlight(obs: Observability): InFlightStats[] {
  const out = new Map<string, { kind: SeriesKind; label: string; value: number }>();
  for (const kind of KINDS) {
    obs.recorder.forEachActive(kind, (counter) => {
      const a = counter.attributes;
      const label = String(a['rpc.method'] ?? a['http.request.method'] ?? '?');
      const key = `${kind}|${label}`;
      const cell = out.get(key) ?? { kind, label, value: 0 };
      cell.value += counter.value;
      out.set(key, cell);
    });
  }
  return [...out.values()];
}

interface PointLike {
  readonly attributes: Record<string, unknown>;
  readonly value: unknown;
}

/** Sums the exporters' and WALs' self-metrics out of one collection. */
async function exporterStats(
  obs: Observability,
): Promise<{ exporters: ExporterStats[]; walAppended: number }> {
  const byComponent = new Map<string, { backlogBatches: number; itemsSent: number; itemsFailed: number }>();
  let walAppended = 0;
  const { resourceMetrics } = await obs.collect();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const name = metric.descriptor.name;
      const field =
        name === 'trisignal.exporter.queue.batches'
          ? 'backlogBatches'
          : name === 'trisignal.exporter.items.sent'
            ? 'itemsSent'
            : name === 'trisignal.exporter.items.failed'
              ? 'itemsFailed'
              : undefined;
      for (const point of metric.dataPoints as readonly PointLike[]) {
        if (typeof point.value !== 'number') continue;
        if (name === 'trisignal.wal.append.records') {
          walAppended += point.value;
          continue;
        }
        if (field === undefined) continue;
        const componentName = point.attributes['otel.component.name'];
        const component = typeof componentName === 'string' ? componentName : '?';
        const cell = byComponent.get(component) ?? { backlogBatches: 0, itemsSent: 0, itemsFailed: 0 };
        cell[field] += point.value;
        byComponent.set(component, cell);
      }
    }
  }
  return {
    exporters: [...byComponent].map(([component, v]) => ({ component, ...v })),
    walAppended,
  };
}

function worst(values: readonly number[]): number {
  let out = NaN;
  for (const v of values) if (Number.isFinite(v) && !(v <= out)) out = v;
  return out;
}

/** Reads every source once. */
export async function collectServiceStats(src: StatsSources): Promise<ServiceStats> {
  const { obs, admission } = src;
  const state = admission.state();
  const snapshot = admission.evaluator.snapshot();
  const classes: ClassStats[] = snapshot.classes.map((c) => {
    const availability = c.objectives.find((o) => o.objective.sli === 'availability');
    const burn = (window: string): number =>
      availability?.burnRates.find((b) => b.window === window)?.value ?? NaN;
    const latency = c.objectives
      .filter((o) => o.objective.sli === 'latency')
      .map((o) => o.burnRates.find((b) => b.window === '1m')?.value ?? NaN);
    const shed = state.shed[c.className];
    return {
      name: c.className,
      requestRate: c.requestRate,
      burn1m: burn('1m'),
      burn5m: burn('5m'),
      latencyBurn1m: worst(latency),
      shedProbability: state.shedProbability[c.className] ?? 0,
      shed: shed === undefined ? 0 : shed.overload + shed.breaker_open + shed.breaker_half_open,
    };
  });
  const { exporters, walAppended } = await exporterStats(obs);
  return {
    service: src.service,
    instanceId: String(obs.resource.attributes['service.instance.id'] ?? ''),
    pid: process.pid,
    timeMillis: Date.now(),
    operations: operations(obs),
    inFlight: inFlight(obs),
    injected: src.injected(),
    classes,
    health: state.health,
    breaker: state.breaker,
    sampling: src.adaptive.keys(),
    tail: src.tail.stats(),
    exporters,
    walAppended,
    capacity:
      src.capacity === undefined ? undefined : { busy: src.capacity.busy, queued: src.capacity.queued },
  };
}
