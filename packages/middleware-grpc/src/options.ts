import type { Admission, Observability } from '@trisignal/core';
import { GrpcMiddlewareError, invalidOption } from './errors.js';
import { DEFAULT_TRACE_ID_METADATA_KEY } from './semconv.js';
import { GRPC_STATUS } from './status.js';

/** Status a shed call is answered with: RESOURCE_EXHAUSTED (8) or UNAVAILABLE (14), by name or number. */
export type ShedStatus = 'RESOURCE_EXHAUSTED' | 'UNAVAILABLE' | 8 | 14;

/** Options of {@link serverInterceptor}. */
export interface ServerInterceptorOptions {
  /**
   * The handle `init()` from `@trisignal/core` returned: its tracer provider, propagator, recorder, SLO
   * class matcher and error classifier are used. Required.
   */
  readonly obs: Observability;
  /** Load-shedding hook consulted before the handler runs (`@trisignal/slo` implements it). @default undefined (admit all) */
  readonly admission?: Admission | undefined;
  /**
   * Response metadata key that carries the trace id back to the client (in the initial metadata, or in
   * the trailers of a trailers-only response); `false` to leave it out.
   * @default 'x-trace-id'
   */
  readonly traceIdMetadataKey?: string | false | undefined;
  /** Status of a call the admission controller sheds. @default 'RESOURCE_EXHAUSTED' */
  readonly shedStatus?: ShedStatus | undefined;
}

/** Options of {@link clientInterceptor}. */
export interface ClientInterceptorOptions {
  /** The handle `init()` from `@trisignal/core` returned. Required. */
  readonly obs: Observability;
  /**
   * The server the client talks to (`host:port`, as given to the client constructor), for
   * `server.address` / `server.port` on CLIENT spans.
   * @default undefined (the connected peer's address is used)
   */
  readonly target?: string | undefined;
}

/** Defaults of {@link ServerInterceptorOptions} and {@link ClientInterceptorOptions}. */
export const GRPC_DEFAULTS = Object.freeze({
  traceIdMetadataKey: DEFAULT_TRACE_ID_METADATA_KEY,
  shedStatus: 'RESOURCE_EXHAUSTED',
});

/** {@link ServerInterceptorOptions} with every default applied. */
export interface ResolvedServerInterceptorOptions {
  readonly obs: Observability;
  readonly admission: Admission | undefined;
  /** Lower-case key, or undefined when the trace id is not sent. */
  readonly traceIdMetadataKey: string | undefined;
  /** 8 or 14. */
  readonly shedStatus: number;
}

/** {@link ClientInterceptorOptions} with every default applied. */
export interface ResolvedClientInterceptorOptions {
  readonly obs: Observability;
  readonly target: string | undefined;
}

/** Checks that `obs` looks like core's Observability handle. */
export function resolveObs(obs: unknown): Observability {
  if (obs === undefined || obs === null) {
    throw new GrpcMiddlewareError(
      'TRISIGNAL_GRPC_MISSING_OBS',
      'Expected `obs` to be the Observability handle returned by init() from @trisignal/core, got `' +
        String(obs) +
        '`: pass it as serverInterceptor({ obs }) / clientInterceptor({ obs })',
    );
  }
  const o = obs as Partial<Observability>;
  if (
    typeof o !== 'object' ||
    typeof o.tracerProvider?.getTracer !== 'function' ||
    typeof o.meterProvider?.getMeter !== 'function' ||
    typeof o.recorder?.recordRpcServer !== 'function' ||
    typeof o.recorder.recordRpcClient !== 'function' ||
    typeof o.sloClasses?.matchRpc !== 'function' ||
    typeof o.recordError !== 'function' ||
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

function checkObject(options: unknown): void {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', options, 'an object with at least `obs`');
  }
}

// gRPC metadata keys: lower-case letters, digits, `_ . -`; `-bin` keys carry bytes, not a trace id.
const METADATA_KEY = /^[0-9a-z_.-]+$/;

/** Applies defaults field by field and validates; throws `GrpcMiddlewareError` on a bad option. */
export function resolveServerInterceptorOptions(
  options: ServerInterceptorOptions,
): ResolvedServerInterceptorOptions {
  checkObject(options);
  const obs = resolveObs(options.obs);
  const admission = options.admission;
  if (admission !== undefined && typeof (admission as Partial<Admission> | null)?.admit !== 'function') {
    throw invalidOption('admission', admission, 'an Admission (an object with admit())');
  }
  const key = options.traceIdMetadataKey ?? GRPC_DEFAULTS.traceIdMetadataKey;
  if (key !== false) {
    const lower = typeof key === 'string' ? key.toLowerCase() : key;
    if (
      typeof lower !== 'string' ||
      !METADATA_KEY.test(lower) ||
      lower.endsWith('-bin') ||
      lower.startsWith('grpc-')
    ) {
      throw invalidOption(
        'traceIdMetadataKey',
        key,
        'a gRPC metadata key (letters, digits, `_ . -`; not `grpc-*` or `*-bin`) or false',
      );
    }
  }
  const shed = options.shedStatus ?? GRPC_DEFAULTS.shedStatus;
  let shedStatus: number;
  if (shed === 'RESOURCE_EXHAUSTED' || shed === GRPC_STATUS.RESOURCE_EXHAUSTED) {
    shedStatus = GRPC_STATUS.RESOURCE_EXHAUSTED;
  } else if (shed === 'UNAVAILABLE' || shed === GRPC_STATUS.UNAVAILABLE) {
    shedStatus = GRPC_STATUS.UNAVAILABLE;
  } else {
    throw invalidOption('shedStatus', shed, "'RESOURCE_EXHAUSTED' (8) or 'UNAVAILABLE' (14)");
  }
  return {
    obs,
    admission,
    traceIdMetadataKey: key === false ? undefined : key.toLowerCase(),
    shedStatus,
  };
}

/** Applies defaults and validates; throws `GrpcMiddlewareError` on a bad option. */
export function resolveClientInterceptorOptions(
  options: ClientInterceptorOptions,
): ResolvedClientInterceptorOptions {
  checkObject(options);
  const obs = resolveObs(options.obs);
  const target = options.target;
  if (target !== undefined && (typeof target !== 'string' || target.length === 0)) {
    throw invalidOption('target', target, 'a non-empty `host:port` string');
  }
  return { obs, target };
}
