/**
 * @trisignal/sampling — OpenTelemetry samplers that OpenTelemetry JS does not ship: adaptive per route
 * (its traffic read from every request through core's golden-signal recorder), token-bucket rate
 * limiting, ordered rules, and consistent probability sampling that writes the W3C tracestate
 * `ot=th:…` threshold; plus parent-based composition, `OTEL_TRACES_SAMPLER` configuration and an
 * in-process tail-sampling span processor with bounded memory.
 */
export { createProbabilitySampler, PROBABILITY_DEFAULTS } from './probability-sampler.js';
export type { ProbabilitySamplerOptions } from './probability-sampler.js';
export type { ParentMode } from './consistent.js';
export { createParentBasedSampler } from './parent-based-sampler.js';
export type { ParentBasedSamplerOptions } from './parent-based-sampler.js';
export { createRateLimitingSampler, RATE_LIMITING_DEFAULTS } from './rate-limiting-sampler.js';
export type { RateLimitingSamplerOptions } from './rate-limiting-sampler.js';
export { createRuleBasedSampler } from './rule-based-sampler.js';
export type {
  RuleBasedSamplerOptions,
  SamplingRule,
  RuleTarget,
  ValueMatcher,
} from './rule-based-sampler.js';

export { createAdaptiveSampler, ADAPTIVE_DEFAULTS } from './adaptive-sampler.js';
export type {
  AdaptiveSampler,
  AdaptiveSamplerOptions,
  AdaptivePolicy,
  AdaptiveKeyStatus,
} from './adaptive-sampler.js';
export { seedProbability, targetRateProbability } from './adaptive-policy.js';
export type {
  AdaptiveWindow,
  AdaptivePolicyFunction,
  SeedWeights,
  TargetRateParams,
} from './adaptive-policy.js';
export type { SeriesFeed, FeedSeries, FeedKind } from './series-feed.js';
export type { ManagedSampler } from './managed-sampler.js';

export { createSamplerFromEnv, SAMPLER_NAMES } from './env.js';
export type { SamplerName, SamplerFromEnvOptions } from './env.js';

export { createTailSamplingProcessor, TAIL_SAMPLING_DEFAULTS } from './tail-sampling-processor.js';
export type {
  TailSamplingProcessor,
  TailSamplingOptions,
  TailSamplingStats,
} from './tail-sampling-processor.js';
export type { TailPolicy, TailTrace, TailStatusCode } from './tail-policy.js';

export { probabilityToThreshold, thresholdToProbability } from './threshold.js';
export { getAdjustedCount } from './ot-trace-state.js';

export { SamplingError, isSamplingError } from './errors.js';
export type { SamplingErrorCode } from './errors.js';
export { createSamplingMetrics } from './metrics.js';
export type { SamplingMetrics } from './metrics.js';
export { VERSION } from './version.js';
export {
  METRIC_SAMPLING_DECISIONS,
  METRIC_SAMPLING_PROBABILITY,
  METRIC_SAMPLING_ADAPTIVE_KEYS,
  METRIC_SAMPLING_ADAPTIVE_KEYS_REFUSED,
  METRIC_SAMPLING_TAIL_BUFFER_TRACES,
  METRIC_SAMPLING_TAIL_BUFFER_SPANS,
  METRIC_SAMPLING_TAIL_BUFFER_SIZE,
  METRIC_SAMPLING_TAIL_EVICTIONS,
  METRIC_SAMPLING_TAIL_LATE_SPANS,
  ATTR_SAMPLER,
  ATTR_SAMPLING_OUTCOME,
  ATTR_SAMPLING_KEY,
  ATTR_SAMPLING_TAIL_BOUND,
} from './semconv.js';
