/**
 * The live terminal view, redrawn every second: per route req/s, p50 / p99, error %, sheds and the
 * adaptive sampling probability; in-flight requests; per SLO class burn rates, shed probability and the
 * breaker; tail sampling; exporter backlogs (the WAL). Plain ANSI escapes on a TTY; one line per second
 * otherwise. It writes to the stream it is given (stdout), nothing else.
 */
import type { ServiceStats } from '../service-stats.js';
import type { LoadCounts } from '../scenario/load-generator.js';
import type { StoreStats } from '../receiver/store.js';
import { windowStats, type RouteWindow } from './window-stats.js';

export interface Frame {
  readonly elapsedSeconds: number;
  readonly phase:
    | {
        readonly title: string;
        readonly index: number;
        readonly count: number;
        readonly remainingSeconds: number;
      }
    | undefined;
  /** Per service: the newest stats and the ones from the start of the window. */
  readonly services: readonly { readonly now: ServiceStats; readonly before: ServiceStats | undefined }[];
  readonly load: LoadCounts | undefined;
  readonly loadInFlight: number;
  readonly receiver: StoreStats | undefined;
  readonly header: readonly string[];
}

const ESC = '\u001b[';
const bold = (s: string): string => `${ESC}1m${s}${ESC}0m`;
const dim = (s: string): string => `${ESC}2m${s}${ESC}0m`;
const red = (s: string): string => `${ESC}31m${s}${ESC}0m`;
const yellow = (s: string): string => `${ESC}33m${s}${ESC}0m`;
const green = (s: string): string => `${ESC}32m${s}${ESC}0m`;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds >= 1) return `${seconds.toFixed(2)}s`;
  return `${(seconds * 1000).toFixed(seconds >= 0.1 ? 0 : 1)}ms`;
}
function number(v: number, digits = 1): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '—';
}
function percent(v: number): string {
  return Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '—';
}

function routeRows(frame: Frame): { window: RouteWindow; probability: number | undefined }[] {
  const rows: { window: RouteWindow; probability: number | undefined }[] = [];
  for (const { now, before } of frame.services) {
    const probabilities = new Map(now.sampling.map((s) => [s.key, s.probability]));
    for (const w of windowStats(before, now)) {
      if (w.kind === 'rpc.client') continue; // the server side of the same call is shown
      rows.push({ window: w, probability: probabilities.get(w.operation) });
    }
  }
  return rows.sort(
    (a, b) =>
      a.window.service.localeCompare(b.window.service) ||
      a.window.operation.localeCompare(b.window.operation),
  );
}

/** The full-screen view (lines, with ANSI colours). */
export function renderFrame(frame: Frame, color: boolean): string[] {
  const c = color ? { bold, dim, red, yellow, green } : { bold: id, dim: id, red: id, yellow: id, green: id };
  const lines: string[] = [...frame.header];
  const phase = frame.phase;
  lines.push(
    c.bold(
      phase === undefined
        ? `elapsed ${frame.elapsedSeconds.toFixed(0)}s`
        : `phase ${phase.index + 1}/${phase.count}: ${phase.title} — ${phase.remainingSeconds.toFixed(0)}s left   (elapsed ${frame.elapsedSeconds.toFixed(0)}s)`,
    ),
  );
  lines.push('');
  lines.push(
    c.dim('service    route / method                     req/s     p50      p99   errors  shed  sample p'),
  );
  for (const { window: w, probability } of routeRows(frame)) {
    const err = percent(w.errorRatio);
    const errText = w.errorRatio > 0.05 ? c.red(err.padStart(7)) : err.padStart(7);
    lines.push(
      `${w.service.padEnd(10)} ${w.operation.slice(0, 33).padEnd(33)} ${number(w.perSecond).padStart(7)} ${duration(w.p50).padStart(8)} ${duration(w.p99).padStart(8)} ${errText} ${String(w.shed).padStart(5)}  ${probability === undefined ? '   —' : probability.toFixed(3).padStart(7)}`,
    );
  }
  const flight = frame.services
    .map(
      ({ now }) =>
        `${now.service}: ${now.inFlight.map((f) => `${f.label} ${f.value}`).join(', ') || '0'}${now.capacity === undefined ? '' : ` (pool ${now.capacity.busy} busy, ${now.capacity.queued} queued)`}`,
    )
    .join('   ');
  lines.push(`in flight  ${flight}   load generator: ${frame.loadInFlight} outstanding`);
  lines.push('');
  lines.push(c.dim('service    class   req/s   burn 1m   burn 5m   latency burn 1m   shed p   shed'));
  for (const { now } of frame.services) {
    for (const k of now.classes) {
      const burn = (v: number): string => {
        const s = number(v, 2).padStart(8);
        return v >= 14.4 ? c.red(s) : v >= 1 ? c.yellow(s) : s;
      };
      lines.push(
        `${now.service.padEnd(10)} ${k.name.padEnd(7)} ${number(k.requestRate).padStart(5)}  ${burn(k.burn1m)}  ${burn(k.burn5m)}  ${burn(k.latencyBurn1m).padStart(16)}   ${k.shedProbability.toFixed(2).padStart(6)} ${String(k.shed).padStart(6)}`,
      );
    }
    const breaker = now.breaker === 'closed' ? c.green(now.breaker) : c.red(now.breaker);
    const h = now.health.components;
    lines.push(
      `${now.service.padEnd(10)} health ${now.health.score.toFixed(2)} (latency ${h.latency.toFixed(2)}, errors ${h.errors.toFixed(2)}, saturation ${h.saturation.toFixed(2)}, traffic ${h.traffic.toFixed(2)})  breaker ${breaker}`,
    );
  }
  lines.push('');
  for (const { now } of frame.services) {
    const backlog = now.exporters
      .map(
        (e) => `${e.component.replace(/_exporter/, '').replace(/^otlp_http_/, 'otlp ')} ${e.backlogBatches}`,
      )
      .join(', ');
    lines.push(
      `${now.service.padEnd(10)} tail sampling: kept ${now.tail.sampled}, dropped ${now.tail.dropped}, buffered ${now.tail.traces}   WAL backlog (batches): ${backlog || '—'}`,
    );
  }
  if (frame.receiver !== undefined) {
    const r = frame.receiver;
    lines.push(
      `receiver   ${r.traces.items} spans (${r.traces.batches} batches), ${r.metrics.items} metric points (${r.metrics.batches}), ${r.logs.items} log records (${r.logs.batches})`,
    );
  }
  if (frame.load !== undefined) {
    let sent = 0;
    let shed = 0;
    let failed = 0;
    for (const counts of Object.values(frame.load.total)) {
      sent += counts.sent;
      shed += counts.shed;
      for (const [status, n] of Object.entries(counts.statuses)) if (status.startsWith('5')) failed += n;
      failed -= counts.shed;
    }
    lines.push(
      `load       ${sent} requests sent, ${failed} answered 5xx (not shed), ${shed} shed (503 + Retry-After)`,
    );
  }
  lines.push(c.dim('Ctrl-C stops everything cleanly (services flush their telemetry first).'));
  return lines;
}

function id(s: string): string {
  return s;
}

/** One line per second when stdout is not a terminal. */
export function renderLine(frame: Frame): string {
  const rows = routeRows(frame);
  const rps = rows.reduce(
    (n, r) =>
      n + (Number.isFinite(r.window.perSecond) && r.window.service === 'orders' ? r.window.perSecond : 0),
    0,
  );
  const orders = frame.services.find((s) => s.now.service === 'orders')?.now;
  const worstBurn =
    orders?.classes.reduce((m, k) => (Number.isFinite(k.burn1m) && k.burn1m > m ? k.burn1m : m), 0) ?? 0;
  const backlog = frame.services.reduce(
    (n, s) => n + s.now.exporters.reduce((m, e) => m + e.backlogBatches, 0),
    0,
  );
  const shed = orders?.classes.map((k) => `${k.name}=${k.shed}`).join(',') ?? '';
  const checkout = rows.find((r) => r.window.operation === 'POST /api/checkout')?.window;
  return [
    `t=${frame.elapsedSeconds.toFixed(0)}s`,
    frame.phase === undefined ? '' : `phase=${frame.phase.title.replace(/ /g, '_')}`,
    `orders_rps=${number(rps)}`,
    `checkout_p99=${duration(checkout?.p99 ?? NaN)}`,
    `worst_burn_1m=${number(worstBurn, 2)}`,
    `health=${orders?.health.score.toFixed(2) ?? '—'}`,
    `breaker=${orders?.breaker ?? '—'}`,
    `shed=${shed}`,
    `wal_backlog=${backlog}`,
    frame.receiver === undefined ? '' : `received_spans=${frame.receiver.traces.items}`,
  ]
    .filter((s) => s !== '')
    .join(' ');
}

/** Draws frames on a TTY in place (cursor home, clear below), restoring the cursor at the end. */
export function createTtyPainter(out: NodeJS.WriteStream): { paint(lines: string[]): void; done(): void } {
  let painted = false;
  return {
    paint(lines) {
      const width = out.columns ?? 120;
      const text = lines
        .map((l) => (visibleLength(l) > width ? l.slice(0, width + (l.length - visibleLength(l))) : l))
        .join(`${ESC}K\n`);
      out.write(`${painted ? '' : `${ESC}?25l${ESC}2J`}${ESC}H${text}${ESC}K\n${ESC}J`);
      painted = true;
    },
    done() {
      if (painted) out.write(`${ESC}?25h`);
    },
  };
}

function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').length;
}
