import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ProtoWriter } from '../internal/proto-writer.js';
import {
  groupByResourceAndScope,
  reserveFor,
  writeAnyValue,
  writeAttributes,
  writeResource,
  writeScope,
} from './common-encoder.js';

function writeLogRecord(w: ProtoWriter, record: ReadableLogRecord): void {
  w.byte(0x12); // ScopeLogs.log_records (2)
  const mark = w.begin(2);
  w.byte(0x09); // time_unix_nano (1, fixed64)
  w.hrTime(record.hrTime[0], record.hrTime[1]);
  // 0 is SEVERITY_NUMBER_UNSPECIFIED, the proto default: left out.
  if (record.severityNumber !== undefined && (record.severityNumber as number) !== 0) {
    w.byte(0x10); // severity_number (2)
    w.uint32(record.severityNumber);
  }
  if (record.severityText) {
    w.byte(0x1a); // severity_text (3)
    w.string(record.severityText);
  }
  if (record.body !== undefined) {
    w.byte(0x2a); // body (5, AnyValue)
    const body = w.begin(1);
    writeAnyValue(w, record.body);
    w.end(body, 1);
  }
  writeAttributes(w, record.attributes, 0x32); // attributes (6)
  if (record.droppedAttributesCount) {
    w.byte(0x38); // dropped_attributes_count (7)
    w.uint32(record.droppedAttributesCount);
  }
  const ctx = record.spanContext;
  if (ctx !== undefined) {
    if (ctx.traceFlags) {
      w.byte(0x45); // flags (8, fixed32)
      w.fixed32(ctx.traceFlags & 0xff);
    }
    if (ctx.traceId) {
      w.byte(0x4a); // trace_id (9)
      w.hexId(ctx.traceId, 16);
    }
    if (ctx.spanId) {
      w.byte(0x52); // span_id (10)
      w.hexId(ctx.spanId, 8);
    }
  }
  w.byte(0x59); // observed_time_unix_nano (11, fixed64)
  w.hrTime(record.hrTimeObserved[0], record.hrTimeObserved[1]);
  if (record.eventName) {
    w.byte(0x62); // event_name (12)
    w.string(record.eventName);
  }
  w.end(mark, 2);
}

const writer = new ProtoWriter();

/** Encodes log records as an OTLP `ExportLogsServiceRequest` (protobuf). */
export function encodeLogsRequest(records: readonly ReadableLogRecord[]): Buffer {
  const w = writer;
  w.reset();
  for (const [resource, byScope] of groupByResourceAndScope(records)) {
    let count = 0;
    for (const list of byScope.values()) count += list.length;
    w.byte(0x0a); // resource_logs (1)
    const rlReserve = reserveFor(count, 300);
    const rl = w.begin(rlReserve);
    writeResource(w, resource, 0x0a);
    for (const [scope, list] of byScope) {
      w.byte(0x12); // scope_logs (2)
      const slReserve = reserveFor(list.length, 300);
      const sl = w.begin(slReserve);
      writeScope(w, scope, 0x0a);
      for (let i = 0; i < list.length; i++) writeLogRecord(w, list[i]!);
      if (scope.schemaUrl) {
        w.byte(0x1a);
        w.string(scope.schemaUrl);
      }
      w.end(sl, slReserve);
    }
    if (resource.schemaUrl) {
      w.byte(0x1a);
      w.string(resource.schemaUrl);
    }
    w.end(rl, rlReserve);
  }
  return w.finishDetach();
}
