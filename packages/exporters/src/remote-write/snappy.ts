/**
 * Snappy block format (what remote write requires; framed is forbidden), through the `snappy` package's
 * prebuilt native module, loaded on first use. It is an optional peer dependency: only remote write
 * needs it, and `createRemoteWriteExporter` checks it can load when it is built.
 */
import { createRequire } from 'node:module';
import { ExporterError } from '../errors.js';

interface SnappyModule {
  compress(input: Buffer | string): Promise<Buffer>;
  compressSync(input: Buffer | string): Buffer;
}

let snappy: SnappyModule | undefined;

/** Loads `snappy`; throws `TRISIGNAL_EXPORTER_MISSING_DEPENDENCY` when it is not installed or cannot load. */
export function loadSnappy(): SnappyModule {
  if (snappy !== undefined) return snappy;
  try {
    snappy = createRequire(import.meta.url)('snappy') as SnappyModule;
    return snappy;
  } catch (cause) {
    throw new ExporterError(
      'TRISIGNAL_EXPORTER_MISSING_DEPENDENCY',
      'remote write needs the `snappy` package (>= 7.2 < 8): install it next to @trisignal/exporters',
      { cause },
    );
  }
}

/** Compresses in snappy block format on the thread pool. */
export function snappyCompress(body: Buffer): Promise<Buffer> {
  return loadSnappy().compress(body);
}
