import type { Admission, Observability } from '@trisignal/core';
import { ExpressMiddlewareError, invalidOption } from './errors.js';
import { type CapturedHeader, compileHeaderList } from './headers.js';
import type { QueryCapture } from './url.js';

/** Options of {@link goldenSignals}. */
export interface GoldenSignalsOptions {
  /**
   * The handle `init()` from `@trisignal/core` returned: its tracer provider, propagator, recorder, SLO
   * class matcher, error classifier and logger are used. Required (the OpenTelemetry globals have no
   * recorder or class matcher to fall back to).
   */
  readonly obs: Observability;
  /** Load-shedding hook consulted before the handler (`@trisignal/slo` implements it). @default undefined (admit all) */
  readonly admission?: Admission | undefined;
  /** Start a SERVER span per request and make it active for the handlers. `false`: metrics and logs only. @default true */
  readonly tracing?: boolean | undefined;
  /** Response header carrying the trace id; `false` to leave it out. @default 'x-trace-id' */
  readonly traceIdHeader?: string | false | undefined;
  /** Send the W3C Trace Context level 2 `traceresponse` header. @default true */
  readonly traceResponseHeader?: boolean | undefined;
  /** Request headers captured as `http.request.header.<name>` (never `authorization`, `proxy-authorization`, `cookie`). @default [] */
  readonly captureRequestHeaders?: readonly string[] | undefined;
  /** Response headers captured as `http.response.header.<name>` (never `set-cookie`). @default [] */
  readonly captureResponseHeaders?: readonly string[] | undefined;
  /** `url.query` on the span: values replaced by `REDACTED`, the query as sent, or none. @default 'redact' */
  readonly query?: QueryCapture | undefined;
  /** One access-log record per request through `obs.logger`, carrying the trace and span ids. @default true */
  readonly accessLog?: boolean | undefined;
  /**
   * `http.route` on the metrics of requests that matched no route. The default leaves the label out
   * (semconv); either way every unmatched request shares one label set per method and status.
   * @default undefined
   */
  readonly unmatchedRoute?: string | undefined;
}

/** Options of {@link errorHandler}. */
export interface ErrorHandlerOptions {
  /** The handle `init()` returned; its classifier and `trisignal.errors` counter are used. */
  readonly obs: Observability;
  /**
   * Answer the error here (status from the error or its classification, JSON body with the status text
   * and trace id) instead of passing it on with `next(err)`.
   * @default false
   */
  readonly respond?: boolean | undefined;
}

/** Defaults of {@link GoldenSignalsOptions} and {@link ErrorHandlerOptions}. */
export const EXPRESS_DEFAULTS = Object.freeze({
  tracing: true,
  traceIdHeader: 'x-trace-id',
  traceResponseHeader: true,
  query: 'redact',
  accessLog: true,
  respond: false,
});

/** {@link GoldenSignalsOptions} with every default applied. */
export interface ResolvedGoldenSignalsOptions {
  readonly obs: Observability;
  readonly admission: Admission | undefined;
  readonly tracing: boolean;
  readonly traceIdHeader: string | undefined;
  readonly traceResponseHeader: boolean;
  readonly requestHeaders: readonly CapturedHeader[];
  readonly responseHeaders: readonly CapturedHeader[];
  readonly query: QueryCapture;
  readonly accessLog: boolean;
  readonly unmatchedRoute: string | undefined;
}

/** Checks that `obs` looks like core's Observability handle. */
export function resolveObs(obs: unknown): Observability {
  if (obs === undefined || obs === null) {
    throw new ExpressMiddlewareError(
      'TRISIGNAL_EXPRESS_MISSING_OBS',
      'Expected `obs` to be the Observability handle returned by init() from @trisignal/core, got `' +
        String(obs) +
        '`: pass it as goldenSignals({ obs }) / errorHandler({ obs })',
    );
  }
  const o = obs as Partial<Observability>;
  if (
    typeof o !== 'object' ||
    typeof o.tracerProvider?.getTracer !== 'function' ||
    typeof o.recorder?.recordHttpServer !== 'function' ||
    typeof o.sloClasses?.matchHttp !== 'function' ||
    typeof o.recordError !== 'function' ||
    typeof o.logger?.emit !== 'function' ||
    typeof o.propagator?.extract !== 'function'
  ) {
    throw invalidOption(
      'obs',
      '[object]',
      'the Observability handle returned by init() from @trisignal/core',
    );
  }
  return obs as Observability;
}

function resolveBoolean(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidOption(field, value, 'a boolean');
  return value;
}

/** Applies defaults field by field and validates; throws `ExpressMiddlewareError` on a bad option. */
export function resolveGoldenSignalsOptions(options: GoldenSignalsOptions): ResolvedGoldenSignalsOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', options, 'an object with at least `obs`');
  }
  const obs = resolveObs(options.obs);
  const admission = options.admission;
  if (admission !== undefined && typeof (admission as Partial<Admission> | null)?.admit !== 'function') {
    throw invalidOption('admission', admission, 'an Admission (an object with admit())');
  }
  const header = options.traceIdHeader ?? EXPRESS_DEFAULTS.traceIdHeader;
  if (header !== false && (typeof header !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header))) {
    throw invalidOption('traceIdHeader', header, 'an HTTP header name or false');
  }
  const query = options.query ?? EXPRESS_DEFAULTS.query;
  if (query !== 'redact' && query !== 'full' && query !== 'omit') {
    throw invalidOption('query', query, "'redact', 'full' or 'omit'");
  }
  const unmatchedRoute = options.unmatchedRoute;
  if (unmatchedRoute !== undefined && (typeof unmatchedRoute !== 'string' || unmatchedRoute === '')) {
    throw invalidOption('unmatchedRoute', unmatchedRoute, 'a non-empty string');
  }
  return {
    obs,
    admission,
    tracing: resolveBoolean('tracing', options.tracing, EXPRESS_DEFAULTS.tracing),
    traceIdHeader: header === false ? undefined : header.toLowerCase(),
    traceResponseHeader: resolveBoolean(
      'traceResponseHeader',
      options.traceResponseHeader,
      EXPRESS_DEFAULTS.traceResponseHeader,
    ),
    requestHeaders: compileHeaderList('captureRequestHeaders', options.captureRequestHeaders, false),
    responseHeaders: compileHeaderList('captureResponseHeaders', options.captureResponseHeaders, true),
    query,
    accessLog: resolveBoolean('accessLog', options.accessLog, EXPRESS_DEFAULTS.accessLog),
    unmatchedRoute,
  };
}

/** {@link ErrorHandlerOptions} with every default applied. */
export interface ResolvedErrorHandlerOptions {
  readonly obs: Observability;
  readonly respond: boolean;
}

/** Applies defaults and validates; throws `ExpressMiddlewareError` on a bad option. */
export function resolveErrorHandlerOptions(options: ErrorHandlerOptions): ResolvedErrorHandlerOptions {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', options, 'an object with at least `obs`');
  }
  return {
    obs: resolveObs(options.obs),
    respond: resolveBoolean('respond', options.respond, EXPRESS_DEFAULTS.respond),
  };
}
