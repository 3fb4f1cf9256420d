import { describe, expect, it } from 'vitest';
import { captureRequestHeaders, compileHeaderList } from './headers.js';

describe('compileHeaderList', () => {
  it('lower-cases, de-duplicates and drops credentials even when listed', () => {
    const list = compileHeaderList(
      'f',
      ['X-Id', 'x-id', 'Authorization', 'COOKIE', 'Set-Cookie', 'Proxy-Authorization'],
      false,
    );
    expect(list).toEqual([{ name: 'x-id', key: 'http.request.header.x-id' }]);
  });

  it('rejects names that are not HTTP tokens', () => {
    expect(() => compileHeaderList('captureRequestHeaders', ['ok', 'no spaces'], false)).toThrow(
      /captureRequestHeaders\[1\]/,
    );
  });
});

describe('captureRequestHeaders', () => {
  it('writes string arrays and skips absent headers', () => {
    const attributes = {};
    captureRequestHeaders(
      attributes,
      { 'x-id': 'a', 'x-multi': ['b', 'c'] },
      compileHeaderList('f', ['x-id', 'x-multi', 'x-none'], false),
    );
    expect(attributes).toEqual({
      'http.request.header.x-id': ['a'],
      'http.request.header.x-multi': ['b', 'c'],
    });
  });
});
