import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOtlpHttpSpanExporter } from '../src/otlp-http.js';
import { decode, types } from './helpers/schema.js';
import { startSink, type Sink } from './helpers/sink.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let sink: Sink;
let dir: string;

beforeEach(async () => {
  sink = await startSink();
  dir = mkdtempSync(path.join(tmpdir(), 'trisignal-crash-'));
});

afterEach(async () => {
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the child until it has accepted every batch, then kills it with SIGKILL; returns the accepted span ids. */
function runAndKill(url: string, batches: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'fixtures/durable-child.ts'), dir, url, String(batches)],
      {
        cwd: path.join(here, '..'),
        env: { ...process.env, TSX_TSCONFIG_PATH: path.join(here, 'fixtures/tsconfig.child.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not finish in time\n${out}\n${err}`));
    }, 30_000);
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('done\n')) child.kill('SIGKILL');
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`child exited on its own (${String(signal)})\n${out}\n${err}`));
        return;
      }
      resolve(
        out
          .split('\n')
          .filter((l) => l.startsWith('accepted '))
          .flatMap((l) => l.slice('accepted '.length).split(',')),
      );
    });
  });
}

describe('durable mode across a crash', () => {
  it('delivers every batch accepted before a SIGKILL once a new exporter starts on the same directory', async () => {
    sink.fallback = { status: 503 };
    const accepted = await runAndKill(`${sink.url}/v1/traces`, 8);
    expect(accepted).toHaveLength(56);

    sink.requests.length = 0;
    sink.fallback = { status: 200 };
    const exporter = createOtlpHttpSpanExporter({ url: `${sink.url}/v1/traces`, durable: { dir }, env: {} });
    try {
      await expect
        .poll(
          () =>
            sink.requests.flatMap((r) => {
              const req = decode(types.traceRequest, r.body) as {
                resourceSpans: { scopeSpans: { spans: { spanId: string }[] }[] }[];
              };
              return req.resourceSpans.flatMap((rs) =>
                rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.spanId)),
              );
            }),
          { timeout: 15_000 },
        )
        .toEqual(expect.arrayContaining(accepted));
    } finally {
      await exporter.shutdown();
    }
  });
});
