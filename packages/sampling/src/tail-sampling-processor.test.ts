import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it, vi } from 'vitest';
import { createTailHarness } from '../test/tail-harness.js';
import { createTailSamplingProcessor } from './tail-sampling-processor.js';

const ERRORS = [{ type: 'status_code', statusCodes: ['ERROR'] }] as const;

describe('createTailSamplingProcessor', () => {
  it('keeps whole error traces and drops the others once the local root ended plus the grace', () => {
    const h = createTailHarness({ policies: ERRORS, graceMillis: 1000 });
    const bad = h.emit({ error: true });
    const good = h.emit();
    const childError = h.emit({ childError: true });
    h.tail.tick();
    expect(h.exporter.getFinishedSpans()).toHaveLength(0); // within the grace
    expect(h.tail.stats()).toMatchObject({ traces: 3, spans: 9 });
    h.advance(1000);
    h.tail.tick();
    expect(h.exportedTraceIds()).toEqual(new Set([bad.traceId, childError.traceId]));
    expect(h.exportedSpans(bad.traceId)).toHaveLength(3);
    expect(h.exportedSpans(good.traceId)).toHaveLength(0);
    expect(h.tail.stats()).toMatchObject({ traces: 0, spans: 0, bytes: 0, sampled: 2, dropped: 1 });
  });

  it('includes stragglers that end within the grace, and routes later ones through the decision cache', () => {
    const h = createTailHarness({ policies: ERRORS, graceMillis: 500 });
    const bad = h.emit({ error: true });
    const good = h.emit();
    h.advance(200);
    h.straggler(bad.root);
    h.advance(300);
    h.tail.tick();
    expect(h.exportedSpans(bad.traceId)).toHaveLength(4);
    h.straggler(bad.root); // late: forwarded at once
    h.straggler(good.root); // late: dropped
    expect(h.exportedSpans(bad.traceId)).toHaveLength(5);
    expect(h.tail.stats()).toMatchObject({ lateSampled: 1, lateDropped: 1, traces: 0 });
  });

  it('without a decision cache a late span starts a new decision, as in the Collector', () => {
    const h = createTailHarness({
      policies: ERRORS,
      graceMillis: 0,
      sampledCacheSize: 0,
      notSampledCacheSize: 0,
    });
    const good = h.emit();
    expect(h.tail.stats().traces).toBe(0); // grace 0: decided when the root ended
    h.straggler(good.root);
    expect(h.tail.stats()).toMatchObject({ traces: 1, lateDropped: 0 });
  });

  it('decides a trace whose root never ends after decisionWaitMillis', () => {
    const h = createTailHarness({
      policies: [{ type: 'span_count', minSpans: 2 }],
      decisionWaitMillis: 30_000,
    });
    const open = h.emit({ openRoot: true, children: 3 });
    h.advance(29_999);
    h.tail.tick();
    expect(h.tail.stats().traces).toBe(1);
    h.advance(1);
    h.tail.tick();
    expect(h.exportedSpans(open.traceId)).toHaveLength(3);
  });

  it('treats a span with a remote parent as the local root', () => {
    const h = createTailHarness({ policies: [{ type: 'always_sample' }], graceMillis: 100 });
    const remoteParent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    h.tracer.startSpan('GET /remote', {}, remoteParent).end();
    expect(h.tail.stats().traces).toBe(1);
    h.advance(100);
    h.tail.tick();
    expect(h.forwarded).toHaveLength(1);
  });

  it('stays within maxTraces, deciding the oldest complete trace early first', () => {
    const h = createTailHarness({ policies: ERRORS, maxTraces: 3, graceMillis: 10_000 });
    const open = h.emit({ openRoot: true, error: true }); // in progress, oldest
    const done1 = h.emit({ error: true });
    const done2 = h.emit();
    h.emit(); // 4th trace: evicts done1 (oldest complete), not the open one
    expect(h.exportedTraceIds()).toEqual(new Set([done1.traceId]));
    h.emit(); // evicts done2
    expect(h.tail.stats()).toMatchObject({ traces: 3, evicted: 2, sampled: 1, dropped: 1 });
    open.root.end();
    h.advance(10_000);
    h.tail.tick();
    expect(h.exportedTraceIds()).toContain(open.traceId);
    expect(h.exportedTraceIds()).not.toContain(done2.traceId);
  });

  it('stays within maxSpans and maxBytes, evicting the oldest trace when none is complete', () => {
    const h = createTailHarness({ policies: [{ type: 'always_sample' }], maxSpans: 10, maxBytes: 1_000_000 });
    for (let i = 0; i < 5; i++) h.emit({ openRoot: true, children: 3 });
    expect(h.tail.stats().spans).toBeLessThanOrEqual(10);
    expect(h.tail.stats().evicted).toBeGreaterThan(0);
    const b = createTailHarness({ policies: [{ type: 'always_sample' }], maxBytes: 5000 });
    for (let i = 0; i < 20; i++) {
      b.emit({ children: 2, attributes: { payload: 'x'.repeat(200) } });
      expect(b.tail.stats().bytes).toBeLessThanOrEqual(5000);
    }
    expect(b.tail.stats().evicted).toBeGreaterThan(0);
  });

  it('forceFlush decides complete traces; shutdown decides the rest and shuts the downstream down', async () => {
    const h = createTailHarness({ policies: [{ type: 'always_sample' }], graceMillis: 60_000 });
    const done = h.emit();
    const open = h.emit({ openRoot: true });
    await h.tail.forceFlush();
    expect(h.exportedTraceIds()).toEqual(new Set([done.traceId]));
    expect(h.exporter.getFinishedSpans()).toHaveLength(3); // flushed through the downstream processor
    await h.tail.shutdown();
    expect(h.exportedTraceIds()).toEqual(new Set([done.traceId, open.traceId]));
    const before = h.forwarded.length;
    h.emit();
    expect(h.forwarded.length).toBe(before);
    await expect(h.tail.shutdown()).resolves.toBeUndefined();
  });

  it('never throws when a policy or the downstream processor does', () => {
    const downstream: SpanProcessor = {
      onStart: () => undefined,
      onEnd: () => {
        throw new Error('downstream broken');
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const tail = createTailSamplingProcessor({
      downstream,
      graceMillis: 0,
      autoTick: false,
      policies: [
        {
          type: 'custom',
          name: 'broken',
          evaluate: () => {
            throw new Error('policy broken');
          },
        },
      ],
    });
    const keepAll = createTailSamplingProcessor({
      downstream,
      graceMillis: 0,
      autoTick: false,
      policies: [{ type: 'always_sample' }],
    });
    const span = {
      spanContext: () => ({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceFlags: 1,
      }),
      name: 'x',
      attributes: {},
      events: [],
      links: [],
      status: { code: 0 },
      startTime: [1, 0],
      endTime: [1, 5],
    } as never;
    expect(() => tail.onEnd(span)).not.toThrow();
    expect(tail.stats().dropped).toBe(1);
    expect(() => keepAll.onEnd(span)).not.toThrow();
    expect(keepAll.stats().sampled).toBe(1);
  });

  it('runs its check timer unref’d and stops it on shutdown', async () => {
    vi.useFakeTimers();
    try {
      const tail = createTailSamplingProcessor({
        downstream: { onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} },
        policies: [{ type: 'always_sample' }],
      });
      expect(vi.getTimerCount()).toBe(1);
      await tail.shutdown();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('validates its options', () => {
    expect(() =>
      createTailSamplingProcessor({ downstream: {} as never, policies: [{ type: 'always_sample' }] }),
    ).toThrow(/downstream/);
    const downstream = { onStart() {}, onEnd() {}, forceFlush: async () => {}, shutdown: async () => {} };
    expect(() => createTailSamplingProcessor({ downstream, policies: [] })).toThrow(/policies/);
    expect(() =>
      createTailSamplingProcessor({ downstream, policies: [{ type: 'always_sample' }], maxTraces: 0 }),
    ).toThrow(/maxTraces/);
  });
});
