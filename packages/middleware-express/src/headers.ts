import type { Attributes } from '@opentelemetry/api';
import type { IncomingHttpHeaders, OutgoingHttpHeader } from 'node:http';
import { invalidOption } from './errors.js';
import { ATTR_HTTP_REQUEST_HEADER_PREFIX, ATTR_HTTP_RESPONSE_HEADER_PREFIX } from './semconv.js';

/**
 * Headers never captured, even when listed: credentials and session state. `proxy-authorization`
 * carries credentials just like `authorization`.
 */
export const NEVER_CAPTURED_HEADERS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
]);

/** One allowlisted header: its lower-case name and the attribute key it goes to. */
export interface CapturedHeader {
  readonly name: string;
  readonly key: string;
}

/** Validates an allowlist and drops the never-captured names; keys are built once here. */
export function compileHeaderList(
  field: string,
  names: readonly string[] | undefined,
  response: boolean,
): readonly CapturedHeader[] {
  if (names === undefined) return [];
  if (!Array.isArray(names)) throw invalidOption(field, names, 'an array of header names');
  const out: CapturedHeader[] = [];
  const seen = new Set<string>();
  for (const [i, raw] of (names as readonly unknown[]).entries()) {
    if (typeof raw !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(raw)) {
      throw invalidOption(`${field}[${i}]`, raw, 'an HTTP header name');
    }
    const name = raw.toLowerCase();
    if (NEVER_CAPTURED_HEADERS.includes(name) || seen.has(name)) continue;
    seen.add(name);
    const prefix = response ? ATTR_HTTP_RESPONSE_HEADER_PREFIX : ATTR_HTTP_REQUEST_HEADER_PREFIX;
    out.push({ name, key: prefix + name });
  }
  return out;
}

function toStringArray(value: OutgoingHttpHeader | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(String);
  return [String(value)];
}

/** Adds the allowlisted request headers to `attributes` as string arrays (semconv). */
export function captureRequestHeaders(
  attributes: Attributes,
  headers: IncomingHttpHeaders,
  list: readonly CapturedHeader[],
): void {
  for (const header of list) {
    const values = toStringArray(headers[header.name]);
    if (values !== undefined) attributes[header.key] = values;
  }
}

/** Adds the allowlisted response headers to `attributes` as string arrays (semconv). */
export function captureResponseHeaders(
  attributes: Attributes,
  getHeader: (name: string) => OutgoingHttpHeader | undefined,
  list: readonly CapturedHeader[],
): void {
  for (const header of list) {
    const values = toStringArray(getHeader(header.name));
    if (values !== undefined) attributes[header.key] = values;
  }
}
