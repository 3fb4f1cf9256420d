import { describe, expect, it } from 'vitest';
import { createTurnBatch } from './turn-batch.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('createTurnBatch', () => {
  it('reports queued items together on the next turn, in order', async () => {
    const reported: number[][] = [];
    let current: number[] = [];
    const batch = createTurnBatch<number>(
      (n) => current.push(n),
      () => undefined,
    );
    for (let i = 0; i < 5; i++) batch.add(i);
    expect(batch.size).toBe(5);
    expect(current).toEqual([]);
    await nextTurn();
    reported.push(current);
    current = [];
    batch.add(5);
    await nextTurn();
    reported.push(current);
    expect(reported).toEqual([[0, 1, 2, 3, 4], [5]]);
    expect(batch.size).toBe(0);
  });

  it('reports at once when the bound is reached within a turn', async () => {
    const seen: number[] = [];
    const batch = createTurnBatch<number>(
      (n) => seen.push(n),
      () => undefined,
      3,
    );
    batch.add(1);
    batch.add(2);
    expect(seen).toEqual([]);
    batch.add(3);
    expect(seen).toEqual([1, 2, 3]);
    batch.add(4);
    expect(batch.size).toBe(1);
    await nextTurn();
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('hands a failing item to onError and still reports the others', async () => {
    const seen: number[] = [];
    const failed: [number, string][] = [];
    const batch = createTurnBatch<number>(
      (n) => {
        if (n === 2) throw new Error('boom');
        seen.push(n);
      },
      (n, error) => {
        failed.push([n, (error as Error).message]);
        throw new Error('onError fails too');
      },
    );
    for (const n of [1, 2, 3]) batch.add(n);
    await nextTurn();
    expect(seen).toEqual([1, 3]);
    expect(failed).toEqual([[2, 'boom']]);
  });

  it('flush() reports synchronously', () => {
    const seen: string[] = [];
    const batch = createTurnBatch<string>(
      (s) => seen.push(s),
      () => undefined,
    );
    batch.add('a');
    batch.flush();
    expect(seen).toEqual(['a']);
    expect(batch.size).toBe(0);
  });
});

describe('init() flushes what a turn batch holds', () => {
  it('forceFlush and shutdown include spans ended by a batch queued before the call', async () => {
    const { init } = await import('./init.js');
    const ended: string[] = [];
    const obs = init({
      service: 'turn-batch-test',
      spanProcessors: [
        {
          onStart: () => undefined,
          onEnd: (span: { name: string }) => ended.push(span.name),
          forceFlush: () => Promise.resolve(),
          shutdown: () => Promise.resolve(),
        },
      ],
      signalHooks: false,
      runtimeMetrics: false,
      registerGlobals: false,
    });
    const tracer = obs.tracerProvider.getTracer('t');
    const batch = createTurnBatch<{ end(): void }>(
      (span) => span.end(),
      () => undefined,
    );
    batch.add(tracer.startSpan('a'));
    await obs.forceFlush();
    expect(ended).toEqual(['a']);
    batch.add(tracer.startSpan('b'));
    await obs.shutdown();
    expect(ended).toEqual(['a', 'b']);
  });
});
