import { describe, expect, it } from 'vitest';
import { normalizeMethod } from './method.js';

describe('normalizeMethod', () => {
  it('keeps the semconv methods and turns everything else into _OTHER', () => {
    for (const m of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE']) {
      expect(normalizeMethod(m)).toBe(m);
    }
    for (const m of ['get', 'PROPFIND', 'PURGE', '', undefined]) expect(normalizeMethod(m)).toBe('_OTHER');
  });
});
