import { REDACTED } from './semconv.js';

/** What `url.query` carries: values replaced (`a=REDACTED`), the query as sent, or nothing. */
export type QueryCapture = 'redact' | 'full' | 'omit';

/**
 * Replaces every value of a query string with `REDACTED`, keeping the keys (`a=1&b` → `a=REDACTED&b`),
 * as the semantic conventions advise for `url.query`. Tokens, signatures and personal data travel in
 * query strings more often than anywhere else.
 */
export function redactQuery(query: string): string {
  let out = '';
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end === -1) end = query.length;
    const pair = query.slice(start, end);
    const eq = pair.indexOf('=');
    if (start > 0) out += '&';
    out += eq === -1 ? pair : pair.slice(0, eq + 1) + REDACTED;
    start = end + 1;
  }
  return out;
}

/** Host (and port) from a `Host` header, per `server.address` / `server.port`. */
export interface ServerAddress {
  readonly address: string;
  readonly port: number | undefined;
}

const MAX_HOSTS = 256;
const hosts = new Map<string, ServerAddress>();

/** Parses `example.com`, `example.com:8080`, `[::1]:3000`; memoised for the few hosts a service sees. */
export function parseHost(host: string): ServerAddress | undefined {
  const hit = hosts.get(host);
  if (hit !== undefined) return hit;
  let address: string;
  let port: number | undefined;
  if (host.charCodeAt(0) === 91 /* [ */) {
    const close = host.indexOf(']');
    if (close === -1) return undefined;
    address = host.slice(1, close);
    if (host.charCodeAt(close + 1) === 58 /* : */) port = Number(host.slice(close + 2));
  } else {
    const colon = host.lastIndexOf(':');
    address = colon === -1 ? host : host.slice(0, colon);
    if (colon !== -1) port = Number(host.slice(colon + 1));
  }
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) port = undefined;
  if (address === '') return undefined;
  const parsed: ServerAddress = { address, port };
  // Host is client-controlled: stop remembering new ones rather than grow without bound.
  if (hosts.size < MAX_HOSTS) hosts.set(host, parsed);
  return parsed;
}
