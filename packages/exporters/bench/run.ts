/**
 * `pnpm bench` in packages/exporters: the three benchmarks of issue 4, each side by side with its
 * baseline in the same process, interleaved rounds, medians.
 *
 *   1. OTLP trace encode, one 512-span batch (10 attributes, 1 event, status): ours vs upstream
 *      `ProtobufTraceSerializer` (and the JSON encoders).
 *   2. Exposition of 1,000 histogram series (prom-client's default buckets) + 1,000 counter series:
 *      ours (text 0.0.4, OpenMetrics) vs the upstream Prometheus exporter's serializer vs prom-client's
 *      `registry.metrics()`; serialize only, and collect + serialize.
 *   3. Remote write: samples per second converted, encoded and snappy-compressed.
 *
 * Times are CPU time of this process (user + system) per operation: the machine is shared, and CPU
 * time is not inflated by waiting for a core. Run: `node --import tsx bench/run.ts [--rounds N]`.
 */
import { createRequire } from 'node:module';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { createGoldenSignalRecorder } from '@trisignal/core';
import { encodeTraceRequest } from '../src/otlp/trace-encoder.js';
import { encodeTraceRequestJson } from '../src/otlp/json-encoder.js';
import { serializeMetrics } from '../src/prometheus/serialize.js';
import { countSamples, toWriteRequest } from '../src/remote-write/convert.js';
import { encodeWriteRequest, splitWriteRequest } from '../src/remote-write/encode.js';
import { makeOtelSource, makePromClientRegistry, PROM_DEFAULT_BUCKETS } from './exposition-fixtures.js';
import { makeSpans } from './fixtures.js';

const snappy = createRequire(import.meta.url)('snappy') as { compressSync(b: Buffer): Buffer };

const args = process.argv.slice(2);
const ROUNDS = Number(args[args.indexOf('--rounds') + 1] ?? 0) || 9;
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const TARGET_MS = 150;

type Op = () => unknown;
type AsyncOp = () => Promise<unknown>;

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function calibrate(op: Op | AsyncOp, isAsync: boolean): Promise<number> {
  let n = 1;
  for (;;) {
    const t0 = cpuMicros();
    for (let i = 0; i < n; i++) {
      if (isAsync) await (op as AsyncOp)();
      else op();
    }
    const took = (cpuMicros() - t0) / 1000;
    if (took >= TARGET_MS / 4 || n >= 1 << 20)
      return Math.max(1, Math.round((n * TARGET_MS) / Math.max(took, 0.001)));
    n *= 4;
  }
}

/** Runs every contender once per round, in turn, and returns the median CPU µs per operation. */
async function compare(
  ops: Record<string, { op: Op | AsyncOp; async?: boolean }>,
): Promise<Record<string, number>> {
  const iters: Record<string, number> = {};
  for (const [name, { op, async = false }] of Object.entries(ops)) {
    for (let i = 0; i < 3; i++) await (async ? (op as AsyncOp)() : op()); // warm-up
    iters[name] = await calibrate(op, async);
  }
  const samples: Record<string, number[]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, { op, async = false }] of Object.entries(ops)) {
      const n = iters[name]!;
      const t0 = cpuMicros();
      for (let i = 0; i < n; i++) {
        if (async) await (op as AsyncOp)();
        else op();
      }
      (samples[name] ??= []).push((cpuMicros() - t0) / n);
    }
  }
  const out: Record<string, number> = {};
  for (const [name, xs] of Object.entries(samples)) {
    xs.sort((a, b) => a - b);
    out[name] = xs[xs.length >> 1]!;
  }
  return out;
}

function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

async function benchOtlp(): Promise<string> {
  const spans = makeSpans(512);
  const oursBytes = encodeTraceRequest(spans).length;
  const upstreamBytes = ProtobufTraceSerializer.serializeRequest(spans)!.length;
  const oursJsonBytes = encodeTraceRequestJson(spans).length;
  const upstreamJsonBytes = JsonTraceSerializer.serializeRequest(spans)!.length;
  const r = await compare({
    ours: { op: () => encodeTraceRequest(spans) },
    upstream: { op: () => ProtobufTraceSerializer.serializeRequest(spans) },
    'ours JSON': { op: () => encodeTraceRequestJson(spans) },
    'upstream JSON': { op: () => JsonTraceSerializer.serializeRequest(spans) },
  });
  const row = (name: string, label: string, bytes: number, base: string) => [
    label,
    fmt(r[name]!, 0),
    fmt((512 / r[name]!) * 1000, 0),
    fmt(bytes / 512, 0),
    `${fmt(r[base]! / r[name]!, 2)}×`,
  ];
  return table(
    [
      'encoder (512 spans: 10 attributes, 1 event, status)',
      'µs / batch',
      'k spans/s',
      'B/span',
      'speed-up vs upstream',
    ],
    [
      row('ours', '**ours** protobuf (`encodeTraceRequest`)', oursBytes, 'upstream'),
      row('upstream', 'upstream `ProtobufTraceSerializer`', upstreamBytes, 'upstream'),
      row('ours JSON', 'ours OTLP/JSON (`encodeTraceRequestJson`)', oursJsonBytes, 'upstream JSON'),
      row('upstream JSON', 'upstream `JsonTraceSerializer`', upstreamJsonBytes, 'upstream JSON'),
    ],
  );
}

async function benchExposition(): Promise<string> {
  const SERIES = 2000;
  const { reader } = makeOtelSource(1000);
  const registry = makePromClientRegistry(1000);
  const upstream = new PrometheusSerializer();
  const { resourceMetrics } = await reader.collect();
  // The same 1,000 + 1,000 series kept by core's golden-signal recorder (the data an app really scrapes).
  const recorder = createGoldenSignalRecorder({ durationBuckets: PROM_DEFAULT_BUCKETS, maxSeries: 4000 });
  for (let i = 0; i < 1000; i++) {
    recorder.recordHttpServer({
      method: 'GET',
      route: `/api/v1/resource${i}/:id`,
      statusCode: 200,
      sloClass: 'silver',
      durationSeconds: 0.003 * ((i % 13) + 1),
      requestBodyBytes: 0,
      responseBodyBytes: 0,
      spanContext: undefined,
    });
  }
  const recorderMetrics = (): ResourceMetrics => ({
    resource: resourceMetrics.resource,
    scopeMetrics: [{ scope: { name: '@trisignal/core' }, metrics: recorder.collectSync() }],
  });
  const r = await compare({
    'ours text': { op: () => serializeMetrics(resourceMetrics, 'text') },
    'ours om': { op: () => serializeMetrics(resourceMetrics, 'openmetrics') },
    upstream: { op: () => upstream.serialize(resourceMetrics) },
    'ours text + collect': {
      op: async () => serializeMetrics((await reader.collect()).resourceMetrics, 'text'),
      async: true,
    },
    'ours om + collect': {
      op: async () => serializeMetrics((await reader.collect()).resourceMetrics, 'openmetrics'),
      async: true,
    },
    'upstream + collect': {
      op: async () => upstream.serialize((await reader.collect()).resourceMetrics),
      async: true,
    },
    'prom-client': { op: () => registry.metrics(), async: true },
    'ours om + recorder': { op: () => serializeMetrics(recorderMetrics(), 'openmetrics') },
  });
  const bytes = (s: string) => fmt(Buffer.byteLength(s) / 1e6, 2);
  const row = (name: string, label: string, size: string) => [
    label,
    fmt(r[name]! / 1000, 2),
    fmt(r[name]! / SERIES, 2),
    `${fmt(r['prom-client']! / r[name]!, 1)}×`,
    `${fmt(r['upstream + collect']! / r[name]!, 1)}×`,
    size,
  ];
  const text = serializeMetrics(resourceMetrics, 'text');
  const om = serializeMetrics(resourceMetrics, 'openmetrics');
  const up = upstream.serialize(resourceMetrics);
  const prom = await registry.metrics();
  // Each recorder "series" here is a request label set: 1 duration histogram + 2 size histograms.
  const recorderSeries = recorder.collectSync().reduce((n, m) => n + m.dataPoints.length, 0);
  return [
    table(
      [
        'exposition, 1,000 histogram (12 buckets) + 1,000 counter series',
        'ms / scrape',
        'µs / series',
        'vs prom-client',
        'vs upstream (collect + serialize)',
        'MB',
      ],
      [
        row('ours text', '**ours** text 0.0.4, serialize only', bytes(text)),
        row('ours om', '**ours** OpenMetrics 1.0, serialize only', bytes(om)),
        row('ours text + collect', '**ours** text 0.0.4, sdk-metrics `collect()` + serialize', bytes(text)),
        row('ours om + collect', '**ours** OpenMetrics, sdk-metrics `collect()` + serialize', bytes(om)),
        row('upstream', 'upstream `PrometheusSerializer`, serialize only', bytes(up)),
        row('upstream + collect', 'upstream, sdk-metrics `collect()` + serialize', bytes(up)),
        row('prom-client', 'prom-client `registry.metrics()`', bytes(prom)),
      ],
    ),
    '',
    `Core's recorder holding the same 1,000 request series (${recorderSeries} histogram points: duration, request and response size), \`collectSync()\` + OpenMetrics: ${fmt(r['ours om + recorder']! / 1000, 2)} ms / scrape, ${fmt(r['ours om + recorder']! / recorderSeries, 2)} µs per histogram series.`,
  ].join('\n');
}

async function benchRemoteWrite(): Promise<string> {
  const { reader } = makeOtelSource(1000);
  const { resourceMetrics } = await reader.collect();
  const data = toWriteRequest(resourceMetrics);
  const samples = countSamples(data);
  const encodeAll = (): number => {
    let bytes = 0;
    for (const chunk of splitWriteRequest(data, 2000))
      bytes += snappy.compressSync(encodeWriteRequest(chunk.series, chunk.metadata)).length;
    return bytes;
  };
  const wire = encodeAll();
  const raw = splitWriteRequest(data, 2000).reduce(
    (n, c) => n + encodeWriteRequest(c.series, c.metadata).length,
    0,
  );
  const r = await compare({
    convert: { op: () => toWriteRequest(resourceMetrics) },
    'encode + snappy': { op: encodeAll },
    all: {
      op: () => {
        const d = toWriteRequest(resourceMetrics);
        for (const chunk of splitWriteRequest(d, 2000))
          snappy.compressSync(encodeWriteRequest(chunk.series, chunk.metadata));
      },
    },
  });
  const row = (name: string, label: string) => [
    label,
    fmt(r[name]! / 1000, 2),
    fmt(((samples / r[name]!) * 1e6) / 1e6, 2),
  ];
  return [
    table(
      [
        `remote write, one collection = ${samples.toLocaleString('en-US')} samples (1,000 histograms × 14 series + 1,000 counters + target_info)`,
        'ms / collection',
        'M samples/s',
      ],
      [
        row('convert', 'OTel metrics → sorted-label time series'),
        row('encode + snappy', 'WriteRequest protobuf (2,000 samples per request) + snappy block'),
        row('all', '**all of it**'),
      ],
    ),
    '',
    `Wire size: ${fmt(raw / samples, 1)} B/sample protobuf, ${fmt(wire / samples, 1)} B/sample after snappy.`,
  ].join('\n');
}

/** Durable mode during an outage: heap and buffers before and after accepting many batches. */
async function benchDurableMemory(): Promise<string> {
  const { mkdtempSync, rmSync, readdirSync, statSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const { createOtlpHttpSpanExporter } = await import('../src/otlp-http.js');
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return '(run with --expose-gc for the memory figures)';
  const dir = mkdtempSync(path.join(tmpdir(), 'trisignal-bench-'));
  // Nothing listens on port 9 (discard) here: every attempt is refused, as during an outage.
  const exporter = createOtlpHttpSpanExporter({
    url: 'http://127.0.0.1:9/v1/traces',
    durable: { dir, fsync: 'interval' },
    env: {},
    shutdownTimeoutMillis: 100,
  });
  const batches = [makeSpans(512), makeSpans(512), makeSpans(512), makeSpans(512)];
  const mem = (): string => {
    gc();
    gc();
    const m = process.memoryUsage();
    return `${fmt((m.heapUsed + m.external) / 1e6, 1)} MB`;
  };
  const exportOne = (i: number) =>
    new Promise<void>((resolve) => exporter.export(batches[i % batches.length]!, () => resolve()));
  for (let i = 0; i < 20; i++) await exportOne(i); // warm-up: WAL open, buffers, caches
  const checkpoints: string[] = [];
  const N = 1200;
  for (let k = 0; k <= 3; k++) {
    checkpoints.push(`${k * (N / 3)} batches: ${mem()}`);
    if (k < 3) for (let i = 0; i < N / 3; i++) await exportOne(i);
  }
  const onDisk = readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
  await exporter.shutdown();
  rmSync(dir, { recursive: true, force: true });
  return `Durable OTLP exporter, receiver unreachable, ${N} batches of 512 spans accepted (${fmt((N * 512 * 504) / 1e6, 0)} MB encoded, ${fmt(onDisk / 1e6, 1)} MB gzip in the WAL); heap + external memory after a full GC at ${checkpoints.join(', ')}.`;
}

const started = new Date().toISOString();
process.stdout.write(
  `@trisignal/exporters benchmarks — Node ${process.version}, ${ROUNDS} interleaved rounds, median CPU time per operation (${started})\n\n`,
);
if (ONLY === undefined || ONLY === 'otlp')
  process.stdout.write(`### OTLP trace encoding\n\n${await benchOtlp()}\n\n`);
if (ONLY === undefined || ONLY === 'exposition') {
  process.stdout.write(`### Prometheus exposition\n\n${await benchExposition()}\n\n`);
}
if (ONLY === undefined || ONLY === 'remote-write')
  process.stdout.write(`### Remote write\n\n${await benchRemoteWrite()}\n\n`);
if (ONLY === undefined || ONLY === 'durable')
  process.stdout.write(`### Durable mode memory\n\n${await benchDurableMemory()}\n`);
