import { type Attributes, diag, type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  classifyError,
  describeThrown,
  type ErrorClassification,
  readErrorProperty,
  rootCauseLabel,
} from './classify-error.js';
import type { ErrorMetrics } from './error-metrics.js';
import { describeValue } from './errors.js';
import {
  ATTR_ERROR_CATEGORY,
  ATTR_ERROR_FINGERPRINT,
  ATTR_ERROR_ROOT_CAUSE,
  ATTR_ERROR_TYPE,
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
} from './semconv.js';

/** Options of {@link recordError}. */
export interface RecordErrorOptions {
  /** Classifier to use, such as one from `createErrorClassifier({ rules })`. @default classifyError */
  readonly classifier?: ((err: unknown) => ErrorClassification) | undefined;
  /** Set the span status to ERROR (with a message). `error.type` and the event are recorded either way. @default true */
  readonly setStatus?: boolean | undefined;
  /**
   * Kind of the span. On a SERVER span an error answered with a status below 500 (client error, 408,
   * 429, 499) is the caller's problem: the status stays UNSET and `error.type` is not set, as the HTTP
   * semantic conventions require; the exception event is still recorded.
   * @default undefined (treated like a client or internal span)
   */
  readonly spanKind?: SpanKind | undefined;
  /** Also count the error on `trisignal.errors`. @default undefined (not counted) */
  readonly metrics?: ErrorMetrics | undefined;
}

/** Name of the span event the semantic conventions define for exceptions. */
const EXCEPTION_EVENT = 'exception';
/** Errors of a cause chain (and aggregate members) rendered into `exception.stacktrace`. */
const MAX_STACK_LINKS = 8;
const MAX_STACK_MEMBERS = 4;
const MAX_STACKTRACE_LENGTH = 32 * 1024;
const MAX_STATUS_MESSAGE_LENGTH = 1024;

/**
 * Records an error on a span: status ERROR with a message naming the root cause, `error.type`,
 * `trisignal.error.category`, `trisignal.error.root_cause`, `trisignal.error.fingerprint`, and an
 * `exception` event whose stacktrace includes the `cause` chain. Returns the classification. Never
 * throws, whatever was thrown (null, strings, proxies, throwing getters, cyclic causes) and whatever
 * state the span is in. Does nothing to the span when the classification says it is not an error
 * (status UNSET, e.g. an HTTP 2xx response object).
 * @example
 * try { return await handler(req) } catch (err) { recordError(span, err); throw err }
 */
export function recordError(span: Span, err: unknown, options: RecordErrorOptions = {}): ErrorClassification {
  const classification = classifySafely(err, options.classifier);
  try {
    if (classification.status === SpanStatusCode.ERROR && isRecording(span))
      annotate(span, err, classification, options);
  } catch (error) {
    diag.debug('trisignal: recordError could not annotate the span', error);
  }
  if (options.metrics !== undefined) {
    try {
      options.metrics.record(classification);
    } catch (error) {
      diag.debug('trisignal: recordError could not count the error', error);
    }
  }
  return classification;
}

function classifySafely(
  err: unknown,
  classifier: ((err: unknown) => ErrorClassification) | undefined,
): ErrorClassification {
  if (classifier !== undefined) {
    try {
      const result = classifier(err);
      if (typeof result === 'object' && result !== null) return result;
    } catch (error) {
      diag.debug('trisignal: the error classifier threw; using the built-in one', error);
    }
  }
  return classifyError(err);
}

function isRecording(span: Span): boolean {
  // A span from an unusual implementation may lack isRecording; record rather than lose the error.
  return typeof span.isRecording !== 'function' || span.isRecording();
}

function annotate(span: Span, err: unknown, c: ErrorClassification, options: RecordErrorOptions): void {
  const outer = describeThrown(err);
  // On a server span a 4xx is the caller's error, not ours (HTTP semconv span status rules).
  const callersFault = options.spanKind === SpanKind.SERVER && c.httpStatus < 500;
  if (options.setStatus !== false && !callersFault) {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: statusMessage(outer.message, c.rootCause.message),
    });
  }
  const attributes: Attributes = {
    [ATTR_ERROR_CATEGORY]: c.category,
    [ATTR_ERROR_ROOT_CAUSE]: rootCauseLabel(c.rootCause),
    [ATTR_ERROR_FINGERPRINT]: c.fingerprint,
  };
  if (!callersFault) attributes[ATTR_ERROR_TYPE] = c.errorType;
  span.setAttributes(attributes);
  span.addEvent(EXCEPTION_EVENT, exceptionAttributes(err, outer.name, outer.message));
}

function statusMessage(outerMessage: string, rootMessage: string): string {
  const message =
    rootMessage.length === 0 || rootMessage === outerMessage
      ? outerMessage
      : outerMessage.length === 0
        ? rootMessage
        : `${outerMessage}: ${rootMessage}`;
  return message.length > MAX_STATUS_MESSAGE_LENGTH
    ? `${message.slice(0, MAX_STATUS_MESSAGE_LENGTH - 1)}…`
    : message;
}

function exceptionAttributes(err: unknown, name: string, message: string): Attributes {
  if (!isObjectLike(err)) return { [ATTR_EXCEPTION_MESSAGE]: message };
  const attributes: Attributes = {
    [ATTR_EXCEPTION_TYPE]: name,
    // A thrown plain object has no message; its JSON is the best description there is.
    [ATTR_EXCEPTION_MESSAGE]: message.length > 0 ? message : safeDescribe(err),
  };
  const stacktrace = stacktraceOf(err);
  if (stacktrace !== undefined) attributes[ATTR_EXCEPTION_STACKTRACE] = stacktrace;
  return attributes;
}

/**
 * The error's stack followed by its causes' (`Caused by: …`, the form Java tools and most error
 * trackers parse), and the first members of an AggregateError; bounded in links and length.
 */
function stacktraceOf(err: object): string | undefined {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = err;
  try {
    for (let i = 0; i < MAX_STACK_LINKS && isObjectLike(current) && !seen.has(current); i++) {
      seen.add(current);
      parts.push(i === 0 ? stackText(current) : `Caused by: ${stackText(current)}`);
      const members = readErrorProperty(current, 'errors');
      if (Array.isArray(members)) {
        members.slice(0, MAX_STACK_MEMBERS).forEach((member: unknown, index) => {
          parts.push(
            `Caused by [errors[${index}]]: ${isObjectLike(member) ? stackText(member) : safeDescribe(member)}`,
          );
        });
      }
      current = readErrorProperty(current, 'cause');
    }
  } catch {
    // A revoked proxy somewhere in the chain: keep what was rendered so far.
  }
  if (parts.length === 0) return undefined;
  const text = parts.join('\n');
  return text.length > MAX_STACKTRACE_LENGTH ? text.slice(0, MAX_STACKTRACE_LENGTH) : text;
}

function stackText(value: object): string {
  const stack = readErrorProperty(value, 'stack');
  if (typeof stack === 'string' && stack.length > 0) return stack;
  const { name, message } = describeThrown(value);
  return message.length > 0 ? `${name}: ${message}` : name;
}

function safeDescribe(value: unknown): string {
  try {
    return describeValue(value);
  } catch {
    return '';
  }
}

function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}
