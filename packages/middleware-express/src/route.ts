/**
 * The route template of a request, read after routing from what Express 4 and 5 both leave on the
 * request: `req.baseUrl` (the mount path of the routers and sub-apps the request went through) and
 * `req.route.path` (the matched route's path: a string, a RegExp, or an array of them).
 */

/** The parts of an Express request the resolver reads. */
export interface RoutedRequest {
  readonly baseUrl?: unknown;
  readonly route?: unknown;
  readonly params?: unknown;
}

/** Mount paths remembered per route object; beyond this, templates are computed per request. */
const MAX_BASES_PER_ROUTE = 64;

interface RouteEntry {
  /** The route's own path, formatted once. */
  readonly path: string | undefined;
  /** Full template by (actual) `req.baseUrl`. */
  readonly byBase: Map<string, string>;
}

// Keyed by Express's Route objects: a WeakMap leaves the framework's objects untouched and lets
// routes of discarded apps be collected.
const entries = new WeakMap<object, RouteEntry>();

function formatPath(path: unknown): string | undefined {
  if (typeof path === 'string') return path;
  if (path instanceof RegExp) return String(path);
  if (Array.isArray(path)) {
    const parts: string[] = [];
    for (const item of path as unknown[]) {
      const part = formatPath(item);
      if (part !== undefined) parts.push(part);
    }
    return parts.length === 0 ? undefined : parts.join(',');
  }
  return undefined;
}

function join(base: string, path: string): string {
  if (path === '/' || path === '') return base;
  if (path.charCodeAt(0) === 47 /* / */) return base + path;
  return base + '/' + path;
}

/**
 * Replaces the whole segments of a mount path that equal a request parameter's value with `:name`.
 * Express fills `req.baseUrl` with the matched values of a parameterised mount (`/users/42` for
 * `app.use('/users/:id', router)`); routers created with `mergeParams: true` leave those parameters in
 * `req.params`, which lets the template be rebuilt. Returns `base` itself when nothing was replaced.
 */
function substituteParams(base: string, params: unknown): string {
  if (typeof params !== 'object' || params === null) return base;
  let names: string[] | undefined;
  for (const key in params) {
    if (Object.hasOwn(params, key)) (names ??= []).push(key);
  }
  if (names === undefined) return base;
  const segments = base.split('/');
  let changed = false;
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '') continue;
    for (const name of names) {
      const value = (params as Record<string, unknown>)[name];
      if (typeof value !== 'string' || value === '') continue;
      if (segment === value || segment === encodeURIComponent(value)) {
        segments[i] = ':' + name;
        changed = true;
        break;
      }
    }
  }
  return changed ? segments.join('/') : base;
}

/**
 * The matched route template (`/api/items/:id`), or undefined when no route matched. Nested routers
 * and mounted sub-apps contribute their mount paths; a route path `/` under a mount is the mount path.
 * Templates are cached per route object and mount path, so a routed request allocates nothing here.
 */
export function resolveRoute(req: RoutedRequest): string | undefined {
  const route = req.route;
  if (typeof route !== 'object' || route === null) return undefined;
  let entry = entries.get(route);
  if (entry === undefined) {
    entry = { path: formatPath((route as { path?: unknown }).path), byBase: new Map() };
    entries.set(route, entry);
  }
  const path = entry.path;
  if (path === undefined) return undefined;
  const base = req.baseUrl;
  if (typeof base !== 'string' || base === '') return path;
  const cached = entry.byBase.get(base);
  if (cached !== undefined) return cached;
  const template = substituteParams(base, req.params);
  const full = join(template, path);
  // Only plain mount paths are cached: a substituted one depends on this request's values.
  if (template === base && entry.byBase.size < MAX_BASES_PER_ROUTE) entry.byBase.set(base, full);
  return full;
}
