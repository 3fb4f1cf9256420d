import { type Counter, createNoopMeter, type Meter } from '@opentelemetry/api';
import {
  ATTR_RPC_GRPC_STATUS_CODE,
  ATTR_RPC_METHOD,
  ATTR_RPC_SERVICE,
  ATTR_SLO_CLASS,
} from '@trisignal/core';
import {
  ATTR_ADMISSION_REASON,
  ATTR_GRPC_STAGE,
  METRIC_GRPC_INTERNAL_ERRORS,
  METRIC_GRPC_SERVER_SHED,
} from './semconv.js';

/** Where in an interceptor an internal failure happened (a low-cardinality label). */
export type InternalErrorStage = 'start' | 'message' | 'finish' | 'admission';

/** Self-metrics of the gRPC interceptors. Only rare paths record here; calls go to core's recorder. */
export class GrpcMiddlewareMetrics {
  readonly #shed: Counter;
  readonly #internalErrors: Counter;

  constructor(meter: Meter = createNoopMeter()) {
    this.#shed = meter.createCounter(METRIC_GRPC_SERVER_SHED, {
      unit: '{call}',
      description:
        'Calls answered RESOURCE_EXHAUSTED or UNAVAILABLE because the admission controller shed them.',
    });
    this.#internalErrors = meter.createCounter(METRIC_GRPC_INTERNAL_ERRORS, {
      unit: '{error}',
      description: 'Failures inside the interceptors; the call went on without (full) instrumentation.',
    });
  }

  /** Counts one shed call. */
  recordShed(reason: string, sloClass: string, service: string, method: string, code: number): void {
    this.#shed.add(1, {
      [ATTR_ADMISSION_REASON]: reason,
      [ATTR_SLO_CLASS]: sloClass,
      [ATTR_RPC_SERVICE]: service,
      [ATTR_RPC_METHOD]: method,
      [ATTR_RPC_GRPC_STATUS_CODE]: code,
    });
  }

  /** Counts one failure of an interceptor itself. */
  addInternalError(stage: InternalErrorStage): void {
    this.#internalErrors.add(1, { [ATTR_GRPC_STAGE]: stage });
  }
}
