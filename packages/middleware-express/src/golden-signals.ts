import {
  type Attributes,
  type Context,
  context,
  defaultTextMapGetter,
  diag,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  type ActiveCounter,
  type AdmissionRequest,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SLO_CLASS,
  ATTR_URL_SCHEME,
  type ErrorClassification,
} from '@trisignal/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { GoldenSignalsMiddleware, NextFunction } from './express-types.js';
import { captureRequestHeaders, captureResponseHeaders } from './headers.js';
import { ExpressMiddlewareMetrics, type InternalErrorStage } from './metrics.js';
import { normalizeMethod } from './method.js';
import {
  type GoldenSignalsOptions,
  resolveGoldenSignalsOptions,
  type ResolvedGoldenSignalsOptions,
} from './options.js';
import { resolveRoute, type RoutedRequest } from './route.js';
import {
  ATTR_ADMISSION_REASON,
  ATTR_CLIENT_ADDRESS,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_USER_AGENT_ORIGINAL,
  ERROR_TYPE_CLIENT_ABORTED,
  ERROR_TYPE_SHED,
  OTHER_METHOD,
} from './semconv.js';
import { type ExpressRequestMessage, requestChannel } from './tracing-channel.js';
import { parseHost, redactQuery } from './url.js';
import { VERSION } from './version.js';

/** Where the per-request state lives: one own symbol property on the response, no WeakMap lookup. */
export const kState: unique symbol = Symbol('trisignal.express.request');

type TaggedResponse = ServerResponse & { [kState]?: RequestState };

const SCOPE = '@trisignal/middleware-express';
/** Route templates whose SLO class and span name are memoised (per method) before they are computed per request. */
const MAX_ROUTE_INFO = 2000;
const ABORTED_MESSAGE = 'client disconnected before the response was complete';
const NON_RECORDING_SPAN = trace.wrapSpanContext({ traceId: '', spanId: '', traceFlags: 0 });

// Log severities of the OpenTelemetry data model.
const SEVERITY_INFO = 9;
const SEVERITY_WARN = 13;
const SEVERITY_ERROR = 17;

/** Status codes as strings (`error.type` of a 5xx without an exception), built once. */
const STATUS_STRINGS: string[] = [];
for (let code = 500; code < 600; code++) STATUS_STRINGS[code - 500] = String(code);

/** What a (method, route template) pair resolves to, computed once. */
interface RouteMethodInfo {
  readonly sloClass: string;
  readonly spanName: string;
}

/** What every request of one middleware instance shares: resolved options and the handles from core. */
class Instrumentation {
  readonly options: ResolvedGoldenSignalsOptions;
  readonly tracer;
  readonly propagator;
  readonly propagationFields: readonly string[];
  readonly recorder;
  readonly sloClasses;
  readonly logger;
  readonly metrics: ExpressMiddlewareMetrics;
  // In-flight counters per method, per scheme: the recorder hands out one live cell per label set, so
  // after the first request a method's counter is one property read away.
  readonly #activeHttp: Record<string, ActiveCounter> = Object.create(null) as Record<string, ActiveCounter>;
  readonly #activeHttps: Record<string, ActiveCounter> = Object.create(null) as Record<string, ActiveCounter>;
  #internalErrors = 0;
  // Template strings come from the route cache, so lookups hash an already-hashed string; building
  // `method + ' ' + route` per request (for the class matcher's key and the span name) would not.
  readonly #routeInfo = new Map<string, Record<string, RouteMethodInfo>>();
  readonly #unmatchedInfo: Record<string, RouteMethodInfo> = Object.create(null) as Record<
    string,
    RouteMethodInfo
  >;

  constructor(options: ResolvedGoldenSignalsOptions) {
    const obs = options.obs;
    this.options = options;
    this.tracer = obs.tracerProvider.getTracer(SCOPE, VERSION);
    this.propagator = obs.propagator;
    this.propagationFields = obs.propagator.fields();
    this.recorder = obs.recorder;
    this.sloClasses = obs.sloClasses;
    this.logger = obs.logger;
    this.metrics = new ExpressMiddlewareMetrics(obs.meterProvider.getMeter(SCOPE, VERSION));
  }

  activeCounter(method: string, scheme: string): ActiveCounter {
    const table = scheme === 'https' ? this.#activeHttps : this.#activeHttp;
    const cell = table[method];
    if (cell !== undefined) {
      cell.inc();
      return cell;
    }
    const created = this.recorder.httpServerActive(method, scheme);
    table[method] = created;
    return created;
  }

  routeInfo(method: string, route: string | undefined): RouteMethodInfo {
    let table: Record<string, RouteMethodInfo> | undefined;
    if (route === undefined) {
      table = this.#unmatchedInfo;
    } else {
      table = this.#routeInfo.get(route);
      if (table === undefined) {
        if (this.#routeInfo.size >= MAX_ROUTE_INFO) {
          return { sloClass: this.sloClasses.matchHttp(method, route), spanName: method + ' ' + route };
        }
        table = Object.create(null) as Record<string, RouteMethodInfo>;
        this.#routeInfo.set(route, table);
      }
    }
    let info = table[method];
    if (info === undefined) {
      info = {
        sloClass: this.sloClasses.matchHttp(method, route),
        spanName: route === undefined ? method : method + ' ' + route,
      };
      table[method] = info;
    }
    return info;
  }

  extract(headers: IncomingMessage['headers']): Context {
    // Most requests carry no context: skip the propagators (and their parsing) unless a field is there.
    for (const field of this.propagationFields) {
      if (headers[field] !== undefined)
        return this.propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    }
    return ROOT_CONTEXT;
  }

  internalError(stage: InternalErrorStage, error: unknown): void {
    this.#internalErrors++;
    try {
      this.metrics.addInternalError(stage);
      if (this.#internalErrors === 1 || this.#internalErrors % 1000 === 0) {
        diag.warn(
          `@trisignal/middleware-express: internal failure in ${stage} (${this.#internalErrors} so far); the request went on`,
          error,
        );
      }
    } catch {
      // Reporting must not fail the request either.
    }
  }
}

/** One request in flight. Its fields are all set in the constructor so every instance shares one shape. */
export class RequestState {
  readonly inst: Instrumentation;
  readonly req: IncomingMessage & RoutedRequest;
  readonly res: ServerResponse;
  readonly startMillis: number;
  readonly method: string;
  readonly scheme: string;
  /** The URL as received (`originalUrl`), with the query. */
  readonly url: string;
  readonly queryIndex: number;
  /** `url.path`: the URL without its query. */
  readonly path: string;
  readonly active: ActiveCounter;
  span: Span | undefined = undefined;
  ctx: Context | undefined = undefined;
  clientAddress: string | undefined = undefined;
  errorType: string | undefined = undefined;
  /** True once an error recorded on the span already set its status to ERROR. */
  errorStatusSet = false;
  shedReason: string | undefined = undefined;
  admissionRequest: AdmissionRequest | undefined = undefined;
  message: ExpressRequestMessage | undefined = undefined;
  done = false;

  constructor(
    inst: Instrumentation,
    req: IncomingMessage,
    res: ServerResponse,
    startMillis: number,
    method: string,
    scheme: string,
    url: string,
  ) {
    this.inst = inst;
    this.req = req;
    this.res = res;
    this.startMillis = startMillis;
    this.method = method;
    this.scheme = scheme;
    this.url = url;
    const queryIndex = url.indexOf('?');
    this.queryIndex = queryIndex;
    this.path = queryIndex === -1 ? url : url.slice(0, queryIndex);
    this.active = inst.activeCounter(method, scheme);
  }

  /** Records an error seen by `errorHandler`: classification, exception event, `trisignal.errors`. */
  recordError(error: unknown): ErrorClassification {
    const span = this.span;
    const classification = this.inst.options.obs.recordError(span ?? NON_RECORDING_SPAN, error, {
      spanKind: SpanKind.SERVER,
    });
    this.errorType = classification.errorType;
    if (classification.httpStatus >= 500 && span !== undefined) this.errorStatusSet = true;
    const message = this.message;
    if (message !== undefined && requestChannel.error.hasSubscribers) {
      message.error = error;
      requestChannel.error.publish(message);
    }
    return classification;
  }

  /** Sets the span's end-of-request attributes, name and status (one `setAttributes` call). */
  #annotate(
    span: Span,
    route: string | undefined,
    spanName: string,
    sloClass: string,
    statusCode: number,
    errorType: string | undefined,
    finished: boolean,
  ): void {
    const options = this.inst.options;
    const req = this.req;
    const res = this.res;
    const method = this.method;
    const headers = req.headers;
    const attributes: Attributes = {
      [ATTR_URL_SCHEME]: this.scheme,
      [ATTR_NETWORK_PROTOCOL_VERSION]: req.httpVersion,
      [ATTR_SLO_CLASS]: sloClass,
    };
    if (statusCode > 0) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = statusCode;
    if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route;
    if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
    const host = headers.host;
    if (host !== undefined) {
      const server = parseHost(host);
      if (server !== undefined) {
        attributes[ATTR_SERVER_ADDRESS] = server.address;
        attributes[ATTR_SERVER_PORT] = server.port ?? (this.scheme === 'https' ? 443 : 80);
      }
    }
    if (this.clientAddress !== undefined) attributes[ATTR_CLIENT_ADDRESS] = this.clientAddress;
    const userAgent = headers['user-agent'];
    if (userAgent !== undefined) attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;
    if (method === OTHER_METHOD && req.method !== undefined) {
      attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = req.method;
    }
    if (this.queryIndex !== -1 && options.query !== 'omit') {
      const query = this.url.slice(this.queryIndex + 1);
      attributes[ATTR_URL_QUERY] = options.query === 'full' ? query : redactQuery(query);
    }
    if (options.requestHeaders.length > 0) captureRequestHeaders(attributes, headers, options.requestHeaders);
    if (options.responseHeaders.length > 0) {
      captureResponseHeaders(attributes, (name) => res.getHeader(name), options.responseHeaders);
    }
    span.setAttributes(attributes);
    if (route !== undefined) span.updateName(spanName);
    if (!finished) span.setStatus({ code: SpanStatusCode.ERROR, message: ABORTED_MESSAGE });
    else if (statusCode >= 500 && !this.errorStatusSet) span.setStatus({ code: SpanStatusCode.ERROR });
  }

  /** Ends the request: span, metrics, access log, admission outcome, channel. Runs once, on `close`. */
  finish(): void {
    const inst = this.inst;
    const options = inst.options;
    const req = this.req;
    const res = this.res;
    const durationSeconds = (performance.now() - this.startMillis) / 1000;
    const finished = res.writableFinished;
    const statusCode = res.headersSent ? res.statusCode : 0;
    const route = resolveRoute(req);
    const method = this.method;
    const routeInfo = inst.routeInfo(method, route);
    // A shed request never reached routing: it keeps the class admission matched on its path, so its
    // series and span count against the class that was shed (not the default class).
    const sloClass =
      route === undefined && this.shedReason !== undefined && this.admissionRequest?.sloClass !== undefined
        ? this.admissionRequest.sloClass
        : routeInfo.sloClass;
    let errorType: string | undefined;
    if (!finished) errorType = ERROR_TYPE_CLIENT_ABORTED;
    else if (this.shedReason !== undefined) errorType = ERROR_TYPE_SHED;
    else if (statusCode >= 500)
      errorType = this.errorType ?? STATUS_STRINGS[statusCode - 500] ?? String(statusCode);

    const span = this.span;
    if (span !== undefined) {
      try {
        this.#annotate(span, route, routeInfo.spanName, sloClass, statusCode, errorType, finished);
      } catch (error) {
        inst.internalError('finish', error);
      } finally {
        // Whatever failed above, the span ends exactly once.
        span.end();
      }
    }

    inst.recorder.recordHttpServer({
      method,
      route: route ?? options.unmatchedRoute,
      statusCode,
      scheme: this.scheme,
      protocolVersion: req.httpVersion,
      errorType,
      sloClass,
      durationSeconds,
      requestBodyBytes: requestBodyBytes(req),
      responseBodyBytes: finished ? responseBodyBytes(res, method, statusCode) : undefined,
      spanContext: span?.spanContext(),
    });

    if (options.accessLog) {
      const severityNumber =
        statusCode >= 500 ? SEVERITY_ERROR : errorType !== undefined ? SEVERITY_WARN : SEVERITY_INFO;
      const attributes: Record<string, string | number> = {
        [ATTR_HTTP_REQUEST_METHOD]: method,
        [ATTR_URL_PATH]: this.path,
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: statusCode,
        'http.server.request.duration': durationSeconds,
      };
      if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route;
      if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
      if (this.clientAddress !== undefined) attributes[ATTR_CLIENT_ADDRESS] = this.clientAddress;
      inst.logger.emit({
        severityNumber,
        severityText:
          severityNumber === SEVERITY_INFO ? 'INFO' : severityNumber === SEVERITY_WARN ? 'WARN' : 'ERROR',
        body: method + ' ' + (route ?? this.path) + ' ' + statusCode,
        attributes,
        // Explicit: `close` runs in whatever async context the socket has, not the request's.
        context: this.ctx ?? ROOT_CONTEXT,
      });
    }

    const admission = options.admission;
    if (admission !== undefined && this.admissionRequest !== undefined && this.shedReason === undefined) {
      admission.complete?.(this.admissionRequest, { durationSeconds, error: errorType !== undefined });
    }

    const message = this.message;
    if (message !== undefined && requestChannel.asyncEnd.hasSubscribers) {
      message.route = route;
      message.statusCode = statusCode;
      message.durationSeconds = durationSeconds;
      requestChannel.asyncEnd.publish(message);
    }
  }
}

function requestBodyBytes(req: IncomingMessage): number | undefined {
  const length = req.headers['content-length'];
  if (length !== undefined) {
    const n = Number(length);
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  }
  // No length and no chunked body: the request has no body at all.
  return req.headers['transfer-encoding'] === undefined ? 0 : undefined;
}

function responseBodyBytes(res: ServerResponse, method: string, statusCode: number): number | undefined {
  if (method === 'HEAD' || statusCode === 204 || statusCode === 304) return 0;
  const length = res.getHeader('content-length');
  if (length === undefined) return undefined; // streamed (chunked): not counted rather than guessed
  const n = typeof length === 'number' ? length : Number(length);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** `close` listener shared by every response (no closure per request); `this` is the response. */
function onResponseClose(this: TaggedResponse): void {
  const state = this[kState];
  if (state === undefined || state.done) return;
  state.done = true;
  try {
    state.finish();
  } catch (error) {
    state.inst.internalError('finish', error);
  } finally {
    state.active.dec();
  }
}

function startRequest(inst: Instrumentation, req: IncomingMessage, res: TaggedResponse): RequestState {
  const startMillis = performance.now();
  const options = inst.options;
  const method = normalizeMethod(req.method);
  const scheme = (req.socket as TLSSocket | null)?.encrypted === true ? 'https' : 'http';
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  const state = new RequestState(inst, req, res, startMillis, method, scheme, url);
  res[kState] = state;
  res.on('close', onResponseClose);

  if (options.tracing || options.accessLog) {
    // Read now: once a client has gone, its socket no longer knows the peer.
    state.clientAddress = req.socket?.remoteAddress;
  }
  if (options.tracing) {
    const parent = inst.extract(req.headers);
    const span = inst.tracer.startSpan(
      method,
      // Sampling-relevant attributes go in at creation (semconv); the rest once, at the end.
      {
        kind: SpanKind.SERVER,
        attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_PATH]: state.path },
      },
      parent,
    );
    state.span = span;
    state.ctx = trace.setSpan(parent, span);
    const spanContext = span.spanContext();
    if (options.traceIdHeader !== undefined) res.setHeader(options.traceIdHeader, spanContext.traceId);
    if (options.traceResponseHeader) {
      res.setHeader(
        'traceresponse',
        '00-' +
          spanContext.traceId +
          '-' +
          spanContext.spanId +
          ((spanContext.traceFlags & 1) === 1 ? '-01' : '-00'),
      );
    }
  }

  if (requestChannel.hasSubscribers) state.message = { req, res, span: state.span };

  const admission = options.admission;
  if (admission !== undefined) admit(inst, state, admission);
  return state;
}

function admit(
  inst: Instrumentation,
  state: RequestState,
  admission: NonNullable<ResolvedGoldenSignalsOptions['admission']>,
): void {
  // Before routing the template is unknown: class rules are matched against the path (use `*`
  // patterns for routes with parameters).
  const request: AdmissionRequest = {
    kind: 'http',
    method: state.method,
    route: undefined,
    sloClass: inst.sloClasses.matchHttp(state.method, state.path),
  };
  state.admissionRequest = request;
  let decision;
  try {
    decision = admission.admit(request);
  } catch (error) {
    // A failing controller must not take the service down with it: admit.
    inst.internalError('start', error);
    return;
  }
  if (decision.admit) return;
  const reason =
    typeof decision.reason === 'string' && decision.reason !== '' ? decision.reason : 'unspecified';
  state.shedReason = reason;
  state.span?.setAttribute(ATTR_ADMISSION_REASON, reason);
  if (state.span !== undefined) {
    state.span.setStatus({ code: SpanStatusCode.ERROR, message: 'shed by admission control: ' + reason });
    state.errorStatusSet = true;
  }
  inst.metrics.recordShed(reason, request.sloClass, state.method);
  const res = state.res;
  const retryAfter = Number.isFinite(decision.retryAfterSeconds)
    ? Math.max(0, Math.ceil(decision.retryAfterSeconds))
    : 1;
  res.statusCode = 503;
  res.setHeader('retry-after', String(retryAfter));
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ error: 'Service Unavailable', reason }));
}

/**
 * Creates the Express middleware that gives every request one SERVER span (named after the route
 * template, resolved after routing), the golden-signal metrics through core's recorder, an access-log
 * record with trace ids, `traceresponse` / `X-Trace-Id` headers, SLO classes and admission control.
 * Mount it first; mount {@link errorHandler} after the routes. Throws `ExpressMiddlewareError` for
 * invalid options; never throws per request.
 * @example
 * const obs = init({ service: 'shop', spanExporters: [exporter] });
 * const app = express();
 * app.use(goldenSignals({ obs }));
 * app.get('/api/items/:id', handler);
 * app.use(errorHandler({ obs }));
 */
export function goldenSignals(options: GoldenSignalsOptions): GoldenSignalsMiddleware {
  const inst = new Instrumentation(resolveGoldenSignalsOptions(options));
  return function trisignalGoldenSignals(
    req: IncomingMessage,
    res: ServerResponse,
    next: NextFunction,
  ): void {
    const tagged = res as TaggedResponse;
    // Mounted twice (app and sub-app): the outermost instance owns the request.
    if (tagged[kState] !== undefined) {
      next();
      return;
    }
    let state: RequestState;
    try {
      state = startRequest(inst, req, tagged);
    } catch (error) {
      inst.internalError('start', error);
      next();
      return;
    }
    if (state.shedReason !== undefined) return;
    const message = state.message;
    if (message !== undefined) requestChannel.start.publish(message);
    if (state.ctx === undefined) next();
    else context.with(state.ctx, next);
    if (message !== undefined) requestChannel.end.publish(message);
  };
}

/** The request state of a response, for `errorHandler`. */
export function requestStateOf(res: ServerResponse): RequestState | undefined {
  return (res as TaggedResponse)[kState];
}
