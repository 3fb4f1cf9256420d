import { type AttributeValue, type Attributes } from '@opentelemetry/api';
import { type ReadableSpan } from '@opentelemetry/sdk-trace-base';

/**
 * Calibrated against V8 heap growth per buffered SDK span (see bench/report.ts, "bytes per buffered
 * span"): the Span object with its context, times, status and containers, before attributes.
 */
const SPAN_BASE_BYTES = 800;
const ATTRIBUTE_BYTES = 48;
const EVENT_BYTES = 160;
const LINK_BYTES = 120;

function valueBytes(value: AttributeValue | undefined): number {
  if (typeof value === 'string') return 16 + value.length;
  if (typeof value === 'number' || typeof value === 'boolean') return 16;
  if (Array.isArray(value)) {
    let total = 32;
    for (const v of value as readonly unknown[]) total += typeof v === 'string' ? 16 + v.length : 16;
    return total;
  }
  return 0;
}

function attributesBytes(attributes: Attributes | undefined): number {
  if (attributes === undefined) return 0;
  let total = 0;
  for (const key in attributes) total += ATTRIBUTE_BYTES + key.length + valueBytes(attributes[key]);
  return total;
}

/**
 * Estimated heap held by one buffered span (the resource and scope are shared and not counted). An
 * estimate, not a measurement: good to bound memory, not to account for it exactly.
 */
export function estimateSpanBytes(span: ReadableSpan): number {
  let total = SPAN_BASE_BYTES + span.name.length + attributesBytes(span.attributes);
  for (const event of span.events)
    total += EVENT_BYTES + event.name.length + attributesBytes(event.attributes);
  for (const link of span.links) total += LINK_BYTES + attributesBytes(link.attributes);
  const message = span.status.message;
  if (message !== undefined) total += 16 + message.length;
  return total;
}
