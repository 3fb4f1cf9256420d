/**
 * The end-of-run summary: what the receiver stored (spans, metric points, log records), what the load
 * generator sent and got back, and one checkout trace drawn across both services.
 */
import { readSpans, type StoreStats } from '../receiver/store.js';
import type { LoadCounts } from '../scenario/load-generator.js';
import type { ServiceStats } from '../service-stats.js';
import { findCrossServiceChains, renderWaterfall } from './waterfall.js';

export interface SummaryInput {
  readonly receiverDir: string | undefined;
  readonly receiver: StoreStats | undefined;
  readonly endpoint: string;
  readonly load: LoadCounts | undefined;
  readonly services: readonly (ServiceStats | undefined)[];
}

function group(n: number): string {
  return n.toLocaleString('en-US');
}

/** The trace to draw: the slowest checkout that reached inventory (it shows where the time went). */
export function pickCheckoutTrace(receiverDir: string): ReturnType<typeof readSpans> {
  const spans = readSpans(receiverDir);
  const chains = findCrossServiceChains(spans, 'POST /api/checkout');
  if (chains.length === 0) return [];
  const longest = chains.reduce((a, b) =>
    BigInt(b.server.endTimeUnixNano) - BigInt(b.server.startTimeUnixNano) >
    BigInt(a.server.endTimeUnixNano) - BigInt(a.server.startTimeUnixNano)
      ? b
      : a,
  );
  return spans.filter((s) => s.traceId === longest.server.traceId);
}

export function renderSummary(input: SummaryInput): string[] {
  const lines: string[] = ['', 'Summary'];
  if (input.receiver !== undefined) {
    const r = input.receiver;
    lines.push(
      `  delivered to the embedded receiver (${input.receiverDir}):`,
      `    ${group(r.traces.items)} spans in ${group(r.traces.batches)} batches`,
      `    ${group(r.metrics.items)} metric points in ${group(r.metrics.batches)} batches`,
      `    ${group(r.logs.items)} log records in ${group(r.logs.batches)} batches`,
    );
  } else {
    lines.push(`  telemetry went to ${input.endpoint}; what the exporters report as accepted there:`);
    for (const s of input.services) {
      if (s === undefined) continue;
      for (const e of s.exporters)
        lines.push(`    ${s.service} ${e.component}: ${group(e.itemsSent)} items sent`);
    }
  }
  if (input.load !== undefined) {
    lines.push('  load generator (its own counts):');
    lines.push('    route                       sent     2xx     4xx  5xx (not shed)      shed  no answer');
    for (const [route, c] of Object.entries(input.load.total)) {
      let ok = 0;
      let client = 0;
      let server = 0;
      for (const [status, n] of Object.entries(c.statuses)) {
        if (status.startsWith('2')) ok += n;
        else if (status.startsWith('4')) client += n;
        else if (status.startsWith('5')) server += n;
      }
      const shed = c.shed;
      server -= shed;
      const lost = Object.values(c.failures).reduce((a, b) => a + b, 0) + c.skipped;
      lines.push(
        `    ${route.padEnd(24)} ${String(c.sent).padStart(7)} ${String(ok).padStart(7)} ${String(client).padStart(7)} ${String(server).padStart(15)} ${String(shed).padStart(9)} ${String(lost).padStart(10)}`,
      );
    }
    if (input.load.firstShed !== undefined) {
      const f = input.load.firstShed;
      lines.push(`    first request shed: ${f.route} (${f.sloClass}) during ${f.phase}`);
    }
  }
  if (input.receiverDir !== undefined) {
    const trace = pickCheckoutTrace(input.receiverDir);
    if (trace.length > 0) {
      lines.push('', '  the slowest checkout, across both services (from the receiver’s stored spans):');
      for (const l of renderWaterfall(trace)) lines.push(`  ${l}`);
    } else {
      lines.push('', '  no complete checkout trace was stored (orders → inventory)');
    }
  }
  return lines;
}
