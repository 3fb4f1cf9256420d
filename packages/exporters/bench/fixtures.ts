import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

/**
 * The benchmark batch: `n` finished SERVER spans as the SDK makes them, each with 10 attributes (the
 * HTTP server semconv set: a mix of repeated and per-request values), one event and an error status.
 */
export function makeSpans(n: number): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'orders',
      'service.version': '1.4.0',
      'service.instance.id': '627cc493-f310-47de-96bd-71410b7dec09',
      'host.name': 'web-1',
      'process.pid': 4242,
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.name': 'opentelemetry',
      'telemetry.sdk.version': '2.12.1',
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('@trisignal/middleware-express', '0.1.0');
  const routes = ['/api/items/:id', '/api/orders', '/api/users/:id/cart', '/checkout'];
  for (let i = 0; i < n; i++) {
    const route = routes[i % routes.length]!;
    const attributes: Attributes = {
      'http.request.method': i % 3 === 0 ? 'POST' : 'GET',
      'http.route': route,
      'url.path': route.replace(':id', String(1000 + i)),
      'url.scheme': 'http',
      'http.response.status_code': i % 10 === 0 ? 500 : 200,
      'network.protocol.version': '1.1',
      'server.address': 'orders.internal',
      'server.port': 8080,
      'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
      'client.address': `10.0.${i % 256}.${(i * 7) % 256}`,
    };
    const span = tracer.startSpan(`GET ${route}`, { kind: SpanKind.SERVER, attributes });
    span.addEvent('handler.start', { 'handler.name': 'getItem', 'retry.count': i % 3 });
    span.setStatus(
      i % 10 === 0
        ? { code: SpanStatusCode.ERROR, message: 'upstream timeout' }
        : { code: SpanStatusCode.OK },
    );
    span.end();
  }
  return exporter.getFinishedSpans();
}
