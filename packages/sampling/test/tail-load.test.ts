/**
 * Tail sampling under a mixed load on a simulated clock: thousands of interleaved traces, 2 % failing,
 * 2 % slow, the rest fast and healthy, through a real tracer into the processor with tight bounds.
 */
import { context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { createTailHarness } from './tail-harness.js';

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface EndEvent {
  readonly at: number;
  readonly span: Span;
  readonly error: boolean;
}

const EPOCH = 1_700_000_000_000;

function runLoad(options: {
  traces: number;
  perSecond: number;
  maxTraces: number;
  maxSpans: number;
  maxBytes: number;
  seed: number;
}) {
  const h = createTailHarness({
    policies: [
      { type: 'status_code', statusCodes: ['ERROR'] },
      { type: 'latency', thresholdMillis: 500 },
      { type: 'probabilistic', ratio: 0.01 },
    ],
    graceMillis: 1000,
    decisionWaitMillis: 30_000,
    maxTraces: options.maxTraces,
    maxSpans: options.maxSpans,
    maxBytes: options.maxBytes,
  });
  const rnd = random(options.seed);
  const events: EndEvent[] = [];
  const expected = new Map<string, { kind: 'error' | 'slow' | 'normal'; spans: number }>();
  let peak = { traces: 0, spans: 0, bytes: 0 };
  const checkBounds = (): void => {
    const s = h.tail.stats();
    peak = {
      traces: Math.max(peak.traces, s.traces),
      spans: Math.max(peak.spans, s.spans),
      bytes: Math.max(peak.bytes, s.bytes),
    };
  };

  let lastTick = 0;
  const drainUntil = (time: number): void => {
    events.sort((a, b) => a.at - b.at);
    while (events.length > 0 && events[0]!.at <= time) {
      const e = events.shift()!;
      h.advance(e.at - h.now());
      if (e.error) e.span.setStatus({ code: SpanStatusCode.ERROR });
      e.span.end(EPOCH + e.at);
      checkBounds();
      if (h.now() - lastTick >= 10) {
        h.tail.tick();
        lastTick = h.now();
      }
    }
    h.advance(Math.max(0, time - h.now()));
  };

  for (let i = 0; i < options.traces; i++) {
    const start = (i * 1000) / options.perSecond;
    drainUntil(start);
    const roll = rnd();
    const kind = roll < 0.02 ? 'error' : roll < 0.04 ? 'slow' : 'normal';
    const duration = kind === 'slow' ? 600 + rnd() * 1400 : 5 + rnd() * 45;
    const children = 2 + Math.floor(rnd() * 6);
    const root = h.tracer.startSpan('GET /api/items/:id', { startTime: EPOCH + start });
    const ctx = trace.setSpan(context.active(), root);
    const childError = kind === 'error' && rnd() < 0.5;
    for (let c = 0; c < children; c++) {
      const child = h.tracer.startSpan(
        `db ${c}`,
        { startTime: EPOCH + start + 1, attributes: { 'db.statement': 'SELECT 1' } },
        ctx,
      );
      events.push({ at: start + 1 + rnd() * (duration - 2), span: child, error: childError && c === 0 });
    }
    events.push({ at: start + duration, span: root, error: kind === 'error' && !childError });
    expected.set(root.spanContext().traceId, { kind, spans: children + 1 });
  }
  drainUntil(h.now() + 5000);
  h.advance(2000);
  h.tail.tick();
  return { h, expected, peak };
}

describe('tail sampling under mixed load', () => {
  it('keeps every error trace and every slow trace, whole, while staying within its bounds', () => {
    const bounds = { maxTraces: 400, maxSpans: 4000, maxBytes: 4 * 1024 * 1024 };
    const { h, expected, peak } = runLoad({ traces: 20_000, perSecond: 2000, seed: 7, ...bounds });
    const stats = h.tail.stats();
    expect(peak.traces).toBeLessThanOrEqual(bounds.maxTraces);
    expect(peak.spans).toBeLessThanOrEqual(bounds.maxSpans);
    expect(peak.bytes).toBeLessThanOrEqual(bounds.maxBytes);
    expect(stats.evicted).toBeGreaterThan(1000); // the bounds really were the limit
    expect(stats.traces).toBe(0);

    const byTrace = new Map<string, number>();
    for (const span of h.forwarded)
      byTrace.set(span.spanContext().traceId, (byTrace.get(span.spanContext().traceId) ?? 0) + 1);
    let errors = 0;
    let slow = 0;
    let normalKept = 0;
    let normal = 0;
    for (const [traceId, e] of expected) {
      const got = byTrace.get(traceId) ?? 0;
      if (e.kind === 'error' || e.kind === 'slow') {
        expect(got, `${e.kind} trace ${traceId}`).toBe(e.spans);
        if (e.kind === 'error') errors++;
        else slow++;
      } else {
        normal++;
        if (got > 0) {
          normalKept++;
          expect(got).toBe(e.spans);
        }
      }
    }
    expect(errors).toBeGreaterThan(300);
    expect(slow).toBeGreaterThan(300);
    // Healthy fast traces: the 1 % probabilistic policy, within 5 σ.
    expect(Math.abs(normalKept - normal * 0.01)).toBeLessThanOrEqual(5 * Math.sqrt(normal * 0.01 * 0.99));
  });

  it('still holds its bounds when in-progress traces alone exceed them (early decisions counted)', () => {
    const bounds = { maxTraces: 50, maxSpans: 300, maxBytes: 200_000 };
    const { h, peak } = runLoad({ traces: 3000, perSecond: 2000, seed: 8, ...bounds });
    expect(peak.traces).toBeLessThanOrEqual(bounds.maxTraces);
    expect(peak.spans).toBeLessThanOrEqual(bounds.maxSpans);
    expect(peak.bytes).toBeLessThanOrEqual(bounds.maxBytes);
    const stats = h.tail.stats();
    expect(stats.evicted).toBeGreaterThan(0);
    expect(stats.lateSampled + stats.lateDropped).toBeGreaterThan(0); // spans of early-decided traces
  });
});
