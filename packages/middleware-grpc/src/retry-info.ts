/**
 * The rich-status trailer `grpc-status-details-bin`: a serialized `google.rpc.Status` whose details hold
 * one `google.rpc.RetryInfo`. Clients that follow the OTLP retry rules treat RESOURCE_EXHAUSTED as
 * retryable only when this is present; Google client libraries read it too. Hand-encoded (a dozen
 * bytes of protobuf) so the package needs no protobuf runtime.
 *
 * google.rpc.Status    { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
 * google.protobuf.Any  { string type_url = 1; bytes value = 2; }
 * google.rpc.RetryInfo { google.protobuf.Duration retry_delay = 1; }
 * google.protobuf.Duration { int64 seconds = 1; int32 nanos = 2; }
 */

/** Type URL of `google.rpc.RetryInfo` inside a `google.protobuf.Any`. */
export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

const encoder = new TextEncoder();

function varint(out: number[], value: number): void {
  // Non-negative integers up to 2^53: shift with division, not `>>>`, which stops at 32 bits.
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function lengthDelimited(out: number[], field: number, bytes: ArrayLike<number>): void {
  out.push((field << 3) | 2);
  varint(out, bytes.length);
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]!);
}

/**
 * Encodes `google.rpc.Status{code, message, details: [Any(RetryInfo{retry_delay})]}`.
 * @param retryDelayMillis non-negative; rounded to whole milliseconds
 */
export function encodeRetryStatus(code: number, message: string, retryDelayMillis: number): Buffer {
  const millis = Math.max(0, Math.round(retryDelayMillis));
  const seconds = Math.floor(millis / 1000);
  const nanos = (millis % 1000) * 1_000_000;

  const duration: number[] = [];
  if (seconds > 0) {
    duration.push(0x08);
    varint(duration, seconds);
  }
  if (nanos > 0) {
    duration.push(0x10);
    varint(duration, nanos);
  }
  const retryInfo: number[] = [];
  lengthDelimited(retryInfo, 1, duration);
  const any: number[] = [];
  lengthDelimited(any, 1, encoder.encode(RETRY_INFO_TYPE_URL));
  lengthDelimited(any, 2, retryInfo);
  const status: number[] = [];
  if (code !== 0) {
    status.push(0x08);
    varint(status, code);
  }
  if (message.length > 0) lengthDelimited(status, 2, encoder.encode(message));
  lengthDelimited(status, 3, any);
  return Buffer.from(status);
}
