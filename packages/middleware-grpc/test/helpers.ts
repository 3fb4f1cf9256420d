import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Context, diag, DiagLogLevel, SpanKind, trace } from '@opentelemetry/api';
import type * as grpcTypes from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { type Admission, type InitOptions, init, type Observability } from '@trisignal/core';
import {
  clientInterceptor,
  type ClientInterceptorOptions,
  measureMessageSizes,
  serverInterceptor,
  type ServerInterceptorOptions,
} from '../src/index.js';

export type Grpc = typeof grpcTypes;

const here = path.dirname(fileURLToPath(import.meta.url));
export const PROTO_PATH = path.join(here, 'fixtures', 'echo.proto');
export const SERVICE = 'trisignal.test.Echo';

export const packageDefinition = protoLoader.loadSync(PROTO_PATH, {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});

export interface EchoRequest {
  text?: string;
  mode?: 'ok' | 'status' | 'throw' | 'hang' | 'async';
  code?: number;
  count?: number;
}
export interface EchoReply {
  text: string;
  index: number;
  traceId: string;
}

/** Counts span starts and ends by span id, to prove every span ends exactly once. */
export class CountingProcessor implements SpanProcessor {
  readonly started = new Set<string>();
  readonly ended = new Map<string, number>();
  onStart(span: Span, _parent: Context): void {
    this.started.add(span.spanContext().spanId);
  }
  onEnd(span: ReadableSpan): void {
    const id = span.spanContext().spanId;
    this.ended.set(id, (this.ended.get(id) ?? 0) + 1);
  }
  /** Spans started but not ended. */
  open(): string[] {
    return [...this.started].filter((id) => !this.ended.has(id));
  }
  /** Spans ended more than once. */
  endedTwice(): string[] {
    return [...this.ended].filter(([, n]) => n > 1).map(([id]) => id);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Collects diag errors and warnings (the SDK reports a second `end()` of a span there). */
export class DiagCapture {
  readonly messages: string[] = [];
  install(): void {
    const push = (...args: unknown[]): void => {
      this.messages.push(args.map(String).join(' '));
    };
    diag.setLogger(
      { error: push, warn: push, info: () => {}, debug: () => {}, verbose: () => {} },
      { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
    );
  }
}

/** A handle to one server observed by the test: handlers in flight and their cancellations. */
export interface ServerProbe {
  /** Calls whose handler is waiting (mode = hang). */
  readonly hanging: Set<
    grpcTypes.ServerUnaryCall<unknown, unknown> | grpcTypes.ServerDuplexStream<unknown, unknown>
  >;
  cancelled: number;
  handlerRuns: number;
}

/** Test handlers for every call kind; `mode` in the request picks the behaviour. */
export function echoImplementation(probe: ServerProbe): grpcTypes.UntypedServiceImplementation {
  const traceId = (): string => trace.getActiveSpan()?.spanContext().traceId ?? '';
  const watch = (call: NodeJS.EventEmitter): void => {
    call.on('cancelled', () => {
      probe.cancelled++;
    });
  };
  return {
    Unary(
      call: grpcTypes.ServerUnaryCall<EchoRequest, EchoReply>,
      callback: grpcTypes.sendUnaryData<EchoReply>,
    ) {
      probe.handlerRuns++;
      watch(call);
      const request = call.request;
      switch (request.mode) {
        case 'status':
          callback({ code: request.code ?? 2, details: `requested ${request.code}` });
          return;
        case 'throw':
          throw new Error('handler threw');
        case 'hang':
          probe.hanging.add(call);
          return;
        case 'async':
          setTimeout(() => {
            callback(null, { text: request.text ?? '', index: 0, traceId: traceId() });
          }, 5);
          return;
        default:
          callback(null, { text: request.text ?? '', index: 0, traceId: traceId() });
      }
    },
    ClientStream(
      call: grpcTypes.ServerReadableStream<EchoRequest, EchoReply>,
      callback: grpcTypes.sendUnaryData<EchoReply>,
    ) {
      probe.handlerRuns++;
      watch(call);
      let count = 0;
      let mode: EchoRequest['mode'];
      let code = 0;
      call.on('data', (request: EchoRequest) => {
        count++;
        mode ??= request.mode;
        code = request.code ?? 0;
      });
      call.on('end', () => {
        if (mode === 'status') callback({ code, details: `requested ${code}` });
        else if (mode === 'hang') probe.hanging.add(call as never);
        else callback(null, { text: String(count), index: count, traceId: traceId() });
      });
    },
    ServerStream(call: grpcTypes.ServerWritableStream<EchoRequest, EchoReply>) {
      probe.handlerRuns++;
      watch(call);
      const request = call.request;
      const count = request.count ?? 1;
      for (let i = 0; i < count; i++) call.write({ text: request.text ?? '', index: i, traceId: traceId() });
      if (request.mode === 'status') {
        call.emit('error', { code: request.code ?? 2, details: `requested ${request.code}` });
      } else if (request.mode === 'hang') {
        probe.hanging.add(call);
      } else {
        call.end();
      }
    },
    Bidi(call: grpcTypes.ServerDuplexStream<EchoRequest, EchoReply>) {
      probe.handlerRuns++;
      watch(call);
      let index = 0;
      let mode: EchoRequest['mode'];
      call.on('data', (request: EchoRequest) => {
        mode ??= request.mode;
        if (request.mode === 'status') {
          call.emit('error', { code: request.code ?? 2, details: `requested ${request.code}` });
          return;
        }
        call.write({ text: request.text ?? '', index: index++, traceId: traceId() });
      });
      call.on('end', () => {
        // A half-closed client: `hang` keeps the server side open.
        if (mode === 'hang') probe.hanging.add(call);
        else call.end();
      });
    },
  };
}

export interface Harness {
  readonly grpc: Grpc;
  readonly obs: Observability;
  readonly spans: InMemorySpanExporter;
  readonly counting: CountingProcessor;
  readonly diagCapture: DiagCapture;
  readonly probe: ServerProbe;
  readonly server: grpcTypes.Server;
  readonly port: number;
  /** A client with the trisignal client interceptor. */
  readonly client: EchoClient;
  /** A client with no interceptor (to send raw metadata). */
  readonly bareClient: EchoClient;
  close(): Promise<void>;
}

export type EchoClient = grpcTypes.Client & Record<string, (...args: unknown[]) => unknown>;

export interface HarnessOptions {
  readonly init?: InitOptions;
  readonly server?: Omit<ServerInterceptorOptions, 'obs'>;
  readonly client?: Omit<ClientInterceptorOptions, 'obs'>;
  readonly admission?: Admission;
  readonly measureSizes?: boolean;
}

/** Starts an instrumented server and client on 127.0.0.1 with one `init()` for both. */
export async function startHarness(grpc: Grpc, options: HarnessOptions = {}): Promise<Harness> {
  const spans = new InMemorySpanExporter();
  const counting = new CountingProcessor();
  const obs = init({
    service: 'grpc-test',
    spanProcessors: [counting, new SimpleSpanProcessor(spans)],
    signalHooks: false,
    runtimeMetrics: false,
    ...options.init,
  });
  const diagCapture = new DiagCapture();
  diagCapture.install();
  const probe: ServerProbe = { hanging: new Set(), cancelled: 0, handlerRuns: 0 };
  const proto = grpc.loadPackageDefinition(packageDefinition) as unknown as {
    trisignal: { test: { Echo: grpcTypes.ServiceClientConstructor } };
  };
  const Echo = proto.trisignal.test.Echo;
  const server = new grpc.Server({
    interceptors: [
      serverInterceptor({
        obs,
        ...(options.admission === undefined ? {} : { admission: options.admission }),
        ...options.server,
      }),
    ],
  });
  const service = options.measureSizes === true ? measureMessageSizes(Echo.service) : Echo.service;
  server.addService(service, echoImplementation(probe));
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => {
      if (error) reject(error);
      else resolve(bound);
    });
  });
  const target = `127.0.0.1:${port}`;
  const client = new Echo(target, grpc.credentials.createInsecure(), {
    interceptors: [clientInterceptor({ obs, ...options.client })],
  }) as unknown as EchoClient;
  const bareClient = new Echo(target, grpc.credentials.createInsecure()) as unknown as EchoClient;
  return {
    grpc,
    obs,
    spans,
    counting,
    diagCapture,
    probe,
    server,
    port,
    client,
    bareClient,
    async close() {
      client.close();
      bareClient.close();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await obs.shutdown({ timeoutMillis: 2000 });
    },
  };
}

/** Polls `predicate` until it holds; fails after `timeoutMillis` (every wait in these tests is bounded). */
export async function waitFor(
  predicate: () => boolean,
  timeoutMillis = 3000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMillis} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Sum of the in-flight counters of a kind. */
export function activeCalls(obs: Observability, kind: 'rpc.server' | 'rpc.client'): number {
  let total = 0;
  obs.recorder.forEachActive(kind, (cell) => {
    total += cell.value;
  });
  return total;
}

/** Unary call as a promise of `{ error, reply, metadata, trailers }` (never rejects). */
export function unary(
  client: EchoClient,
  request: EchoRequest,
  options: {
    metadata?: grpcTypes.Metadata;
    deadline?: number;
    onCall?: (call: grpcTypes.ClientUnaryCall) => void;
  } = {},
  grpc?: Grpc,
): Promise<{
  error: grpcTypes.ServiceError | null;
  reply: EchoReply | undefined;
  metadata: grpcTypes.Metadata | undefined;
  status: grpcTypes.StatusObject | undefined;
}> {
  return new Promise((resolve) => {
    let metadata: grpcTypes.Metadata | undefined;
    let status: grpcTypes.StatusObject | undefined;
    let result: { error: grpcTypes.ServiceError | null; reply: EchoReply | undefined } | undefined;
    const done = (): void => {
      if (result !== undefined && status !== undefined) resolve({ ...result, metadata, status });
    };
    const md = options.metadata ?? (grpc === undefined ? undefined : new grpc.Metadata());
    const callOptions = options.deadline === undefined ? {} : { deadline: Date.now() + options.deadline };
    const args: unknown[] = [request];
    if (md !== undefined) args.push(md);
    args.push(callOptions, (error: grpcTypes.ServiceError | null, reply?: EchoReply) => {
      result = { error, reply };
      done();
    });
    const call = client['unary']!(...args) as grpcTypes.ClientUnaryCall;
    call.on('metadata', (m: grpcTypes.Metadata) => {
      metadata = m;
    });
    call.on('status', (s: grpcTypes.StatusObject) => {
      status = s;
      done();
    });
    options.onCall?.(call);
  });
}

/** Reads a whole client stream: its messages, then its status or error. */
export function collect(
  stream: grpcTypes.ClientReadableStream<EchoReply> | grpcTypes.ClientDuplexStream<EchoRequest, EchoReply>,
): Promise<{
  replies: EchoReply[];
  error: grpcTypes.ServiceError | undefined;
  status: grpcTypes.StatusObject;
}> {
  return new Promise((resolve) => {
    const replies: EchoReply[] = [];
    let error: grpcTypes.ServiceError | undefined;
    stream.on('data', (reply: EchoReply) => replies.push(reply));
    stream.on('error', (e: grpcTypes.ServiceError) => {
      error = e;
    });
    stream.on('status', (status: grpcTypes.StatusObject) => {
      // `status` comes after `error`; with an error, grpc-js emits it in the same tick.
      setImmediate(() => resolve({ replies, error, status }));
    });
  });
}

/** Spans of a kind for a method. */
export function spansOf(harness: Harness, kind: 'server' | 'client', method?: string): ReadableSpan[] {
  const want = kind === 'server' ? SpanKind.SERVER : SpanKind.CLIENT;
  return harness.spans
    .getFinishedSpans()
    .filter((s) => s.kind === want && (method === undefined || s.name === `${SERVICE}/${method}`));
}

/** Asserts the invariants every test ends with: no span open or ended twice, no call in flight. */
export async function expectQuiet(harness: Harness): Promise<void> {
  await waitFor(
    () =>
      harness.counting.open().length === 0 &&
      activeCalls(harness.obs, 'rpc.server') === 0 &&
      activeCalls(harness.obs, 'rpc.client') === 0,
    3000,
    'every span ended and no call in flight',
  );
  if (harness.counting.endedTwice().length > 0) throw new Error('a span ended twice');
  const doubleEnds = harness.diagCapture.messages.filter((m) => m.includes('end()'));
  if (doubleEnds.length > 0) throw new Error(`span.end() called twice: ${doubleEnds[0]}`);
}
