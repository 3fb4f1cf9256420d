/**
 * Decoders built from the .proto fixtures (written from the OTLP and remote-write field tables), so a
 * test compares messages, not bytes: two encoders that order fields differently or omit default values
 * still decode to equal objects.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'proto');

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(dir, path.basename(target));
root.loadSync(['collector.proto', 'remote.proto'], { keepCase: false });
root.resolveAll();

export const types = {
  traceRequest: root.lookupType('opentelemetry.proto.collector.v1.ExportTraceServiceRequest'),
  traceResponse: root.lookupType('opentelemetry.proto.collector.v1.ExportTraceServiceResponse'),
  metricsRequest: root.lookupType('opentelemetry.proto.collector.v1.ExportMetricsServiceRequest'),
  metricsResponse: root.lookupType('opentelemetry.proto.collector.v1.ExportMetricsServiceResponse'),
  logsRequest: root.lookupType('opentelemetry.proto.collector.v1.ExportLogsServiceRequest'),
  logsResponse: root.lookupType('opentelemetry.proto.collector.v1.ExportLogsServiceResponse'),
  writeRequest: root.lookupType('prometheus.WriteRequest'),
};

/** Decodes bytes to a plain object with every default filled in, 64-bit integers as strings, bytes as hex. */
export function decode(type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> {
  const message = type.decode(bytes);
  return hexBytes(
    type.toObject(message, {
      longs: String,
      enums: Number,
      bytes: Array,
      defaults: true,
      arrays: true,
      oneofs: true,
    }),
  ) as Record<string, unknown>;
}

/** Byte arrays (protobufjs gives number[] with `bytes: Array`) become lowercase hex strings. */
function hexBytes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexBytes);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (Array.isArray(v) && /(Id|bytesValue)$/.test(k)) out[k] = Buffer.from(v as number[]).toString('hex');
      else out[k] = hexBytes(v);
    }
    return out;
  }
  return value;
}

/** Encodes a plain object with protobufjs (for building server responses in tests). */
export function encode(type: protobuf.Type, value: Record<string, unknown>): Uint8Array {
  return type.encode(type.fromObject(value)).finish();
}
