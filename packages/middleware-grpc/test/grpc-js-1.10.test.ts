import * as grpc110 from 'grpc-js-1.10';
import { describe, expect, it, vi } from 'vitest';
import { init } from '@trisignal/core';
import { clientInterceptor, serverInterceptor } from '../src/index.js';
import { callKindsSuite } from './suites/call-kinds.js';

// The oldest supported grpc-js (server interceptors arrived in 1.10.0), for the package source and the
// tests alike: every import of @grpc/grpc-js in this file's module graph gets 1.10.0.
vi.mock('@grpc/grpc-js', async () => await import('grpc-js-1.10'));

describe('grpc-js 1.10.0', () => {
  it('is the grpc-js the interceptors are built from', async () => {
    const grpc = await import('@grpc/grpc-js');
    expect(grpc.ServerInterceptingCall).toBe(grpc110.ServerInterceptingCall);
    const obs = init({ service: 'probe', signalHooks: false, runtimeMetrics: false, registerGlobals: false });
    const call = serverInterceptor({ obs })(
      { path: '/a.B/C', requestStream: false, responseStream: false } as never,
      {} as never,
    );
    expect(call).toBeInstanceOf(grpc110.ServerInterceptingCall);
    const client = clientInterceptor({ obs })(
      { method_definition: { path: '/a.B/C', requestStream: false, responseStream: false } } as never,
      () => ({}) as never,
    );
    expect(client).toBeInstanceOf(grpc110.InterceptingCall);
    await obs.shutdown();
  });
});

callKindsSuite('grpc-js 1.10.0');
