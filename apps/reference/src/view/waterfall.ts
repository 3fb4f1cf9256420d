/**
 * One trace as a text waterfall: spans in tree order, indented under their parent, each with its
 * service, kind, a bar placed on the trace's time axis, and its duration.
 */
import type { DecodedSpan } from '../receiver/decode.js';

const KIND = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

function ms(span: DecodedSpan, field: 'startTimeUnixNano' | 'endTimeUnixNano'): number {
  return Number(BigInt(span[field]) / 1000n) / 1000;
}

/** Spans of one trace in depth-first order with their depth (orphans count as roots). */
export function orderTrace(spans: readonly DecodedSpan[]): { span: DecodedSpan; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, DecodedSpan[]>();
  const roots: DecodedSpan[] = [];
  for (const s of spans) {
    if (s.parentSpanId === '' || !ids.has(s.parentSpanId)) roots.push(s);
    else children.set(s.parentSpanId, [...(children.get(s.parentSpanId) ?? []), s]);
  }
  const byStart = (a: DecodedSpan, b: DecodedSpan): number =>
    ms(a, 'startTimeUnixNano') - ms(b, 'startTimeUnixNano');
  const out: { span: DecodedSpan; depth: number }[] = [];
  const walk = (s: DecodedSpan, depth: number): void => {
    out.push({ span: s, depth });
    for (const c of (children.get(s.spanId) ?? []).sort(byStart)) walk(c, depth + 1);
  };
  for (const r of roots.sort(byStart)) walk(r, 0);
  return out;
}

function formatMillis(v: number): string {
  return v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`;
}

/** Renders a trace; `width` is the bar's width in characters. */
export function renderWaterfall(spans: readonly DecodedSpan[], width = 40): string[] {
  if (spans.length === 0) return [];
  const rows = orderTrace(spans);
  const start = Math.min(...spans.map((s) => ms(s, 'startTimeUnixNano')));
  const end = Math.max(...spans.map((s) => ms(s, 'endTimeUnixNano')));
  const total = Math.max(end - start, 0.001);
  const labels = rows.map(
    ({ span, depth }) => `${'  '.repeat(depth)}${span.name} [${KIND[span.kind] ?? span.kind}]`,
  );
  const services = rows.map(({ span }) => span.service);
  const labelWidth = Math.max(...labels.map((l) => l.length));
  const serviceWidth = Math.max(...services.map((s) => s.length));
  const lines = [
    `trace ${spans[0]!.traceId}  ${formatMillis(total)}  (${new Set(services).size} services, ${spans.length} spans)`,
  ];
  rows.forEach(({ span }, i) => {
    const from = Math.floor(((ms(span, 'startTimeUnixNano') - start) / total) * width);
    const to = Math.max(from + 1, Math.ceil(((ms(span, 'endTimeUnixNano') - start) / total) * width));
    const bar =
      ' '.repeat(from) + '█'.repeat(Math.min(to, width) - from) + ' '.repeat(Math.max(0, width - to));
    const error = span.status.code === 2 ? '  ERROR' : '';
    lines.push(
      `  ${services[i]!.padEnd(serviceWidth)}  ${labels[i]!.padEnd(labelWidth)}  |${bar}|  ${formatMillis(ms(span, 'endTimeUnixNano') - ms(span, 'startTimeUnixNano'))}${error}`,
    );
  });
  return lines;
}

/** A span chain across services: server span → client span → the remote service's server span. */
export interface CrossServiceChain {
  readonly server: DecodedSpan;
  readonly client: DecodedSpan;
  readonly remote: DecodedSpan;
}

/**
 * Finds, in each trace, a `from` SERVER span with a CLIENT child whose child is a SERVER span of another
 * service: the shape of a checkout (orders → inventory).
 */
export function findCrossServiceChains(spans: readonly DecodedSpan[], rootName: string): CrossServiceChain[] {
  const byId = new Map<string, DecodedSpan>();
  for (const s of spans) byId.set(`${s.traceId}/${s.spanId}`, s);
  const out: CrossServiceChain[] = [];
  for (const remote of spans) {
    if (remote.kind !== 2 || remote.parentSpanId === '') continue;
    const client = byId.get(`${remote.traceId}/${remote.parentSpanId}`);
    if (client === undefined || client.kind !== 3 || client.service === remote.service) continue;
    const server = byId.get(`${client.traceId}/${client.parentSpanId}`);
    if (
      server === undefined ||
      server.kind !== 2 ||
      server.service !== client.service ||
      server.name !== rootName
    )
      continue;
    out.push({ server, client, remote });
  }
  return out;
}
