import { type Attributes, type Context, context, type Span, SpanKind, trace } from '@opentelemetry/api';
import {
  InterceptingCall,
  type Interceptor,
  type Listener,
  type Metadata,
  type Requester,
} from '@grpc/grpc-js';
import { type ActiveCounter, ATTR_RPC_GRPC_STATUS_CODE } from '@trisignal/core';
import { Instrumentation, type RpcMethod } from './instrumentation.js';
import { metadataSetter } from './metadata-carrier.js';
import { type HostPort, parseHostPort } from './method-path.js';
import {
  type ClientInterceptorOptions,
  resolveClientInterceptorOptions,
  type ResolvedClientInterceptorOptions,
} from './options.js';
import {
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_RPC_TIMEOUT,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from './semconv.js';
import { statusError } from './status-error.js';
import { clientChannel, type GrpcCallMessage } from './tracing-channel.js';

type CallOptions = Parameters<Interceptor>[0];
type NextCall = ReturnType<Parameters<Interceptor>[1]>;
type StatusObject = Parameters<NonNullable<Listener['onReceiveStatus']>>[0];

/** The client side: resolved options and the parsed `target`. */
class ClientInstrumentation extends Instrumentation {
  readonly options: ResolvedClientInterceptorOptions;
  readonly target: HostPort | undefined;
  #lastPeer: string | undefined = undefined;
  #lastPeerParsed: HostPort | undefined = undefined;

  constructor(options: ResolvedClientInterceptorOptions) {
    super(options.obs, 'client');
    this.options = options;
    this.target = options.target === undefined ? undefined : parseHostPort(options.target);
  }

  /** The call's peer (`ip:port`), parsed; one entry is enough (a channel talks to few peers). */
  peer(text: unknown): HostPort | undefined {
    if (typeof text !== 'string') return undefined;
    if (text !== this.#lastPeer) {
      this.#lastPeer = text;
      this.#lastPeerParsed = parseHostPort(text);
    }
    return this.#lastPeerParsed;
  }
}

/** One client call. Every field is set in the constructor so all instances share one shape. */
class ClientCall {
  readonly inst: ClientInstrumentation;
  readonly method: RpcMethod;
  readonly call: NextCall;
  /** The caller's context: the span's parent, and the context user callbacks run in. */
  readonly parent: Context;
  readonly deadline: Date | number | undefined;
  readonly responseStream: boolean;
  startMillis = 0;
  span: Span | undefined = undefined;
  active: ActiveCounter | undefined = undefined;
  timeoutSeconds: number | undefined = undefined;
  requestMessages = 0;
  responseMessages = 0;
  message: GrpcCallMessage | undefined = undefined;
  started = false;
  done = false;

  constructor(inst: ClientInstrumentation, options: CallOptions, call: NextCall) {
    this.inst = inst;
    const definition = options.method_definition;
    this.method = inst.method(definition.path);
    this.call = call;
    this.parent = context.active();
    this.deadline = options.deadline;
    this.responseStream = definition.responseStream;
  }

  /** Starts the span and returns the metadata to send: a copy carrying the propagation fields. */
  begin(metadata: Metadata): Metadata {
    const inst = this.inst;
    const method = this.method;
    this.startMillis = performance.now();
    const span = inst.tracer.startSpan(
      method.fullMethod,
      { kind: SpanKind.CLIENT, attributes: method.startAttributes },
      this.parent,
    );
    this.span = span;
    this.active = inst.activeCounter(method);
    this.started = true;
    const deadline = this.deadline;
    if (deadline !== undefined) {
      const millis = deadline instanceof Date ? deadline.getTime() : deadline;
      if (Number.isFinite(millis)) this.timeoutSeconds = Math.max(0, millis - Date.now()) / 1000;
    }
    // A copy: callers reuse Metadata objects, and a stale traceparent must not stay behind in theirs.
    const outgoing = metadata.clone();
    inst.obs.propagator.inject(trace.setSpan(this.parent, span), outgoing, metadataSetter);
    if (clientChannel.hasSubscribers) {
      const message: GrpcCallMessage = { path: method.path, span, metadata: outgoing };
      this.message = message;
      clientChannel.start.publish(message);
    }
    return outgoing;
  }

  /** Ends the call: span, metrics, channel. Runs once, when the status arrives. */
  finish(status: StatusObject): void {
    if (this.done) return;
    this.done = true;
    if (!this.started) return;
    const inst = this.inst;
    const method = this.method;
    const durationSeconds = (performance.now() - this.startMillis) / 1000;
    const span = this.span!;
    // A number on the wire; grpc-js types it as its Status enum.
    const code: number = status.code;
    const attributes: Attributes = { [ATTR_RPC_GRPC_STATUS_CODE]: code };
    if (this.timeoutSeconds !== undefined) attributes[ATTR_RPC_TIMEOUT] = this.timeoutSeconds;
    const peer = inst.peer(this.call.getPeer());
    if (peer !== undefined) {
      attributes[ATTR_NETWORK_PEER_ADDRESS] = peer.address;
      if (peer.port !== undefined) attributes[ATTR_NETWORK_PEER_PORT] = peer.port;
    }
    const server = inst.target ?? peer;
    if (server !== undefined) {
      attributes[ATTR_SERVER_ADDRESS] = server.address;
      if (server.port !== undefined) attributes[ATTR_SERVER_PORT] = server.port;
    }
    let errorType: string | undefined;
    if (code !== 0) {
      // On a CLIENT span every non-OK status is an error (status ERROR, error.type, exception event).
      errorType = inst.obs.recordError(span, statusError(code, status.details), {
        spanKind: SpanKind.CLIENT,
      }).errorType;
    }
    span.setAttributes(attributes);
    span.end();

    inst.obs.recorder.recordRpcClient({
      service: method.service,
      method: method.method,
      grpcStatusCode: code,
      errorType,
      sloClass: method.sloClass,
      durationSeconds,
      requestMessages: this.requestMessages,
      responseMessages: this.responseMessages,
      spanContext: span.spanContext(),
    });
    this.active?.dec();

    const message = this.message;
    if (message !== undefined && clientChannel.asyncEnd.hasSubscribers) {
      message.statusCode = code;
      message.durationSeconds = durationSeconds;
      clientChannel.asyncEnd.publish(message);
    }
  }

  listener(): Listener {
    // No onReceiveMetadata: grpc-js passes metadata on by default.
    return {
      onReceiveMessage: (message: unknown, next) => {
        this.responseMessages++;
        // Stream `data` listeners run in the caller's context; a unary reply waits for the status.
        if (!this.responseStream || context.active() === this.parent) next(message);
        else context.with(this.parent, next, undefined, message);
      },
      onReceiveStatus: (status, next) => {
        try {
          this.finish(status);
        } catch (error) {
          this.inst.internalError('finish', error);
        }
        // The callback or `status` listeners run in the caller's context, not the transport's.
        if (context.active() === this.parent) next(status);
        else context.with(this.parent, next, undefined, status);
      },
    };
  }

  requester(): Requester {
    return {
      start: (metadata, _listener, next) => {
        let outgoing = metadata;
        try {
          outgoing = this.begin(metadata);
        } catch (error) {
          this.inst.internalError('start', error);
        }
        next(outgoing, this.listener());
      },
      sendMessage: (message: unknown, next) => {
        this.requestMessages++;
        next(message);
      },
    };
  }
}

/**
 * Creates the grpc-js client interceptor that gives every call one CLIENT span named
 * `package.Service/Method` (a child of the active span), injects the context into the outgoing
 * metadata, records `rpc.client.call.duration` (with exemplars) and active calls through core's
 * recorder, and records the deadline. Any non-OK status makes the span an error. Throws
 * `GrpcMiddlewareError` for invalid options; never throws per call.
 * @example
 * const client = new proto.shop.Inventory('inventory:50051', grpc.credentials.createInsecure(), {
 *   interceptors: [clientInterceptor({ obs })],
 * });
 */
export function clientInterceptor(options: ClientInterceptorOptions): Interceptor {
  const inst = new ClientInstrumentation(resolveClientInterceptorOptions(options));
  return function trisignalClientInterceptor(callOptions, nextCall) {
    const call = nextCall(callOptions);
    let state: ClientCall;
    try {
      state = new ClientCall(inst, callOptions, call);
    } catch (error) {
      inst.internalError('start', error);
      return new InterceptingCall(call);
    }
    return new InterceptingCall(call, state.requester());
  };
}
