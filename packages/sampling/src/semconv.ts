/**
 * Names of the instruments and attributes `@trisignal/sampling` reports about itself (`trisignal.sampling.*`).
 */

/** Sampling decisions, cumulative, by sampler and outcome (tail samplers count traces). */
export const METRIC_SAMPLING_DECISIONS = 'trisignal.sampling.decisions';
/** The probability currently applied, per sampler and key (adaptive samplers). */
export const METRIC_SAMPLING_PROBABILITY = 'trisignal.sampling.probability';
/** Keys an adaptive sampler tracks. */
export const METRIC_SAMPLING_ADAPTIVE_KEYS = 'trisignal.sampling.adaptive.keys';
/** Keys seen in the last window that an adaptive sampler could not track (`maxKeys` reached). */
export const METRIC_SAMPLING_ADAPTIVE_KEYS_REFUSED = 'trisignal.sampling.adaptive.keys.refused';
/** Traces buffered by a tail sampler. */
export const METRIC_SAMPLING_TAIL_BUFFER_TRACES = 'trisignal.sampling.tail.buffer.traces';
/** Spans buffered by a tail sampler. */
export const METRIC_SAMPLING_TAIL_BUFFER_SPANS = 'trisignal.sampling.tail.buffer.spans';
/** Estimated bytes buffered by a tail sampler. */
export const METRIC_SAMPLING_TAIL_BUFFER_SIZE = 'trisignal.sampling.tail.buffer.size';
/** Traces a bound forced out of the tail buffer before their time (decided early on what had arrived). */
export const METRIC_SAMPLING_TAIL_EVICTIONS = 'trisignal.sampling.tail.evictions';
/** Spans that arrived after their trace was decided (answered from the decision cache). */
export const METRIC_SAMPLING_TAIL_LATE_SPANS = 'trisignal.sampling.tail.late_spans';

/** The sampler's name, e.g. `adaptive/0`. */
export const ATTR_SAMPLER = 'trisignal.sampler';
/** `sampled`, `recorded` (record-only) or `dropped`. */
export const ATTR_SAMPLING_OUTCOME = 'trisignal.sampling.outcome';
/** The adaptive key (span name: `GET /api/items/:id`, `shop.Inventory/Reserve`). */
export const ATTR_SAMPLING_KEY = 'trisignal.sampling.key';
/** Which tail-buffer bound forced an eviction: `traces`, `spans` or `bytes`. */
export const ATTR_SAMPLING_TAIL_BOUND = 'trisignal.sampling.tail.bound';
