import { Writable } from 'node:stream';
import { context, diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
  type ReadableLogRecord,
} from '@opentelemetry/sdk-logs';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { pino, type Logger as PinoLogger, type LoggerOptions as PinoOptions } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isTrisignalError } from './errors.js';
import { createPinoBridge, type PinoBridgeOptions } from './pino.js';

type Line = Record<string, unknown>;

let exporter: InMemoryLogRecordExporter;
let loggerProvider: LoggerProvider;
const tracer = new BasicTracerProvider().getTracer('pino-test');

beforeEach(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  exporter = new InMemoryLogRecordExporter();
  loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
});

afterEach(async () => {
  context.disable();
  diag.disable();
  logs.disable();
  await loggerProvider.shutdown();
});

/** A pino logger with the bridge, writing into memory; `lines` are the parsed pino lines. */
function setup(
  pinoOptions: PinoOptions = {},
  bridgeOptions: PinoBridgeOptions = { loggerProvider },
): { log: PinoLogger; lines: Line[] } {
  const lines: Line[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Line);
      callback();
    },
  });
  const log = pino({ ...createPinoBridge(bridgeOptions), ...pinoOptions }, destination);
  return { log, lines };
}

function records(): ReadableLogRecord[] {
  return exporter.getFinishedLogRecords();
}

function spyDiagWarn(): ReturnType<typeof vi.fn> {
  const warn = vi.fn();
  const logger: DiagLogger = { error: vi.fn(), warn, info: vi.fn(), debug: vi.fn(), verbose: vi.fn() };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  return warn;
}

describe('createPinoBridge: correlation', () => {
  it('writes the active span ids into pino lines and forwards records with the same ids, across an await', async () => {
    const { log, lines } = setup();
    const spanContext = await tracer.startActiveSpan('work', async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.info('inside');
      span.end();
      return span.spanContext();
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      trace_id: spanContext.traceId,
      span_id: spanContext.spanId,
      trace_flags: '01',
    });
    const [record] = records();
    expect(record?.spanContext?.traceId).toBe(spanContext.traceId);
    expect(record?.spanContext?.spanId).toBe(spanContext.spanId);
  });

  it('adds no ids outside a span', () => {
    const { log, lines } = setup();
    log.info('no span');
    expect(Object.keys(lines[0]!)).not.toContain('trace_id');
    expect(Object.keys(lines[0]!)).not.toContain('span_id');
    expect(records()[0]?.spanContext).toBeUndefined();
  });

  it('uses the configured field names', () => {
    const { log, lines } = setup(
      {},
      { loggerProvider, logKeys: { traceId: 'traceId', spanId: 'spanId', traceFlags: 'traceFlags' } },
    );
    tracer.startActiveSpan('keys', (span) => {
      log.info('renamed');
      span.end();
    });
    expect(Object.keys(lines[0]!)).toEqual(expect.arrayContaining(['traceId', 'spanId', 'traceFlags']));
    expect(Object.keys(lines[0]!)).not.toContain('trace_id');
    expect(Object.keys(records()[0]!.attributes)).not.toContain('traceId');
  });

  it('with forward: false only adds the ids and installs no hooks', () => {
    const bridge = createPinoBridge({ loggerProvider, forward: false });
    expect(bridge.hooks).toBeUndefined();
    const { log, lines } = setup({}, { loggerProvider, forward: false });
    const traceId = tracer.startActiveSpan('local', (span) => {
      log.warn('only correlated');
      span.end();
      return span.spanContext().traceId;
    });
    expect(lines[0]).toMatchObject({ trace_id: traceId, msg: 'only correlated' });
    expect(records()).toEqual([]);
  });
});

describe('createPinoBridge: forwarding', () => {
  it('maps pino levels to severities and keeps pino labels as severity text', () => {
    const { log } = setup({ level: 'trace' });
    log.trace('t');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.fatal('f');
    expect(records().map((r) => [r.severityNumber, r.severityText, r.body])).toEqual([
      [1, 'trace', 't'],
      [5, 'debug', 'd'],
      [9, 'info', 'i'],
      [13, 'warn', 'w'],
      [17, 'error', 'e'],
      [21, 'fatal', 'f'],
    ]);
  });

  it('forwards nothing for a level pino has disabled', () => {
    const { log, lines } = setup({ level: 'info' });
    log.debug('hidden');
    log.trace('hidden');
    expect(lines).toEqual([]);
    expect(records()).toEqual([]);
  });

  it('uses the formatted message as body, exactly as pino wrote it', () => {
    const { log, lines } = setup();
    // Called untyped: pino's template-literal argument types do not model `%%`.
    Reflect.apply(log.info, log, ['%s has %d items %o %j at 100%%', 'cart', 3, { a: 1 }, [2]]);
    log.info({ user: 'ada' }, 'hello %s', 'world');
    expect(records().map((r) => r.body)).toEqual(lines.map((line) => line['msg']));
    expect(records()[0]?.body).toBe('cart has 3 items {"a":1} [2] at 100%');
    expect(records()[1]?.body).toBe('hello world');
  });

  it('forwards the merging object and the child bindings as attributes, without pino bookkeeping fields', () => {
    const { log, lines } = setup({ name: 'api' });
    const child = log.child({ module: 'db' });
    tracer.startActiveSpan('query', (span) => {
      child.info({ query: { table: 'users', rows: 2 }, cached: false }, 'ran query');
      span.end();
    });
    const [record] = records();
    expect(record?.attributes).toEqual({
      name: 'api',
      module: 'db',
      query: { table: 'users', rows: 2 },
      cached: false,
    });
    expect(record?.hrTime).toEqual([
      Math.floor((lines[0]!['time'] as number) / 1000),
      ((lines[0]!['time'] as number) % 1000) * 1e6,
    ]);
  });

  it('turns a logged error into exception attributes and keeps its other fields', () => {
    const { log } = setup();
    const error = Object.assign(new TypeError('connect failed'), { code: 'ECONNREFUSED' });
    log.error(error);
    log.error({ err: error, attempt: 2 }, 'retrying');
    const [first, second] = records();
    expect(first?.body).toBe('connect failed');
    expect(first?.attributes).toEqual({
      'exception.type': 'TypeError',
      'exception.message': 'connect failed',
      'exception.stacktrace': error.stack,
      err: { code: 'ECONNREFUSED' },
    });
    expect(second?.body).toBe('retrying');
    expect(second?.attributes).toMatchObject({ attempt: 2, 'exception.type': 'TypeError' });
  });

  it("honours pino's redact paths and serializers in what it forwards", () => {
    const { log, lines } = setup({
      redact: ['password', 'card.number'],
      serializers: { user: (user: { id: number }) => ({ id: user.id }) },
    });
    log.info(
      { password: 'hunter2', card: { number: '4111', brand: 'visa' }, user: { id: 1, email: 'a@b.c' } },
      'login',
    );
    expect(lines[0]).toMatchObject({ password: '[Redacted]' });
    expect(records()[0]?.attributes).toEqual({
      password: '[Redacted]',
      card: { number: '[Redacted]', brand: 'visa' },
      user: { id: 1 },
    });
  });

  it('keeps severity and label right with custom levels and a reformatted level field', () => {
    const { log } = setup({
      customLevels: { audit: 35 },
      formatters: { level: (label) => ({ severity: label }) },
    });
    (log as unknown as PinoLogger<'audit'>).audit('custom');
    log.warn('standard');
    expect(records().map((r) => [r.severityNumber, r.severityText])).toEqual([
      [11, 'audit'],
      [13, 'warn'],
    ]);
    expect(records()[0]?.attributes).toEqual({ severity: 'audit' });
  });

  it('applies msgPrefix and a custom messageKey', () => {
    const { log } = setup({ messageKey: 'message' }, { loggerProvider, messageKey: 'message' });
    log.child({}, { msgPrefix: '[db] ' }).info('slow query');
    expect(records()[0]?.body).toBe('[db] slow query');
    expect(records()[0]?.attributes).toEqual({});
  });

  it('parses iso and unix time formats', () => {
    const iso = setup({ timestamp: pino.stdTimeFunctions.isoTime });
    iso.log.info('iso');
    const unix = setup({ timestamp: pino.stdTimeFunctions.unixTime });
    unix.log.info('unix');
    const [isoRecord, unixRecord] = records();
    expect(isoRecord?.hrTime[0]).toBe(Math.floor(Date.parse(iso.lines[0]!['time'] as string) / 1000));
    expect(unixRecord?.hrTime[0]).toBe(unix.lines[0]!['time']);
    expect(isoRecord?.attributes).toEqual({});
  });

  it('defaults to the global logs provider', () => {
    logs.setGlobalLoggerProvider(loggerProvider);
    const { log } = setup({}, {});
    log.info('via global');
    expect(records().map((r) => [r.body, r.instrumentationScope.name])).toEqual([
      ['via global', '@trisignal/core/pino'],
    ]);
  });

  it('forwards the lines of a nested log call to the right levels', () => {
    const holder: { inner?: PinoLogger } = {};
    const { log } = setup({
      serializers: {
        payload: (payload: unknown) => {
          holder.inner?.debug('serializing');
          return payload;
        },
      },
      level: 'debug',
      // Without a numeric level field in the line, only the noted level can give the severity.
      formatters: { level: (label) => ({ severity: label }) },
    });
    holder.inner = log;
    log.error({ payload: 1 }, 'outer');
    expect(records().map((r) => [r.body, r.severityNumber, r.severityText])).toEqual([
      ['serializing', 5, 'debug'],
      ['outer', 17, 'error'],
    ]);
  });
});

describe('createPinoBridge: failure handling', () => {
  it('returns a line it cannot parse unchanged and drops only the record', () => {
    const warn = spyDiagWarn();
    const { hooks } = createPinoBridge({ loggerProvider });
    expect(hooks?.streamWrite('not json\n')).toBe('not json\n');
    expect(records()).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('warns once when pino never calls streamWrite (pino older than 9.6)', () => {
    const warn = spyDiagWarn();
    const { hooks } = createPinoBridge({ loggerProvider });
    const method = vi.fn();
    const fakeLogger = { levels: { labels: { 30: 'info' } } } as unknown as PinoLogger;
    hooks?.logMethod.call(fakeLogger, ['first'] as never, method, 30);
    hooks?.logMethod.call(fakeLogger, ['second'] as never, method, 30);
    expect(method).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/9\.6/);
  });

  it('still writes the line when the provider throws', () => {
    const { log, lines } = setup(
      {},
      {
        loggerProvider: {
          getLogger: () => ({
            emit: () => {
              throw new Error('exporter exploded');
            },
            enabled: () => true,
          }),
        },
      },
    );
    expect(() => log.info('kept')).not.toThrow();
    expect(lines.map((line) => line['msg'])).toEqual(['kept']);
  });

  it('rejects malformed options with coded errors', () => {
    let thrown: unknown;
    try {
      createPinoBridge({ logKeys: { traceId: '' } });
    } catch (error) {
      thrown = error;
    }
    expect(isTrisignalError(thrown)).toBe(true);
    expect((thrown as Error).message).toBe('Expected `logKeys.traceId` to be a non-empty string, got `""`');
    expect(() => createPinoBridge({ forward: 'yes' as never })).toThrow(/`forward`/);
    expect(() => createPinoBridge({ loggerProvider: {} as never })).toThrow(/`loggerProvider`/);
    expect(() => createPinoBridge({ messageKey: '' })).toThrow(/`messageKey`/);
  });
});
