import {
  type Attributes,
  type Context,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import {
  type Metadata,
  Metadata as GrpcMetadata,
  type Responder,
  ServerInterceptingCall,
  type ServerInterceptor,
  type ServerListener,
} from '@grpc/grpc-js';
import { type ActiveCounter, ATTR_ERROR_TYPE, ATTR_RPC_GRPC_STATUS_CODE } from '@trisignal/core';
import { Instrumentation, type RpcMethod } from './instrumentation.js';
import { hasAnyField, metadataGetter } from './metadata-carrier.js';
import { chargeResponse, isMeasured, type SizedCall, takeRequestSize } from './message-sizes.js';
import { type HostPort, parseHostPort } from './method-path.js';
import {
  resolveServerInterceptorOptions,
  type ResolvedServerInterceptorOptions,
  type ServerInterceptorOptions,
} from './options.js';
import { encodeRetryStatus } from './retry-info.js';
import {
  ATTR_ADMISSION_REASON,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_RPC_TIMEOUT,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ERROR_TYPE_SHED,
  METADATA_RETRY_PUSHBACK_MS,
  METADATA_STATUS_DETAILS_BIN,
} from './semconv.js';
import { GRPC_STATUS, isServerError } from './status.js';
import { statusError } from './status-error.js';
import { type GrpcCallMessage, serverChannel } from './tracing-channel.js';

type InterceptedCall = Parameters<ServerInterceptor>[1];
type MethodDescriptor = Parameters<ServerInterceptor>[0];
type PartialStatus = Parameters<NonNullable<Responder['sendStatus']>>[0];

const DEADLINE_DETAILS = 'Deadline exceeded';
const CANCELLED_DETAILS = 'Call cancelled';
/**
 * A client's deadline timer starts before its request reaches us, so it fires first and resets the
 * stream: a reset within this share of the timeout (5 ms to 1 s) before our deadline counts as the
 * deadline, not as a cancellation.
 */
const DEADLINE_GRACE_RATIO = 0.25;
const MIN_DEADLINE_GRACE_MILLIS = 5;
const MAX_DEADLINE_GRACE_MILLIS = 1000;
/** Hops followed from the intercepted call towards grpc-js's base call. */
const MAX_CALL_DEPTH = 8;
/** NGHTTP2_NO_ERROR: the stream closed normally. */
const HTTP2_NO_ERROR = 0;

/** What the interceptor reads of the HTTP/2 stream under a call (Node's `ServerHttp2Stream`). */
interface StreamState {
  readonly closed?: unknown;
  readonly destroyed?: unknown;
  readonly rstCode?: unknown;
  readonly sentTrailers?: unknown;
  readonly headersSent?: unknown;
  readonly once?: unknown;
}

/**
 * The HTTP/2 stream under the call. The interceptor API has no way to tell a status that reached the
 * client from one the transport dropped because the client had reset the stream; the stream itself
 * knows. grpc-js's base call (1.10 to 1.14) keeps it in a `stream` field and each
 * ServerInterceptingCall its inner call in `nextCall`. If either is missing (another grpc-js layout),
 * the result is undefined and the handler's status is taken as sent.
 */
function findStream(call: unknown): StreamState | undefined {
  let current = call;
  for (let depth = 0; depth < MAX_CALL_DEPTH && typeof current === 'object' && current !== null; depth++) {
    const stream = (current as { stream?: unknown }).stream;
    if (typeof stream === 'object' && stream !== null) return stream;
    current = (current as { nextCall?: unknown }).nextCall;
  }
  return undefined;
}

function isClosed(stream: StreamState): boolean {
  return stream.closed === true || stream.destroyed === true;
}

/** The status was written before the stream closed: trailers, or the headers of a trailers-only response. */
function statusWritten(stream: StreamState, metadataSent: boolean): boolean {
  const sentTrailers = stream.sentTrailers;
  if (sentTrailers !== undefined && sentTrailers !== null && sentTrailers !== false) return true;
  return !metadataSent && stream.headersSent === true;
}

/** Reset (RST_STREAM, lost connection) rather than closed normally. */
function wasReset(stream: StreamState | undefined): boolean {
  return (
    stream !== undefined &&
    isClosed(stream) &&
    typeof stream.rstCode === 'number' &&
    stream.rstCode !== HTTP2_NO_ERROR
  );
}

/** The server side: resolved options, the handles from core and the propagation fields. */
class ServerInstrumentation extends Instrumentation {
  readonly options: ResolvedServerInterceptorOptions;
  readonly propagationFields: readonly string[];
  /** Per path: do the method's (de)serializers report message sizes (see measureMessageSizes)? */
  readonly #measured = new Map<string, boolean>();
  #lastAuthority: string | undefined = undefined;
  #lastHost: HostPort | undefined = undefined;

  constructor(options: ResolvedServerInterceptorOptions) {
    super(options.obs, 'server');
    this.options = options;
    this.propagationFields = options.obs.propagator.fields();
  }

  extract(metadata: Metadata): Context {
    // Most calls carry no context: skip the propagators (and their parsing) unless a field is there.
    if (!hasAnyField(metadata, this.propagationFields)) return ROOT_CONTEXT;
    return this.options.obs.propagator.extract(ROOT_CONTEXT, metadata, metadataGetter);
  }

  /** `:authority` → server.address / server.port; one entry is enough (a server answers to one name). */
  host(authority: unknown): HostPort | undefined {
    if (typeof authority !== 'string') return undefined;
    if (authority !== this.#lastAuthority) {
      this.#lastAuthority = authority;
      this.#lastHost = parseHostPort(authority);
    }
    return this.#lastHost;
  }

  measured(descriptor: MethodDescriptor): boolean {
    let known = this.#measured.get(descriptor.path);
    if (known === undefined) {
      known = isMeasured(descriptor.requestDeserialize);
      this.#measured.set(descriptor.path, known);
    }
    return known;
  }
}

/** One server call. Every field is set in the constructor so all instances share one shape. */
class ServerCall implements SizedCall {
  readonly inst: ServerInstrumentation;
  readonly method: RpcMethod;
  readonly call: InterceptedCall;
  /** Streaming requests run user code on every message and on half-close, not only at the handler. */
  readonly requestStream: boolean;
  readonly sized: boolean;
  readonly startMillis: number;
  span: Span | undefined = undefined;
  ctx: Context | undefined = undefined;
  active: ActiveCounter | undefined = undefined;
  attributes: Attributes | undefined = undefined;
  requestMessages = 0;
  responseMessages = 0;
  requestBytes = 0;
  responseBytes = 0;
  metadataSent = false;
  /** Absolute deadline (epoch ms), Infinity without one. */
  deadlineMillis = Infinity;
  /** How close to the deadline a cancellation still counts as the deadline (see cancelled()). */
  graceMillis = 0;
  /** The status the handler sent, held until grpc-js reports the call over. */
  pendingCode: number | undefined = undefined;
  pendingDetails: string | undefined = undefined;
  shedReason: string | undefined = undefined;
  message: GrpcCallMessage | undefined = undefined;
  started = false;
  done = false;

  constructor(inst: ServerInstrumentation, descriptor: MethodDescriptor, call: InterceptedCall) {
    this.inst = inst;
    this.method = inst.method(descriptor.path);
    this.call = call;
    this.requestStream = descriptor.requestStream;
    this.sized = inst.measured(descriptor);
    this.startMillis = performance.now();
  }

  /** Request metadata arrived: extract the parent, start the span, ask admission. True when shed. */
  begin(metadata: Metadata): boolean {
    const inst = this.inst;
    const method = this.method;
    const parent = inst.extract(metadata);
    const span = inst.tracer.startSpan(
      method.fullMethod,
      { kind: SpanKind.SERVER, attributes: method.startAttributes },
      parent,
    );
    this.span = span;
    this.ctx = trace.setSpan(parent, span);
    this.active = inst.activeCounter(method);
    this.started = true;
    this.attributes = this.peerAttributes();
    if (serverChannel.hasSubscribers) {
      const message: GrpcCallMessage = { path: method.path, span, metadata };
      this.message = message;
      serverChannel.start.publish(message);
    }
    const admission = inst.options.admission;
    return admission === undefined ? false : this.admit(admission);
  }

  /**
   * Read at the start: once a client has gone, its socket no longer knows the peer. Each source is
   * optional: `getHost` and `getConnectionInfo` arrived in grpc-js 1.11 (`getPeer` is not used: it
   * goes through Node's socket proxy, which costs more than the rest of this interceptor).
   */
  peerAttributes(): Attributes {
    const call = this.call as Partial<InterceptedCall>;
    const attributes: Attributes = {};
    const deadline = typeof call.getDeadline === 'function' ? call.getDeadline() : Infinity;
    const deadlineMillis = deadline instanceof Date ? deadline.getTime() : deadline;
    if (Number.isFinite(deadlineMillis)) {
      const timeoutMillis = Math.max(0, deadlineMillis - Date.now());
      this.deadlineMillis = deadlineMillis;
      this.graceMillis = Math.min(
        MAX_DEADLINE_GRACE_MILLIS,
        Math.max(MIN_DEADLINE_GRACE_MILLIS, timeoutMillis * DEADLINE_GRACE_RATIO),
      );
      attributes[ATTR_RPC_TIMEOUT] = timeoutMillis / 1000;
    }
    if (typeof call.getHost === 'function') {
      const server = this.inst.host(call.getHost());
      if (server !== undefined) {
        attributes[ATTR_SERVER_ADDRESS] = server.address;
        if (server.port !== undefined) attributes[ATTR_SERVER_PORT] = server.port;
      }
    }
    if (typeof call.getConnectionInfo === 'function') {
      const connection = call.getConnectionInfo();
      if (connection.remoteAddress !== undefined) {
        attributes[ATTR_NETWORK_PEER_ADDRESS] = connection.remoteAddress;
        if (connection.remotePort !== undefined) attributes[ATTR_NETWORK_PEER_PORT] = connection.remotePort;
      }
    }
    return attributes;
  }

  admit(admission: NonNullable<ResolvedServerInterceptorOptions['admission']>): boolean {
    const inst = this.inst;
    const method = this.method;
    let decision;
    try {
      decision = admission.admit(method.admissionRequest);
    } catch (error) {
      // A failing controller must not take the service down with it: admit.
      inst.internalError('admission', error);
      return false;
    }
    if (decision.admit) return false;
    const reason =
      typeof decision.reason === 'string' && decision.reason !== '' ? decision.reason : 'unspecified';
    const retryAfterMillis = Number.isFinite(decision.retryAfterSeconds)
      ? Math.max(0, Math.round(decision.retryAfterSeconds * 1000))
      : 1000;
    const code = inst.options.shedStatus;
    const details = `shed by admission control (${reason}); retry after ${retryAfterMillis} ms`;
    this.shedReason = reason;
    inst.metrics.recordShed(reason, method.sloClass, method.service, method.method, code);
    const trailers = new GrpcMetadata();
    trailers.set(METADATA_RETRY_PUSHBACK_MS, String(retryAfterMillis));
    trailers.set(METADATA_STATUS_DETAILS_BIN, encodeRetryStatus(code, details, retryAfterMillis));
    const traceIdKey = inst.options.traceIdMetadataKey;
    if (traceIdKey !== undefined && this.span !== undefined) {
      trailers.set(traceIdKey, this.span.spanContext().traceId);
    }
    this.finish(code, details);
    // Straight to the transport: no handler ran, so nothing above this interceptor sees the call.
    this.call.sendStatus({ code, details, metadata: trailers });
    return true;
  }

  /** Ends the call: span, metrics, admission outcome, channel. Runs once. */
  finish(code: number, details: string | undefined): void {
    if (this.done) return;
    this.done = true;
    if (!this.started) return;
    const inst = this.inst;
    const method = this.method;
    const durationSeconds = (performance.now() - this.startMillis) / 1000;
    const span = this.span!;
    const attributes = this.attributes ?? {};
    attributes[ATTR_RPC_GRPC_STATUS_CODE] = code;
    let errorType: string | undefined;
    if (this.shedReason !== undefined) {
      errorType = ERROR_TYPE_SHED;
      attributes[ATTR_ERROR_TYPE] = ERROR_TYPE_SHED;
      attributes[ATTR_ADMISSION_REASON] = this.shedReason;
      span.setStatus({ code: SpanStatusCode.ERROR, message: details ?? '' });
    } else if (isServerError(code)) {
      // Sets status ERROR, error.type, the exception event, and counts trisignal.errors.
      errorType = inst.obs.recordError(span, statusError(code, details), {
        spanKind: SpanKind.SERVER,
      }).errorType;
    }
    span.setAttributes(attributes);
    span.end();

    inst.obs.recorder.recordRpcServer({
      service: method.service,
      method: method.method,
      grpcStatusCode: code,
      errorType,
      sloClass: method.sloClass,
      durationSeconds,
      requestBytes: this.sized ? this.requestBytes : undefined,
      responseBytes: this.sized ? this.responseBytes : undefined,
      requestMessages: this.requestMessages,
      responseMessages: this.responseMessages,
      spanContext: span.spanContext(),
    });
    this.active?.dec();

    const admission = inst.options.admission;
    if (admission?.complete !== undefined && this.shedReason === undefined) {
      try {
        admission.complete(method.admissionRequest, { durationSeconds, error: isServerError(code) });
      } catch (error) {
        inst.internalError('admission', error);
      }
    }

    const message = this.message;
    if (message !== undefined && serverChannel.asyncEnd.hasSubscribers) {
      message.statusCode = code;
      message.durationSeconds = durationSeconds;
      serverChannel.asyncEnd.publish(message);
    }
  }

  /**
   * grpc-js tells every call's listener `onCancel` once the call is over, whether the status went out
   * or the client reset the stream: the call ends here. A status the handler sent (held in `pending`)
   * stands unless the stream was reset before it could reach the client; that is common, because a
   * client's cancel first half-closes the stream, so a handler that answers on `end` answers a call
   * that is about to be reset. Without a status, the client cancelled or went away, or grpc-js answered
   * by itself (its deadline timer, a malformed message): those statuses bypass interceptors. The
   * deadline is recognised by the clock; anything else counts as CANCELLED.
   */
  cancelled(): void {
    if (this.done) return;
    if (this.pendingCode !== undefined) {
      const stream = findStream(this.call);
      // Usual case: the status is written and the deadline is not near, so no reset can change the
      // outcome any more.
      if (
        stream !== undefined &&
        !isClosed(stream) &&
        statusWritten(stream, this.metadataSent) &&
        Date.now() < this.deadlineMillis - this.graceMillis
      ) {
        this.finish(this.pendingCode, this.pendingDetails);
        return;
      }
      // The status may still be on its way out (grpc-js 1.10 reports the call over as soon as the
      // status is handed to the transport): decide once the stream has closed.
      if (stream !== undefined && !isClosed(stream) && typeof stream.once === 'function') {
        (stream.once as (event: string, listener: () => void) => void).call(stream, 'close', () => {
          try {
            this.settle(stream);
          } catch (error) {
            this.inst.internalError('finish', error);
          }
        });
        return;
      }
      this.settle(stream);
      return;
    }
    this.settle(undefined);
  }

  /**
   * Ends the call with the held status, or as cancelled / deadline exceeded when it never got out. A
   * reset after the status was written (the client reset a stream it was still sending on) leaves the
   * status standing; a reset close to the deadline is the client's deadline timer.
   */
  settle(stream: StreamState | undefined): void {
    if (this.done) return;
    const pendingCode = this.pendingCode;
    const reset = pendingCode === undefined || wasReset(stream);
    if (!reset) {
      this.finish(pendingCode, this.pendingDetails);
    } else if (Date.now() >= this.deadlineMillis - this.graceMillis) {
      // The client's own deadline timer fires a moment before ours (its clock started before the
      // request reached us) and resets the stream: a reset that close to the deadline is the deadline.
      this.finish(GRPC_STATUS.DEADLINE_EXCEEDED, DEADLINE_DETAILS);
    } else if (
      pendingCode !== undefined &&
      stream !== undefined &&
      statusWritten(stream, this.metadataSent)
    ) {
      this.finish(pendingCode, this.pendingDetails);
    } else {
      this.finish(GRPC_STATUS.CANCELLED, CANCELLED_DETAILS);
    }
  }

  /** Holds the handler's status until the call is over; past the deadline the client has already failed it. */
  holdStatus(code: number, details: string | undefined): void {
    if (this.pendingCode !== undefined) return;
    if (Date.now() >= this.deadlineMillis) {
      this.pendingCode = GRPC_STATUS.DEADLINE_EXCEEDED;
      this.pendingDetails = DEADLINE_DETAILS;
    } else {
      this.pendingCode = code;
      this.pendingDetails = details;
    }
  }

  /** Adds the trace id to metadata about to be sent (initial metadata, or trailers-only status). */
  addTraceId(metadata: Metadata): void {
    const key = this.inst.options.traceIdMetadataKey;
    const span = this.span;
    if (key === undefined || span === undefined) return;
    metadata.set(key, span.spanContext().traceId);
  }

  listener(): ServerListener {
    return {
      onReceiveMetadata: (metadata, next) => {
        let shed = false;
        try {
          shed = this.begin(metadata);
        } catch (error) {
          this.inst.internalError('start', error);
        }
        if (shed) return;
        const ctx = this.ctx;
        if (ctx === undefined) next(metadata);
        else context.with(ctx, next, undefined, metadata);
      },
      onReceiveMessage: (message: unknown, next) => {
        this.requestMessages++;
        if (this.sized) {
          const size = takeRequestSize(message);
          if (size !== undefined) this.requestBytes += size;
        }
        const ctx = this.ctx;
        // A unary request's message only makes grpc-js read on; a stream's reaches user listeners.
        if (ctx === undefined || !this.requestStream) next(message);
        else context.with(ctx, next, undefined, message);
      },
      onReceiveHalfClose: (next) => {
        const ctx = this.ctx;
        if (ctx === undefined) next();
        else context.with(ctx, next);
      },
      onCancel: () => {
        try {
          this.cancelled();
        } catch (error) {
          this.inst.internalError('finish', error);
        }
      },
    };
  }

  responder(): Responder {
    return {
      start: (next) => {
        next(this.listener());
      },
      sendMetadata: (metadata, next) => {
        this.metadataSent = true;
        try {
          this.addTraceId(metadata);
        } catch (error) {
          this.inst.internalError('message', error);
        }
        next(metadata);
      },
      sendMessage: (message: unknown, next) => {
        this.responseMessages++;
        if (this.sized) chargeResponse(message, this);
        next(message);
      },
      sendStatus: (status, next) => {
        let out: PartialStatus = status;
        try {
          if (!this.done) {
            if (!this.metadataSent && this.inst.options.traceIdMetadataKey !== undefined) {
              // Trailers-only response: the trailers are the only metadata the client gets.
              const trailers = status.metadata ?? new GrpcMetadata();
              this.addTraceId(trailers);
              if (trailers !== status.metadata) out = { ...status, metadata: trailers };
            }
            this.holdStatus(status.code, status.details);
          }
        } catch (error) {
          this.inst.internalError('finish', error);
        }
        next(out);
      },
    };
  }
}

/**
 * Creates the grpc-js server interceptor (grpc-js ≥ 1.10) that gives every call one SERVER span named
 * `package.Service/Method` (parent extracted from the request metadata), the golden-signal metrics through
 * core's recorder (duration with exemplars, active calls, messages and, with {@link measureMessageSizes},
 * bytes), the SLO class, admission control and the trace id in the response metadata. Every call kind,
 * cancellation and deadline end the span exactly once. Throws `GrpcMiddlewareError` for invalid
 * options; never throws per call.
 * @example
 * const obs = init({ service: 'inventory', spanExporters: [exporter] });
 * const server = new grpc.Server({ interceptors: [serverInterceptor({ obs })] });
 */
export function serverInterceptor(options: ServerInterceptorOptions): ServerInterceptor {
  const inst = new ServerInstrumentation(resolveServerInterceptorOptions(options));
  return function trisignalServerInterceptor(descriptor, call) {
    let state: ServerCall;
    try {
      state = new ServerCall(inst, descriptor, call);
    } catch (error) {
      inst.internalError('start', error);
      return new ServerInterceptingCall(call);
    }
    return new ServerInterceptingCall(call, state.responder());
  };
}
