/**
 * Realistic OTLP records: ExportTraceServiceRequest protobuf bytes encoded by
 * `@opentelemetry/otlp-transformer` (the encoder the OTLP exporters use) from synthetic spans of an
 * HTTP service: server spans, middleware, SQL and outgoing HTTP client spans, with random trace and
 * span ids, jittered timestamps, varied routes, ids in paths, client addresses and user agents, and
 * occasional exception events. Random ids and timestamps make the bytes as incompressible as real
 * exports are; the repeated keys and values make them as compressible.
 */
import { randomBytes } from 'node:crypto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Attributes, HrTime, SpanContext } from '@opentelemetry/api';

type Span = Parameters<typeof ProtobufTraceSerializer.serializeRequest>[0][number];

let seed = 0x9e3779b9;
function rand(): number {
  // xorshift32: deterministic record contents across runs (ids still come from randomBytes).
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
}
function pick<T>(items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

const resource = resourceFromAttributes({
  'service.name': 'checkout',
  'service.version': '2.14.3',
  'service.namespace': 'shop',
  'service.instance.id': '6f1c2d4e-9a77-4e0b-8d2c-1b5e7c3a9f00',
  'deployment.environment.name': 'production',
  'host.name': 'ip-10-4-17-201.eu-west-1.compute.internal',
  'host.arch': 'amd64',
  'os.type': 'linux',
  'process.pid': 4711,
  'process.runtime.name': 'nodejs',
  'process.runtime.version': '20.20.2',
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.version': '2.12.1',
  'cloud.provider': 'aws',
  'cloud.region': 'eu-west-1',
  'k8s.pod.name': 'checkout-7d9f8b6c5-x2lqp',
  'k8s.namespace.name': 'shop',
});
const scopes = [
  { name: '@opentelemetry/instrumentation-http', version: '0.223.1' },
  { name: '@opentelemetry/instrumentation-express', version: '0.60.0' },
  { name: '@opentelemetry/instrumentation-pg', version: '0.62.0' },
];
const routes = [
  ['GET', '/api/cart/:cartId', (id: number) => `/api/cart/${id}`],
  ['POST', '/api/cart/:cartId/items', (id: number) => `/api/cart/${id}/items`],
  ['GET', '/api/products/:sku', (id: number) => `/api/products/SKU-${id}`],
  ['POST', '/api/checkout', () => '/api/checkout'],
  ['GET', '/api/orders/:orderId', (id: number) => `/api/orders/${id}`],
  ['GET', '/health', () => '/health'],
] as const;
const userAgents = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'okhttp/4.12.0',
  'Go-http-client/1.1',
];
const queries = [
  'SELECT id, sku, quantity, price_cents FROM cart_items WHERE cart_id = $1',
  'SELECT id, name, price_cents, stock FROM products WHERE sku = $1',
  'UPDATE products SET stock = stock - $1 WHERE sku = $2 AND stock >= $1',
  'INSERT INTO orders (id, customer_id, total_cents, status) VALUES ($1, $2, $3, $4)',
  'SELECT o.id, o.status, o.total_cents FROM orders o WHERE o.id = $1 AND o.customer_id = $2',
];

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function addNanos(t: HrTime, nanos: number): HrTime {
  const total = t[1] + nanos;
  return [t[0] + Math.floor(total / 1e9), total % 1e9];
}

function span(
  name: string,
  kind: number,
  ctx: SpanContext,
  parent: SpanContext | undefined,
  start: HrTime,
  durationNanos: number,
  attributes: Attributes,
  scope: (typeof scopes)[number],
  error: boolean,
): Span {
  const end = addNanos(start, durationNanos);
  return {
    name,
    kind,
    spanContext: () => ctx,
    ...(parent === undefined ? {} : { parentSpanContext: parent }),
    startTime: start,
    endTime: end,
    status: error ? { code: 2, message: 'Internal Server Error' } : { code: 0 },
    attributes,
    links: [],
    events: error
      ? [
          {
            name: 'exception',
            time: addNanos(start, Math.floor(durationNanos / 2)),
            attributes: {
              'exception.type': 'DatabaseError',
              'exception.message': `deadlock detected while waiting for ShareLock on transaction ${Math.floor(rand() * 1e7)}`,
              'exception.stacktrace':
                'DatabaseError: deadlock detected\n    at Parser.parseErrorMessage (node_modules/pg-protocol/dist/parser.js:287:98)\n    at Parser.handlePacket (node_modules/pg-protocol/dist/parser.js:126:29)\n    at Socket.<anonymous> (node_modules/pg-protocol/dist/index.js:11:42)',
            },
          },
        ]
      : [],
    duration: [0, durationNanos],
    ended: true,
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  } as unknown as Span;
}

/** The spans of one request: server span, middleware, 1–3 queries, sometimes an outgoing call. */
function trace(now: HrTime): Span[] {
  const traceId = hex(16);
  const ctx = (): SpanContext => ({ traceId, spanId: hex(8), traceFlags: 1 });
  const [method, route, path] = pick(routes);
  const id = Math.floor(rand() * 1e6);
  const error = rand() < 0.02;
  const status = error ? 500 : pick([200, 200, 200, 201, 204, 304, 404]);
  const server = ctx();
  const start = addNanos(now, Math.floor(rand() * 1e9));
  const total = 2e6 + Math.floor(rand() * 80e6);
  const spans: Span[] = [
    span(
      `${method} ${route}`,
      1,
      server,
      undefined,
      start,
      total,
      {
        'http.request.method': method,
        'http.route': route,
        'url.path': path(id),
        'url.scheme': 'https',
        'http.response.status_code': status,
        'server.address': 'checkout.shop.svc.cluster.local',
        'server.port': 8080,
        'client.address': `10.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`,
        'user_agent.original': pick(userAgents),
        'network.protocol.version': '1.1',
        'http.request.body.size': Math.floor(rand() * 4096),
        'http.response.body.size': Math.floor(rand() * 65536),
      },
      scopes[0]!,
      error,
    ),
  ];
  for (const mw of ['query', 'expressInit', 'jsonParser', 'authenticate']) {
    spans.push(
      span(
        `middleware - ${mw}`,
        0,
        ctx(),
        server,
        addNanos(start, 50_000),
        20_000 + Math.floor(rand() * 400_000),
        {
          'express.name': mw,
          'express.type': 'middleware',
          'http.route': route,
        },
        scopes[1]!,
        false,
      ),
    );
  }
  const nQueries = 1 + Math.floor(rand() * 3);
  for (let q = 0; q < nQueries; q++) {
    const text = pick(queries);
    spans.push(
      span(
        `${text.split(' ')[0]} shop`,
        2,
        ctx(),
        server,
        addNanos(start, 500_000 * (q + 1)),
        300_000 + Math.floor(rand() * 20e6),
        {
          'db.system.name': 'postgresql',
          'db.namespace': 'shop',
          'db.query.text': text,
          'db.operation.name': text.split(' ')[0]!,
          'server.address': 'shop-db.cluster-c1x2y3z4.eu-west-1.rds.amazonaws.com',
          'server.port': 5432,
          'db.response.returned_rows': Math.floor(rand() * 50),
        },
        scopes[2]!,
        error && q === nQueries - 1,
      ),
    );
  }
  if (rand() < 0.4) {
    spans.push(
      span(
        'POST',
        2,
        ctx(),
        server,
        addNanos(start, 1_000_000),
        5e6 + Math.floor(rand() * 40e6),
        {
          'http.request.method': 'POST',
          'url.full': `https://payments.internal:8443/v1/charges/${hex(6)}`,
          'server.address': 'payments.internal',
          'server.port': 8443,
          'http.response.status_code': 200,
          'network.protocol.version': '1.1',
        },
        scopes[0]!,
        false,
      ),
    );
  }
  return spans;
}

/** One OTLP ExportTraceServiceRequest of about `targetBytes` bytes. */
export function otlpRecord(targetBytes = 256 * 1024): Uint8Array {
  const now: HrTime = [Math.floor(Date.now() / 1000), 0];
  const spans: Span[] = [];
  // About 430 bytes per span: start from the estimate, then top up until the encoding is big enough.
  while (spans.length < targetBytes / 430) spans.push(...trace(now));
  let bytes = ProtobufTraceSerializer.serializeRequest(spans)!;
  while (bytes.length < targetBytes) {
    spans.push(...trace(now));
    bytes = ProtobufTraceSerializer.serializeRequest(spans)!;
  }
  return bytes;
}
