import { type Attributes, diag, type Tracer } from '@opentelemetry/api';
import {
  type ActiveCounter,
  type AdmissionRequest,
  ATTR_RPC_METHOD,
  ATTR_RPC_SERVICE,
  ATTR_RPC_SYSTEM,
  ATTR_SLO_CLASS,
  type Observability,
} from '@trisignal/core';
import { parseMethodPath } from './method-path.js';
import { GrpcMiddlewareMetrics, type InternalErrorStage } from './metrics.js';
import { VERSION } from './version.js';

/** Instrumentation scope of the spans and meters of this package. */
export const SCOPE = '@trisignal/middleware-grpc';

/** Methods kept per interceptor; a client calling ever-new paths (generic clients) stops caching there. */
const MAX_METHODS = 10_000;

/** Everything a call needs to know about its method, computed once per path. */
export class RpcMethod {
  readonly path: string;
  readonly service: string;
  readonly method: string;
  readonly fullMethod: string;
  readonly sloClass: string;
  /** `rpc.system`, `rpc.service`, `rpc.method`, `trisignal.slo.class`: given at span start, for samplers. */
  readonly startAttributes: Attributes;
  readonly admissionRequest: AdmissionRequest;
  /** The in-flight counter cell of this method (set by the first call). */
  active: ActiveCounter | undefined = undefined;

  constructor(path: string, sloClass: string) {
    const name = parseMethodPath(path);
    this.path = path;
    this.service = name.service;
    this.method = name.method;
    this.fullMethod = name.fullMethod;
    this.sloClass = sloClass;
    this.startAttributes = Object.freeze({
      [ATTR_RPC_SYSTEM]: 'grpc',
      [ATTR_RPC_SERVICE]: name.service,
      [ATTR_RPC_METHOD]: name.method,
      [ATTR_SLO_CLASS]: sloClass,
    });
    this.admissionRequest = Object.freeze({
      kind: 'rpc' as const,
      method: name.method,
      route: name.fullMethod,
      sloClass,
    });
  }
}

/** What every call of one interceptor shares: the handles from core, the method table, self-metrics. */
export class Instrumentation {
  readonly obs: Observability;
  readonly tracer: Tracer;
  readonly metrics: GrpcMiddlewareMetrics;
  readonly #side: 'server' | 'client';
  readonly #methods = new Map<string, RpcMethod>();
  #internalErrors = 0;

  constructor(obs: Observability, side: 'server' | 'client') {
    this.obs = obs;
    this.#side = side;
    this.tracer = obs.tracerProvider.getTracer(SCOPE, VERSION);
    this.metrics = new GrpcMiddlewareMetrics(obs.meterProvider.getMeter(SCOPE, VERSION));
  }

  method(path: string): RpcMethod {
    const known = this.#methods.get(path);
    if (known !== undefined) return known;
    const created = new RpcMethod(path, this.obs.sloClasses.matchRpc(parseMethodPath(path).fullMethod));
    if (this.#methods.size < MAX_METHODS) this.#methods.set(path, created);
    return created;
  }

  /** Increments the method's in-flight counter; the cell comes from the recorder once per method. */
  activeCounter(method: RpcMethod): ActiveCounter {
    const cell = method.active;
    if (cell !== undefined) {
      cell.inc();
      return cell;
    }
    const recorder = this.obs.recorder;
    const created =
      this.#side === 'server'
        ? recorder.rpcServerActive(method.service, method.method)
        : recorder.rpcClientActive(method.service, method.method);
    method.active = created;
    return created;
  }

  internalError(stage: InternalErrorStage, error: unknown): void {
    this.#internalErrors++;
    try {
      this.metrics.addInternalError(stage);
      if (this.#internalErrors === 1 || this.#internalErrors % 1000 === 0) {
        diag.warn(
          `${SCOPE}: internal failure in the ${this.#side} interceptor at ${stage} (${this.#internalErrors} so far); the call went on`,
          error,
        );
      }
    } catch {
      // Reporting must not fail the call either.
    }
  }
}
