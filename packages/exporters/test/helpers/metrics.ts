/** Reads the exporters' self-metrics from a private MeterProvider. */
import { MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';

class TestReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface TestMetrics {
  readonly meterProvider: MeterProvider;
  /** Sum of a counter (or last value of a gauge) over the points whose attributes include `match`. */
  value(name: string, match?: Record<string, string | number>): Promise<number>;
  /** All points of a metric. */
  points(name: string): Promise<DataPoint<unknown>[]>;
}

export function createTestMetrics(): TestMetrics {
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const points = async (name: string): Promise<DataPoint<unknown>[]> => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((sm) =>
      sm.metrics
        .filter((m) => m.descriptor.name === name)
        .flatMap((m) => m.dataPoints as DataPoint<unknown>[]),
    );
  };
  return {
    meterProvider,
    points,
    async value(name, match = {}) {
      let sum = 0;
      for (const p of await points(name)) {
        if (Object.entries(match).every(([k, v]) => p.attributes[k] === v)) {
          sum += typeof p.value === 'number' ? p.value : (p.value as { count: number }).count;
        }
      }
      return sum;
    },
  };
}
