import { context, diag } from '@opentelemetry/api';
import type {
  AnyValue,
  AnyValueMap,
  LogRecord,
  Logger as OtelLogger,
  LoggerProvider,
} from '@opentelemetry/api-logs';
import { invalidOption } from './errors.js';
import { ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_STACKTRACE, ATTR_EXCEPTION_TYPE } from './semconv.js';
import { VERSION } from './version.js';

/** A log level, from the most to the least verbose. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** Every {@link LogLevel}, from the most to the least verbose. */
export const LOG_LEVELS: readonly LogLevel[] = Object.freeze([
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
]);

/**
 * Attributes passed to a log call. Values that are OpenTelemetry `AnyValue`s (scalars, byte arrays,
 * arrays, plain objects) are kept; an `Error` becomes `exception.*` attributes; a `Date` (anything with
 * `toJSON`) is converted like `JSON.stringify` would; a `bigint` becomes a string; `undefined`, functions
 * and symbols are dropped.
 */
export type LogAttributes = Readonly<Record<string, unknown>>;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /**
   * Instrumentation scope name of the records.
   * @default '@trisignal/core'
   */
  readonly name?: string | undefined;
  /**
   * Least severe level that is emitted; calls below it return at once.
   * @default 'info'
   */
  readonly level?: LogLevel | undefined;
  /**
   * Attributes bound to every record of this logger and its children.
   * @default none
   */
  readonly attributes?: LogAttributes | undefined;
}

/** Defaults of {@link LoggerOptions}. */
export const LOGGER_DEFAULTS = Object.freeze({ name: '@trisignal/core', level: 'info' });

/**
 * A small logging facade over the OpenTelemetry logs API. Records carry the trace and span ids of the
 * active context. No method throws: a record that cannot be emitted is dropped and reported through `diag`.
 */
export interface Logger {
  /** Logs at TRACE (1). An `Error` in place of the message becomes the body (its message) plus `exception.*`. */
  trace(message: string | Error, attributes?: LogAttributes): void;
  /** Logs at DEBUG (5). */
  debug(message: string | Error, attributes?: LogAttributes): void;
  /** Logs at INFO (9). */
  info(message: string | Error, attributes?: LogAttributes): void;
  /** Logs at WARN (13). */
  warn(message: string | Error, attributes?: LogAttributes): void;
  /** Logs at ERROR (17). */
  error(message: string | Error, attributes?: LogAttributes): void;
  /** Logs at FATAL (21). */
  fatal(message: string | Error, attributes?: LogAttributes): void;
  /** True when a record at `level` passes this logger's level and the OpenTelemetry logger would emit it. */
  isLevelEnabled(level: LogLevel): boolean;
  /** A logger with the same scope and level whose records also carry `attributes` (they win over the parent's). */
  child(attributes: LogAttributes): Logger;
  /**
   * Emits a record as given, for full control: a body of any `AnyValue` type, an `eventName`, timestamps or an
   * explicit `context` (the active context otherwise). Bound attributes are added; a `severityNumber` below
   * this logger's level drops the record; an `exception` becomes `exception.*` attributes.
   */
  emit(record: LogRecord): void;
}

// SeverityNumber values of the OpenTelemetry log data model (TRACE=1 … FATAL=21), inlined so the hot path
// reads constants, not an enum object.
const SEVERITY_TRACE = 1;
const SEVERITY_DEBUG = 5;
const SEVERITY_INFO = 9;
const SEVERITY_WARN = 13;
const SEVERITY_ERROR = 17;
const SEVERITY_FATAL = 21;

const LEVEL_SEVERITY: Readonly<Record<LogLevel, number>> = {
  trace: SEVERITY_TRACE,
  debug: SEVERITY_DEBUG,
  info: SEVERITY_INFO,
  warn: SEVERITY_WARN,
  error: SEVERITY_ERROR,
  fatal: SEVERITY_FATAL,
};

/** True when `value` is one of {@link LOG_LEVELS}. */
export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(LEVEL_SEVERITY, value);
}

/**
 * Creates a {@link Logger} whose records go to `provider` (an SDK `LoggerProvider`, or `logs.getLoggerProvider()`).
 * Throws `TRISIGNAL_CORE_INVALID_OPTION` for an unknown level, an empty name or non-object attributes.
 * @example
 * const log = createLogger(loggerProvider, { level: 'debug', attributes: { component: 'billing' } });
 * log.info('charged card', { 'order.id': id });
 * log.error(err, { 'order.id': id }); // exception.type / exception.message / exception.stacktrace
 */
export function createLogger(provider: LoggerProvider, options: LoggerOptions = {}): Logger {
  if (typeof (provider as Partial<LoggerProvider> | null | undefined)?.getLogger !== 'function') {
    throw invalidOption('provider', provider, 'a LoggerProvider (an object with getLogger())');
  }
  const name = options.name ?? LOGGER_DEFAULTS.name;
  if (typeof name !== 'string' || name.length === 0) throw invalidOption('name', name, 'a non-empty string');
  const level = options.level ?? LOGGER_DEFAULTS.level;
  if (!isLogLevel(level)) {
    throw invalidOption('level', level, `one of ${LOG_LEVELS.map((l) => `"${l}"`).join(', ')}`);
  }
  const attributes = options.attributes;
  if (
    attributes !== undefined &&
    (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))
  ) {
    throw invalidOption('attributes', attributes, 'an object of attributes');
  }
  let bound: AnyValueMap | undefined;
  if (attributes !== undefined) {
    const out: AnyValueMap = {};
    copyAttributes(out, attributes, false);
    bound = hasKeys(out) ? out : undefined;
  }
  return new FacadeLogger(provider.getLogger(name, VERSION), LEVEL_SEVERITY[level], bound);
}

class FacadeLogger implements Logger {
  readonly #otel: OtelLogger;
  readonly #threshold: number;
  // Sanitized once at bind time and shared read-only by every record that adds no attributes of its own.
  readonly #bound: AnyValueMap | undefined;

  constructor(otel: OtelLogger, threshold: number, bound: AnyValueMap | undefined) {
    this.#otel = otel;
    this.#threshold = threshold;
    this.#bound = bound;
  }

  trace(message: string | Error, attributes?: LogAttributes): void {
    if (this.#threshold > SEVERITY_TRACE) return;
    this.#log(SEVERITY_TRACE, 'TRACE', message, attributes);
  }

  debug(message: string | Error, attributes?: LogAttributes): void {
    if (this.#threshold > SEVERITY_DEBUG) return;
    this.#log(SEVERITY_DEBUG, 'DEBUG', message, attributes);
  }

  info(message: string | Error, attributes?: LogAttributes): void {
    if (this.#threshold > SEVERITY_INFO) return;
    this.#log(SEVERITY_INFO, 'INFO', message, attributes);
  }

  warn(message: string | Error, attributes?: LogAttributes): void {
    if (this.#threshold > SEVERITY_WARN) return;
    this.#log(SEVERITY_WARN, 'WARN', message, attributes);
  }

  error(message: string | Error, attributes?: LogAttributes): void {
    if (this.#threshold > SEVERITY_ERROR) return;
    this.#log(SEVERITY_ERROR, 'ERROR', message, attributes);
  }

  fatal(message: string | Error, attributes?: LogAttributes): void {
    if (this.#threshold > SEVERITY_FATAL) return;
    this.#log(SEVERITY_FATAL, 'FATAL', message, attributes);
  }

  isLevelEnabled(level: LogLevel): boolean {
    if (!isLogLevel(level)) return false;
    const severityNumber = LEVEL_SEVERITY[level];
    if (severityNumber < this.#threshold) return false;
    try {
      // Ask the SDK too (minimum severity, processors, shutdown), so callers can skip costly work.
      return typeof this.#otel.enabled !== 'function' || this.#otel.enabled({ severityNumber });
    } catch {
      return true;
    }
  }

  child(attributes: LogAttributes): Logger {
    let bound = this.#bound;
    try {
      if (typeof attributes === 'object' && attributes !== null) {
        const out: AnyValueMap = {};
        if (bound !== undefined) Object.assign(out, bound);
        copyAttributes(out, attributes, false);
        bound = hasKeys(out) ? out : undefined;
      }
    } catch (error) {
      reportDropped('could not bind child attributes', error);
    }
    return new FacadeLogger(this.#otel, this.#threshold, bound);
  }

  emit(record: LogRecord): void {
    try {
      const severityNumber: number | undefined = record.severityNumber;
      if (typeof severityNumber === 'number' && severityNumber > 0 && severityNumber < this.#threshold)
        return;
      const out: LogRecord = { context: record.context ?? context.active() };
      if (severityNumber !== undefined) out.severityNumber = severityNumber;
      if (record.severityText !== undefined) out.severityText = record.severityText;
      if (record.eventName !== undefined) out.eventName = record.eventName;
      if (record.timestamp !== undefined) out.timestamp = record.timestamp;
      if (record.observedTimestamp !== undefined) out.observedTimestamp = record.observedTimestamp;
      const body = record.body;
      if (body !== undefined) {
        const value = typeof body === 'string' ? body : toAnyValue(body, undefined);
        if (value !== DROP) out.body = value;
      }
      const attributes = this.#attributes(record.attributes, record.exception ?? undefined);
      if (attributes !== undefined) out.attributes = attributes;
      this.#otel.emit(out);
    } catch (error) {
      reportDropped('could not emit a log record', error);
    }
  }

  #log(
    severityNumber: number,
    severityText: string,
    message: unknown,
    attributes: LogAttributes | undefined,
  ): void {
    try {
      let body: AnyValue;
      let exception: unknown;
      if (typeof message === 'string') {
        body = message;
      } else if (isError(message)) {
        exception = message;
        body = readString(message, 'message');
      } else {
        // Untyped callers may pass anything; log it rather than lose the call.
        const value = toAnyValue(message, undefined);
        body = value === DROP ? undefined : value;
      }
      const record: LogRecord = { severityNumber, severityText, body, context: context.active() };
      const merged = this.#attributes(attributes, exception);
      if (merged !== undefined) record.attributes = merged;
      this.#otel.emit(record);
    } catch (error) {
      reportDropped('could not emit a log record', error);
    }
  }

  /** Bound attributes, then the call's (winning), then `exception.*` unless the call set them explicitly. */
  #attributes(attributes: unknown, exception: unknown): AnyValueMap | undefined {
    const bound = this.#bound;
    if (attributes == null && exception === undefined) return bound;
    const out: AnyValueMap = {};
    if (bound !== undefined) Object.assign(out, bound);
    if (typeof attributes === 'object' && attributes !== null) {
      const found = copyAttributes(out, attributes, exception === undefined);
      if (exception === undefined) exception = found;
    }
    if (exception !== undefined) setException(out, exception);
    return hasKeys(out) ? out : undefined;
  }
}

// ---- value conversion -------------------------------------------------------------------------------------

const DROP: unique symbol = Symbol('drop');
type Drop = typeof DROP;

// Bounds on the work one record may cause, whatever the caller hands us (deep, wide or cyclic objects).
const MAX_DEPTH = 8;
const MAX_NODES = 1000;

interface Walk {
  readonly ancestors: object[];
  nodes: number;
}

/**
 * Copies the own enumerable properties of `source` into `out` as `AnyValue`s. With `takeError`, the first
 * `Error` value is returned (for `exception.*`) instead of being copied. Getters that throw lose only their key;
 * a source that cannot be enumerated at all keeps what was copied so far.
 */
function copyAttributes(out: AnyValueMap, source: object, takeError: boolean): unknown {
  let walk: Walk | undefined;
  let taken: unknown;
  try {
    for (const key in source) {
      // An own "__proto__" key (JSON.parse makes them) would set out's prototype instead of a key.
      if (key === '__proto__' || !Object.hasOwn(source, key)) continue;
      let value: unknown;
      try {
        value = (source as Record<string, unknown>)[key];
      } catch {
        continue;
      }
      if (typeof value === 'object' && value !== null) {
        if (takeError && taken === undefined && isError(value)) {
          taken = value;
          continue;
        }
        walk ??= { ancestors: [], nodes: 0 };
      }
      const converted = toAnyValue(value, walk);
      if (converted !== DROP) out[key] = converted;
    }
  } catch {
    // A hostile proxy (ownKeys or getOwnPropertyDescriptor trap that throws): keep the keys copied so far.
  }
  return taken;
}

/** Converts `value` to an `AnyValue` (scalars without allocation), or DROP when it has no log representation. */
function toAnyValue(value: unknown, walk: Walk | undefined): AnyValue | Drop {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object':
      if (value === null) return null;
      return toAnyObject(value, walk ?? { ancestors: [], nodes: 0 });
    default:
      // undefined, function, symbol
      return DROP;
  }
}

function toAnyObject(value: object, walk: Walk): AnyValue | Drop {
  if (walk.ancestors.length >= MAX_DEPTH || walk.nodes >= MAX_NODES) return '[Truncated]';
  if (walk.ancestors.includes(value)) return '[Circular]';
  walk.nodes++;
  walk.ancestors.push(value);
  try {
    if (value instanceof Uint8Array) return value;
    if (Array.isArray(value)) {
      const out: AnyValue[] = [];
      const length = Math.min(value.length, MAX_NODES);
      for (let i = 0; i < length && walk.nodes < MAX_NODES; i++) {
        walk.nodes++;
        const item = toAnyValue(readIndex(value, i), walk);
        out.push(item === DROP ? null : item);
      }
      return out;
    }
    if (isError(value)) return errorToMap(value);
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return toAnyValue(toJSON.call(value), walk);
    const out: AnyValueMap = {};
    for (const key in value) {
      if (walk.nodes >= MAX_NODES) break;
      if (key === '__proto__' || !Object.hasOwn(value, key)) continue;
      walk.nodes++;
      let item: unknown;
      try {
        item = (value as Record<string, unknown>)[key];
      } catch {
        continue;
      }
      const converted = toAnyValue(item, walk);
      if (converted !== DROP) out[key] = converted;
    }
    return out;
  } catch {
    return DROP;
  } finally {
    walk.ancestors.pop();
  }
}

function readIndex(array: readonly unknown[], index: number): unknown {
  try {
    return array[index];
  } catch {
    return undefined;
  }
}

// ---- errors -----------------------------------------------------------------------------------------------

function isError(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

/** Reads a string property without letting a throwing getter escape. */
function readString(source: object, key: string): string | undefined {
  try {
    const value = (source as Record<string, unknown>)[key];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The semconv `exception.type`: the error's name, or its class name when the name is the generic "Error". */
function exceptionType(error: object): string {
  const name = readString(error, 'name');
  if (name !== undefined && name !== '' && name !== 'Error') return name;
  try {
    const constructorName = (error.constructor as { name?: unknown } | undefined)?.name;
    if (typeof constructorName === 'string' && constructorName !== '') return constructorName;
  } catch {
    // fall through
  }
  return name !== undefined && name !== '' ? name : 'Error';
}

function errorToMap(error: Error): AnyValueMap {
  const out: AnyValueMap = { type: exceptionType(error) };
  const message = readString(error, 'message');
  if (message !== undefined) out['message'] = message;
  const stack = readString(error, 'stack');
  if (stack !== undefined) out['stacktrace'] = stack;
  return out;
}

/** Sets `exception.*` from an Error (or a string/number, per the logs data model) without overwriting explicit keys. */
function setException(out: AnyValueMap, exception: unknown): void {
  if (typeof exception === 'string' || typeof exception === 'number') {
    if (!Object.hasOwn(out, ATTR_EXCEPTION_MESSAGE)) out[ATTR_EXCEPTION_MESSAGE] = String(exception);
    return;
  }
  if (typeof exception !== 'object' || exception === null) return;
  if (!Object.hasOwn(out, ATTR_EXCEPTION_TYPE)) {
    // Error-like objects without a class of their own keep the house-wide semconv meaning: the name.
    out[ATTR_EXCEPTION_TYPE] = isError(exception)
      ? exceptionType(exception)
      : (readString(exception, 'name') ?? 'Error');
  }
  const message = readString(exception, 'message');
  if (message !== undefined && !Object.hasOwn(out, ATTR_EXCEPTION_MESSAGE))
    out[ATTR_EXCEPTION_MESSAGE] = message;
  const stack = readString(exception, 'stack');
  if (stack !== undefined && !Object.hasOwn(out, ATTR_EXCEPTION_STACKTRACE))
    out[ATTR_EXCEPTION_STACKTRACE] = stack;
}

// ---- failure reporting ------------------------------------------------------------------------------------

function hasKeys(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}

let dropped = 0;

/** Counts a dropped record and tells `diag` on the first one and every 1000th, never per record. */
function reportDropped(what: string, error: unknown): void {
  dropped++;
  if (dropped !== 1 && dropped % 1000 !== 0) return;
  try {
    diag.warn(`@trisignal/core logger: ${what}; ${dropped} record(s) dropped so far`, error);
  } catch {
    // diag's own logger failed: nothing left to tell.
  }
}
