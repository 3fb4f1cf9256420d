import * as grpc from '@grpc/grpc-js';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { getExemplars, type HistogramDataPointWithExemplars } from '@trisignal/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  activeCalls,
  collect,
  type EchoReply,
  type EchoRequest,
  expectQuiet,
  type Harness,
  SERVICE,
  spansOf,
  startHarness,
  unary,
  waitFor,
} from '../helpers.js';

type Histogram = HistogramDataPointWithExemplars;

/**
 * Deadline of the deadline tests. The client's timer fires first and resets the stream; the server
 * counts a reset within 25 % of the timeout before its own deadline as the deadline. Client and
 * server share one event loop here, so on a loaded machine the server may read the request tens of
 * milliseconds late: 600 ms leaves a 150 ms margin.
 */
const DEADLINE_MILLIS = 600;

/** The recorder's histogram point of a metric for a method and status code. */
export function histogramPoint(
  harness: Harness,
  metric: string,
  method: string,
  code?: number,
): Histogram | undefined {
  const data = harness.obs.recorder.collectSync().find((m) => m.descriptor.name === metric);
  const points = (data?.dataPoints ?? []) as Histogram[];
  return points.find(
    (p) =>
      p.attributes['rpc.method'] === method &&
      (code === undefined || p.attributes['rpc.grpc.status_code'] === code),
  );
}

function only(spans: ReadableSpan[], what: string): ReadableSpan {
  expect(spans, what).toHaveLength(1);
  return spans[0]!;
}

/** Client and server span of the single call of `method` made since the last reset. */
function callSpans(harness: Harness, method: string): { server: ReadableSpan; client: ReadableSpan } {
  return {
    server: only(spansOf(harness, 'server', method), `server spans of ${method}`),
    client: only(spansOf(harness, 'client', method), `client spans of ${method}`),
  };
}

function expectParentChild(client: ReadableSpan, server: ReadableSpan): void {
  expect(server.spanContext().traceId).toBe(client.spanContext().traceId);
  expect(server.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
}

/**
 * Every call kind end to end (real server and client on 127.0.0.1): success, errors, cancellation,
 * deadlines, half-closed and abandoned streams. Shared by the current grpc-js and the oldest supported.
 */
export function callKindsSuite(label: string): void {
  describe(`call kinds (${label})`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(grpc, { measureSizes: true });
    });
    afterAll(async () => {
      await h.close();
    });
    beforeEach(() => {
      h.spans.reset();
    });

    it('unary: one SERVER span (child of the CLIENT span) with the rpc attributes, active in the handler', async () => {
      const { error, reply } = await unary(h.client, { text: 'hello' });
      expect(error).toBeNull();
      await expectQuiet(h);
      const { server, client } = callSpans(h, 'Unary');
      expect(server.name).toBe(`${SERVICE}/Unary`);
      expect(server.attributes).toMatchObject({
        'rpc.system': 'grpc',
        'rpc.service': SERVICE,
        'rpc.method': 'Unary',
        'rpc.grpc.status_code': 0,
        'trisignal.slo.class': 'silver',
      });
      // grpc-js 1.10 tells interceptors neither the :authority nor the connection (both arrived in 1.11).
      if (typeof (grpc.ServerInterceptingCall.prototype as { getHost?: unknown }).getHost === 'function') {
        expect(server.attributes).toMatchObject({
          'server.address': '127.0.0.1',
          'server.port': h.port,
          'network.peer.address': '127.0.0.1',
        });
        expect(server.attributes['network.peer.port']).toBeGreaterThan(0);
      } else {
        expect(server.attributes['server.address']).toBeUndefined();
        expect(server.attributes['network.peer.address']).toBeUndefined();
      }
      expect(server.status.code).toBe(SpanStatusCode.UNSET);
      expect(client.attributes).toMatchObject({
        'rpc.system': 'grpc',
        'rpc.service': SERVICE,
        'rpc.method': 'Unary',
        'rpc.grpc.status_code': 0,
        'server.address': '127.0.0.1',
        'server.port': h.port,
      });
      expect(client.status.code).toBe(SpanStatusCode.UNSET);
      expectParentChild(client, server);
      expect(reply!.traceId).toBe(server.spanContext().traceId);
    });

    it('unary: the span stays active across the handler’s async work', async () => {
      const { reply } = await unary(h.client, { text: 'later', mode: 'async' });
      await expectQuiet(h);
      expect(reply!.traceId).toBe(callSpans(h, 'Unary').server.spanContext().traceId);
    });

    it('records duration with an exemplar, messages and bytes per call', async () => {
      await unary(h.client, { text: 'hello' });
      await expectQuiet(h);
      const { server } = callSpans(h, 'Unary');
      const duration = histogramPoint(h, 'rpc.server.call.duration', 'Unary', 0)!;
      expect(duration.value.count).toBeGreaterThanOrEqual(1);
      expect(duration.attributes).toMatchObject({ 'rpc.system': 'grpc', 'trisignal.slo.class': 'silver' });
      expect(getExemplars(duration).map((e) => e.traceId)).toContain(server.spanContext().traceId);
      expect(histogramPoint(h, 'rpc.client.call.duration', 'Unary', 0)!.value.count).toBeGreaterThanOrEqual(
        1,
      );
      // EchoRequest{text:"hello"} = 7 bytes; EchoReply{text:"hello", index:0, trace_id: 32 hex} = 43 bytes (protobufjs writes an explicit 0).
      const before = histogramPoint(h, 'rpc.server.request.size', 'Unary', 0)!;
      const beforeReply = histogramPoint(h, 'rpc.server.response.size', 'Unary', 0)!;
      await unary(h.client, { text: 'hello' });
      await expectQuiet(h);
      const after = histogramPoint(h, 'rpc.server.request.size', 'Unary', 0)!;
      const afterReply = histogramPoint(h, 'rpc.server.response.size', 'Unary', 0)!;
      expect(after.value.sum! - before.value.sum!).toBe(7);
      expect(afterReply.value.sum! - beforeReply.value.sum!).toBe(43);
      const messages = histogramPoint(h, 'rpc.server.requests_per_rpc', 'Unary', 0)!;
      expect(messages.value.sum).toBe(messages.value.count);
    });

    it('client streaming: counts every request message, ends once', async () => {
      const before = histogramPoint(h, 'rpc.server.requests_per_rpc', 'ClientStream', 0);
      const reply = await new Promise<EchoReply>((resolve, reject) => {
        const call = h.client['clientStream']!((error: grpc.ServiceError | null, r: EchoReply) =>
          error ? reject(error) : resolve(r),
        ) as grpc.ClientWritableStream<EchoRequest>;
        for (let i = 0; i < 3; i++) call.write({ text: `m${i}` });
        call.end();
      });
      expect(reply.text).toBe('3');
      await expectQuiet(h);
      const { server, client } = callSpans(h, 'ClientStream');
      expectParentChild(client, server);
      expect(reply.traceId).toBe(server.spanContext().traceId);
      const after = histogramPoint(h, 'rpc.server.requests_per_rpc', 'ClientStream', 0)!;
      expect(after.value.sum! - (before?.value.sum ?? 0)).toBe(3);
    });

    it('server streaming: counts every response message; the handler sees the span', async () => {
      const stream = h.client['serverStream']!({
        text: 's',
        count: 4,
      }) as grpc.ClientReadableStream<EchoReply>;
      const { replies, error } = await collect(stream);
      expect(error).toBeUndefined();
      expect(replies).toHaveLength(4);
      await expectQuiet(h);
      const { server, client } = callSpans(h, 'ServerStream');
      expectParentChild(client, server);
      for (const r of replies) expect(r.traceId).toBe(server.spanContext().traceId);
      const responses = histogramPoint(h, 'rpc.server.responses_per_rpc', 'ServerStream', 0)!;
      expect(responses.value.max).toBe(4);
    });

    it('bidi streaming: messages both ways, one span per side', async () => {
      const stream = h.client['bidi']!() as grpc.ClientDuplexStream<EchoRequest, EchoReply>;
      const result = collect(stream);
      for (let i = 0; i < 3; i++) stream.write({ text: `b${i}` });
      stream.end();
      const { replies, error } = await result;
      expect(error).toBeUndefined();
      expect(replies.map((r) => r.text)).toEqual(['b0', 'b1', 'b2']);
      await expectQuiet(h);
      const { server, client } = callSpans(h, 'Bidi');
      expectParentChild(client, server);
      expect(server.attributes['rpc.grpc.status_code']).toBe(0);
      const requests = histogramPoint(h, 'rpc.server.requests_per_rpc', 'Bidi', 0)!;
      expect(requests.value.max).toBe(3);
    });

    it('streaming errors: a status after messages ends both spans with that code', async () => {
      const stream = h.client['serverStream']!({
        count: 2,
        mode: 'status',
        code: grpc.status.INTERNAL,
      }) as grpc.ClientReadableStream<EchoReply>;
      const { replies, error } = await collect(stream);
      expect(replies).toHaveLength(2);
      expect(error?.code).toBe(grpc.status.INTERNAL);
      await expectQuiet(h);
      const { server, client } = callSpans(h, 'ServerStream');
      expect(server.attributes['rpc.grpc.status_code']).toBe(13);
      expect(server.status.code).toBe(SpanStatusCode.ERROR);
      expect(server.attributes['error.type']).toBe('INTERNAL');
      expect(client.status.code).toBe(SpanStatusCode.ERROR);
    });

    it('server ends a bidi call while the client is still sending (half-closed by the server)', async () => {
      const stream = h.client['bidi']!() as grpc.ClientDuplexStream<EchoRequest, EchoReply>;
      const result = collect(stream);
      stream.write({ text: 'first' });
      stream.write({ mode: 'status', code: grpc.status.FAILED_PRECONDITION });
      const { error } = await result; // the client never called end()
      expect(error?.code).toBe(grpc.status.FAILED_PRECONDITION);
      await expectQuiet(h);
      const { server, client } = callSpans(h, 'Bidi');
      expect(server.attributes['rpc.grpc.status_code']).toBe(9);
      expect(server.status.code).toBe(SpanStatusCode.UNSET); // the caller's problem (semconv)
      expect(client.status.code).toBe(SpanStatusCode.ERROR);
    });

    describe('cancellation ends each span exactly once, as CANCELLED', () => {
      async function expectCancelled(method: string): Promise<void> {
        await expectQuiet(h);
        const { server, client } = callSpans(h, method);
        expect(server.attributes['rpc.grpc.status_code']).toBe(grpc.status.CANCELLED);
        expect(server.status.code).toBe(SpanStatusCode.UNSET);
        expect(client.attributes['rpc.grpc.status_code']).toBe(grpc.status.CANCELLED);
        expect(client.status.code).toBe(SpanStatusCode.ERROR);
        expect(client.attributes['error.type']).toBe('CANCELLED');
        expect(histogramPoint(h, 'rpc.server.call.duration', method, 1)).toBeDefined();
      }

      it('unary', async () => {
        const runs = h.probe.handlerRuns;
        const result = unary(
          h.client,
          { mode: 'hang' },
          {
            onCall: (call) => {
              void waitFor(() => h.probe.handlerRuns > runs).then(() => call.cancel());
            },
          },
        );
        const { error } = await result;
        expect(error?.code).toBe(grpc.status.CANCELLED);
        await waitFor(() => activeCalls(h.obs, 'rpc.server') === 0);
        await expectCancelled('Unary');
      });

      it('client streaming (before the client half-closes)', async () => {
        const runs = h.probe.handlerRuns;
        const failed = new Promise<grpc.ServiceError>((resolve) => {
          const call = h.client['clientStream']!((error: grpc.ServiceError) =>
            resolve(error),
          ) as grpc.ClientWritableStream<EchoRequest>;
          // `hang`: the handler does not answer the half-close that a client's cancel sends first.
          call.write({ text: 'one', mode: 'hang' });
          void waitFor(() => h.probe.handlerRuns > runs).then(() => call.cancel());
        });
        expect((await failed).code).toBe(grpc.status.CANCELLED);
        await expectCancelled('ClientStream');
      });

      it('server streaming (after the first message)', async () => {
        const stream = h.client['serverStream']!({
          mode: 'hang',
          count: 1,
        }) as grpc.ClientReadableStream<EchoReply>;
        stream.once('data', () => stream.cancel());
        const { replies, error } = await collect(stream);
        expect(replies).toHaveLength(1);
        expect(error?.code).toBe(grpc.status.CANCELLED);
        await expectCancelled('ServerStream');
      });

      it('bidi (mid-stream)', async () => {
        const stream = h.client['bidi']!() as grpc.ClientDuplexStream<EchoRequest, EchoReply>;
        stream.once('data', () => stream.cancel());
        const result = collect(stream);
        stream.write({ text: 'x', mode: 'hang' });
        const { error } = await result;
        expect(error?.code).toBe(grpc.status.CANCELLED);
        await expectCancelled('Bidi');
      });

      it('a handler answering the half-close that a cancel sends first: still one end per span', async () => {
        // grpc-js's cancel half-closes the stream, then resets it. A handler that answers on `end`
        // races the reset: the span says CANCELLED when the reset came first, OK when the answer did.
        for (const method of ['clientStream', 'bidi']) {
          h.spans.reset();
          const stream = h.client[method]!(() => {}) as grpc.ClientDuplexStream<EchoRequest, EchoReply>;
          stream.on('error', () => {});
          stream.on('data', () => {});
          const closed = new Promise((resolve) => stream.on('status', resolve));
          const runs = h.probe.handlerRuns;
          stream.write({ text: 'x' });
          await waitFor(() => h.probe.handlerRuns > runs, 3000, 'the handler to run');
          stream.cancel();
          await closed;
          await expectQuiet(h);
          const name = method === 'bidi' ? 'Bidi' : 'ClientStream';
          const { server, client } = callSpans(h, name);
          expect([grpc.status.OK, grpc.status.CANCELLED]).toContain(
            server.attributes['rpc.grpc.status_code'],
          );
          expect(client.attributes['rpc.grpc.status_code']).toBe(grpc.status.CANCELLED);
        }
      });

      it('bidi after the client half-closed and the server kept the call open', async () => {
        const runs = h.probe.hanging.size;
        const stream = h.client['bidi']!({ deadline: Date.now() + 10_000 }) as grpc.ClientDuplexStream<
          EchoRequest,
          EchoReply
        >;
        const result = collect(stream);
        stream.write({ text: 'x', mode: 'hang' });
        stream.end();
        await waitFor(() => h.probe.hanging.size > runs, 3000, 'the server to hold the half-closed call');
        expect(activeCalls(h.obs, 'rpc.server')).toBe(1);
        stream.cancel();
        const { error } = await result;
        expect(error?.code).toBe(grpc.status.CANCELLED);
        await expectCancelled('Bidi');
      });
    });

    describe('deadline exceeded ends each span exactly once, as DEADLINE_EXCEEDED', () => {
      async function expectDeadline(method: string): Promise<void> {
        await expectQuiet(h);
        const { server, client } = callSpans(h, method);
        expect(server.attributes['rpc.grpc.status_code']).toBe(grpc.status.DEADLINE_EXCEEDED);
        expect(server.status.code).toBe(SpanStatusCode.ERROR);
        expect(server.attributes['error.type']).toBe('DEADLINE_EXCEEDED');
        expect(client.attributes['rpc.grpc.status_code']).toBe(grpc.status.DEADLINE_EXCEEDED);
        expect(client.status.code).toBe(SpanStatusCode.ERROR);
        // The deadline is recorded on both sides: seconds from the start of the call to its deadline.
        for (const span of [client, server]) {
          const timeout = span.attributes['trisignal.rpc.timeout'] as number;
          expect(timeout).toBeGreaterThan(0);
          expect(timeout).toBeLessThanOrEqual(DEADLINE_MILLIS / 1000);
        }
        expect(histogramPoint(h, 'rpc.server.call.duration', method, 4)).toBeDefined();
        expect(histogramPoint(h, 'rpc.client.call.duration', method, 4)).toBeDefined();
      }

      it('unary', async () => {
        const { error } = await unary(h.client, { mode: 'hang' }, { deadline: DEADLINE_MILLIS });
        expect(error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
        await expectDeadline('Unary');
      });

      it('client streaming', async () => {
        const failed = new Promise<grpc.ServiceError>((resolve) => {
          const call = h.client['clientStream']!(
            { deadline: Date.now() + DEADLINE_MILLIS },
            (error: grpc.ServiceError) => resolve(error),
          ) as grpc.ClientWritableStream<EchoRequest>;
          call.write({ text: 'never ends' });
        });
        expect((await failed).code).toBe(grpc.status.DEADLINE_EXCEEDED);
        await expectDeadline('ClientStream');
      });

      it('server streaming (after messages were sent)', async () => {
        const stream = h.client['serverStream']!(
          { mode: 'hang', count: 2 },
          { deadline: Date.now() + DEADLINE_MILLIS },
        ) as grpc.ClientReadableStream<EchoReply>;
        const { replies, error } = await collect(stream);
        expect(replies).toHaveLength(2);
        expect(error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
        await expectDeadline('ServerStream');
      });

      it('bidi (half-closed by the client)', async () => {
        const stream = h.client['bidi']!({
          deadline: Date.now() + DEADLINE_MILLIS,
        }) as grpc.ClientDuplexStream<EchoRequest, EchoReply>;
        const result = collect(stream);
        stream.write({ text: 'x', mode: 'hang' });
        stream.end();
        const { error } = await result;
        expect(error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
        await expectDeadline('Bidi');
      });
    });

    it('a deadline that is met is recorded and the call succeeds', async () => {
      const { error } = await unary(h.client, { text: 'ok' }, { deadline: 5000 });
      expect(error).toBeNull();
      await expectQuiet(h);
      const { client, server } = callSpans(h, 'Unary');
      expect(client.attributes['trisignal.rpc.timeout']).toBeGreaterThan(4);
      expect(server.attributes['trisignal.rpc.timeout']).toBeGreaterThan(4);
      expect(client.status.code).toBe(SpanStatusCode.UNSET);
    });
  });

  describe(`abandoned calls (${label})`, () => {
    it('a server shut down under open calls of every kind ends every span once and leaves no call in flight', async () => {
      const h = await startHarness(grpc);
      try {
        const outcomes: Promise<unknown>[] = [];
        outcomes.push(unary(h.client, { mode: 'hang' }));
        outcomes.push(
          new Promise((resolve) => {
            const cs = h.client['clientStream']!(resolve) as grpc.ClientWritableStream<EchoRequest>;
            cs.write({ text: 'open' });
          }),
        );
        const ss = h.client['serverStream']!({
          mode: 'hang',
          count: 1,
        }) as grpc.ClientReadableStream<EchoReply>;
        outcomes.push(collect(ss));
        const bidi = h.client['bidi']!() as grpc.ClientDuplexStream<EchoRequest, EchoReply>;
        outcomes.push(collect(bidi));
        bidi.write({ text: 'open' });
        await waitFor(() => h.probe.handlerRuns === 4, 3000, 'four handlers to run');
        expect(activeCalls(h.obs, 'rpc.server')).toBe(4);
        expect(activeCalls(h.obs, 'rpc.client')).toBe(4);
        h.server.forceShutdown();
        await Promise.all(outcomes);
        await expectQuiet(h);
        expect(spansOf(h, 'server')).toHaveLength(4);
        expect(spansOf(h, 'client')).toHaveLength(4);
        for (const span of spansOf(h, 'server')) {
          expect(span.attributes['rpc.grpc.status_code']).toBe(grpc.status.CANCELLED);
        }
        for (const span of spansOf(h, 'client')) {
          expect(span.attributes['rpc.grpc.status_code']).not.toBe(grpc.status.OK);
          expect(span.status.code).toBe(SpanStatusCode.ERROR);
        }
      } finally {
        await h.close();
      }
    });
  });
}
