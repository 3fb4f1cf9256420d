import { describe, expect, it } from 'vitest';
import { decodePartialSuccessJson, decodePartialSuccessProto } from './partial-success.js';

describe('partial_success', () => {
  it('decodes the protobuf response (rejected count and message)', () => {
    // ExportTraceServiceResponse{ partial_success{ rejected_spans: 300, error_message: "bad" } }
    const body = Uint8Array.from([0x0a, 0x08, 0x08, 0xac, 0x02, 0x12, 0x03, 0x62, 0x61, 0x64]);
    expect(decodePartialSuccessProto(body)).toEqual({ rejected: 300, errorMessage: 'bad' });
  });
  it('returns undefined for an empty response or garbage', () => {
    expect(decodePartialSuccessProto(new Uint8Array())).toBeUndefined();
    expect(decodePartialSuccessProto(Uint8Array.from([0x0a, 0x09, 0x08]))).toBeUndefined();
    expect(decodePartialSuccessJson(Buffer.from('not json'))).toBeUndefined();
  });
  it('decodes JSON with string or number counts', () => {
    expect(
      decodePartialSuccessJson(
        Buffer.from('{"partialSuccess":{"rejectedLogRecords":"4","errorMessage":"x"}}'),
      ),
    ).toEqual({
      rejected: 4,
      errorMessage: 'x',
    });
    expect(decodePartialSuccessJson(Buffer.from('{"partialSuccess":{"rejectedDataPoints":2}}'))).toEqual({
      rejected: 2,
      errorMessage: '',
    });
    expect(decodePartialSuccessJson(Buffer.from('{}'))).toBeUndefined();
  });
});
