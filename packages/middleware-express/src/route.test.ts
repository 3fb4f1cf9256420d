import { describe, expect, it } from 'vitest';
import { resolveRoute } from './route.js';

describe('resolveRoute', () => {
  it('returns undefined when no route matched', () => {
    expect(resolveRoute({})).toBeUndefined();
    expect(resolveRoute({ baseUrl: '/api', route: undefined })).toBeUndefined();
    expect(resolveRoute({ route: { path: undefined } })).toBeUndefined();
  });

  it('joins the mount path and the route path', () => {
    expect(resolveRoute({ baseUrl: '', route: { path: '/items/:id' } })).toBe('/items/:id');
    expect(resolveRoute({ baseUrl: '/api', route: { path: '/items/:id' } })).toBe('/api/items/:id');
    expect(resolveRoute({ baseUrl: '/api', route: { path: '/' } })).toBe('/api');
  });

  it('formats RegExp and array paths', () => {
    expect(resolveRoute({ route: { path: /^\/re\/\d+$/i } })).toBe('/^\\/re\\/\\d+$/i');
    expect(resolveRoute({ baseUrl: '/x', route: { path: ['/a', /b/] } })).toBe('/x/a,/b/');
  });

  it('rebuilds parameterised mount paths from merged params, whole segments only', () => {
    const route = { path: '/posts/:pid' };
    expect(resolveRoute({ baseUrl: '/users/42', route, params: { uid: '42', pid: '7' } })).toBe(
      '/users/:uid/posts/:pid',
    );
    expect(resolveRoute({ baseUrl: '/users/a%20b', route, params: { uid: 'a b', pid: '7' } })).toBe(
      '/users/:uid/posts/:pid',
    );
    expect(resolveRoute({ baseUrl: '/users/420', route, params: { uid: '42' } })).toBe(
      '/users/420/posts/:pid',
    );
  });

  it('returns the same string object for the same route and mount (no per-request allocation)', () => {
    const route = { path: '/items/:id' };
    const first = resolveRoute({ baseUrl: '/api', route });
    expect(resolveRoute({ baseUrl: '/api', route })).toBe(first);
  });

  it('stops caching mount paths of one route beyond a bound', () => {
    const route = { path: '/p' };
    for (let i = 0; i < 1000; i++) expect(resolveRoute({ baseUrl: `/m${i}`, route })).toBe(`/m${i}/p`);
  });
});
