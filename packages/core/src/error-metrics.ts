import { type Attributes, type Counter, diag, type Meter, SpanStatusCode } from '@opentelemetry/api';
import { type ErrorClassification, rootCauseLabel } from './classify-error.js';
import { invalidOption } from './errors.js';
import {
  ATTR_ERROR_CATEGORY,
  ATTR_ERROR_ROOT_CAUSE,
  ATTR_ERROR_TYPE,
  METRIC_TRISIGNAL_ERRORS,
  OVERFLOW_VALUE,
} from './semconv.js';

/** Options of {@link createErrorMetrics}. */
export interface ErrorMetricsOptions {
  /**
   * Distinct root causes (and, separately, distinct `error.type` values) counted under their own name;
   * later new ones are counted as `other`.
   * @default 50
   */
  readonly maxRootCauses?: number | undefined;
}

/** Error metrics defaults. */
export const ERROR_METRICS_DEFAULTS = Object.freeze({ maxRootCauses: 50 });

/** Counts classified errors on `trisignal.errors`. */
export interface ErrorMetrics {
  /**
   * Adds 1 to `trisignal.errors` with the classification's category, root cause and `error.type`, plus
   * `extraAttributes` (which cannot override those three, and whose cardinality is the caller's
   * business). Classifications that are not errors (status UNSET) are ignored. Never throws.
   */
  record(classification: ErrorClassification, extraAttributes?: Attributes): void;
  /** Records whose root cause or `error.type` arrived after its cap was full and were counted as `other`. */
  readonly overflowCount: number;
}

/**
 * Creates the `trisignal.errors` counter (unit `{error}`) with attributes `trisignal.error.category`,
 * `trisignal.error.root_cause` and `error.type`.
 *
 * The cap is first come, first served: the first `maxRootCauses` distinct root causes keep their name
 * for the life of the process and later ones become `other`. "Top N" cannot mean the N most frequent,
 * because the counter is cumulative: once a series has been exported it cannot be retracted, so
 * evicting a cause that became rarer would freeze its series, and moving its later counts to `other`
 * would make `other` count things that once had a name. First-come admission keeps every series
 * monotonic and the set bounded; a restart starts over. Throws `TRISIGNAL_CORE_INVALID_OPTION` when
 * `maxRootCauses` is not a positive integer.
 */
export function createErrorMetrics(meter: Meter, options: ErrorMetricsOptions = {}): ErrorMetrics {
  const maxRootCauses = options.maxRootCauses ?? ERROR_METRICS_DEFAULTS.maxRootCauses;
  if (!Number.isInteger(maxRootCauses) || maxRootCauses <= 0) {
    throw invalidOption('maxRootCauses', maxRootCauses, 'a positive integer');
  }
  const counter = meter.createCounter(METRIC_TRISIGNAL_ERRORS, {
    description: 'Errors by category and root cause, as classified by trisignal.',
    unit: '{error}',
  });
  return new CappedErrorMetrics(counter, maxRootCauses);
}

class CappedErrorMetrics implements ErrorMetrics {
  readonly #counter: Counter;
  readonly #max: number;
  readonly #rootCauses = new Set<string>();
  readonly #errorTypes = new Set<string>();
  #overflowCount = 0;
  #warned = false;

  constructor(counter: Counter, max: number) {
    this.#counter = counter;
    this.#max = max;
  }

  get overflowCount(): number {
    return this.#overflowCount;
  }

  record(classification: ErrorClassification, extraAttributes?: Attributes): void {
    try {
      if (classification.status !== SpanStatusCode.ERROR) return;
      const rootCause = this.#admit(this.#rootCauses, rootCauseLabel(classification.rootCause));
      const errorType = this.#admit(this.#errorTypes, classification.errorType);
      if (rootCause === undefined || errorType === undefined) this.#overflowed();
      const attributes: Attributes = {
        [ATTR_ERROR_CATEGORY]: classification.category,
        [ATTR_ERROR_ROOT_CAUSE]: rootCause ?? OVERFLOW_VALUE,
        [ATTR_ERROR_TYPE]: errorType ?? OVERFLOW_VALUE,
      };
      // Not `{ ...extra, ...ours }`: spreading an object before more properties is a slow path in V8.
      this.#counter.add(
        1,
        extraAttributes === undefined ? attributes : Object.assign({}, extraAttributes, attributes),
      );
    } catch (error) {
      diag.debug('trisignal: could not count an error', error);
    }
  }

  /** The value if admitted (already, or now while there is room), `undefined` once the cap is full. */
  #admit(admitted: Set<string>, value: string): string | undefined {
    if (admitted.has(value)) return value;
    if (admitted.size >= this.#max) return undefined;
    admitted.add(value);
    return value;
  }

  #overflowed(): void {
    this.#overflowCount++;
    if (this.#warned) return;
    this.#warned = true;
    diag.warn(
      `trisignal: more than ${this.#max} distinct error root causes or types; new ones are counted as "${OVERFLOW_VALUE}" on ${METRIC_TRISIGNAL_ERRORS}`,
    );
  }
}
