import { setTimeout as sleep } from 'node:timers/promises';
import { ConsoleLogRecordExporter } from '@opentelemetry/sdk-logs';
import { ConsoleMetricExporter } from '@opentelemetry/sdk-metrics';
import { ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';
import { init } from '@trisignal/core';

const obs = init({
  service: 'quickstart',
  spanExporters: [new ConsoleSpanExporter()],
  metricExporters: [new ConsoleMetricExporter()],
  logExporters: [new ConsoleLogRecordExporter()],
  runtimeMetrics: false, // on by default; off here to keep the console short
});

const ordersPlaced = obs.meter.createCounter('orders.placed', { unit: '{order}' });

for (const orderId of [1, 2, 3]) {
  await obs.withSpan('place order', async (span) => {
    span.setAttribute('order.id', orderId);
    await obs.withSpan('charge card', () => sleep(5));
    ordersPlaced.add(1, { 'payment.method': 'card' });
    obs.logger.info('order placed', { 'order.id': orderId }); // carries the span's trace id
  });
}

await obs.shutdown(); // flushes all three signals (also done for you on SIGTERM / SIGINT / exit)
