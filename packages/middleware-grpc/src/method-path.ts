/** A gRPC method, from its path `/package.Service/Method`. */
export interface MethodName {
  /** Fully qualified service: `package.Service`. */
  readonly service: string;
  /** Method name: `Method`. */
  readonly method: string;
  /** `package.Service/Method`: the span name and the SLO class key. */
  readonly fullMethod: string;
}

/**
 * Splits a gRPC path. A path without the expected shape keeps its text as the method name (with an
 * empty service), so nothing is lost and nothing throws.
 */
export function parseMethodPath(path: string): MethodName {
  const fullMethod = path.startsWith('/') ? path.slice(1) : path;
  const slash = fullMethod.lastIndexOf('/');
  if (slash <= 0 || slash === fullMethod.length - 1) return { service: '', method: fullMethod, fullMethod };
  return { service: fullMethod.slice(0, slash), method: fullMethod.slice(slash + 1), fullMethod };
}

/** An address and, when known, a port. */
export interface HostPort {
  readonly address: string;
  readonly port: number | undefined;
}

/** `host:port`, `[v6]:port`, `v6addr:port` (grpc-js peers) or a bare host. */
export function parseHostPort(value: string): HostPort | undefined {
  if (value.length === 0 || value === 'unknown') return undefined;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close === -1) return { address: value, port: undefined };
    const port = value.charCodeAt(close + 1) === 58 /* : */ ? toPort(value.slice(close + 2)) : undefined;
    return { address: value.slice(1, close), port };
  }
  const colon = value.lastIndexOf(':');
  if (colon === -1) return { address: value, port: undefined };
  const port = toPort(value.slice(colon + 1));
  // `::1` without a port has colons but no numeric tail: keep it whole.
  if (port === undefined) return { address: value, port: undefined };
  return { address: value.slice(0, colon), port };
}

function toPort(text: string): number | undefined {
  if (text.length === 0 || text.length > 5) return undefined;
  const port = Number(text);
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : undefined;
}
