/**
 * Macro benchmark of @trisignal/sampling, printed as markdown:
 *  1. ns per decision of each sampler beside upstream TraceIdRatioBasedSampler / ParentBasedSampler,
 *     interleaved rounds, median per variant, ratio to the upstream ratio sampler of the same run;
 *  2. tail processor throughput (spans/s through onEnd + decisions), beside BatchSpanProcessor.onEnd;
 *  3. bytes per buffered span: V8 heap growth (after gc) per span held by the tail buffer, beside the
 *     processor's own estimate.
 * Run: `node --expose-gc --import tsx bench/report.ts` (from packages/sampling).
 */
import {
  context,
  createTraceState,
  type Context,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { createSeededTraceIdGenerator } from '@trisignal/conformance';
import {
  createAdaptiveSampler,
  createParentBasedSampler,
  createProbabilitySampler,
  createRateLimitingSampler,
  createRuleBasedSampler,
  createTailSamplingProcessor,
} from '../src/index.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 9);
const DECISIONS = Number(process.env['BENCH_DECISIONS'] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;

// ---------------------------------------------------------------------------------------------------
// 1. Decisions
// ---------------------------------------------------------------------------------------------------
const ids = createSeededTraceIdGenerator(1);
const TRACE_IDS = Array.from({ length: 4096 }, () => ids());
const ROUTES = Array.from({ length: 100 }, (_, i) => `GET /api/resource${i}/:id`);
const NAMES = Array.from({ length: 4096 }, (_, i) => ROUTES[i % ROUTES.length]!);
const ATTRS = NAMES.map((name) => ({ 'http.request.method': 'GET', 'http.route': name.slice(4) }));

/** The parent's trace id (R = f8a0c0e0e47360, above both th:8 and th:e666, so the parent's th is consistent). */
const PARENT_TRACE_ID = '4bf92f3577b34da6a3f8a0c0e0e47360';
/** Children share their parent's trace id. */
const PARENT_TRACE_IDS = TRACE_IDS.map(() => PARENT_TRACE_ID);

function parentCtx(traceState?: string): Context {
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: PARENT_TRACE_ID,
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: false,
    ...(traceState === undefined ? {} : { traceState: createTraceState(traceState) }),
  });
}

/** Every variant cycles through 4096 contexts (the same one 4096 times, or distinct parents). */
const POOL = 4096;
const same = (ctx: Context): Context[] => Array.from({ length: POOL }, () => ctx);
/** 4096 parents, each with its own TraceState object (parsed from the same header), as 4096 requests. */
const distinctParents = (traceState: string): Context[] =>
  Array.from({ length: POOL }, () => parentCtx(traceState));
/** 4096 remote parents extracted by the W3C propagator (its TraceState is `@opentelemetry/core`'s). */
const propagator = new W3CTraceContextPropagator();
const extractedParents = (traceState: string): Context[] =>
  Array.from({ length: POOL }, () =>
    propagator.extract(
      ROOT_CONTEXT,
      { traceparent: `00-${PARENT_TRACE_ID}-00f067aa0ba902b7-01`, tracestate: traceState },
      defaultTextMapGetter,
    ),
  );

/** The sampler, then `serialize()` of the tracestate it returns, as a propagator or exporter would. */
let serialized = 0;
function thenSerialize(inner: Sampler): Sampler {
  return {
    shouldSample: (ctx, traceId, name, kind, attributes, links) => {
      const result = inner.shouldSample(ctx, traceId, name, kind, attributes, links);
      serialized += result.traceState?.serialize().length ?? 0;
      return result;
    },
    toString: () => `thenSerialize(${inner.toString()})`,
  };
}

interface Variant {
  readonly name: string;
  readonly sampler: Sampler;
  /** True for root spans (random trace ids), false for children of the parent trace id. */
  readonly root: boolean;
  readonly ctxs: readonly Context[];
}

const adaptiveCounts = new Map(ROUTES.map((r) => [r, { count: 0 }]));
let adaptiveNow = 0;
const adaptive = createAdaptiveSampler({
  autoTick: false,
  now: () => adaptiveNow,
  targetTracesPerSecond: 10,
  feed: {
    forEachSeries: (kind, visit) => {
      if (kind !== 'http.server') return;
      for (const [operation, duration] of adaptiveCounts) visit({ operation, isError: false, duration });
    },
  },
});
for (const c of adaptiveCounts.values()) c.count = 500; // 100 req/s per route → p = 0.1
adaptiveNow = 5000;
adaptive.tick();

const variants: Variant[] = [
  {
    name: 'upstream TraceIdRatioBasedSampler(0.1), root',
    sampler: new TraceIdRatioBasedSampler(0.1),
    root: true,
    ctxs: same(ROOT_CONTEXT),
  },
  {
    name: 'upstream ParentBasedSampler(ratio 0.1), root',
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) }),
    root: true,
    ctxs: same(ROOT_CONTEXT),
  },
  {
    name: 'upstream ParentBasedSampler, sampled local parent',
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) }),
    root: false,
    ctxs: same(parentCtx()),
  },
  {
    name: 'probability 0.1 (th), root',
    sampler: createProbabilitySampler({ ratio: 0.1 }),
    root: true,
    ctxs: same(ROOT_CONTEXT),
  },
  {
    name: 'parent-based(probability 0.1), root',
    sampler: createParentBasedSampler({ root: createProbabilitySampler({ ratio: 0.1 }) }),
    root: true,
    ctxs: same(ROOT_CONTEXT),
  },
  {
    name: 'parent-based, sampled local parent',
    sampler: createParentBasedSampler({ root: createProbabilitySampler({ ratio: 0.1 }) }),
    root: false,
    ctxs: same(parentCtx()),
  },
  {
    name: 'parent-based, parent with ot=th:e666 (checked)',
    sampler: createParentBasedSampler({ root: createProbabilitySampler({ ratio: 0.1 }) }),
    root: false,
    ctxs: same(parentCtx('ot=th:e666')),
  },
  {
    name: 'probability 0.1 equalizing, parent ot=th:8 (raises th: new tracestate)',
    sampler: createProbabilitySampler({ ratio: 0.1, parentMode: 'equalizing' }),
    root: false,
    ctxs: same(parentCtx('vendor=x,ot=th:8')),
  },
  {
    name: 'probability 0.1 equalizing, 4096 distinct parents ot=th:8 (new tracestate each)',
    sampler: createProbabilitySampler({ ratio: 0.1, parentMode: 'equalizing' }),
    root: false,
    ctxs: distinctParents('vendor=x,ot=th:8'),
  },
  {
    name: 'probability 0.1 equalizing, 4096 remote parents via W3C propagator (core TraceState)',
    sampler: createProbabilitySampler({ ratio: 0.1, parentMode: 'equalizing' }),
    root: false,
    ctxs: extractedParents('vendor=x,ot=th:8'),
  },
  {
    name: 'probability 0.1 equalizing, 4096 distinct parents, + serialize() of the new tracestate',
    sampler: thenSerialize(createProbabilitySampler({ ratio: 0.1, parentMode: 'equalizing' })),
    root: false,
    ctxs: distinctParents('vendor=x,ot=th:8'),
  },
  {
    name: 'probability 0.1, parent with vendor=x only (adds ot: new tracestate)',
    sampler: createProbabilitySampler({ ratio: 0.1 }),
    root: false,
    ctxs: same(parentCtx('vendor=x')),
  },
  {
    name: 'parent-based, 4096 distinct parents ot=th:e666 (checked)',
    sampler: createParentBasedSampler({ root: createProbabilitySampler({ ratio: 0.1 }) }),
    root: false,
    ctxs: distinctParents('ot=th:e666'),
  },
  {
    name: 'rate-limiting 1000/s, parent ot=th:8;rv:… (erases th: new tracestate)',
    sampler: createRateLimitingSampler({ tracesPerSecond: 1000 }),
    root: false,
    ctxs: same(parentCtx('vendor=x,ot=th:8;rv:f8a0c0e0e47360')),
  },
  { name: 'adaptive, 100 keys, root', sampler: adaptive, root: true, ctxs: same(ROOT_CONTEXT) },
  {
    name: 'rate-limiting 1000/s, root',
    sampler: createRateLimitingSampler({ tracesPerSecond: 1000 }),
    root: true,
    ctxs: same(ROOT_CONTEXT),
  },
  {
    name: 'rule-based (health/checkout/10 %), root',
    sampler: createRuleBasedSampler({
      rules: [
        { attributes: { 'http.route': '/health' }, sampler: 'always_off' },
        { attributes: { 'http.route': '/checkout' }, sampler: 'always_on' },
      ],
      fallback: createProbabilitySampler({ ratio: 0.1 }),
    }),
    root: true,
    ctxs: same(ROOT_CONTEXT),
  },
];

type Loop = (
  s: Sampler,
  ctxs: readonly Context[],
  tids: string[],
  names: string[],
  attrs: object[],
  n: number,
) => number;

/** A distinct function per variant, so that no call site turns megamorphic across variants. */
function makeLoop(): Loop {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(
    's',
    'ctxs',
    'tids',
    'names',
    'attrs',
    'n',
    `let sink = 0;
     for (let i = 0; i < n; i++) {
       const j = i & 4095;
       sink += s.shouldSample(ctxs[j], tids[j], names[j], 1, attrs[j], []).decision;
     }
     return sink;`,
  ) as Loop;
}

const loops = variants.map(() => makeLoop());
let sink = 0;
function runDecisions(i: number): number {
  const v = variants[i]!;
  const start = process.hrtime.bigint();
  const tids = v.root ? TRACE_IDS : PARENT_TRACE_IDS;
  sink += loops[i]!(v.sampler, v.ctxs, tids, NAMES, ATTRS, DECISIONS);
  return Number(process.hrtime.bigint() - start) / DECISIONS;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

for (let i = 0; i < variants.length; i++) runDecisions(i); // warm-up
const samples: number[][] = variants.map(() => []);
for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < variants.length; i++) samples[i]!.push(runDecisions(i));

const baseline = median(samples[0]!);
console.log(
  `\n### ns per decision (${DECISIONS.toLocaleString('en-US')} decisions × ${ROUNDS} interleaved rounds, median)\n`,
);
console.log('| sampler | ns / decision (median) | min–max | vs upstream TraceIdRatioBased |');
console.log('| --- | ---: | ---: | ---: |');
for (let i = 0; i < variants.length; i++) {
  const m = median(samples[i]!);
  console.log(
    `| ${variants[i]!.name} | ${m.toFixed(1)} | ${Math.min(...samples[i]!).toFixed(1)}–${Math.max(...samples[i]!).toFixed(1)} | ${(m / baseline).toFixed(2)}× |`,
  );
}

// ---------------------------------------------------------------------------------------------------
// 2. Tail processor throughput
// ---------------------------------------------------------------------------------------------------
const noopDownstream: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
const noopExporter: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }), // ExportResultCode.SUCCESS
  shutdown: () => Promise.resolve(),
};

/** Builds ended SDK spans: `traces` traces of one server root with 4 children; 2 % errors, 2 % slow. */
function buildSpans(traces: number): ReadableSpan[] {
  const provider = new BasicTracerProvider({ spanProcessors: [] });
  const tracer = provider.getTracer('bench');
  const out: ReadableSpan[] = [];
  const base = 1_700_000_000_000;
  for (let t = 0; t < traces; t++) {
    const start = base + t;
    const root = tracer.startSpan('GET /api/items/:id', {
      kind: SpanKind.SERVER,
      startTime: start,
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/api/items/:id',
        'url.path': `/api/items/${t}`,
        'url.scheme': 'http',
        'server.address': 'orders.internal',
        'http.response.status_code': t % 50 === 0 ? 500 : 200,
      },
    });
    const ctx = trace.setSpan(context.active(), root);
    const kids: ReadableSpan[] = [];
    for (let c = 0; c < 4; c++) {
      const child = tracer.startSpan(
        `SELECT items ${c}`,
        {
          startTime: start + 1,
          attributes: {
            'db.system.name': 'postgresql',
            'db.query.text': 'SELECT * FROM items WHERE id = $1',
          },
        },
        ctx,
      );
      child.end(start + 2);
      kids.push(child as unknown as ReadableSpan);
    }
    if (t % 50 === 0) root.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    root.end(start + (t % 50 === 1 ? 900 : 20));
    out.push(...kids, root as unknown as ReadableSpan);
  }
  return out;
}

const TAIL_TRACES = 20_000;
const tailSpans = buildSpans(TAIL_TRACES);

function runTail(): number {
  let now = 0;
  const tail = createTailSamplingProcessor({
    downstream: noopDownstream,
    autoTick: false,
    now: () => now,
    graceMillis: 100,
    policies: [
      { type: 'status_code', statusCodes: ['ERROR'] },
      { type: 'latency', thresholdMillis: 500 },
      { type: 'probabilistic', ratio: 0.01 },
    ],
  });
  const start = process.hrtime.bigint();
  for (let i = 0; i < tailSpans.length; i++) {
    tail.onEnd(tailSpans[i]!);
    if (i % 5 === 4) {
      now += 0.5; // 2000 traces per simulated second
      if (i % 500 === 499) tail.tick();
    }
  }
  now += 1000;
  tail.tick();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return tailSpans.length / seconds;
}

function runBatch(): number {
  const bsp = new BatchSpanProcessor(noopExporter, {
    maxQueueSize: 1_000_000,
    maxExportBatchSize: 512,
    scheduledDelayMillis: 60_000,
  });
  const start = process.hrtime.bigint();
  for (const span of tailSpans) bsp.onEnd(span);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  void bsp.shutdown();
  return tailSpans.length / seconds;
}

runTail();
runBatch();
const tailRates: number[] = [];
const batchRates: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  tailRates.push(runTail());
  batchRates.push(runBatch());
}
console.log(
  `\n### Tail processor throughput (${tailSpans.length.toLocaleString('en-US')} spans = ${TAIL_TRACES.toLocaleString('en-US')} traces × 5, ${ROUNDS} interleaved rounds, median)\n`,
);
console.log('| processor | spans / s (median) | µs / span |');
console.log('| --- | ---: | ---: |');
for (const [name, rates] of [
  ['tail sampling (error + latency + 1 % probabilistic), noop downstream', tailRates],
  ['upstream BatchSpanProcessor.onEnd (enqueue only), noop exporter', batchRates],
] as const) {
  const m = median(rates);
  console.log(`| ${name} | ${Math.round(m).toLocaleString('en-US')} | ${(1e6 / m).toFixed(2)} |`);
}

// ---------------------------------------------------------------------------------------------------
// 3. Bytes per buffered span
// ---------------------------------------------------------------------------------------------------
if (gc === undefined) {
  console.log('\n(bytes per buffered span skipped: run node with --expose-gc)');
} else {
  const measure = (traces: number): { heap: number; estimate: number; spans: number } => {
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    const tail = createTailSamplingProcessor({
      downstream: noopDownstream,
      autoTick: false,
      now: () => 0,
      decisionWaitMillis: 1e9,
      graceMillis: 1e9,
      maxTraces: 1e9,
      maxSpans: 1e9,
      maxBytes: 2 ** 40,
      policies: [{ type: 'always_sample' }],
    });
    const spans = buildSpans(traces);
    for (const span of spans) tail.onEnd(span);
    spans.length = 0;
    gc();
    gc();
    const after = process.memoryUsage().heapUsed;
    const stats = tail.stats();
    void tail.shutdown();
    return { heap: (after - before) / stats.spans, estimate: stats.bytes / stats.spans, spans: stats.spans };
  };
  measure(2000);
  const runs = [measure(10_000), measure(10_000), measure(10_000)];
  console.log(
    '\n### Bytes per buffered span (V8 heap growth after gc, 50 000 spans: 1 server root with 6 attributes + 4 db children with 2)\n',
  );
  console.log('| measured heap / span (median of 3) | processor estimate / span | estimate / measured |');
  console.log('| ---: | ---: | ---: |');
  const heap = median(runs.map((r) => r.heap));
  const estimate = runs[0]!.estimate;
  console.log(`| ${heap.toFixed(1)} B | ${estimate.toFixed(1)} B | ${(estimate / heap).toFixed(2)} |`);
}
if (sink === -1 || serialized === -1) console.log(sink, serialized);
void adaptive.shutdown();
