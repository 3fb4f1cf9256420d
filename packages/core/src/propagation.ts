import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger';
import { describeValue, invalidOption } from './errors.js';

/** Propagator names, as in `OTEL_PROPAGATORS`. */
export type PropagatorName = 'tracecontext' | 'baggage' | 'b3' | 'b3multi' | 'jaeger' | 'none';

/** The names core knows. */
export const PROPAGATOR_NAMES: readonly PropagatorName[] = Object.freeze([
  'tracecontext',
  'baggage',
  'b3',
  'b3multi',
  'jaeger',
  'none',
]);

/** W3C tracecontext + baggage, the OpenTelemetry default. */
export const DEFAULT_PROPAGATORS: readonly PropagatorName[] = Object.freeze(['tracecontext', 'baggage']);

function create(name: PropagatorName): TextMapPropagator | undefined {
  switch (name) {
    case 'tracecontext':
      return new W3CTraceContextPropagator();
    case 'baggage':
      return new W3CBaggagePropagator();
    case 'b3':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.SINGLE_HEADER });
    case 'b3multi':
      return new B3Propagator({ injectEncoding: B3InjectEncoding.MULTI_HEADER });
    case 'jaeger':
      return new JaegerPropagator();
    case 'none':
      return undefined;
  }
}

/**
 * Builds a composite propagator from names (duplicates removed, order kept). `none` alone disables
 * propagation. `field` names the option or variable in errors.
 */
export function createPropagator(names: readonly string[], field = 'propagators'): TextMapPropagator {
  const seen = new Set<PropagatorName>();
  for (const [i, name] of names.entries()) {
    if (!(PROPAGATOR_NAMES as readonly string[]).includes(name)) {
      throw invalidOption(
        `${field}[${i}]`,
        name,
        `one of ${PROPAGATOR_NAMES.map((n) => describeValue(n)).join(', ')}`,
      );
    }
    seen.add(name as PropagatorName);
  }
  const propagators = [...seen].map(create).filter((p): p is TextMapPropagator => p !== undefined);
  return new CompositePropagator({ propagators });
}
