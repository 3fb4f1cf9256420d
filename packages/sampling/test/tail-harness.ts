import { type Attributes, context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createTailSamplingProcessor, type TailSamplingOptions } from '../src/tail-sampling-processor.js';

const EPOCH = 1_700_000_000_000;

export interface TraceSpec {
  /** Children of the root. @default 2 */
  readonly children?: number;
  /** Root duration in ms. @default 10 */
  readonly durationMillis?: number;
  /** Root status ERROR. */
  readonly error?: boolean;
  /** One child status ERROR (root OK). */
  readonly childError?: boolean;
  /** Leave the root open (returned so the caller can end it). */
  readonly openRoot?: boolean;
  readonly attributes?: Attributes;
}

/** A tracer whose spans go through a tail processor (fake clock) to an in-memory exporter. */
export function createTailHarness(options: Omit<TailSamplingOptions, 'downstream' | 'now' | 'autoTick'>) {
  let now = 0;
  const exporter = new InMemorySpanExporter();
  const simple = new SimpleSpanProcessor(exporter);
  /** Everything forwarded, kept even after the exporter is shut down. */
  const forwarded: ReadableSpan[] = [];
  const downstream: SpanProcessor = {
    onStart: (span, ctx) => simple.onStart(span, ctx),
    onEnd: (span) => {
      forwarded.push(span);
      simple.onEnd(span);
    },
    forceFlush: () => simple.forceFlush(),
    shutdown: () => simple.shutdown(),
  };
  const tail = createTailSamplingProcessor({ ...options, downstream, autoTick: false, now: () => now });
  const provider = new BasicTracerProvider({ spanProcessors: [tail] });
  const tracer = provider.getTracer('tail-test');

  /** Emits a trace whose spans all end now; the root spans `durationMillis` of span time. */
  const emit = (spec: TraceSpec = {}): { traceId: string; root: Span } => {
    const start = EPOCH + now;
    const duration = spec.durationMillis ?? 10;
    const root = tracer.startSpan('GET /x', {
      kind: SpanKind.SERVER,
      startTime: start,
      ...(spec.attributes === undefined ? {} : { attributes: spec.attributes }),
    });
    const ctx = trace.setSpan(context.active(), root);
    const children = spec.children ?? 2;
    for (let i = 0; i < children; i++) {
      const child = tracer.startSpan(`child ${i}`, { startTime: start + 1 }, ctx);
      if (spec.childError === true && i === 0) child.setStatus({ code: SpanStatusCode.ERROR });
      child.end(start + 2);
    }
    if (spec.error === true) root.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    if (spec.openRoot !== true) root.end(start + duration);
    return { traceId: root.spanContext().traceId, root };
  };

  /** Ends one more child of `root`'s trace now (a straggler or late span). */
  const straggler = (root: Span, attributes: Attributes = {}): void => {
    const ctx = trace.setSpan(context.active(), root);
    const s = tracer.startSpan('late', { startTime: EPOCH + now, attributes }, ctx);
    s.end(EPOCH + now + 1);
  };

  const exportedTraceIds = (): Set<string> => new Set(forwarded.map((s) => s.spanContext().traceId));
  const exportedSpans = (traceId: string): ReadableSpan[] =>
    forwarded.filter((s) => s.spanContext().traceId === traceId);

  return {
    tail,
    exporter,
    forwarded,
    provider,
    tracer,
    emit,
    straggler,
    exportedTraceIds,
    exportedSpans,
    advance: (ms: number): void => {
      now += ms;
    },
    now: (): number => now,
  };
}
