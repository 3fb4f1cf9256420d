import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Splits console-exporter output into the objects it printed (each starts with `{` in column 0). */
function blocks(output: string): string[] {
  return output.split(/\n(?=\{)/);
}
function field(block: string, name: string): string | undefined {
  return new RegExp(`\\n  ${name}: '([^']*)'`).exec(block)?.[1];
}

describe('apps/quickstart', () => {
  it('prints correlated spans, metrics and log records, then exits 0', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: appDir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const printed = blocks(run.stdout);
    const orders = printed.filter((b) => field(b, 'name') === 'place order');
    const charges = printed.filter((b) => field(b, 'name') === 'charge card');
    const logs = printed.filter((b) => field(b, 'body') === 'order placed');
    expect(orders).toHaveLength(3);
    expect(charges).toHaveLength(3);
    expect(logs).toHaveLength(3);
    // every log record carries the trace and span id of its 'place order' span
    const spanIds = new Map(orders.map((b) => [field(b, 'id'), field(b, 'traceId')]));
    for (const log of logs) {
      expect(spanIds.get(field(log, 'spanId'))).toBe(field(log, 'traceId'));
    }
    // children share their parent's trace
    const traces = new Set(orders.map((b) => field(b, 'traceId')));
    for (const charge of charges) expect(traces.has(field(charge, 'traceId'))).toBe(true);
    const counter = printed.find((b) => b.includes("name: 'orders.placed'"));
    expect(counter).toMatch(/value: 3\n/);
  });
});
