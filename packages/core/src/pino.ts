/**
 * `@trisignal/core/pino`: log correlation and log forwarding for pino. Spread the bridge into pino's options;
 * every line then carries the active span's `trace_id`, `span_id` and `trace_flags`, and (unless
 * `forward: false`) every line is also emitted as an OpenTelemetry log record. pino is only imported for
 * types, so this entry point loads without pino installed.
 */
import { context, diag, isSpanContextValid, trace } from '@opentelemetry/api';
import {
  logs,
  type AnyValue,
  type AnyValueMap,
  type LogRecord,
  type Logger as OtelLogger,
  type LoggerProvider,
} from '@opentelemetry/api-logs';
import type { LogFn, Logger as PinoLogger } from 'pino';
import { invalidOption } from './errors.js';
import { ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_STACKTRACE, ATTR_EXCEPTION_TYPE } from './semconv.js';
import { VERSION } from './version.js';

/** Names of the correlation fields written to each pino line. */
export interface PinoLogKeys {
  /** @default 'trace_id' */
  readonly traceId?: string | undefined;
  /** @default 'span_id' */
  readonly spanId?: string | undefined;
  /** @default 'trace_flags' */
  readonly traceFlags?: string | undefined;
}

/** Options of {@link createPinoBridge}. */
export interface PinoBridgeOptions {
  /**
   * Where forwarded records go.
   * @default the global logs API provider (`logs.getLoggerProvider()`), resolved lazily by the API's proxy
   */
  readonly loggerProvider?: LoggerProvider | undefined;
  /**
   * Instrumentation scope name of forwarded records.
   * @default '@trisignal/core/pino'
   */
  readonly name?: string | undefined;
  /**
   * Emit every pino line as an OpenTelemetry log record too; `false` only adds the correlation fields.
   * @default true
   */
  readonly forward?: boolean | undefined;
  /**
   * Field names of the correlation ids in pino lines.
   * @default { traceId: 'trace_id', spanId: 'span_id', traceFlags: 'trace_flags' }
   */
  readonly logKeys?: PinoLogKeys | undefined;
  /**
   * pino's `messageKey`: the field that becomes the record body. Set it when pino's is not the default.
   * @default 'msg'
   */
  readonly messageKey?: string | undefined;
  /**
   * pino's `errorKey`: the serialized error in that field becomes `exception.*` attributes.
   * @default 'err'
   */
  readonly errorKey?: string | undefined;
}

/** Defaults of {@link PinoBridgeOptions}. */
export const PINO_BRIDGE_DEFAULTS = Object.freeze({
  name: '@trisignal/core/pino',
  forward: true,
  logKeys: Object.freeze({ traceId: 'trace_id', spanId: 'span_id', traceFlags: 'trace_flags' }),
  messageKey: 'msg',
  errorKey: 'err',
});

/** pino hooks installed by the bridge when forwarding. */
export interface PinoBridgeHooks {
  /** Notes the level and logger of the call, then writes the line through pino as usual. */
  readonly logMethod: (this: PinoLogger, args: Parameters<LogFn>, method: LogFn, level: number) => void;
  /** Emits the finished line (after serializers, redaction and formatters) as a log record; returns it unchanged. */
  readonly streamWrite: (line: string) => string;
}

/** pino options to spread into `pino({...})`. */
export interface PinoBridge {
  /** pino `mixin`: the active span's ids, or nothing outside a span. Call it from your own mixin to combine. */
  readonly mixin: () => Record<string, string>;
  /** pino `hooks`; absent with `forward: false`. */
  readonly hooks?: PinoBridgeHooks;
}

/**
 * Creates the pino options that correlate and forward pino logs. Forwarding reads each finished line, so pino's
 * serializers, `redact` paths and formatters apply to what leaves the process exactly as to what is printed;
 * it needs pino >= 9.6 (`hooks.streamWrite`), older pino only gets the correlation fields.
 * Throws `TRISIGNAL_CORE_INVALID_OPTION` for a malformed option.
 * @example
 * import pino from 'pino';
 * import { createPinoBridge } from '@trisignal/core/pino';
 * const log = pino({ level: 'debug', ...createPinoBridge({ loggerProvider }) });
 */
export function createPinoBridge(options: PinoBridgeOptions = {}): PinoBridge {
  const resolved = resolvePinoBridgeOptions(options);
  const mixin = createMixin(resolved.traceIdKey, resolved.spanIdKey, resolved.traceFlagsKey);
  if (!resolved.forward) return { mixin };
  const otel = resolved.loggerProvider.getLogger(resolved.name, VERSION);
  const forwarder = new LineForwarder(otel, resolved);

  // logMethod runs before pino writes and streamWrite inside the same synchronous call, so the level and label
  // noted here belong to the line streamWrite sees (the line's own "level" may have been reformatted). A nested
  // log call (a serializer that logs) saves and restores them like a stack.
  let pendingLevel: number | undefined;
  let pendingLabel: string | undefined;
  let lines = 0;
  let warnedNoStreamWrite = false;

  const hooks: PinoBridgeHooks = {
    logMethod(args, method, level) {
      const outerLevel = pendingLevel;
      const outerLabel = pendingLabel;
      const linesBefore = lines;
      pendingLevel = level;
      pendingLabel = labelOf(this, level);
      try {
        method.apply(this, args);
      } finally {
        pendingLevel = outerLevel;
        pendingLabel = outerLabel;
      }
      if (lines === linesBefore && !warnedNoStreamWrite) {
        warnedNoStreamWrite = true;
        diag.warn(
          '@trisignal/core/pino: pino did not call hooks.streamWrite, so lines are not forwarded ' +
            '(forwarding needs pino >= 9.6.0 and the bridge hooks left in place)',
        );
      }
    },
    streamWrite(line) {
      lines++;
      const level = pendingLevel;
      const label = pendingLabel;
      pendingLevel = undefined;
      pendingLabel = undefined;
      forwarder.forward(line, level, label);
      return line;
    },
  };
  return { mixin, hooks };
}

interface ResolvedPinoBridgeOptions {
  readonly loggerProvider: LoggerProvider;
  readonly name: string;
  readonly forward: boolean;
  readonly traceIdKey: string;
  readonly spanIdKey: string;
  readonly traceFlagsKey: string;
  readonly messageKey: string;
  readonly errorKey: string;
}

function resolvePinoBridgeOptions(options: PinoBridgeOptions): ResolvedPinoBridgeOptions {
  const loggerProvider = options.loggerProvider ?? logs.getLoggerProvider();
  if (typeof (loggerProvider as Partial<LoggerProvider>).getLogger !== 'function') {
    throw invalidOption('loggerProvider', loggerProvider, 'a LoggerProvider (an object with getLogger())');
  }
  const forward = options.forward ?? PINO_BRIDGE_DEFAULTS.forward;
  if (typeof forward !== 'boolean') throw invalidOption('forward', forward, 'a boolean');
  const logKeys = options.logKeys ?? {};
  if (typeof logKeys !== 'object' || logKeys === null) throw invalidOption('logKeys', logKeys, 'an object');
  return {
    loggerProvider,
    name: nonEmpty('name', options.name ?? PINO_BRIDGE_DEFAULTS.name),
    forward,
    traceIdKey: nonEmpty('logKeys.traceId', logKeys.traceId ?? PINO_BRIDGE_DEFAULTS.logKeys.traceId),
    spanIdKey: nonEmpty('logKeys.spanId', logKeys.spanId ?? PINO_BRIDGE_DEFAULTS.logKeys.spanId),
    traceFlagsKey: nonEmpty(
      'logKeys.traceFlags',
      logKeys.traceFlags ?? PINO_BRIDGE_DEFAULTS.logKeys.traceFlags,
    ),
    messageKey: nonEmpty('messageKey', options.messageKey ?? PINO_BRIDGE_DEFAULTS.messageKey),
    errorKey: nonEmpty('errorKey', options.errorKey ?? PINO_BRIDGE_DEFAULTS.errorKey),
  };
}

function nonEmpty(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw invalidOption(field, value, 'a non-empty string');
  return value;
}

function createMixin(
  traceIdKey: string,
  spanIdKey: string,
  traceFlagsKey: string,
): () => Record<string, string> {
  return () => {
    // pino's default merge strategy assigns into the returned object, so each call returns a fresh one.
    const fields: Record<string, string> = {};
    try {
      const spanContext = trace.getSpanContext(context.active());
      if (spanContext !== undefined && isSpanContextValid(spanContext)) {
        fields[traceIdKey] = spanContext.traceId;
        fields[spanIdKey] = spanContext.spanId;
        fields[traceFlagsKey] = spanContext.traceFlags.toString(16).padStart(2, '0');
      }
    } catch {
      // A broken context manager must not break logging: the line just goes out without ids.
    }
    return fields;
  };
}

// pino's default level labels, for lines whose logger is unknown (streamWrite without a preceding logMethod).
const PINO_LABELS: Readonly<Record<number, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * Maps a pino level to a SeverityNumber: 10 trace → TRACE (1), 20 → DEBUG (5), 30 → INFO (9), 40 → WARN (13),
 * 50 → ERROR (17), 60 → FATAL (21); custom levels in between take the sub-levels (35 → INFO3).
 */
function severityFromPinoLevel(level: number): number {
  if (typeof level !== 'number' || Number.isNaN(level)) return 0;
  const clamped = Math.min(Math.max(level, 10), 69);
  const band = Math.floor((clamped - 10) / 10);
  const step = Math.floor(((clamped - 10) % 10) / 2.5);
  return 1 + band * 4 + step;
}

class LineForwarder {
  readonly #otel: OtelLogger;
  readonly #messageKey: string;
  readonly #errorKey: string;
  // Fields that are the record's own (level, time, body) or redundant with it (ids, resource-level pid/hostname).
  readonly #skip: ReadonlySet<string>;
  #dropped = 0;

  constructor(otel: OtelLogger, options: ResolvedPinoBridgeOptions) {
    this.#otel = otel;
    this.#messageKey = options.messageKey;
    this.#errorKey = options.errorKey;
    this.#skip = new Set([
      'level',
      'time',
      'pid',
      'hostname',
      '__proto__',
      options.messageKey,
      options.errorKey,
      options.traceIdKey,
      options.spanIdKey,
      options.traceFlagsKey,
    ]);
  }

  forward(line: string, level: number | undefined, label: string | undefined): void {
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return;
      // JSON data is AnyValue by construction: no getters, cycles, class instances or Errors left.
      const fields = parsed as Record<string, AnyValue>;
      const record: LogRecord = { context: context.active() };

      const pinoLevel = level ?? (typeof fields['level'] === 'number' ? fields['level'] : undefined);
      if (pinoLevel !== undefined) {
        record.severityNumber = severityFromPinoLevel(pinoLevel);
        const severityText = level === undefined ? PINO_LABELS[pinoLevel] : label;
        if (severityText !== undefined) record.severityText = severityText;
      }
      const attributes: AnyValueMap = {};
      const time = fields['time'];
      const timestamp = toTimestamp(time);
      if (timestamp !== undefined) record.timestamp = timestamp;
      else if (time !== undefined) attributes['time'] = time; // a custom time format: keep it rather than guess
      if (Object.hasOwn(fields, this.#messageKey)) record.body = fields[this.#messageKey];

      for (const key in fields) {
        if (!this.#skip.has(key)) attributes[key] = fields[key];
      }
      const error = fields[this.#errorKey];
      if (error !== undefined) addError(attributes, this.#errorKey, error);
      for (const _ in attributes) {
        record.attributes = attributes;
        break;
      }
      this.#otel.emit(record);
    } catch (error) {
      this.#dropped++;
      if (this.#dropped === 1 || this.#dropped % 1000 === 0) {
        diag.warn(
          `@trisignal/core/pino: could not forward a line; ${this.#dropped} line(s) dropped so far`,
          error,
        );
      }
    }
  }
}

function labelOf(logger: PinoLogger, level: number): string | undefined {
  try {
    const label: unknown = logger.levels.labels[level];
    if (typeof label === 'string') return label;
  } catch {
    // a logger without levels: fall back to pino's defaults
  }
  return PINO_LABELS[level];
}

/** pino's `time`: epoch milliseconds by default, seconds with `stdTimeFunctions.unixTime`, ISO with `isoTime`. */
function toTimestamp(time: AnyValue): Date | undefined {
  let millis: number;
  if (typeof time === 'number') millis = time < 1e11 ? time * 1000 : time;
  else if (typeof time === 'string') millis = Date.parse(time);
  else return undefined;
  return Number.isFinite(millis) ? new Date(millis) : undefined;
}

/**
 * pino's error serializer writes `{ type, message, stack, ...own props }`: the first three become semconv
 * `exception.*`, the rest (`code`, `cause`, …) stay under the error key. Anything else stays as it is.
 */
function addError(attributes: AnyValueMap, errorKey: string, error: AnyValue): void {
  if (typeof error !== 'object' || error === null || Array.isArray(error) || error instanceof Uint8Array) {
    attributes[errorKey] = error;
    return;
  }
  const { type, message, stack, ...rest } = error;
  if (typeof message !== 'string' && typeof stack !== 'string') {
    attributes[errorKey] = error;
    return;
  }
  // Explicit exception.* fields on the line win, as in the facade.
  if (typeof type === 'string') attributes[ATTR_EXCEPTION_TYPE] ??= type;
  if (typeof message === 'string') attributes[ATTR_EXCEPTION_MESSAGE] ??= message;
  if (typeof stack === 'string') attributes[ATTR_EXCEPTION_STACKTRACE] ??= stack;
  for (const _ in rest) {
    attributes[errorKey] = rest;
    break;
  }
}
