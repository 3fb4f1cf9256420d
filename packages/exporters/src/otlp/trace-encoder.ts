import type { SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { Link } from '@opentelemetry/api';
import { ProtoWriter } from '../internal/proto-writer.js';
import {
  groupByResourceAndScope,
  reserveFor,
  writeAttributes,
  writeResource,
  writeScope,
} from './common-encoder.js';

// Span.flags bits (trace.proto): the low byte is the W3C trace flags.
const FLAGS_HAS_IS_REMOTE = 0x100;
const FLAGS_IS_REMOTE = 0x200;

/** `Span.flags` / `Link.flags`: trace flags plus whether the parent (or linked) context was remote. */
function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | FLAGS_HAS_IS_REMOTE | (isRemote === true ? FLAGS_IS_REMOTE : 0);
}

function writeEvent(w: ProtoWriter, event: TimedEvent): void {
  w.byte(0x5a); // Span.events (11)
  const mark = w.begin(1);
  w.byte(0x09); // time_unix_nano (1, fixed64)
  w.hrTime(event.time[0], event.time[1]);
  w.byte(0x12); // name (2)
  w.string(event.name);
  writeAttributes(w, event.attributes, 0x1a); // attributes (3)
  if (event.droppedAttributesCount) {
    w.byte(0x20); // dropped_attributes_count (4)
    w.uint32(event.droppedAttributesCount);
  }
  w.end(mark, 1);
}

function writeLink(w: ProtoWriter, link: Link): void {
  w.byte(0x6a); // Span.links (13)
  const mark = w.begin(1);
  const ctx = link.context;
  w.byte(0x0a);
  w.hexId(ctx.traceId, 16);
  w.byte(0x12);
  w.hexId(ctx.spanId, 8);
  const traceState = ctx.traceState?.serialize();
  if (traceState) {
    w.byte(0x1a);
    w.string(traceState);
  }
  writeAttributes(w, link.attributes, 0x22);
  if (link.droppedAttributesCount) {
    w.byte(0x28);
    w.uint32(link.droppedAttributesCount);
  }
  w.byte(0x35); // flags (6, fixed32)
  w.fixed32(spanFlags(ctx.traceFlags, ctx.isRemote));
  w.end(mark, 1);
}

function writeSpan(w: ProtoWriter, span: ReadableSpan): void {
  w.byte(0x12); // ScopeSpans.spans (2)
  // A span is 128 B–16 KiB nearly always: two length bytes, so no move is needed.
  const mark = w.begin(2);
  const ctx: SpanContext = span.spanContext();
  w.byte(0x0a); // trace_id (1)
  w.hexId(ctx.traceId, 16);
  w.byte(0x12); // span_id (2)
  w.hexId(ctx.spanId, 8);
  const traceState = ctx.traceState?.serialize();
  if (traceState) {
    w.byte(0x1a); // trace_state (3)
    w.string(traceState);
  }
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    w.byte(0x22); // parent_span_id (4)
    w.hexId(parent.spanId, 8);
  }
  w.byte(0x2a); // name (5)
  w.string(span.name);
  // API SpanKind starts at INTERNAL = 0; OTLP reserves 0 for UNSPECIFIED.
  w.byte2(0x30, (span.kind + 1) & 0x7f); // kind (6)
  w.byte(0x39); // start_time_unix_nano (7, fixed64)
  w.hrTime(span.startTime[0], span.startTime[1]);
  w.byte(0x41); // end_time_unix_nano (8, fixed64)
  w.hrTime(span.endTime[0], span.endTime[1]);
  writeAttributes(w, span.attributes, 0x4a); // attributes (9)
  if (span.droppedAttributesCount) {
    w.byte(0x50); // dropped_attributes_count (10)
    w.uint32(span.droppedAttributesCount);
  }
  const events = span.events;
  for (let i = 0; i < events.length; i++) writeEvent(w, events[i]!);
  if (span.droppedEventsCount) {
    w.byte(0x60); // dropped_events_count (12)
    w.uint32(span.droppedEventsCount);
  }
  const links = span.links;
  for (let i = 0; i < links.length; i++) writeLink(w, links[i]!);
  if (span.droppedLinksCount) {
    w.byte(0x70); // dropped_links_count (14)
    w.uint32(span.droppedLinksCount);
  }
  const status = span.status;
  w.byte(0x7a); // status (15)
  const statusMark = w.begin(1);
  if (status.message) {
    w.byte(0x12); // message (2)
    w.string(status.message);
  }
  if (status.code) {
    w.byte2(0x18, status.code & 0x7f); // code (3)
  }
  w.end(statusMark, 1);
  w.byte2(0x85, 0x01); // flags (16, fixed32)
  w.fixed32(spanFlags(ctx.traceFlags, parent?.isRemote));
  w.end(mark, 2);
}

const writer = new ProtoWriter();

/** Encodes spans as an OTLP `ExportTraceServiceRequest` (protobuf). */
export function encodeTraceRequest(spans: readonly ReadableSpan[]): Buffer {
  const w = writer;
  w.reset();
  for (const [resource, byScope] of groupByResourceAndScope(spans)) {
    let count = 0;
    for (const list of byScope.values()) count += list.length;
    w.byte(0x0a); // ExportTraceServiceRequest.resource_spans (1)
    const rsReserve = reserveFor(count, 600);
    const rs = w.begin(rsReserve);
    writeResource(w, resource, 0x0a);
    for (const [scope, list] of byScope) {
      w.byte(0x12); // ResourceSpans.scope_spans (2)
      const ssReserve = reserveFor(list.length, 600);
      const ss = w.begin(ssReserve);
      writeScope(w, scope, 0x0a);
      for (let i = 0; i < list.length; i++) writeSpan(w, list[i]!);
      if (scope.schemaUrl) {
        w.byte(0x1a);
        w.string(scope.schemaUrl);
      }
      w.end(ss, ssReserve);
    }
    if (resource.schemaUrl) {
      w.byte(0x1a);
      w.string(resource.schemaUrl);
    }
    w.end(rs, rsReserve);
  }
  return w.finishDetach();
}
