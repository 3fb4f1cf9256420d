import * as grpc from '@grpc/grpc-js';
import { SpanStatusCode } from '@opentelemetry/api';
import { ADMIT, type Admission, type AdmissionDecision, type AdmissionRequest } from '@trisignal/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RETRY_INFO_TYPE_URL } from '../src/index.js';
import { decodeMessage } from './protobuf-decode.js';
import { collect, expectQuiet, type Harness, spansOf, startHarness, unary } from './helpers.js';

/** An admission controller the test steers: sheds while `shedding` says so. */
function steeredAdmission(): Admission & {
  shedding: number;
  admit: ReturnType<typeof vi.fn<(r: AdmissionRequest) => AdmissionDecision>>;
  complete: ReturnType<typeof vi.fn>;
} {
  const admission = {
    shedding: 0,
    admit: vi.fn((_request: AdmissionRequest): AdmissionDecision => {
      if (admission.shedding > 0) {
        admission.shedding--;
        return { admit: false, retryAfterSeconds: 0.05, reason: 'overload' };
      }
      return ADMIT;
    }),
    complete: vi.fn(),
  };
  return admission;
}

async function shedCounter(h: Harness): Promise<{ attributes: Record<string, unknown>; value: number }[]> {
  const { resourceMetrics } = await h.obs.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === 'trisignal.grpc.server.shed');
  return (metric?.dataPoints ?? []) as { attributes: Record<string, unknown>; value: number }[];
}

describe('admission', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a shed call is answered RESOURCE_EXHAUSTED with retry pushback and RetryInfo, never reaches the handler, and is counted', async () => {
    const admission = steeredAdmission();
    h = await startHarness(grpc, {
      admission,
      init: { sloClasses: [{ class: 'gold', rpc: 'trisignal.test.Echo/Unary' }] },
    });
    admission.shedding = 1;
    const runs = h.probe.handlerRuns;
    const { error } = await unary(h.client, { text: 'x' });
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(h.probe.handlerRuns).toBe(runs);
    expect(error!.details).toContain('overload');
    expect(error!.metadata.get('grpc-retry-pushback-ms')).toEqual(['50']);

    const details = error!.metadata.get('grpc-status-details-bin')[0] as Buffer;
    const status = decodeMessage(details);
    expect(status.get(1)).toEqual([8]);
    const any = decodeMessage(status.get(3)![0] as Uint8Array);
    expect(Buffer.from(any.get(1)![0] as Uint8Array).toString()).toBe(RETRY_INFO_TYPE_URL);
    const retryInfo = decodeMessage(any.get(2)![0] as Uint8Array);
    const delay = decodeMessage(retryInfo.get(1)![0] as Uint8Array);
    expect(delay.get(1)).toBeUndefined(); // 0 s
    expect(delay.get(2)).toEqual([50_000_000]); // 50 ms in nanos

    await expectQuiet(h);
    const [server] = spansOf(h, 'server', 'Unary');
    expect(error!.metadata.get('x-trace-id')).toEqual([server!.spanContext().traceId]);
    expect(server!.attributes).toMatchObject({
      'rpc.grpc.status_code': 8,
      'error.type': 'shed',
      'trisignal.admission.reason': 'overload',
      'trisignal.slo.class': 'gold',
    });
    expect(server!.status.code).toBe(SpanStatusCode.ERROR);
    expect(admission.admit).toHaveBeenCalledWith({
      kind: 'rpc',
      method: 'Unary',
      route: 'trisignal.test.Echo/Unary',
      sloClass: 'gold',
    });
    expect(admission.complete).not.toHaveBeenCalled();
    let shedSeries = 0;
    h.obs.recorder.forEachSeries('rpc.server', (s) => {
      if (s.statusCode === 8 && s.errorType === 'shed' && s.sloClass === 'gold') shedSeries++;
    });
    expect(shedSeries).toBe(1);
    expect(await shedCounter(h)).toEqual([
      {
        attributes: {
          'trisignal.admission.reason': 'overload',
          'trisignal.slo.class': 'gold',
          'rpc.service': 'trisignal.test.Echo',
          'rpc.method': 'Unary',
          'rpc.grpc.status_code': 8,
        },
        value: 1,
        startTime: expect.anything(),
        endTime: expect.anything(),
      },
    ]);

    // Admitted calls run and report their outcome.
    const ok = await unary(h.client, { text: 'y' });
    expect(ok.error).toBeNull();
    await expectQuiet(h);
    expect(admission.complete).toHaveBeenCalledTimes(1);
    expect(admission.complete.mock.calls[0]![1]).toMatchObject({ error: false });
  });

  it('sheds every call kind before its handler runs', async () => {
    const admission = steeredAdmission();
    h = await startHarness(grpc, { admission });
    admission.shedding = 3;
    const runs = h.probe.handlerRuns;
    const clientStream = new Promise<grpc.ServiceError>((resolve) => {
      const call = h!.client['clientStream']!((e: grpc.ServiceError) =>
        resolve(e),
      ) as grpc.ClientWritableStream<unknown>;
      call.write({ text: 'x' });
      call.end();
    });
    const serverStream = collect(h.client['serverStream']!({ count: 3 }) as grpc.ClientReadableStream<never>);
    const bidiStream = h.client['bidi']!() as grpc.ClientDuplexStream<unknown, never>;
    const bidi = collect(bidiStream);
    bidiStream.write({ text: 'x' });
    expect((await clientStream).code).toBe(8);
    expect((await serverStream).error?.code).toBe(8);
    expect((await serverStream).replies).toHaveLength(0);
    expect((await bidi).error?.code).toBe(8);
    bidiStream.end();
    expect(h.probe.handlerRuns).toBe(runs);
    await expectQuiet(h);
    const servers = spansOf(h, 'server');
    expect(servers).toHaveLength(3);
    for (const span of servers) expect(span.attributes['error.type']).toBe('shed');
  });

  it('answers UNAVAILABLE when configured', async () => {
    const admission = steeredAdmission();
    h = await startHarness(grpc, { admission, server: { shedStatus: 'UNAVAILABLE' } });
    admission.shedding = 1;
    const { error } = await unary(h.client, { text: 'x' });
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    const status = decodeMessage(error!.metadata.get('grpc-status-details-bin')[0] as Buffer);
    expect(status.get(1)).toEqual([14]);
    await expectQuiet(h);
    expect((await shedCounter(h))[0]!.attributes['rpc.grpc.status_code']).toBe(14);
  });

  it('a grpc-js client with a retry policy honours the pushback and succeeds', async () => {
    const admission = steeredAdmission();
    h = await startHarness(grpc, { admission });
    const { packageDefinition } = await import('./helpers.js');
    const { clientInterceptor } = await import('../src/index.js');
    const proto = grpc.loadPackageDefinition(packageDefinition) as never as {
      trisignal: { test: { Echo: grpc.ServiceClientConstructor } };
    };
    const serviceConfig = {
      methodConfig: [
        {
          name: [{ service: 'trisignal.test.Echo' }],
          retryPolicy: {
            maxAttempts: 3,
            initialBackoff: '0.01s',
            maxBackoff: '0.1s',
            backoffMultiplier: 2,
            retryableStatusCodes: ['RESOURCE_EXHAUSTED'],
          },
        },
      ],
    };
    const client = new proto.trisignal.test.Echo(`127.0.0.1:${h.port}`, grpc.credentials.createInsecure(), {
      interceptors: [clientInterceptor({ obs: h.obs })],
      'grpc.service_config': JSON.stringify(serviceConfig),
    }) as never;
    admission.shedding = 1;
    const { error, reply } = await unary(client, { text: 'retried' });
    (client as grpc.Client).close();
    expect(error).toBeNull();
    expect(reply!.text).toBe('retried');
    expect(admission.admit).toHaveBeenCalledTimes(2);
    await expectQuiet(h);
    // One CLIENT span (the logical call) over two attempts, each with its SERVER span.
    expect(spansOf(h, 'client')).toHaveLength(1);
    expect(
      spansOf(h, 'server')
        .map((s) => s.attributes['rpc.grpc.status_code'])
        .sort(),
    ).toEqual([0, 8]);
  });

  it('a controller that throws admits the call and counts an internal error', async () => {
    const admission: Admission = {
      admit: () => {
        throw new Error('controller bug');
      },
    };
    h = await startHarness(grpc, { admission });
    const { error } = await unary(h.client, { text: 'x' });
    expect(error).toBeNull();
    await expectQuiet(h);
    const { resourceMetrics } = await h.obs.collect();
    const internal = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'trisignal.grpc.internal_errors');
    expect(internal?.dataPoints[0]).toMatchObject({
      attributes: { 'trisignal.grpc.stage': 'admission' },
      value: 1,
    });
  });
});
