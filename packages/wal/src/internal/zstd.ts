/**
 * zstd through `@mongodb-js/zstd` 1.2.2. Its package entry (`index.js`) drops the `level` argument, so
 * the napi binding (`@mongodb-js/zstd/bindings`) is called directly: it honours the level (verified in
 * `zstd.test.ts`). Both calls run on the libuv thread pool, off the event loop. The binding is loaded on
 * first use, so `compression: 'none'` works even where the native module cannot load.
 *
 * Measured here (bench/internal/zstd.ts): the binding compresses a 256 KiB OTLP record at level 3
 * at ~450–600 MB/s per core but decompresses at only ~250 MB/s per core (its decoder copies out through
 * an 8 KiB buffer); Node 24's `zlib.zstdDecompress` was tried and was slower still in the replay path.
 */
import { createRequire } from 'node:module';
import { WalError } from '../errors.js';

interface ZstdBinding {
  compress(data: Buffer, level?: number | null): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}

let binding: ZstdBinding | undefined;

/** Loads the native binding; throws `TRISIGNAL_WAL_INVALID_OPTION` if it cannot load on this platform. */
export function loadZstd(): ZstdBinding {
  if (binding !== undefined) return binding;
  try {
    const require = createRequire(import.meta.url);
    binding = require('@mongodb-js/zstd/bindings') as ZstdBinding;
    return binding;
  } catch (cause) {
    throw new WalError(
      'TRISIGNAL_WAL_INVALID_OPTION',
      "Expected `compression` to be 'none' on this platform: the zstd native binding failed to load",
      { cause },
    );
  }
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Compresses `data` at `level`. */
export function zstdCompress(data: Uint8Array, level: number): Promise<Buffer> {
  return loadZstd().compress(asBuffer(data), level);
}

/**
 * Decompresses one zstd frame.
 */
export function zstdDecompress(data: Uint8Array): Promise<Buffer> {
  return loadZstd().decompress(asBuffer(data));
}
