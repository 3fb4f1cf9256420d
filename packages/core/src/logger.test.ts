import {
  context,
  diag,
  DiagLogLevel,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type DiagLogger,
} from '@opentelemetry/api';
import type {
  LogRecord,
  Logger as OtelLogger,
  LoggerProvider as LoggerProviderApi,
} from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isTrisignalError } from './errors.js';
import { createLogger, isLogLevel, LOG_LEVELS, type Logger } from './logger.js';

let exporter: InMemoryLogRecordExporter;
let loggerProvider: LoggerProvider;
const tracer = new BasicTracerProvider().getTracer('logger-test');

beforeEach(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  exporter = new InMemoryLogRecordExporter();
  loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
});

afterEach(async () => {
  context.disable();
  diag.disable();
  await loggerProvider.shutdown();
});

function records(): ReadableLogRecord[] {
  return exporter.getFinishedLogRecords();
}

function only(): ReadableLogRecord {
  const all = records();
  expect(all).toHaveLength(1);
  return all[0]!;
}

/** A provider whose logger hands every emitted record to `sink`, to see exactly what the facade passes. */
function capturingProvider(sink: LogRecord[], overrides: Partial<OtelLogger> = {}): LoggerProviderApi {
  const logger: OtelLogger = { emit: (record) => sink.push(record), enabled: () => true, ...overrides };
  return { getLogger: () => logger };
}

function spyDiag(): { warn: ReturnType<typeof vi.fn> } {
  const warn = vi.fn();
  const logger: DiagLogger = { error: vi.fn(), warn, info: vi.fn(), debug: vi.fn(), verbose: vi.fn() };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return { warn };
}

describe('createLogger: trace correlation', () => {
  it('gives a record the trace and span ids of the span active when it is logged, across an await', async () => {
    const log = createLogger(loggerProvider);
    const spanContext = await tracer.startActiveSpan('work', async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.info('inside the span');
      span.end();
      return span.spanContext();
    });
    const record = only();
    expect(record.spanContext?.traceId).toBe(spanContext.traceId);
    expect(record.spanContext?.spanId).toBe(spanContext.spanId);
    expect(record.spanContext?.traceFlags).toBe(spanContext.traceFlags);
  });

  it('gives a record no ids outside any span', () => {
    createLogger(loggerProvider).info('no span');
    expect(only().spanContext).toBeUndefined();
  });

  it('passes the active context itself, so any provider (not only the SDK) sees the ids', () => {
    const sink: LogRecord[] = [];
    const log = createLogger(capturingProvider(sink));
    const spanContext = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.SAMPLED };
    context.with(trace.setSpanContext(ROOT_CONTEXT, spanContext), () => log.warn('correlated'));
    expect(sink).toHaveLength(1);
    expect(trace.getSpanContext(sink[0]!.context!)).toEqual(spanContext);
  });
});

describe('createLogger: records', () => {
  it('maps each level to the OpenTelemetry severity number and text, with the message as body', () => {
    const log = createLogger(loggerProvider, { level: 'trace' });
    for (const level of LOG_LEVELS) log[level](`at ${level}`);
    expect(records().map((r) => [r.severityNumber, r.severityText, r.body])).toEqual([
      [1, 'TRACE', 'at trace'],
      [5, 'DEBUG', 'at debug'],
      [9, 'INFO', 'at info'],
      [13, 'WARN', 'at warn'],
      [17, 'ERROR', 'at error'],
      [21, 'FATAL', 'at fatal'],
    ]);
  });

  it('uses @trisignal/core as the instrumentation scope unless named', () => {
    createLogger(loggerProvider).info('a');
    createLogger(loggerProvider, { name: 'billing' }).info('b');
    expect(records().map((r) => r.instrumentationScope.name)).toEqual(['@trisignal/core', 'billing']);
  });

  it('emits nothing below the level and everything at or above it', () => {
    const log = createLogger(loggerProvider, { level: 'warn' });
    log.trace('t');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.fatal('f');
    expect(records().map((r) => r.body)).toEqual(['w', 'e', 'f']);
  });

  it('returns before touching the attributes of a disabled level', () => {
    const sink: LogRecord[] = [];
    const log = createLogger(capturingProvider(sink), { level: 'error' });
    const attributes = {
      get touched(): string {
        throw new Error('read a disabled call');
      },
    };
    log.debug('skipped', attributes);
    log.info('skipped', attributes);
    log.warn('skipped', attributes);
    expect(sink).toEqual([]);
  });

  it('reports enabled levels from its own level and the SDK', async () => {
    const log = createLogger(loggerProvider, { level: 'info' });
    expect(log.isLevelEnabled('debug')).toBe(false);
    expect(log.isLevelEnabled('info')).toBe(true);
    expect(log.isLevelEnabled('fatal')).toBe(true);
    expect(log.isLevelEnabled('verbose' as never)).toBe(false);
    await loggerProvider.shutdown();
    expect(log.isLevelEnabled('error')).toBe(false);
  });

  it('binds option attributes to every record, and lets call attributes win', () => {
    const log = createLogger(loggerProvider, { attributes: { component: 'billing', region: 'eu' } });
    log.info('first');
    log.info('second', { region: 'us', 'order.id': 42 });
    expect(records().map((r) => r.attributes)).toEqual([
      { component: 'billing', region: 'eu' },
      { component: 'billing', region: 'us', 'order.id': 42 },
    ]);
  });

  it('merges child bindings over the parent without changing the parent', () => {
    const parent = createLogger(loggerProvider, { attributes: { component: 'billing' } });
    const child = parent.child({ 'request.id': 'r1', component: 'charges' });
    const grandchild = child.child({ attempt: 2 });
    child.info('child', { extra: true });
    grandchild.info('grandchild');
    parent.info('parent');
    expect(records().map((r) => r.attributes)).toEqual([
      { component: 'charges', 'request.id': 'r1', extra: true },
      { component: 'charges', 'request.id': 'r1', attempt: 2 },
      { component: 'billing' },
    ]);
  });

  it('keeps the level in children', () => {
    const child = createLogger(loggerProvider, { level: 'error' }).child({ a: 1 });
    child.warn('dropped');
    child.error('kept');
    expect(records().map((r) => r.body)).toEqual(['kept']);
  });
});

describe('createLogger: errors', () => {
  it('turns an Error message into the body plus exception attributes', () => {
    const log = createLogger(loggerProvider);
    const error = new TypeError('bad input');
    log.error(error, { 'order.id': 7 });
    const record = only();
    expect(record.body).toBe('bad input');
    expect(record.attributes).toEqual({
      'order.id': 7,
      'exception.type': 'TypeError',
      'exception.message': 'bad input',
      'exception.stacktrace': error.stack,
    });
  });

  it('turns the first Error attribute into exception attributes', () => {
    class PaymentDeclined extends Error {}
    const log = createLogger(loggerProvider);
    const error = new PaymentDeclined('declined');
    log.error('charge failed', { err: error, amount: 10 });
    const record = only();
    expect(record.body).toBe('charge failed');
    expect(record.attributes).toEqual({
      amount: 10,
      'exception.type': 'PaymentDeclined',
      'exception.message': 'declined',
      'exception.stacktrace': error.stack,
    });
  });

  it('keeps a second Error as a map under its key, and explicit exception attributes win', () => {
    const log = createLogger(loggerProvider);
    const cause = new RangeError('out of range');
    log.fatal(new Error('crashed'), { cause, 'exception.type': 'Crash' });
    const attributes = only().attributes;
    expect(attributes['exception.type']).toBe('Crash');
    expect(attributes['exception.message']).toBe('crashed');
    expect(attributes['cause']).toEqual({
      type: 'RangeError',
      message: 'out of range',
      stacktrace: cause.stack,
    });
  });

  it('maps an emit() exception field to exception attributes', () => {
    createLogger(loggerProvider).emit({ body: 'x', exception: new SyntaxError('bad json') });
    expect(only().attributes).toMatchObject({
      'exception.type': 'SyntaxError',
      'exception.message': 'bad json',
    });
  });
});

describe('createLogger: attribute values', () => {
  it('converts values that are not AnyValues, and drops those with no representation', () => {
    const log = createLogger(loggerProvider);
    log.info('values', {
      when: new Date('2024-01-02T03:04:05.000Z'),
      big: 2n ** 70n,
      nested: { list: [1, 'two', undefined, () => 3], flag: true },
      bytes: new Uint8Array([1, 2]),
      nothing: null,
      gone: undefined,
      fn: () => 1,
      sym: Symbol('s'),
    });
    expect(only().attributes).toEqual({
      when: '2024-01-02T03:04:05.000Z',
      big: '1180591620717411303424',
      nested: { list: [1, 'two', null, null], flag: true },
      bytes: new Uint8Array([1, 2]),
      nothing: null,
    });
  });

  it('marks cycles and truncates deep nesting instead of walking forever', () => {
    const cyclic: Record<string, unknown> = { name: 'root' };
    cyclic['self'] = cyclic;
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    createLogger(loggerProvider).info('shapes', { cyclic, deep });
    const attributes = only().attributes as Record<string, unknown>;
    expect(attributes['cyclic']).toEqual({ name: 'root', self: '[Circular]' });
    expect(JSON.stringify(attributes['deep'])).toContain('[Truncated]');
    expect(JSON.stringify(attributes['deep'])).not.toContain('leaf');
  });

  it('keeps a JSON "__proto__" key from replacing the attributes prototype', () => {
    const attributes = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    createLogger(loggerProvider).info('parsed', attributes);
    const record = only();
    expect(record.attributes).toEqual({ ok: 1 });
    expect((record.attributes as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('createLogger: never throws', () => {
  it('survives hostile attribute objects and still emits what it can', () => {
    const log = createLogger(loggerProvider);
    const throwingGetter = {
      fine: 'yes',
      get broken(): string {
        throw new Error('getter');
      },
    };
    const hostileProxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('ownKeys');
        },
      },
    );
    const throwingToJSON = {
      toJSON() {
        throw new Error('toJSON');
      },
    };
    const hostileError = new Error('hidden');
    Object.defineProperty(hostileError, 'message', {
      get() {
        throw new Error('message getter');
      },
    });
    expect(() => {
      log.info('getter', throwingGetter);
      log.info('proxy', hostileProxy);
      log.info('nested', { value: throwingToJSON, other: 1 });
      log.error(hostileError);
      log.child(hostileProxy).info('from child');
      log.info(42 as never);
      log.emit(null as never);
    }).not.toThrow();
    const byBody = new Map(records().map((r) => [r.body, r.attributes]));
    expect(byBody.get('getter')).toEqual({ fine: 'yes' });
    expect(byBody.get('proxy')).toEqual({});
    expect(byBody.get('nested')).toEqual({ other: 1 });
    expect(byBody.get('from child')).toEqual({});
    expect(byBody.has(42)).toBe(true);
    expect(records().some((r) => r.attributes['exception.type'] === 'Error')).toBe(true);
  });

  it('drops the record and tells diag when the provider throws', () => {
    const { warn } = spyDiag();
    const failing = capturingProvider([], {
      emit: () => {
        throw new Error('exporter exploded');
      },
    });
    const log: Logger = createLogger(failing);
    expect(() => {
      for (let i = 0; i < 1000; i++) log.info('lost');
    }).not.toThrow();
    // One report for many drops (the first, then every 1000th), never one per record.
    expect(warn.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(warn.mock.calls.length).toBeLessThanOrEqual(2);
    expect(String(warn.mock.calls[0]![0])).toMatch(/dropped/);
  });
});

describe('createLogger: emit', () => {
  it('emits a record of any body type with event name, bound attributes and its own context', () => {
    const log = createLogger(loggerProvider, { attributes: { component: 'cart' } });
    const spanContext = { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: TraceFlags.SAMPLED };
    log.emit({
      eventName: 'cart.checkout',
      severityNumber: 9,
      body: { items: 3, total: 9.5 },
      attributes: { currency: 'EUR' },
      context: trace.setSpanContext(ROOT_CONTEXT, spanContext),
    });
    const record = only();
    expect(record.eventName).toBe('cart.checkout');
    expect(record.body).toEqual({ items: 3, total: 9.5 });
    expect(record.attributes).toEqual({ component: 'cart', currency: 'EUR' });
    expect(record.spanContext?.traceId).toBe(spanContext.traceId);
  });

  it('drops an emitted record below the level but keeps one without a severity', () => {
    const log = createLogger(loggerProvider, { level: 'warn' });
    log.emit({ severityNumber: 5, body: 'debug' });
    log.emit({ body: 'unspecified' });
    expect(records().map((r) => r.body)).toEqual(['unspecified']);
  });

  it('uses the active context when the record has none', async () => {
    const log = createLogger(loggerProvider);
    const spanId = await tracer.startActiveSpan('emit', async (span) => {
      await Promise.resolve();
      log.emit({ body: 'in span' });
      span.end();
      return span.spanContext().spanId;
    });
    expect(only().spanContext?.spanId).toBe(spanId);
  });
});

describe('createLogger: options', () => {
  it('rejects an unknown level with a coded error naming the choices', () => {
    let thrown: unknown;
    try {
      createLogger(loggerProvider, { level: 'verbose' as never });
    } catch (error) {
      thrown = error;
    }
    expect(isTrisignalError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: 'TRISIGNAL_CORE_INVALID_OPTION' });
    expect((thrown as Error).message).toBe(
      'Expected `level` to be one of "trace", "debug", "info", "warn", "error", "fatal", got `"verbose"`',
    );
  });

  it('rejects a bad provider, name or attributes', () => {
    expect(() => createLogger({} as never)).toThrow(/`provider`/);
    expect(() => createLogger(loggerProvider, { name: '' })).toThrow(/`name`/);
    expect(() => createLogger(loggerProvider, { attributes: [] as never })).toThrow(/`attributes`/);
  });

  it('treats explicit undefined options as defaults', () => {
    const log = createLogger(loggerProvider, { name: undefined, level: undefined, attributes: undefined });
    log.debug('below info');
    log.info('at info');
    expect(only().instrumentationScope.name).toBe('@trisignal/core');
  });

  it('recognises log levels', () => {
    expect(LOG_LEVELS.every(isLogLevel)).toBe(true);
    expect(isLogLevel('verbose')).toBe(false);
    expect(isLogLevel('toString')).toBe(false);
  });
});
