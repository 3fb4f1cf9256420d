import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../test/protobuf-decode.js';
import { encodeRetryStatus, RETRY_INFO_TYPE_URL } from './retry-info.js';

function decode(bytes: Buffer): {
  code: number;
  message: string;
  typeUrl: string;
  seconds: number;
  nanos: number;
} {
  const status = decodeMessage(bytes);
  const any = decodeMessage(status.get(3)![0] as Uint8Array);
  const retryInfo = decodeMessage(any.get(2)![0] as Uint8Array);
  const duration = decodeMessage(retryInfo.get(1)![0] as Uint8Array);
  return {
    code: (status.get(1)?.[0] as number | undefined) ?? 0,
    message: Buffer.from((status.get(2)?.[0] as Uint8Array | undefined) ?? new Uint8Array()).toString(),
    typeUrl: Buffer.from(any.get(1)![0] as Uint8Array).toString(),
    seconds: (duration.get(1)?.[0] as number | undefined) ?? 0,
    nanos: (duration.get(2)?.[0] as number | undefined) ?? 0,
  };
}

describe('encodeRetryStatus', () => {
  it('encodes google.rpc.Status with one RetryInfo', () => {
    expect(decode(encodeRetryStatus(8, 'shed (overload)', 2500))).toEqual({
      code: 8,
      message: 'shed (overload)',
      typeUrl: RETRY_INFO_TYPE_URL,
      seconds: 2,
      nanos: 500_000_000,
    });
  });

  it('matches protobuf bytes for a known message', () => {
    // Status{code: 14, details: [Any{type_url, RetryInfo{retry_delay: {seconds: 1}}}]}
    const bytes = encodeRetryStatus(14, '', 1000);
    const typeUrl = Buffer.from(RETRY_INFO_TYPE_URL);
    const expected = Buffer.concat([
      Buffer.from([0x08, 14, 0x1a, 2 + typeUrl.length + 2 + 4, 0x0a, typeUrl.length]),
      typeUrl,
      Buffer.from([0x12, 4, 0x0a, 2, 0x08, 1]),
    ]);
    expect(bytes.equals(expected)).toBe(true);
  });

  it('encodes long messages, zero and large delays', () => {
    const long = 'x'.repeat(300); // a two-byte length varint
    expect(decode(encodeRetryStatus(8, long, 0))).toMatchObject({ message: long, seconds: 0, nanos: 0 });
    expect(decode(encodeRetryStatus(8, '', 86_400_000_123))).toMatchObject({
      seconds: 86_400_000,
      nanos: 123_000_000,
    });
    expect(decode(encodeRetryStatus(8, '', -5))).toMatchObject({ seconds: 0, nanos: 0 });
  });
});
