import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { Metadata } from '@grpc/grpc-js';

/**
 * Reads propagation fields out of gRPC metadata. Values of `-bin` keys are Buffers and are never
 * context; they are skipped, as is anything else that is not a string, so a hostile peer can at worst
 * make the propagators see nothing (and the span becomes a new root).
 */
export const metadataGetter: TextMapGetter<Metadata> = {
  keys(carrier) {
    try {
      return Object.keys(carrier.getMap());
    } catch {
      return [];
    }
  },
  get(carrier, key) {
    let values;
    try {
      values = carrier.get(key);
    } catch {
      return undefined;
    }
    if (values.length === 0) return undefined;
    if (values.length === 1) {
      const only = values[0];
      return typeof only === 'string' ? only : undefined;
    }
    // Repeated keys: the propagators take the first traceparent and join tracestate / baggage entries.
    const strings: string[] = [];
    for (const value of values) if (typeof value === 'string') strings.push(value);
    return strings.length === 0 ? undefined : strings;
  },
};

/**
 * Writes propagation fields into gRPC metadata. `Metadata.set` throws on characters gRPC cannot carry;
 * such a field is left out rather than failing the call.
 */
export const metadataSetter: TextMapSetter<Metadata> = {
  set(carrier, key, value) {
    try {
      carrier.set(key, value);
    } catch {
      // An invalid value (a propagator bug or exotic baggage) must not break the RPC.
    }
  },
};

/** True when the metadata carries any of `fields` (skips the propagators for calls without context). */
export function hasAnyField(metadata: Metadata, fields: readonly string[]): boolean {
  for (const field of fields) {
    try {
      if (metadata.get(field).length > 0) return true;
    } catch {
      return false;
    }
  }
  return false;
}
