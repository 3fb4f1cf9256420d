/**
 * `@trisignal/exporters/remote-write`: a Prometheus remote write 1.0 `PushMetricExporter` (snappy block
 * format, the required headers, metadata and exemplars), in-memory or durable through a WAL.
 */
export {
  createRemoteWriteExporter,
  remoteWrite,
  classifyRemoteWrite,
  REMOTE_WRITE_DEFAULTS,
} from './remote-write/exporter.js';
export type { RemoteWriteExporterOptions } from './remote-write/exporter.js';
export { toWriteRequest, countSamples, METRIC_TYPE } from './remote-write/convert.js';
export type {
  ConvertOptions,
  WriteRequestData,
  TimeSeries,
  Label,
  RemoteExemplar,
  FamilyMetadata,
} from './remote-write/convert.js';
export { encodeWriteRequest, splitWriteRequest } from './remote-write/encode.js';
export type { WriteChunk } from './remote-write/encode.js';
export { REMOTE_WRITE_RETRY_DEFAULTS } from './delivery/retry.js';
