import * as grpc from '@grpc/grpc-js';
import { SpanStatusCode } from '@opentelemetry/api';
import type { GoldenSeriesView } from '@trisignal/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GRPC_STATUS_NAMES } from '../src/status.js';
import { expectQuiet, type Harness, SERVICE, spansOf, startHarness, unary } from './helpers.js';

const SERVER_ERRORS = new Set([2, 4, 12, 13, 14, 15]);

function series(
  h: Harness,
  kind: 'rpc.server' | 'rpc.client',
  method: string,
  code: number,
): GoldenSeriesView[] {
  const out: GoldenSeriesView[] = [];
  h.obs.recorder.forEachSeries(kind, (s) => {
    if (s.method === method && s.statusCode === code) out.push(s);
  });
  return out;
}

describe('status codes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(grpc);
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    h.spans.reset();
  });

  it.each(Array.from({ length: 16 }, (_, i) => i + 1))(
    'code %i: server span per semconv (server errors only), client span always an error, metrics labelled',
    async (code) => {
      const { error, status } = await unary(h.client, { mode: 'status', code });
      expect(error?.code).toBe(code);
      expect(status?.code).toBe(code);
      await expectQuiet(h);
      const name = GRPC_STATUS_NAMES[code]!;
      const [server] = spansOf(h, 'server', 'Unary');
      const [client] = spansOf(h, 'client', 'Unary');
      expect(server!.attributes['rpc.grpc.status_code']).toBe(code);
      expect(client!.attributes['rpc.grpc.status_code']).toBe(code);
      const serverError = SERVER_ERRORS.has(code);
      expect(server!.status.code).toBe(serverError ? SpanStatusCode.ERROR : SpanStatusCode.UNSET);
      expect(server!.attributes['error.type']).toBe(serverError ? name : undefined);
      if (serverError) {
        expect(server!.status.message).toContain(`requested ${code}`);
        expect(server!.events.map((e) => e.name)).toContain('exception');
      }
      expect(client!.status.code).toBe(SpanStatusCode.ERROR);
      expect(client!.attributes['error.type']).toBe(name);

      const [serverSeries] = series(h, 'rpc.server', 'Unary', code);
      expect(serverSeries).toBeDefined();
      expect(serverSeries!.isError).toBe(serverError);
      expect(serverSeries!.errorType).toBe(serverError ? name : undefined);
      expect(serverSeries!.operation).toBe(`${SERVICE}/Unary`);
      const [clientSeries] = series(h, 'rpc.client', 'Unary', code);
      expect(clientSeries!.isError).toBe(true);
      expect(clientSeries!.errorType).toBe(name);
    },
  );

  it('a handler that throws: UNKNOWN, a server error', async () => {
    const { error } = await unary(h.client, { mode: 'throw' });
    expect(error?.code).toBe(grpc.status.UNKNOWN);
    await expectQuiet(h);
    const [server] = spansOf(h, 'server', 'Unary');
    expect(server!.attributes['rpc.grpc.status_code']).toBe(2);
    expect(server!.status.code).toBe(SpanStatusCode.ERROR);
    expect(server!.attributes['error.type']).toBe('UNKNOWN');
  });

  it('server errors are counted on trisignal.errors', async () => {
    await unary(h.client, { mode: 'status', code: grpc.status.DATA_LOSS });
    await expectQuiet(h);
    const { resourceMetrics } = await h.obs.collect();
    const errors = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'trisignal.errors');
    const points = (errors?.dataPoints ?? []) as { attributes: Record<string, unknown>; value: number }[];
    expect(points.some((p) => p.attributes['error.type'] === 'DATA_LOSS' && p.value >= 1)).toBe(true);
  });

  it('a method the server does not know: UNIMPLEMENTED on the client span (grpc-js answers before any interceptor)', async () => {
    const Generic = grpc.makeGenericClientConstructor(
      {
        Missing: {
          path: `/${SERVICE}/Missing`,
          requestStream: false,
          responseStream: false,
          requestSerialize: (v: Buffer) => v,
          requestDeserialize: (v: Buffer) => v,
          responseSerialize: (v: Buffer) => v,
          responseDeserialize: (v: Buffer) => v,
        },
      },
      'Echo',
    );
    const { clientInterceptor } = await import('../src/index.js');
    const client = new Generic(`127.0.0.1:${h.port}`, grpc.credentials.createInsecure(), {
      interceptors: [clientInterceptor({ obs: h.obs })],
    }) as unknown as {
      Missing: (req: Buffer, cb: (e: grpc.ServiceError | null) => void) => void;
    } & grpc.Client;
    const error = await new Promise<grpc.ServiceError | null>((resolve) =>
      client.Missing(Buffer.alloc(0), resolve),
    );
    client.close();
    expect(error?.code).toBe(grpc.status.UNIMPLEMENTED);
    await expectQuiet(h);
    const [span] = spansOf(h, 'client', 'Missing');
    expect(span!.attributes['rpc.grpc.status_code']).toBe(12);
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(spansOf(h, 'server', 'Missing')).toHaveLength(0);
  });

  it('an unreachable server: UNAVAILABLE on the client span', async () => {
    const { clientInterceptor } = await import('../src/index.js');
    const proto = grpc.loadPackageDefinition((await import('./helpers.js')).packageDefinition) as never as {
      trisignal: { test: { Echo: grpc.ServiceClientConstructor } };
    };
    // A port nobody listens on: bind, read the port, shut down.
    const spare = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) =>
      spare.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    spare.forceShutdown();
    const client = new proto.trisignal.test.Echo(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
      interceptors: [clientInterceptor({ obs: h.obs, target: `127.0.0.1:${port}` })],
    }) as unknown as Record<string, (...a: unknown[]) => unknown> & grpc.Client;
    const { error } = await unary(client, { text: 'x' }, { deadline: 2000 });
    client.close();
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    await expectQuiet(h);
    const [span] = spansOf(h, 'client', 'Unary');
    expect(span!.attributes).toMatchObject({
      'rpc.grpc.status_code': 14,
      'server.address': '127.0.0.1',
      'server.port': port,
      'error.type': 'UNAVAILABLE',
    });
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
  });
});
