import { type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError, createErrorClassifier, type ErrorClassification } from './classify-error.js';
import type { ErrorMetrics } from './error-metrics.js';
import { recordError, type RecordErrorOptions } from './record-error.js';
import {
  ATTR_ERROR_CATEGORY,
  ATTR_ERROR_FINGERPRINT,
  ATTR_ERROR_ROOT_CAUSE,
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
} from './semconv.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('record-error-test');
let refusedPort = 0;

beforeAll(async () => {
  const server = net.createServer();
  refusedPort = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
});

afterAll(() => provider.shutdown());

function record(err: unknown, options?: RecordErrorOptions): { c: ErrorClassification; span: ReadableSpan } {
  exporter.reset();
  const span = tracer.startSpan('operation');
  const c = recordError(span, err, options);
  span.end();
  const finished = exporter.getFinishedSpans();
  expect(finished).toHaveLength(1);
  return { c, span: finished[0]! };
}

async function fetchRefused(): Promise<unknown> {
  try {
    await fetch(`http://127.0.0.1:${refusedPort}/`);
  } catch (error) {
    return error;
  }
  throw new Error('fetch unexpectedly succeeded');
}

describe('recordError', () => {
  it('records a real fetch failure: status, attributes and an exception event with the cause chain', async () => {
    const error = await fetchRefused();
    const { c, span } = record(error);

    expect(c).toEqual(classifyError(error));
    expect(span.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: `fetch failed: connect ECONNREFUSED 127.0.0.1:${refusedPort}`,
    });
    expect(span.attributes).toEqual({
      [ATTR_ERROR_TYPE]: 'ECONNREFUSED',
      [ATTR_ERROR_CATEGORY]: 'transient',
      [ATTR_ERROR_ROOT_CAUSE]: 'ECONNREFUSED',
      [ATTR_ERROR_FINGERPRINT]: c.fingerprint,
    });
    expect(span.events).toHaveLength(1);
    const event = span.events[0]!;
    expect(event.name).toBe('exception');
    expect(event.attributes?.[ATTR_EXCEPTION_TYPE]).toBe('TypeError');
    expect(event.attributes?.[ATTR_EXCEPTION_MESSAGE]).toBe('fetch failed');
    const stacktrace = String(event.attributes?.[ATTR_EXCEPTION_STACKTRACE]);
    // Node 20 gives the fetch TypeError stack frames; Node 24's undici throws it with none.
    expect(stacktrace).toMatch(/^TypeError: fetch failed\n/);
    expect(stacktrace).toContain(`\nCaused by: Error: connect ECONNREFUSED 127.0.0.1:${refusedPort}\n`);
  });

  it('leaves the status alone with setStatus: false but still records attributes and the event', () => {
    const { span } = record(new RangeError('too far'), { setStatus: false });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes[ATTR_ERROR_TYPE]).toBe('RangeError');
    expect(span.attributes[ATTR_ERROR_CATEGORY]).toBe('server');
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
  });

  it("does not mark a server span as failed for the caller's 4xx, but does for a 5xx", () => {
    const notFound = Object.assign(new Error('no such order'), { status: 404 });
    const { span: server404 } = record(notFound, { spanKind: SpanKind.SERVER });
    expect(server404.status.code).toBe(SpanStatusCode.UNSET);
    expect(server404.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
    expect(server404.attributes[ATTR_ERROR_CATEGORY]).toBe('client');
    expect(server404.events.map((e) => e.name)).toEqual(['exception']);

    const { span: client404 } = record(notFound, { spanKind: SpanKind.CLIENT });
    expect(client404.status.code).toBe(SpanStatusCode.ERROR);
    expect(client404.attributes[ATTR_ERROR_TYPE]).toBe('404');

    const { span: server503 } = record(Object.assign(new Error('overloaded'), { status: 503 }), {
      spanKind: SpanKind.SERVER,
    });
    expect(server503.status).toEqual({ code: SpanStatusCode.ERROR, message: 'overloaded' });
    expect(server503.attributes[ATTR_ERROR_TYPE]).toBe('503');
  });

  it('records a thrown string as a message-only exception', () => {
    const { c, span } = record('boom');
    expect(c.errorType).toBe('_OTHER');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    expect(span.events[0]!.attributes).toEqual({ [ATTR_EXCEPTION_MESSAGE]: 'boom' });
  });

  it('describes a thrown plain object by its JSON', () => {
    const { span } = record({ reason: 'quota', limit: 10 });
    expect(span.events[0]!.attributes?.[ATTR_EXCEPTION_TYPE]).toBe('Object');
    expect(span.events[0]!.attributes?.[ATTR_EXCEPTION_MESSAGE]).toBe('{"reason":"quota","limit":10}');
  });

  it('does nothing to the span for something that is not an error', () => {
    const { c, span } = record({ status: 200, ok: true });
    expect(c.status).toBe(SpanStatusCode.UNSET);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toEqual({});
    expect(span.events).toEqual([]);
  });

  it('renders AggregateError members and stops on cyclic causes', () => {
    const aggregate = new AggregateError([new Error('first'), 'second'], 'all failed');
    const stack = String(record(aggregate).span.events[0]!.attributes?.[ATTR_EXCEPTION_STACKTRACE]);
    expect(stack).toMatch(/^AggregateError: all failed\n/);
    expect(stack).toContain('\nCaused by [errors[0]]: Error: first\n');
    expect(stack).toContain('\nCaused by [errors[1]]: "second"');

    const a = new Error('a');
    (a as { cause?: unknown }).cause = new Error('b', { cause: a });
    const cyclic = String(record(a).span.events[0]!.attributes?.[ATTR_EXCEPTION_STACKTRACE]);
    expect(cyclic.match(/Caused by: /g)).toHaveLength(1);
  });

  it('bounds the stacktrace of a long cause chain to 8 links', () => {
    let error = new Error('link 0');
    for (let i = 1; i < 100; i++) error = new Error(`link ${i}`, { cause: error });
    const stack = String(record(error).span.events[0]!.attributes?.[ATTR_EXCEPTION_STACKTRACE]);
    expect(stack.match(/Caused by: /g)).toHaveLength(7);
    expect(stack.length).toBeLessThanOrEqual(32 * 1024);
  });

  it('uses the given classifier, and the built-in one when that throws', () => {
    const classifier = createErrorClassifier({
      rules: [() => ({ category: 'client', errorType: 'Custom' })],
    });
    expect(record(new Error('x'), { classifier }).span.attributes[ATTR_ERROR_TYPE]).toBe('Custom');
    const broken = (): ErrorClassification => {
      throw new Error('classifier bug');
    };
    const { c } = record(new TypeError('y'), { classifier: broken });
    expect(c.errorType).toBe('TypeError');
  });

  it('counts the error when given metrics, and survives metrics that throw', () => {
    const recorded: ErrorClassification[] = [];
    const metrics: ErrorMetrics = { record: (c) => void recorded.push(c), overflowCount: 0 };
    const { c } = record(new Error('counted'), { metrics });
    expect(recorded).toEqual([c]);
    const throwing: ErrorMetrics = {
      record: () => {
        throw new Error('metrics bug');
      },
      overflowCount: 0,
    };
    expect(() => record(new Error('x'), { metrics: throwing })).not.toThrow();
  });

  it('classifies without annotating a span that is not recording', () => {
    const span = trace.wrapSpanContext({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 0,
    });
    expect(recordError(span, new Error('x')).category).toBe('unknown');
  });

  it('never throws from a span whose methods throw', () => {
    const explode = (): never => {
      throw new Error('span bug');
    };
    const span = {
      isRecording: () => true,
      setStatus: explode,
      setAttributes: explode,
      addEvent: explode,
    } as unknown as Span;
    expect(recordError(span, new Error('x')).category).toBe('unknown');
  });

  it('never throws for hostile errors', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const getters = Object.defineProperties(new Error('x'), {
      stack: {
        get: () => {
          throw new Error('stack');
        },
      },
      message: {
        get: () => {
          throw new Error('message');
        },
      },
      cause: {
        get: () => {
          throw new Error('cause');
        },
      },
    });
    for (const value of [
      revoked.proxy,
      getters,
      new AggregateError([revoked.proxy]),
      Object.create(null) as object,
      10n,
    ]) {
      const { c, span } = record(value);
      expect(c.status).toBe(SpanStatusCode.ERROR);
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
    }
  });

  it('never throws for arbitrary values on a real span (property)', () => {
    fc.assert(
      fc.property(
        fc.anything({ withObjectString: true, withNullPrototype: true, withBigInt: true }),
        (value) => {
          const { c, span } = record(value);
          expect(span.status.code).toBe(
            c.status === SpanStatusCode.ERROR ? SpanStatusCode.ERROR : SpanStatusCode.UNSET,
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
