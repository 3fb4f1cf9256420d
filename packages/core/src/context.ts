import {
  type Attributes,
  type Context,
  context,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanKind,
  type TextMapGetter,
  type TextMapSetter,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import type { EventEmitter } from 'node:events';
import { recordError } from './record-error.js';
import { VERSION } from './version.js';

/** Options of {@link withSpan}. */
export interface WithSpanOptions {
  /** Tracer to start the span with. @default the global tracer `@trisignal/core` */
  readonly tracer?: Tracer | undefined;
  /** @default SpanKind.INTERNAL */
  readonly kind?: SpanKind | undefined;
  readonly attributes?: Attributes | undefined;
  readonly links?: Link[] | undefined;
  /** Start a new trace instead of a child of the active span. @default false */
  readonly root?: boolean | undefined;
  /** Parent context. @default the active context */
  readonly context?: Context | undefined;
  /** Called with each error before the span ends (the default records it through the classifier). */
  readonly onError?: ((span: Span, error: unknown) => void) | undefined;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

const defaultOnError = (span: Span, error: unknown): void => {
  recordError(span, error);
};

/**
 * Runs `fn` inside a new active span and ends the span exactly once: when `fn` returns, or when the
 * promise it returns settles. A thrown error or a rejection is recorded (status, `error.type`, exception
 * event) and rethrown unchanged.
 * @example
 * const order = await withSpan('load order', async (span) => {
 *   span.setAttribute('order.id', id);
 *   return db.load(id);
 * });
 */
export function withSpan<TResult>(
  name: string,
  fn: (span: Span) => TResult,
  options: WithSpanOptions = {},
): TResult {
  const tracer = options.tracer ?? trace.getTracer('@trisignal/core', VERSION);
  const parent = options.root === true ? ROOT_CONTEXT : (options.context ?? context.active());
  const onError = options.onError ?? defaultOnError;
  const span = tracer.startSpan(
    name,
    {
      ...(options.kind === undefined ? {} : { kind: options.kind }),
      ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
      ...(options.links === undefined ? {} : { links: options.links }),
      ...(options.root === true ? { root: true } : {}),
    },
    parent,
  );
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    span.end();
  };
  const fail = (error: unknown): void => {
    try {
      onError(span, error);
    } catch {
      // A broken error hook must not replace the user's error.
    }
    end();
  };
  let result: TResult;
  try {
    result = context.with(trace.setSpan(parent, span), fn, undefined, span);
  } catch (error) {
    fail(error);
    throw error;
  }
  if (isPromiseLike(result)) {
    return Promise.resolve(result).then(
      (value) => {
        end();
        return value;
      },
      (error: unknown) => {
        fail(error);
        throw error;
      },
    ) as TResult;
  }
  end();
  return result;
}

/** The active trace id, or undefined outside a (valid) span. */
export function currentTraceId(ctx: Context = context.active()): string | undefined {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext !== undefined && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

/** The active span id, or undefined outside a (valid) span. */
export function currentSpanId(ctx: Context = context.active()): string | undefined {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext !== undefined && trace.isSpanContextValid(spanContext) ? spanContext.spanId : undefined;
}

/** A message carrier: plain header object (values may be strings, string arrays or Buffers) or a Map. */
export type Carrier =
  | Record<string, string | string[] | Buffer | Uint8Array | number | undefined>
  | Map<string, string | Buffer | Uint8Array>;

const decoder = new TextDecoder();

function asString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return decoder.decode(value);
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    return typeof first === 'string' ? first : undefined;
  }
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** Reads carriers case-insensitively, since message systems and proxies change header case. */
const carrierGetter: TextMapGetter<Carrier> = {
  keys(carrier) {
    return carrier instanceof Map ? [...carrier.keys()] : Object.keys(carrier);
  },
  get(carrier, key) {
    if (carrier instanceof Map) {
      const direct = carrier.get(key);
      if (direct !== undefined) return asString(direct);
      for (const [k, v] of carrier) if (k.toLowerCase() === key) return asString(v);
      return undefined;
    }
    const direct = carrier[key];
    if (direct !== undefined) return asString(direct);
    for (const k of Object.keys(carrier)) if (k.toLowerCase() === key) return asString(carrier[k]);
    return undefined;
  },
};

const carrierSetter: TextMapSetter<Carrier> = {
  set(carrier, key, value) {
    if (carrier instanceof Map) carrier.set(key, value);
    else carrier[key] = value;
  },
};

/**
 * Writes the context (traceparent, tracestate, baggage, or whatever propagators are configured) into a
 * message carrier, e.g. Kafka or AMQP headers.
 */
export function injectContext<TCarrier extends Carrier>(
  carrier: TCarrier,
  ctx: Context = context.active(),
): TCarrier {
  propagation.inject(ctx, carrier, carrierSetter);
  return carrier;
}

/**
 * Reads a context out of a message carrier. Malformed values are ignored by the propagators: the result
 * is then `ctx` unchanged and a span started from it becomes a new root.
 */
export function extractContext(
  carrier: Carrier | undefined | null,
  ctx: Context = context.active(),
): Context {
  if (carrier === undefined || carrier === null || typeof carrier !== 'object') return ctx;
  return propagation.extract(ctx, carrier, carrierGetter);
}

/**
 * Binds a callback to a context (the active one by default), for work that runs outside the request's
 * async context: pooled connections, event emitters, queues drained elsewhere.
 */
export function bindContext<TFunction extends (...args: never[]) => unknown>(
  fn: TFunction,
  ctx: Context = context.active(),
): TFunction {
  return context.bind(ctx, fn);
}

/** Binds every listener later added to an emitter to a context (the active one by default). */
export function bindEmitter<TEmitter extends EventEmitter>(
  emitter: TEmitter,
  ctx: Context = context.active(),
): TEmitter {
  return context.bind(ctx, emitter);
}
