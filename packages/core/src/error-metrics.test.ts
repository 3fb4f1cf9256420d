import { type Attributes, type DiagLogger, diag, DiagLogLevel, SpanStatusCode } from '@opentelemetry/api';
import { type DataPoint, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyError, type ErrorClassification } from './classify-error.js';
import { isTrisignalError } from './errors.js';
import { createErrorMetrics, type ErrorMetricsOptions } from './error-metrics.js';
import {
  ATTR_ERROR_CATEGORY,
  ATTR_ERROR_ROOT_CAUSE,
  ATTR_ERROR_TYPE,
  METRIC_TRISIGNAL_ERRORS,
  OVERFLOW_VALUE,
} from './semconv.js';

class CollectingReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

function setup(options?: ErrorMetricsOptions): {
  metrics: ReturnType<typeof createErrorMetrics>;
  points: () => Promise<Map<string, number>>;
  unit: () => Promise<string | undefined>;
} {
  const reader = new CollectingReader();
  const provider = new MeterProvider({ readers: [reader] });
  const metrics = createErrorMetrics(provider.getMeter('error-metrics-test'), options);
  const collect = async (): Promise<{ unit: string; dataPoints: DataPoint<number>[] } | undefined> => {
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    const metric = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === METRIC_TRISIGNAL_ERRORS);
    return metric === undefined
      ? undefined
      : { unit: metric.descriptor.unit, dataPoints: metric.dataPoints as DataPoint<number>[] };
  };
  return {
    metrics,
    unit: async () => (await collect())?.unit,
    points: async () => {
      const map = new Map<string, number>();
      for (const point of (await collect())?.dataPoints ?? []) map.set(key(point.attributes), point.value);
      return map;
    },
  };
}

/** `category/root_cause/error.type` plus any other attributes, sorted. */
function key(attributes: Attributes): string {
  const {
    [ATTR_ERROR_CATEGORY]: category,
    [ATTR_ERROR_ROOT_CAUSE]: root,
    [ATTR_ERROR_TYPE]: type,
    ...rest
  } = attributes;
  const extra = Object.entries(rest)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `,${k}=${String(v)}`)
    .join('');
  return `${String(category)}/${String(root)}/${String(type)}${extra}`;
}

async function refusedConnection(): Promise<unknown> {
  const server = net.createServer();
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as net.AddressInfo;
      server.close(() => resolve(p));
    });
  });
  return new Promise((resolve) => net.connect(port, '127.0.0.1').once('error', resolve));
}

async function missingFile(): Promise<unknown> {
  try {
    await readFile(`/nonexistent-trisignal-${process.pid}/x`);
  } catch (error) {
    return error;
  }
  throw new Error('readFile unexpectedly succeeded');
}

afterEach(() => diag.disable());

describe('createErrorMetrics', () => {
  it('counts real errors by category, root cause and error.type on trisignal.errors {error}', async () => {
    const { metrics, points, unit } = setup();
    const refused = classifyError(await refusedConnection());
    const missing = classifyError(await missingFile());
    metrics.record(refused);
    metrics.record(refused);
    metrics.record(missing);
    metrics.record(classifyError(new TypeError('x is not a function')));
    expect(await points()).toEqual(
      new Map([
        ['transient/ECONNREFUSED/ECONNREFUSED', 2],
        ['server/ENOENT/ENOENT', 1],
        ['server/TypeError/TypeError', 1],
      ]),
    );
    expect(await unit()).toBe('{error}');
    expect(metrics.overflowCount).toBe(0);
  });

  it('names a fetch failure by its root cause', async () => {
    const { metrics, points } = setup();
    const server = net.createServer();
    const port = await new Promise<number>((resolve) => {
      server.listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as net.AddressInfo;
        server.close(() => resolve(p));
      });
    });
    const error = await fetch(`http://127.0.0.1:${port}/`).then(
      () => new Error('fetch unexpectedly succeeded'),
      (e: unknown) => e,
    );
    metrics.record(classifyError(error));
    expect([...(await points()).keys()]).toEqual(['transient/ECONNREFUSED/ECONNREFUSED']);
  });

  it('admits the first N distinct root causes and counts later ones as other, forever', async () => {
    const messages: string[] = [];
    const logger: DiagLogger = {
      error: () => undefined,
      warn: (message: string) => void messages.push(message),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    };
    diag.setLogger(logger, DiagLogLevel.WARN);
    const { metrics, points } = setup({ maxRootCauses: 2 });
    const typeError = classifyError(new TypeError('a'));
    const refused = classifyError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const reset = classifyError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    const pipe = classifyError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));

    metrics.record(typeError);
    metrics.record(refused);
    metrics.record(reset);
    metrics.record(pipe);
    metrics.record(reset);
    // An admitted cause keeps its own series after the cap is full.
    metrics.record(refused);

    expect(await points()).toEqual(
      new Map([
        ['server/TypeError/TypeError', 1],
        ['transient/ECONNREFUSED/ECONNREFUSED', 2],
        [`transient/${OVERFLOW_VALUE}/${OVERFLOW_VALUE}`, 3],
      ]),
    );
    expect(metrics.overflowCount).toBe(3);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('more than 2 distinct');
  });

  it('caps error.type separately from the root cause', async () => {
    const { metrics, points } = setup({ maxRootCauses: 1 });
    const httpError = (status: number): ErrorClassification =>
      classifyError(Object.assign(new Error('upstream'), { name: 'HttpError', status }));
    metrics.record(httpError(503));
    metrics.record(httpError(502));
    expect(await points()).toEqual(
      new Map([
        ['transient/HttpError/503', 1],
        [`transient/HttpError/${OVERFLOW_VALUE}`, 1],
      ]),
    );
    expect(metrics.overflowCount).toBe(1);
  });

  it('defaults to 50 root causes', async () => {
    const { metrics, points } = setup({ maxRootCauses: undefined });
    for (let i = 0; i < 51; i++)
      metrics.record(classifyError(Object.assign(new Error('x'), { code: `CODE_${i}` })));
    const series = await points();
    expect(series.size).toBe(51);
    expect(series.get(`unknown/${OVERFLOW_VALUE}/${OVERFLOW_VALUE}`)).toBe(1);
    expect(metrics.overflowCount).toBe(1);
  });

  it('adds extra attributes without letting them override its own', async () => {
    const { metrics, points } = setup();
    metrics.record(classifyError(new RangeError('r')), {
      'http.route': '/orders/:id',
      [ATTR_ERROR_CATEGORY]: 'spoofed',
    });
    expect([...(await points()).keys()]).toEqual(['server/RangeError/RangeError,http.route=/orders/:id']);
  });

  it('ignores classifications that are not errors and never throws on bad input', async () => {
    const { metrics, points } = setup();
    metrics.record(classifyError({ status: 200 }));
    metrics.record({ ...classifyError(new Error('x')), status: SpanStatusCode.UNSET });
    expect(() => metrics.record(null as unknown as ErrorClassification)).not.toThrow();
    expect(() => metrics.record({ status: SpanStatusCode.ERROR } as ErrorClassification)).not.toThrow();
    expect(await points()).toEqual(new Map());
  });

  it.each([0, -1, 1.5, Number.NaN, '10'])('rejects maxRootCauses %j', (maxRootCauses) => {
    let thrown: unknown;
    try {
      setup({ maxRootCauses: maxRootCauses as number });
    } catch (error) {
      thrown = error;
    }
    expect(isTrisignalError(thrown)).toBe(true);
    expect((thrown as { code: string }).code).toBe('TRISIGNAL_CORE_INVALID_OPTION');
    expect((thrown as Error).message).toMatch(/^Expected `maxRootCauses` to be a positive integer, got/);
  });
});
