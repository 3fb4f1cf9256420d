import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Who may scrape: a bearer token, or a user name and password (HTTP basic). */
export type ScrapeAuth =
  { readonly bearerToken: string } | { readonly username: string; readonly password: string };

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Checks the request's `Authorization` header. The comparison runs in constant time over SHA-256
 * digests, so neither the secret's content nor its length leaks through timing.
 */
export function createAuthCheck(auth: ScrapeAuth): (req: IncomingMessage) => boolean {
  const expected =
    'bearerToken' in auth
      ? digest(`Bearer ${auth.bearerToken}`)
      : digest(`Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`);
  const scheme = 'bearerToken' in auth ? 'bearer' : 'basic';
  return (req) => {
    const header = req.headers.authorization;
    if (typeof header !== 'string') return false;
    const space = header.indexOf(' ');
    // The scheme is case-insensitive (RFC 9110); the credentials are compared exactly.
    const normalised =
      space > 0 && header.slice(0, space).toLowerCase() === scheme
        ? `${scheme === 'bearer' ? 'Bearer' : 'Basic'} ${header.slice(space + 1).trim()}`
        : header;
    return timingSafeEqual(digest(normalised), expected);
  };
}

/** The `WWW-Authenticate` challenge for a 401. */
export function challenge(auth: ScrapeAuth): string {
  return 'bearerToken' in auth ? 'Bearer realm="metrics"' : 'Basic realm="metrics", charset="UTF-8"';
}
