import { type Counter, createNoopMeter, type Meter } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_SLO_CLASS } from '@trisignal/core';
import { ATTR_ADMISSION_REASON, METRIC_EXPRESS_INTERNAL_ERRORS, METRIC_EXPRESS_SHED } from './semconv.js';

/** Where in the middleware an internal failure happened (a low-cardinality label). */
export type InternalErrorStage = 'start' | 'finish' | 'error_handler';

/** Self-metrics of the Express middleware. Only rare paths record here; the hot path uses core's recorder. */
export class ExpressMiddlewareMetrics {
  readonly #shed: Counter;
  readonly #internalErrors: Counter;

  constructor(meter: Meter = createNoopMeter()) {
    this.#shed = meter.createCounter(METRIC_EXPRESS_SHED, {
      unit: '{request}',
      description: 'Requests answered 503 because the admission controller shed them.',
    });
    this.#internalErrors = meter.createCounter(METRIC_EXPRESS_INTERNAL_ERRORS, {
      unit: '{error}',
      description: 'Failures inside the middleware; the request went on without (full) instrumentation.',
    });
  }

  /** Counts one shed request. */
  recordShed(reason: string, sloClass: string, method: string): void {
    this.#shed.add(1, {
      [ATTR_ADMISSION_REASON]: reason,
      [ATTR_SLO_CLASS]: sloClass,
      [ATTR_HTTP_REQUEST_METHOD]: method,
    });
  }

  /** Counts one failure of the middleware itself. */
  addInternalError(stage: InternalErrorStage): void {
    this.#internalErrors.add(1, { 'trisignal.express.stage': stage });
  }
}
