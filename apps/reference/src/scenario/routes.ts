/**
 * The requests the load generator sends: one entry per route of `orders`, with its route template (the
 * `http.route` label the metrics carry), its SLO class in `slo.yaml`, its normal rate and how it grows in
 * the overload phase.
 */

export interface RouteSpec {
  /** Short id used in counts and phase definitions. */
  readonly id: string;
  readonly method: 'GET' | 'POST';
  /** The route template, as recorded in `http.route`. */
  readonly template: string;
  readonly sloClass: 'gold' | 'silver' | 'bronze';
  /** Requests per second in normal traffic (times `TRISIGNAL_RATE`). */
  readonly ratePerSecond: number;
  /** Rate multiplier during the overload phase. */
  readonly overload: number;
  /** The concrete path (and body) of one request. */
  request(random: () => number): { readonly path: string; readonly body?: string };
}

const ITEMS = 50;
const QUERIES = ['kettle', 'lamp', 'mug', 'chair', 'desk', 'pen'];

function itemId(random: () => number): string {
  return `sku-${String(1 + Math.floor(random() * ITEMS)).padStart(3, '0')}`;
}

export const ROUTES: readonly RouteSpec[] = Object.freeze([
  {
    id: 'items.get',
    method: 'GET',
    template: '/api/items/:id',
    sloClass: 'silver',
    ratePerSecond: 10,
    overload: 4,
    request: (random) => ({ path: `/api/items/${itemId(random)}` }),
  },
  {
    id: 'items.list',
    method: 'GET',
    template: '/api/items',
    sloClass: 'silver',
    ratePerSecond: 4,
    overload: 4,
    request: (random) => ({ path: `/api/items?page=${1 + Math.floor(random() * 5)}` }),
  },
  {
    id: 'search',
    method: 'GET',
    template: '/api/search',
    sloClass: 'silver',
    ratePerSecond: 1,
    overload: 2,
    request: (random) => ({ path: `/api/search?q=${QUERIES[Math.floor(random() * QUERIES.length)]}` }),
  },
  {
    id: 'recommendations',
    method: 'GET',
    template: '/api/recommendations',
    sloClass: 'silver',
    ratePerSecond: 5,
    overload: 3,
    request: (random) => ({ path: `/api/recommendations?item=${itemId(random)}` }),
  },
  {
    id: 'checkout',
    method: 'POST',
    template: '/api/checkout',
    sloClass: 'gold',
    ratePerSecond: 3,
    overload: 1,
    request: (random) => ({
      path: '/api/checkout',
      body: JSON.stringify({ itemId: itemId(random), quantity: 1 + Math.floor(random() * 3) }),
    }),
  },
  {
    id: 'reports',
    method: 'GET',
    template: '/reports/daily',
    sloClass: 'bronze',
    ratePerSecond: 1,
    overload: 20,
    request: () => ({ path: '/reports/daily' }),
  },
  {
    id: 'health',
    method: 'GET',
    template: '/health',
    sloClass: 'silver',
    ratePerSecond: 1,
    overload: 1,
    request: () => ({ path: '/health' }),
  },
]);

/** The route whose failures the scenario injects, and the slow one. */
export const ERROR_ROUTE = '/api/recommendations';
export const SLOW_ROUTE = '/api/search';
/** The gRPC methods of inventory. */
export const RESERVE_RPC = 'shop.Inventory/Reserve';
export const STOCK_RPC = 'shop.Inventory/StreamStock';
