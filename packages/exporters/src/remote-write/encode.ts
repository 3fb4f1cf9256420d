import { ProtoWriter } from '../internal/proto-writer.js';
import type { FamilyMetadata, Label, TimeSeries, WriteRequestData } from './convert.js';

// prometheus.WriteRequest (prompb/remote.proto, types.proto):
//   WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }
//   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3; }
//   Label        { string name = 1; string value = 2; }
//   Sample       { double value = 1; int64 timestamp = 2; }
//   Exemplar     { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
//   MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }

/**
 * Encoded `Label` fields by label object. The converter hands out the same label objects for a series
 * every collection (they are cached per attributes, scope and resource), so a label is encoded once.
 */
const labelBytes = new WeakMap<Label, Uint8Array>();
const scratch = new ProtoWriter(1024);

function encodedLabel(l: Label): Uint8Array {
  let b = labelBytes.get(l);
  if (b === undefined) {
    scratch.reset();
    scratch.byte(0x0a);
    const mark = scratch.begin(1);
    scratch.byte(0x0a);
    scratch.string(l.name);
    scratch.byte(0x12);
    scratch.string(l.value);
    scratch.end(mark, 1);
    b = scratch.finishCopy();
    labelBytes.set(l, b);
  }
  return b;
}

function writeLabels(w: ProtoWriter, labels: readonly Label[]): void {
  for (let i = 0; i < labels.length; i++) {
    const b = encodedLabel(labels[i]!);
    if (b.length < 24) w.short(b);
    else w.raw(b);
  }
}

/** Encoded label blocks by (frozen) label array: the converter memoises a series' array across collections. */
const blockCache = new WeakMap<readonly Label[], Uint8Array>();
const blockWriter = new ProtoWriter(4096);

function writeSeriesLabels(w: ProtoWriter, labels: readonly Label[]): void {
  if (!Object.isFrozen(labels)) {
    writeLabels(w, labels);
    return;
  }
  let block = blockCache.get(labels);
  if (block === undefined) {
    blockWriter.reset();
    writeLabels(blockWriter, labels);
    block = blockWriter.finishCopy();
    blockCache.set(labels, block);
  }
  w.raw(block);
}

function writeSeries(w: ProtoWriter, ts: TimeSeries): void {
  w.byte(0x0a); // WriteRequest.timeseries (1)
  const mark = w.begin(2);
  writeSeriesLabels(w, ts.labels);
  for (const s of ts.samples) {
    w.byte(0x12); // samples (2)
    const m = w.begin(1);
    w.byte(0x09); // value (1, double)
    w.double(s.value);
    w.byte(0x10); // timestamp (2, int64)
    w.int64(s.timestamp);
    w.end(m, 1);
  }
  for (const e of ts.exemplars) {
    w.byte(0x1a); // exemplars (3)
    const m = w.begin(1);
    writeLabels(w, e.labels);
    w.byte(0x11); // value (2, double)
    w.double(e.value);
    w.byte(0x18); // timestamp (3, int64)
    w.int64(e.timestamp);
    w.end(m, 1);
  }
  w.end(mark, 2);
}

function writeMetadata(w: ProtoWriter, m: FamilyMetadata): void {
  w.byte(0x1a); // WriteRequest.metadata (3)
  const mark = w.begin(1);
  if (m.type !== 0) w.byte2(0x08, m.type);
  w.byte(0x12);
  w.string(m.family);
  if (m.help !== '') {
    w.byte(0x22);
    w.string(m.help);
  }
  if (m.unit !== '') {
    w.byte(0x2a);
    w.string(m.unit);
  }
  w.end(mark, 1);
}

const writer = new ProtoWriter();

/** Encodes a `WriteRequest` (protobuf, before snappy). */
export function encodeWriteRequest(
  series: readonly TimeSeries[],
  metadata: readonly FamilyMetadata[],
): Buffer {
  const w = writer;
  w.reset();
  for (let i = 0; i < series.length; i++) writeSeries(w, series[i]!);
  for (const m of metadata) writeMetadata(w, m);
  return w.finishDetach();
}

/** One request's worth of a collection: at most `maxSamples` samples. */
export interface WriteChunk {
  readonly series: readonly TimeSeries[];
  readonly metadata: readonly FamilyMetadata[];
  readonly samples: number;
}

/**
 * Splits a collection into requests of at most `maxSamplesPerSend` samples (Prometheus's
 * `max_samples_per_send`), keeping series order; metadata rides on the first request.
 */
export function splitWriteRequest(data: WriteRequestData, maxSamplesPerSend: number): WriteChunk[] {
  const chunks: WriteChunk[] = [];
  let current: TimeSeries[] = [];
  let samples = 0;
  for (const ts of data.timeseries) {
    if (samples > 0 && samples + ts.samples.length > maxSamplesPerSend) {
      chunks.push({ series: current, metadata: chunks.length === 0 ? data.metadata : [], samples });
      current = [];
      samples = 0;
    }
    current.push(ts);
    samples += ts.samples.length;
  }
  if (current.length > 0 || (chunks.length === 0 && data.metadata.length > 0)) {
    chunks.push({ series: current, metadata: chunks.length === 0 ? data.metadata : [], samples });
  }
  return chunks;
}
