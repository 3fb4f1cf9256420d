/**
 * Request body compression, always off the event loop: gzip through `zlib.gzip` and zstd through the
 * `@mongodb-js/zstd` napi binding both run on the libuv thread pool. The zstd binding is loaded on first
 * use (`createRequire`), so a process that never asks for zstd never loads the native module.
 */
import { createRequire } from 'node:module';
import { gzip, constants as zlibConstants } from 'node:zlib';
import { ExporterError } from '../errors.js';

/** Body compression of an OTLP request. */
export type OtlpCompression = 'none' | 'gzip' | 'zstd';

interface ZstdBinding {
  compress(data: Buffer, level?: number | null): Promise<Buffer>;
}

let zstd: ZstdBinding | undefined;

/**
 * Loads the zstd binding. Its package entry drops the `level` argument, so the napi binding itself
 * (`@mongodb-js/zstd/bindings`) is used. Throws `TRISIGNAL_EXPORTER_MISSING_DEPENDENCY` if it cannot load.
 */
export function loadZstd(): ZstdBinding {
  if (zstd !== undefined) return zstd;
  try {
    zstd = createRequire(import.meta.url)('@mongodb-js/zstd/bindings') as ZstdBinding;
    return zstd;
  } catch (cause) {
    throw new ExporterError(
      'TRISIGNAL_EXPORTER_MISSING_DEPENDENCY',
      "compression 'zstd' needs the native module of `@mongodb-js/zstd` 1.2.2, which failed to load on this platform",
      { cause },
    );
  }
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Compresses `body` (thread pool). `level` applies to zstd (1–22) and gzip (1–9). */
export function compressBody(
  body: Uint8Array,
  compression: OtlpCompression,
  level: number | undefined,
): Promise<Buffer> {
  switch (compression) {
    case 'none':
      return Promise.resolve(asBuffer(body));
    case 'gzip':
      return new Promise((resolve, reject) => {
        gzip(asBuffer(body), { level: level ?? zlibConstants.Z_DEFAULT_COMPRESSION }, (error, out) =>
          error === null ? resolve(out) : reject(error),
        );
      });
    case 'zstd':
      return loadZstd().compress(asBuffer(body), level ?? 3);
  }
}

/** The `Content-Encoding` header value, if any. */
export function contentEncoding(compression: OtlpCompression): string | undefined {
  return compression === 'none' ? undefined : compression;
}
