import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { Counter as PromCounter, Histogram as PromHistogram, Registry } from 'prom-client';

/** prom-client's default buckets, used by all three contenders so every series has the same 12 bucket lines. */
export const PROM_DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

class PullReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];

function labelsOf(i: number): { method: string; route: string; status: string } {
  return {
    method: METHODS[i % 4]!,
    route: `/api/v1/resource${Math.floor(i / 4)}/:id`,
    status: i % 7 === 0 ? '500' : '200',
  };
}

/** 1,000 histogram series and 1,000 counter series in sdk-metrics, each with a few observations. */
export function makeOtelSource(series = 1000): { reader: MetricReader; provider: MeterProvider } {
  const reader = new PullReader();
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench', 'service.instance.id': 'bench-1' }),
    readers: [reader],
  });
  const meter = provider.getMeter('bench');
  const histogram = meter.createHistogram('http.server.duration', {
    unit: 's',
    description: 'Request duration.',
    advice: { explicitBucketBoundaries: PROM_DEFAULT_BUCKETS },
  });
  const counter = meter.createCounter('http.server.requests', { description: 'Requests.' });
  for (let i = 0; i < series; i++) {
    const labels = labelsOf(i);
    for (let k = 0; k < 5; k++) histogram.record(0.003 * (k + 1) * ((i % 13) + 1), labels);
    counter.add(i + 1, labels);
  }
  return { reader, provider };
}

/** The same data in prom-client. */
export function makePromClientRegistry(series = 1000): Registry {
  const registry = new Registry();
  const histogram = new PromHistogram({
    name: 'http_server_duration_seconds',
    help: 'Request duration.',
    labelNames: ['method', 'route', 'status'],
    buckets: PROM_DEFAULT_BUCKETS,
    registers: [registry],
  });
  const counter = new PromCounter({
    name: 'http_server_requests_total',
    help: 'Requests.',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  for (let i = 0; i < series; i++) {
    const labels = labelsOf(i);
    for (let k = 0; k < 5; k++) histogram.observe(labels, 0.003 * (k + 1) * ((i % 13) + 1));
    counter.inc(labels, i + 1);
  }
  return registry;
}
