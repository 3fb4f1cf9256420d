import { describe, expect, it } from 'vitest';
import { parseHeadersEnv, resolveOtlpHttpOptions } from './options.js';

describe('resolveOtlpHttpOptions', () => {
  it('defaults to http://localhost:4318/v1/<signal>, protobuf, gzip, 10 s', () => {
    const o = resolveOtlpHttpOptions('traces', { env: {} });
    expect(o.url.href).toBe('http://localhost:4318/v1/traces');
    expect(o.protocol).toBe('http/protobuf');
    expect(o.compression).toBe('gzip');
    expect(o.timeoutMillis).toBe(10_000);
    expect(o.headers['User-Agent']).toMatch(/^trisignal-exporters\//);
  });

  it('appends the signal path to the generic endpoint but uses a per-signal endpoint as is', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4318/base/',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:9999/custom',
    };
    expect(resolveOtlpHttpOptions('metrics', { env }).url.href).toBe(
      'https://collector:4318/base/v1/metrics',
    );
    expect(resolveOtlpHttpOptions('logs', { env }).url.href).toBe('http://logs:9999/custom');
  });

  it('lets options win over variables, and per-signal variables over generic ones', () => {
    const env = {
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2000',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
      OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'zstd',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=two%20words',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=3',
    };
    const fromEnv = resolveOtlpHttpOptions('traces', { env });
    expect(fromEnv.timeoutMillis).toBe(2000);
    expect(fromEnv.compression).toBe('zstd');
    expect(fromEnv.protocol).toBe('http/json');
    expect(fromEnv.headers).toMatchObject({ a: '1', b: '3' });
    expect(resolveOtlpHttpOptions('metrics', { env }).headers).toMatchObject({ a: '1', b: 'two words' });
    const fromOptions = resolveOtlpHttpOptions('traces', {
      env,
      timeoutMillis: 50,
      compression: 'gzip',
      url: 'http://x:1/y',
      headers: { B: 'opt', 'Content-Type': 'text/evil' },
    });
    expect(fromOptions.timeoutMillis).toBe(50);
    expect(fromOptions.compression).toBe('gzip');
    expect(fromOptions.url.href).toBe('http://x:1/y');
    expect(fromOptions.headers['B']).toBe('opt');
    expect(fromOptions.headers['b']).toBeUndefined();
    expect(fromOptions.headers['Content-Type']).toBeUndefined();
  });

  it('keeps a user-agent given by the user', () => {
    const o = resolveOtlpHttpOptions('traces', { env: {}, headers: { 'user-agent': 'mine/1' } });
    expect(o.headers['user-agent']).toBe('mine/1');
    expect(o.headers['User-Agent']).toBeUndefined();
  });

  it('reads the temporality preference', () => {
    expect(
      resolveOtlpHttpOptions('metrics', {
        env: { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'Delta' },
      }).temporalityPreference,
    ).toBe('delta');
  });

  it('throws typed errors naming the field or variable', () => {
    expect(() => resolveOtlpHttpOptions('traces', { env: {}, timeoutMillis: 0 })).toThrow(
      expect.objectContaining({
        code: 'TRISIGNAL_EXPORTER_INVALID_OPTION',
        message: expect.stringContaining('timeoutMillis'),
      }),
    );
    expect(() => resolveOtlpHttpOptions('traces', { env: { OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' } })).toThrow(
      expect.objectContaining({
        code: 'TRISIGNAL_EXPORTER_INVALID_ENV',
        message: expect.stringContaining('OTEL_EXPORTER_OTLP_TIMEOUT'),
      }),
    );
    expect(() =>
      resolveOtlpHttpOptions('traces', { env: { OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli' } }),
    ).toThrow(/COMPRESSION/);
    expect(() => resolveOtlpHttpOptions('traces', { env: {}, url: 'ftp://x' })).toThrow(/url/);
    expect(() =>
      resolveOtlpHttpOptions('traces', { env: {}, compression: 'zstd', compressionLevel: 30 }),
    ).toThrow(/compressionLevel/);
    expect(() => resolveOtlpHttpOptions('traces', { env: {}, durable: { dir: '' } })).toThrow(/durable\.dir/);
  });

  it('ignores a grpc protocol variable (this exporter speaks HTTP)', () => {
    expect(resolveOtlpHttpOptions('traces', { env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } }).protocol).toBe(
      'http/protobuf',
    );
  });
});

describe('parseHeadersEnv', () => {
  it('parses percent-encoded pairs and rejects malformed lists', () => {
    expect(parseHeadersEnv('X', 'api-key=a%3Db, x = y ')).toEqual({ 'api-key': 'a=b', x: 'y' });
    expect(() => parseHeadersEnv('X', 'novalue')).toThrow(/X/);
  });
});
