import {
  createTraceState,
  type Context,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import { AlwaysOnSampler, SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { fakeObservability, lifecycleSpy } from '../test/fake-observability.js';
import { createParentBasedSampler } from './parent-based-sampler.js';
import { createProbabilitySampler } from './probability-sampler.js';

const HEAD = '4bf92f3577b34da6a3';

function ctx(r: string, sampled: boolean, traceState?: string, isRemote = true): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: HEAD + r,
    spanId: '00f067aa0ba902b7',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote,
    ...(traceState === undefined ? {} : { traceState: createTraceState(traceState) }),
  });
}

describe('createParentBasedSampler', () => {
  const sampler = createParentBasedSampler({ root: createProbabilitySampler({ ratio: 0.5 }) });
  const run = (c: Context, r: string) => sampler.shouldSample(c, HEAD + r, 'x', SpanKind.INTERNAL, {}, []);

  it('asks the root sampler for roots', () => {
    expect(run(ROOT_CONTEXT, '80000000000000').traceState?.get('ot')).toBe('th:8');
    expect(run(ROOT_CONTEXT, '10000000000000').decision).toBe(SamplingDecision.NOT_RECORD);
  });

  it('follows the parent and leaves a consistent th to the tracer', () => {
    const r = run(ctx('d0000000000000', true, 'ot=th:c'), 'd0000000000000');
    expect(r.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(r.traceState).toBeUndefined();
    expect(run(ctx('d0000000000000', false), 'd0000000000000').decision).toBe(SamplingDecision.NOT_RECORD);
  });

  it('erases a th that contradicts the sampled flag, or is malformed', () => {
    const sampledLow = run(ctx('10000000000000', true, 'vendor=v,ot=th:c;k:v'), '10000000000000');
    expect(sampledLow.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(sampledLow.traceState?.get('ot')).toBe('k:v');
    expect(sampledLow.traceState?.get('vendor')).toBe('v');
    const droppedHigh = run(ctx('f0000000000000', false, 'ot=th:c'), 'f0000000000000');
    expect(droppedHigh.decision).toBe(SamplingDecision.NOT_RECORD);
    expect(droppedHigh.traceState?.get('ot')).toBeUndefined();
    const malformed = run(ctx('f0000000000000', true, 'ot=th:xyz'), 'f0000000000000');
    expect(malformed.traceState?.get('ot')).toBeUndefined();
    // rv decides consistency when present.
    const viaRv = run(ctx('00000000000000', true, 'ot=th:c;rv:e0000000000000'), '00000000000000');
    expect(viaRv.traceState).toBeUndefined();
  });

  it('uses the given delegates per parent kind', () => {
    const s = createParentBasedSampler({
      root: new AlwaysOnSampler(),
      remoteParentNotSampled: new AlwaysOnSampler(),
    });
    expect(
      s.shouldSample(ctx('00000000000000', false), HEAD + '00000000000000', 'x', SpanKind.SERVER, {}, [])
        .decision,
    ).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(
      s.shouldSample(
        ctx('00000000000000', false, undefined, false),
        HEAD + '00000000000000',
        'x',
        SpanKind.SERVER,
        {},
        [],
      ).decision,
    ).toBe(SamplingDecision.NOT_RECORD);
    expect(s.toString()).toContain('remoteParentNotSampled=AlwaysOnSampler');
  });

  it('rejects a missing root', () => {
    expect(() => createParentBasedSampler({ root: undefined as never })).toThrow(/root/);
    expect(() =>
      createParentBasedSampler({ root: new AlwaysOnSampler(), localParentSampled: {} as never }),
    ).toThrow(/localParentSampled/);
  });
});

describe('createParentBasedSampler lifecycle', () => {
  it('forwards onInit, attach and shutdown to each distinct delegate once', async () => {
    const spy = lifecycleSpy();
    const sampler = createParentBasedSampler({
      root: spy,
      localParentSampled: spy,
      remoteParentSampled: new AlwaysOnSampler(), // no lifecycle: skipped
    });
    const obs = fakeObservability();
    sampler.onInit(obs);
    expect(spy.onInit).toHaveBeenCalledTimes(1);
    expect(spy.onInit).toHaveBeenCalledWith(obs);
    const feed = { forEachSeries: () => undefined };
    sampler.attach(feed);
    expect(spy.attach).toHaveBeenCalledTimes(1);
    expect(spy.attach).toHaveBeenCalledWith(feed);
    await Promise.all([sampler.shutdown(), sampler.shutdown()]);
    await sampler[Symbol.asyncDispose]();
    expect(spy.shutdown).toHaveBeenCalledTimes(1);
  });
});
