import { OTHER_METHOD } from './semconv.js';

/**
 * Normalises a request method for `http.request.method`: the methods of RFC 9110 and PATCH as sent,
 * anything else (including other casings, which HTTP treats as different methods) as `_OTHER`. The
 * switch returns interned literals, so the result keys the recorder's series without a new string.
 */
export function normalizeMethod(method: string | undefined): string {
  switch (method) {
    case 'GET':
      return 'GET';
    case 'POST':
      return 'POST';
    case 'PUT':
      return 'PUT';
    case 'DELETE':
      return 'DELETE';
    case 'PATCH':
      return 'PATCH';
    case 'HEAD':
      return 'HEAD';
    case 'OPTIONS':
      return 'OPTIONS';
    case 'CONNECT':
      return 'CONNECT';
    case 'TRACE':
      return 'TRACE';
    default:
      return OTHER_METHOD;
  }
}
