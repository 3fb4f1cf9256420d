import { diag, type Attributes, type HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { getBucketExemplars, type Exemplar } from '@trisignal/core';
import { familyName, sanitizeLabelName } from '../prometheus/naming.js';

/** A label pair; a series' labels are sorted by name and unique. */
export interface Label {
  readonly name: string;
  readonly value: string;
}

/** One remote-write exemplar (`trace_id`, `span_id`, value, ms timestamp). */
export interface RemoteExemplar {
  readonly labels: readonly Label[];
  readonly value: number;
  readonly timestamp: number;
}

/** One time series with its samples (here: one sample per collection). */
export interface TimeSeries {
  readonly labels: readonly Label[];
  readonly samples: readonly { readonly value: number; readonly timestamp: number }[];
  readonly exemplars: readonly RemoteExemplar[];
}

/** Remote-write `MetricMetadata.MetricType`. */
export const METRIC_TYPE = { counter: 1, gauge: 2, histogram: 3, info: 6 } as const;

/** Metadata of one family. */
export interface FamilyMetadata {
  readonly type: number;
  readonly family: string;
  readonly help: string;
  readonly unit: string;
}

/** A `WriteRequest` before encoding. */
export interface WriteRequestData {
  readonly timeseries: TimeSeries[];
  readonly metadata: FamilyMetadata[];
}

/** Options of the conversion. */
export interface ConvertOptions {
  /** Prepended to every metric name. @default '' */
  readonly prefix?: string | undefined;
  /** Labels added to every series (like Prometheus `external_labels`); series labels win on conflict. @default {} */
  readonly externalLabels?: Readonly<Record<string, string>> | undefined;
  /** `otel_scope_name` / `otel_scope_version` labels. @default true */
  readonly withScopeLabels?: boolean | undefined;
  /** A `target_info` series with the resource attributes. @default true */
  readonly withTargetInfo?: boolean | undefined;
  /** Family metadata (type, help, unit). @default true */
  readonly withMetadata?: boolean | undefined;
}

function ms(t: HrTime): number {
  return t[0] * 1000 + Math.floor(t[1] / 1e6);
}

function attributeValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? '';
}

function byName(a: Label, b: Label): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Attribute labels of a point, sanitised; names that collide after sanitising have their values joined
 * with `;` (sorted by original key), as the OpenTelemetry spec says. Cached per attributes object.
 */
const attributeLabelCache = new WeakMap<Attributes, Label[]>();
function attributeLabels(attributes: Attributes): Label[] {
  let labels = attributeLabelCache.get(attributes);
  if (labels !== undefined) return labels;
  const merged = new Map<string, string[]>();
  for (const key of Object.keys(attributes).sort()) {
    const v = attributes[key];
    if (v === undefined || v === null) continue;
    const value = attributeValue(v);
    if (value === '') continue; // remote write forbids empty label values
    const name = sanitizeLabelName(key);
    const list = merged.get(name);
    if (list === undefined) merged.set(name, [value]);
    else list.push(value);
  }
  labels = [...merged].map(([name, values]) => ({ name, value: values.join(';') }));
  attributeLabelCache.set(attributes, labels);
  return labels;
}

/** `job` and `instance` from the resource (OpenTelemetry → Prometheus spec), plus external labels. */
function resourceLabels(resource: Resource, external: Readonly<Record<string, string>>): Label[] {
  const a = resource.attributes;
  const out: Label[] = [];
  for (const [k, v] of Object.entries(external))
    if (v !== '') out.push({ name: sanitizeLabelName(k), value: v });
  const service = a['service.name'];
  const namespace = a['service.namespace'];
  if (service !== undefined) {
    const job = namespace === undefined ? String(service) : `${String(namespace)}/${String(service)}`;
    setLabel(out, 'job', job);
  }
  const instance = a['service.instance.id'];
  if (instance !== undefined) setLabel(out, 'instance', String(instance));
  return out;
}

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/** Resource attributes for `target_info`: all but those that became `job` and `instance`. */
const targetCache = new WeakMap<Resource, Attributes>();
function targetAttributes(resource: Resource): Attributes {
  let attrs = targetCache.get(resource);
  if (attrs === undefined) {
    const copy = { ...resource.attributes };
    delete copy['service.name'];
    delete copy['service.namespace'];
    delete copy['service.instance.id'];
    attrs = copy;
    if (resource.asyncAttributesPending !== true) targetCache.set(resource, attrs);
  }
  return attrs;
}

function setLabel(labels: Label[], name: string, value: string): void {
  const i = labels.findIndex((l) => l.name === name);
  if (i === -1) labels.push({ name, value });
  else labels[i] = { name, value };
}

/** Interned label objects (`__name__` and `le` values repeat every collection; the encoder caches bytes per object). */
const internedNames = new Map<string, Label>();
const internedLe = new Map<string, Label>();
function intern(map: Map<string, Label>, name: string, value: string): Label {
  let l = map.get(value);
  if (l === undefined) {
    l = { name, value };
    if (map.size < 100_000) map.set(value, l);
  }
  return l;
}

/** Point labels merged over the scope/target labels (point labels win), sorted: cached per attributes and base. */
const mergedCache = new WeakMap<Attributes, { base: readonly Label[]; merged: Label[] }>();
function mergedLabels(attributes: Attributes, base: readonly Label[]): Label[] {
  const hit = mergedCache.get(attributes);
  if (hit !== undefined && hit.base === base) return hit.merged;
  const point = attributeLabels(attributes);
  const seen = new Set<string>(['__name__', 'le']);
  const merged: Label[] = [];
  for (const l of point) {
    if (seen.has(l.name)) continue;
    seen.add(l.name);
    merged.push(l);
  }
  for (const l of base) {
    if (seen.has(l.name)) continue;
    seen.add(l.name);
    merged.push(l);
  }
  merged.sort(byName);
  mergedCache.set(attributes, { base, merged });
  return merged;
}

/**
 * A series' labels: `__name__` (and `le`) inserted into the sorted merged labels. The array is memoised
 * per (merged labels, name, le), so a series gets the same array every collection and the encoder
 * encodes its label block once.
 */
const seriesCache = new WeakMap<readonly Label[], Map<Label, Map<Label | undefined, Label[]>>>();
function seriesLabels(name: Label, merged: readonly Label[], le?: Label): Label[] {
  let byName = seriesCache.get(merged);
  if (byName === undefined) {
    byName = new Map();
    seriesCache.set(merged, byName);
  }
  let byLe = byName.get(name);
  if (byLe === undefined) {
    byLe = new Map();
    byName.set(name, byLe);
  }
  const hit = byLe.get(le);
  if (hit !== undefined) return hit;
  const out: Label[] = [];
  let nameDone = false;
  let leDone = le === undefined;
  for (let i = 0; i < merged.length; i++) {
    const l = merged[i]!;
    if (!nameDone && name.name < l.name) {
      out.push(name);
      nameDone = true;
    }
    if (!leDone && le!.name < l.name) {
      out.push(le!);
      leDone = true;
    }
    out.push(l);
  }
  if (!nameDone) out.push(name);
  if (!leDone) out.push(le!);
  Object.freeze(out);
  byLe.set(le, out);
  return out;
}

/** Scope plus resource labels, cached per scope and resource so that `mergedLabels` can cache. */
const baseCache = new WeakMap<object, WeakMap<Resource, { external: object; base: Label[] }>>();
function baseLabels(
  scope: { readonly name: string; readonly version?: string | undefined },
  resource: Resource,
  external: Readonly<Record<string, string>>,
  withScope: boolean,
): Label[] {
  const key = withScope ? scope : baseCache;
  let byResource = baseCache.get(key);
  if (byResource === undefined) {
    byResource = new WeakMap();
    baseCache.set(key, byResource);
  }
  const hit = byResource.get(resource);
  if (hit !== undefined && hit.external === external) return hit.base;
  const base: Label[] = [];
  if (withScope) {
    base.push({ name: 'otel_scope_name', value: scope.name });
    if (scope.version) base.push({ name: 'otel_scope_version', value: scope.version });
  }
  base.push(...resourceLabels(resource, external));
  byResource.set(resource, { external, base });
  return base;
}

function exemplarOf(e: Exemplar | undefined): RemoteExemplar[] {
  if (e === undefined) return [];
  return [
    {
      labels: [
        { name: 'span_id', value: e.spanId },
        { name: 'trace_id', value: e.traceId },
      ],
      value: e.value,
      timestamp: ms(e.timestamp),
    },
  ];
}

/** `le` labels of a boundary list (`+Inf` last), cached per list: histograms share theirs across points. */
const leCache = new WeakMap<readonly number[], Label[]>();
function leLabels(bounds: readonly number[]): Label[] {
  let les = leCache.get(bounds);
  if (les === undefined) {
    les = bounds.map((b) => intern(internedLe, 'le', b === Infinity ? '+Inf' : String(b)));
    les.push(intern(internedLe, 'le', '+Inf'));
    leCache.set(bounds, les);
  }
  return les;
}

let warnedExponential = false;

/**
 * Converts a collection into remote-write series the way Prometheus names them: counters
 * `<name>_total`, gauges `<name>`, histograms `<name>_bucket{le}` (cumulative, `+Inf` included),
 * `<name>_sum`, `<name>_count`; unit suffixes as in the exposition; one sample per series at the
 * point's end time (ms); the recorder's bucket exemplars on the `_bucket` series; labels sorted.
 */
export function toWriteRequest(rm: ResourceMetrics, o: ConvertOptions = {}): WriteRequestData {
  const timeseries: TimeSeries[] = [];
  const metadata: FamilyMetadata[] = [];
  const withScope = o.withScopeLabels ?? true;
  const withMetadata = o.withMetadata ?? true;
  const external = o.externalLabels ?? NO_LABELS;
  const seenFamilies = new Set<string>();

  if (o.withTargetInfo ?? true) {
    let latest = 0;
    for (const sm of rm.scopeMetrics)
      for (const m of sm.metrics) for (const p of m.dataPoints) latest = Math.max(latest, ms(p.endTime));
    if (latest > 0) {
      const target = mergedLabels(
        targetAttributes(rm.resource),
        baseLabels(rm.scopeMetrics[0]?.scope ?? { name: '' }, rm.resource, external, false),
      );
      timeseries.push({
        labels: seriesLabels(intern(internedNames, '__name__', 'target_info'), target),
        samples: [{ value: 1, timestamp: latest }],
        exemplars: [],
      });
      if (withMetadata)
        metadata.push({ type: METRIC_TYPE.info, family: 'target_info', help: 'Target metadata', unit: '' });
    }
  }

  for (const sm of rm.scopeMetrics) {
    const base = baseLabels(sm.scope, rm.resource, external, withScope);
    for (const metric of sm.metrics)
      convertMetric(metric, base, o, timeseries, metadata, seenFamilies, withMetadata);
  }
  return { timeseries, metadata };
}

function convertMetric(
  metric: MetricData,
  base: readonly Label[],
  o: ConvertOptions,
  timeseries: TimeSeries[],
  metadata: FamilyMetadata[],
  seenFamilies: Set<string>,
  withMetadata: boolean,
): void {
  const d = metric.descriptor;
  const help = d.description || d.name;
  switch (metric.dataPointType) {
    case DataPointType.SUM:
    case DataPointType.GAUGE: {
      const counter = metric.dataPointType === DataPointType.SUM && metric.isMonotonic;
      const { family, unit } = familyName(d.name, d.unit, !counter, o.prefix ?? '');
      const name = intern(internedNames, '__name__', counter ? `${family}_total` : family);
      if (withMetadata && !seenFamilies.has(family)) {
        seenFamilies.add(family);
        metadata.push({ type: counter ? METRIC_TYPE.counter : METRIC_TYPE.gauge, family, help, unit });
      }
      for (const p of metric.dataPoints) {
        timeseries.push({
          labels: seriesLabels(name, mergedLabels(p.attributes, base)),
          samples: [{ value: p.value, timestamp: ms(p.endTime) }],
          exemplars: [],
        });
      }
      return;
    }
    case DataPointType.HISTOGRAM: {
      const { family, unit } = familyName(d.name, d.unit, false, o.prefix ?? '');
      if (withMetadata && !seenFamilies.has(family)) {
        seenFamilies.add(family);
        metadata.push({ type: METRIC_TYPE.histogram, family, help, unit });
      }
      for (const p of metric.dataPoints) {
        const h = p.value;
        const t = ms(p.endTime);
        const merged = mergedLabels(p.attributes, base);
        const bucketName = intern(internedNames, '__name__', `${family}_bucket`);
        const exemplars = getBucketExemplars(p);
        const bounds = h.buckets.boundaries;
        const les = leLabels(bounds);
        let cumulative = 0;
        for (let i = 0; i <= bounds.length; i++) {
          const isInf = i === bounds.length;
          cumulative = isInf ? h.count : cumulative + (h.buckets.counts[i] ?? 0);
          timeseries.push({
            labels: seriesLabels(bucketName, merged, les[i]),
            samples: [{ value: cumulative, timestamp: t }],
            exemplars: exemplarOf(exemplars?.[i]),
          });
        }
        if (h.sum !== undefined) {
          timeseries.push({
            labels: seriesLabels(intern(internedNames, '__name__', `${family}_sum`), merged),
            samples: [{ value: h.sum, timestamp: t }],
            exemplars: [],
          });
        }
        timeseries.push({
          labels: seriesLabels(intern(internedNames, '__name__', `${family}_count`), merged),
          samples: [{ value: h.count, timestamp: t }],
          exemplars: [],
        });
      }
      return;
    }
    default:
      if (!warnedExponential) {
        warnedExponential = true;
        diag.warn(
          `trisignal: exponential histogram "${d.name}" is not part of remote write 1.0 and is not sent (use explicit buckets)`,
        );
      }
  }
}

/** Samples in a request (the "items" of a remote-write export). */
export function countSamples(data: WriteRequestData): number {
  let n = 0;
  for (const ts of data.timeseries) n += ts.samples.length;
  return n;
}
