import { init, isTrisignalError, type Observability } from '@trisignal/core';
import { afterAll, describe, expect, it } from 'vitest';
import { GrpcMiddlewareError } from './errors.js';
import { resolveClientInterceptorOptions, resolveServerInterceptorOptions } from './options.js';
import { clientInterceptor } from './client-interceptor.js';
import { serverInterceptor } from './server-interceptor.js';

const obs: Observability = init({
  service: 'opts',
  signalHooks: false,
  runtimeMetrics: false,
  registerGlobals: false,
});
afterAll(() => obs.shutdown());

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(isTrisignalError(error)).toBe(true);
    expect(error).toBeInstanceOf(GrpcMiddlewareError);
    return (error as GrpcMiddlewareError).code;
  }
  return undefined;
}

describe('resolveServerInterceptorOptions', () => {
  it('applies the defaults', () => {
    expect(resolveServerInterceptorOptions({ obs })).toEqual({
      obs,
      admission: undefined,
      traceIdMetadataKey: 'x-trace-id',
      shedStatus: 8,
    });
  });

  it('lets an explicit undefined keep the default, lower-cases the key, accepts names and numbers', () => {
    expect(
      resolveServerInterceptorOptions({ obs, traceIdMetadataKey: undefined, shedStatus: undefined }),
    ).toMatchObject({ traceIdMetadataKey: 'x-trace-id', shedStatus: 8 });
    expect(
      resolveServerInterceptorOptions({ obs, traceIdMetadataKey: 'X-Request-Trace' }).traceIdMetadataKey,
    ).toBe('x-request-trace');
    expect(
      resolveServerInterceptorOptions({ obs, traceIdMetadataKey: false }).traceIdMetadataKey,
    ).toBeUndefined();
    expect(resolveServerInterceptorOptions({ obs, shedStatus: 'UNAVAILABLE' }).shedStatus).toBe(14);
    expect(resolveServerInterceptorOptions({ obs, shedStatus: 14 }).shedStatus).toBe(14);
    expect(resolveServerInterceptorOptions({ obs, shedStatus: 8 }).shedStatus).toBe(8);
  });

  it('throws TRISIGNAL_GRPC_MISSING_OBS without obs', () => {
    expect(codeOf(() => serverInterceptor({} as never))).toBe('TRISIGNAL_GRPC_MISSING_OBS');
    expect(codeOf(() => clientInterceptor({ obs: null } as never))).toBe('TRISIGNAL_GRPC_MISSING_OBS');
  });

  it.each([
    ['options', null],
    ['obs', { obs: { tracerProvider: {} } }],
    ['admission', { obs, admission: {} }],
    ['traceIdMetadataKey', { obs, traceIdMetadataKey: 'has space' }],
    ['traceIdMetadataKey', { obs, traceIdMetadataKey: 'trace-bin' }],
    ['traceIdMetadataKey', { obs, traceIdMetadataKey: 'grpc-trace' }],
    ['traceIdMetadataKey', { obs, traceIdMetadataKey: 42 }],
    ['shedStatus', { obs, shedStatus: 'INTERNAL' }],
    ['shedStatus', { obs, shedStatus: 13 }],
  ])('throws TRISIGNAL_GRPC_INVALID_OPTION for a bad %s', (field, options) => {
    let message = '';
    try {
      resolveServerInterceptorOptions(options as never);
    } catch (error) {
      expect((error as GrpcMiddlewareError).code).toBe('TRISIGNAL_GRPC_INVALID_OPTION');
      message = (error as Error).message;
    }
    expect(message).toMatch(new RegExp(`^Expected \`${field}\` to be `));
  });
});

describe('resolveClientInterceptorOptions', () => {
  it('applies the defaults and validates target', () => {
    expect(resolveClientInterceptorOptions({ obs })).toEqual({ obs, target: undefined });
    expect(resolveClientInterceptorOptions({ obs, target: 'inventory:50051' }).target).toBe(
      'inventory:50051',
    );
    expect(codeOf(() => resolveClientInterceptorOptions({ obs, target: '' }))).toBe(
      'TRISIGNAL_GRPC_INVALID_OPTION',
    );
  });
});
