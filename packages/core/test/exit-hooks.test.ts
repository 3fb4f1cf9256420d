import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
interface Batch {
  signal: string;
  names: string[];
}

let server: Server;
let batches: Batch[];
let url: string;

beforeEach(async () => {
  batches = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      batches.push(JSON.parse(body) as Batch);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function runChild(
  mode: string,
  sendSigterm: boolean,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'fixtures/exit-child.ts'), url, mode],
      {
        cwd: path.join(here, '..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      if (sendSigterm && d.toString().includes('ready')) child.kill('SIGTERM');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stderr });
    });
  });
}

function delivered(signal: string): string[] {
  return batches.filter((b) => b.signal === signal).flatMap((b) => b.names);
}

describe('exit hooks', () => {
  it('flushes all three signals on SIGTERM, then dies by SIGTERM as it would have', async () => {
    const result = await runChild('signal', true);
    expect(result.stderr).toBe('');
    expect(result.signal).toBe('SIGTERM');
    expect(result.code).toBeNull();
    expect(delivered('traces')).toEqual(['work']);
    expect(delivered('logs')).toEqual(['did work']);
    expect(delivered('metrics')).toContain('http.server.request.duration');
  });

  it('flushes on SIGTERM but leaves the exit to the application when it handles the signal itself', async () => {
    const result = await runChild('own-handler', true);
    expect(result.signal).toBeNull();
    expect(result.code).toBe(7);
    expect(delivered('traces')).toEqual(['work']);
    expect(delivered('logs')).toEqual(['did work']);
  });

  it('flushes when the event loop drains and keeps the exit code', async () => {
    const result = await runChild('natural-exit', false);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(3);
    expect(delivered('traces')).toEqual(['work']);
    expect(delivered('logs')).toEqual(['did work']);
    expect(delivered('metrics')).toContain('http.server.request.duration');
  });
});
