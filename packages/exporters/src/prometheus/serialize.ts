import { diag, type Attributes, type HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import {
  DataPointType,
  type DataPoint,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { getBucketExemplars, type Exemplar } from '@trisignal/core';
import { escapeHelp, escapeLabelValue, familyName, sanitizeLabelName } from './naming.js';

/** The two exposition formats. */
export type ExpositionFormat = 'text' | 'openmetrics';

/** `Content-Type` of each format. */
export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/** Options of the serializer. */
export interface ExpositionOptions {
  /** Prepended to every metric name (`<prefix>_`). @default '' */
  readonly prefix?: string | undefined;
  /** Add `otel_scope_name` / `otel_scope_version` labels, as the OpenTelemetry spec recommends. @default true */
  readonly withScopeLabels?: boolean | undefined;
  /** Emit `target_info` with the resource attributes. @default true */
  readonly withTargetInfo?: boolean | undefined;
  /** Emit exemplars (OpenMetrics only; from core's recorder). @default true */
  readonly withExemplars?: boolean | undefined;
}

type Kind = 'counter' | 'gauge' | 'histogram';

interface Family {
  readonly name: string;
  readonly kind: Kind;
  readonly unit: string;
  readonly help: string;
  readonly members: { readonly metric: MetricData; readonly scopeLabels: string }[];
}

/** Rendered label fragments (`a="b",c="d"`, no braces) by attributes object: points of a series keep theirs. */
const labelCache = new WeakMap<Attributes, string>();
const scopeCache = new WeakMap<object, string>();
const resourceCache = new WeakMap<Resource, string>();

function attributeValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v) ?? '';
}

/** Renders attributes as a label fragment; names that sanitise to the same label have their values joined with `;`. */
export function renderLabels(attributes: Attributes): string {
  const cached = labelCache.get(attributes);
  if (cached !== undefined) return cached;
  const keys = Object.keys(attributes);
  let out = '';
  const names: string[] = [];
  let collision = false;
  for (const key of keys) {
    const v = attributes[key];
    if (v === undefined || v === null) continue;
    const name = sanitizeLabelName(key);
    if (names.includes(name)) {
      collision = true;
      break;
    }
    names.push(name);
    out += `${out === '' ? '' : ','}${name}="${escapeLabelValue(attributeValue(v))}"`;
  }
  if (collision) {
    const merged = new Map<string, string[]>();
    for (const key of [...keys].sort()) {
      const v = attributes[key];
      if (v === undefined || v === null) continue;
      const name = sanitizeLabelName(key);
      const list = merged.get(name) ?? [];
      list.push(attributeValue(v));
      merged.set(name, list);
    }
    out = [...merged].map(([n, vs]) => `${n}="${escapeLabelValue(vs.join(';'))}"`).join(',');
  }
  labelCache.set(attributes, out);
  return out;
}

function scopeLabels(scope: ScopeMetrics['scope']): string {
  let s = scopeCache.get(scope);
  if (s === undefined) {
    s = `otel_scope_name="${escapeLabelValue(scope.name)}"`;
    if (scope.version) s += `,otel_scope_version="${escapeLabelValue(scope.version)}"`;
    scopeCache.set(scope, s);
  }
  return s;
}

/** A sample value as Prometheus parses it. */
export function formatValue(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

function formatSeconds(t: HrTime): string {
  const ms = Math.floor(t[1] / 1e6);
  return `${t[0]}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`;
}

function exemplarSuffix(e: Exemplar | undefined): string {
  if (e === undefined) return '';
  return ` # {trace_id="${e.traceId}",span_id="${e.spanId}"} ${formatValue(e.value)} ${formatSeconds(e.timestamp)}`;
}

function kindOf(metric: MetricData): Kind | undefined {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? 'counter' : 'gauge';
    case DataPointType.GAUGE:
      return 'gauge';
    case DataPointType.HISTOGRAM:
      return 'histogram';
    default:
      return undefined;
  }
}

let warnedExponential = false;

/** Groups metrics into families by Prometheus name (one HELP/TYPE block each, as both formats require). */
function families(rm: ResourceMetrics, o: ExpositionOptions): Map<string, Family> {
  const out = new Map<string, Family>();
  const withScope = o.withScopeLabels ?? true;
  for (const sm of rm.scopeMetrics) {
    const sl = withScope ? scopeLabels(sm.scope) : '';
    for (const metric of sm.metrics) {
      const kind = kindOf(metric);
      if (kind === undefined) {
        if (!warnedExponential) {
          warnedExponential = true;
          diag.warn(
            `trisignal: exponential histogram "${metric.descriptor.name}" has no Prometheus text form and is not exposed (use explicit buckets)`,
          );
        }
        continue;
      }
      const { family, unit } = familyName(
        metric.descriptor.name,
        metric.descriptor.unit,
        kind === 'gauge',
        o.prefix ?? '',
      );
      const existing = out.get(family);
      if (existing !== undefined) {
        if (existing.kind !== kind) {
          diag.warn(
            `trisignal: metric "${metric.descriptor.name}" maps to "${family}", already exposed as a ${existing.kind}; skipped`,
          );
          continue;
        }
        existing.members.push({ metric, scopeLabels: sl });
        continue;
      }
      out.set(family, {
        name: family,
        kind,
        unit,
        // promtool flags a family without help; the instrument's own name is better than nothing.
        help: metric.descriptor.description || metric.descriptor.name,
        members: [{ metric, scopeLabels: sl }],
      });
    }
  }
  return out;
}

function joinLabels(a: string, b: string): string {
  return a === '' ? b : b === '' ? a : `${a},${b}`;
}

function targetInfo(resource: Resource, openMetrics: boolean): string {
  let labels = resourceCache.get(resource);
  if (labels === undefined) {
    labels = renderLabels(resource.attributes);
    if (resource.asyncAttributesPending !== true) resourceCache.set(resource, labels);
  }
  const sample = labels === '' ? 'target_info 1\n' : `target_info{${labels}} 1\n`;
  return openMetrics
    ? `# TYPE target info\n# HELP target Target metadata\n${sample}`
    : `# HELP target_info Target metadata\n# TYPE target_info gauge\n${sample}`;
}

/** `le` label values of a boundary list, cached per list object. */
const leCache = new WeakMap<readonly number[], string[]>();
function leLabels(boundaries: readonly number[]): string[] {
  let les = leCache.get(boundaries);
  if (les === undefined) {
    les = boundaries.map((b) => `le="${formatValue(b)}"`);
    les.push('le="+Inf"');
    leCache.set(boundaries, les);
  }
  return les;
}

function histogramLines(
  name: string,
  point: DataPoint<Histogram>,
  labels: string,
  openMetrics: boolean,
  withExemplars: boolean,
): string {
  const h = point.value;
  const counts = h.buckets.counts;
  const boundaries = h.buckets.boundaries;
  const les = leLabels(boundaries);
  const exemplars = openMetrics && withExemplars ? getBucketExemplars(point) : undefined;
  const prefix = labels === '' ? `${name}_bucket{` : `${name}_bucket{${labels},`;
  let out = '';
  let cumulative = 0;
  const n = boundaries.length;
  for (let i = 0; i < n; i++) {
    cumulative += counts[i] ?? 0;
    out += `${prefix}${les[i]!}} ${cumulative}${exemplars === undefined ? '' : exemplarSuffix(exemplars[i])}\n`;
  }
  out += `${prefix}le="+Inf"} ${h.count}${exemplars === undefined ? '' : exemplarSuffix(exemplars[n])}\n`;
  const braces = labels === '' ? '' : `{${labels}}`;
  if (h.sum !== undefined) out += `${name}_sum${braces} ${formatValue(h.sum)}\n`;
  out += `${name}_count${braces} ${h.count}\n`;
  return out;
}

/**
 * Renders one collection as Prometheus text 0.0.4 or OpenMetrics 1.0: `target_info` first, then one
 * block per family (HELP, TYPE, and in OpenMetrics UNIT), counters as `<name>_total`, histograms as
 * cumulative `_bucket` lines ending in `le="+Inf"`, `_sum`, `_count`; OpenMetrics ends with `# EOF` and
 * carries the recorder's per-bucket exemplars. Exponential histograms have no text form and are skipped.
 */
export function serializeMetrics(
  resourceMetrics: ResourceMetrics | readonly ResourceMetrics[],
  format: ExpositionFormat,
  options: ExpositionOptions = {},
): string {
  const openMetrics = format === 'openmetrics';
  const withExemplars = options.withExemplars ?? true;
  const list = Array.isArray(resourceMetrics)
    ? (resourceMetrics as readonly ResourceMetrics[])
    : [resourceMetrics as ResourceMetrics];
  let out = '';
  if (options.withTargetInfo ?? true) {
    const seen = new Set<Resource>();
    for (const rm of list) {
      if (seen.has(rm.resource)) continue;
      seen.add(rm.resource);
      // One target per exposition: a second, different resource would repeat the family.
      if (seen.size === 1) out += targetInfo(rm.resource, openMetrics);
    }
  }
  const all = new Map<string, Family>();
  for (const rm of list) {
    for (const [name, fam] of families(rm, options)) {
      const existing = all.get(name);
      if (existing === undefined) all.set(name, fam);
      else if (existing.kind === fam.kind) existing.members.push(...fam.members);
    }
  }
  for (const fam of all.values()) {
    const name = fam.name;
    if (openMetrics) {
      out += `# TYPE ${name} ${fam.kind}\n`;
      if (fam.unit !== '') out += `# UNIT ${name} ${fam.unit}\n`;
      out += `# HELP ${name} ${escapeHelp(fam.help, true)}\n`;
    } else {
      const typed = fam.kind === 'counter' ? `${name}_total` : name;
      out += `# HELP ${typed} ${escapeHelp(fam.help, false)}\n# TYPE ${typed} ${fam.kind}\n`;
    }
    const sampleName = fam.kind === 'counter' ? `${name}_total` : name;
    for (const { metric, scopeLabels: sl } of fam.members) {
      if (fam.kind === 'histogram') {
        for (const p of metric.dataPoints as DataPoint<Histogram>[]) {
          out += histogramLines(
            name,
            p,
            joinLabels(renderLabels(p.attributes), sl),
            openMetrics,
            withExemplars,
          );
        }
      } else {
        for (const p of metric.dataPoints as DataPoint<number>[]) {
          const labels = joinLabels(renderLabels(p.attributes), sl);
          out += `${sampleName}${labels === '' ? '' : `{${labels}}`} ${formatValue(p.value)}\n`;
        }
      }
    }
  }
  if (openMetrics) out += '# EOF\n';
  return out;
}
