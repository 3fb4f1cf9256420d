import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { InMemoryLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { init, type InitOptions, type Observability } from '@trisignal/core';
import express4 from 'express4';
import express5 from 'express';

/** The Express majors every integration test runs against (both installed as dev dependencies). */
export const EXPRESS_VERSIONS = [
  { name: 'express 4', express: express4 },
  { name: 'express 5', express: express5 },
] as const;

export type ExpressModule = typeof express5;
export type App = ReturnType<typeof express5>;

export interface Telemetry {
  readonly obs: Observability;
  readonly spans: InMemorySpanExporter;
  readonly logs: InMemoryLogRecordExporter;
  finishedSpans(): ReadableSpan[];
  finishedLogs(): ReadableLogRecord[];
  reset(): void;
  shutdown(): Promise<void>;
}

/** init() with in-memory span and log exporters, no signal hooks and no runtime metrics. */
export function createTelemetry(options: InitOptions = {}): Telemetry {
  const spans = new InMemorySpanExporter();
  const logs = new InMemoryLogRecordExporter();
  const obs = init({
    service: 'middleware-express-test',
    spanProcessors: [new SimpleSpanProcessor(spans)],
    logProcessors: [new SimpleLogRecordProcessor({ exporter: logs })],
    signalHooks: false,
    runtimeMetrics: false,
    ...options,
  });
  return {
    obs,
    spans,
    logs,
    finishedSpans: () => spans.getFinishedSpans(),
    finishedLogs: () => logs.getFinishedLogRecords(),
    reset: () => {
      spans.reset();
      logs.reset();
    },
    shutdown: () => obs.shutdown(),
  };
}

export interface Running {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 on a free port. */
export async function listen(app: App): Promise<Running> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `predicate` every 5 ms until it holds; fails after `timeoutMillis`. */
export async function waitFor(
  predicate: () => boolean,
  timeoutMillis = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Runs `count` tasks with at most `concurrency` in flight. */
export async function runPool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      await task(i);
    }
  });
  await Promise.all(workers);
}

/** The HTTP server series of the recorder, as plain objects. */
export function httpSeries(obs: Observability): { attributes: Record<string, unknown>; count: number }[] {
  const out: { attributes: Record<string, unknown>; count: number }[] = [];
  obs.recorder.forEachSeries('http.server', (s) => {
    out.push({ attributes: { ...s.attributes }, count: s.duration.count });
  });
  return out;
}

/** The sum of the in-flight HTTP counters. */
export function activeRequests(obs: Observability): number {
  let total = 0;
  obs.recorder.forEachActive('http.server', (c) => {
    total += c.value;
  });
  return total;
}
