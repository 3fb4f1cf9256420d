/**
 * Request body compression, always off the event loop: gzip through a reused zlib stream and zstd
 * through the `@mongodb-js/zstd` napi binding both run on the libuv thread pool. The zstd binding is
 * loaded on first use (`createRequire`), so a process that never asks for zstd never loads the native
 * module.
 */
import { createRequire } from 'node:module';
import { createGzip, constants as zlibConstants, type Gzip } from 'node:zlib';
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

interface GzipJob {
  readonly body: Buffer;
  readonly resolve: (out: Buffer) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One gzip context reused for every body, one body at a time (each a complete gzip member). A new zlib
 * stream per body costs about as much as compressing a 100 KiB batch: its ~300 KiB of deflate state is
 * allocated, faulted in and zeroed again each time, and building the stream takes ~0.1 ms of event-loop
 * time. After each body the context is reset (`deflateReset`), which keeps the memory.
 */
class GzipContext {
  readonly #level: number;
  #stream: Gzip | undefined;
  #chunks: Buffer[] = [];
  #current: GzipJob | undefined;
  readonly #queue: GzipJob[] = [];

  constructor(level: number) {
    this.#level = level;
  }

  compress(body: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ body, resolve, reject });
      if (this.#current === undefined) this.#next();
    });
  }

  #open(): Gzip {
    const stream = createGzip({ level: this.#level, chunkSize: 64 * 1024 });
    stream.on('data', (chunk: Buffer) => this.#chunks.push(chunk));
    stream.on('error', (error) => {
      // The context is unusable after an error: fail the body in progress, start afresh for the next.
      if (this.#stream === stream) this.#stream = undefined;
      stream.destroy();
      const job = this.#current;
      this.#current = undefined;
      this.#chunks = [];
      job?.reject(error);
      this.#next();
    });
    this.#stream = stream;
    return stream;
  }

  #next(): void {
    const job = this.#queue.shift();
    if (job === undefined) return;
    this.#current = job;
    this.#chunks = [];
    const stream = this.#stream ?? this.#open();
    stream.write(job.body);
    stream.flush(zlibConstants.Z_FINISH, () => {
      if (this.#current !== job) return; // failed meanwhile (the error handler settled it)
      const out = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
      this.#chunks = [];
      this.#current = undefined;
      // `reset()` exists on every zlib stream (Node docs); @types/node declares it on Deflate only.
      (stream as Gzip & { reset(): void }).reset();
      job.resolve(out);
      this.#next();
    });
  }
}

/**
 * A body compressor for one exporter (thread pool): gzip through one reused context
 * ({@link GzipContext}), zstd through the native binding, none as is. `level` applies to gzip (1–9) and
 * zstd (1–22).
 */
export function createBodyCompressor(
  compression: OtlpCompression,
  level: number | undefined,
): (body: Uint8Array) => Promise<Buffer> {
  switch (compression) {
    case 'none':
      return (body) => Promise.resolve(asBuffer(body));
    case 'zstd':
      return (body) => loadZstd().compress(asBuffer(body), level ?? 3);
    case 'gzip': {
      const context = new GzipContext(level ?? zlibConstants.Z_DEFAULT_COMPRESSION);
      return (body) => context.compress(asBuffer(body));
    }
  }
}

/** The `Content-Encoding` header value, if any. */
export function contentEncoding(compression: OtlpCompression): string | undefined {
  return compression === 'none' ? undefined : compression;
}
