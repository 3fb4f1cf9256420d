/**
 * Processes for the end-to-end test: a real Prometheus, the reference app (its launcher, which forks
 * orders and inventory) and the standalone OTLP receiver. Every wait is bounded; `killAll()` ends every
 * process this file started.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = import.meta.resolve('tsx');

const started = new Set<ChildProcess>();

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function sleep(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}

/** Polls `fn` until it returns a value (not undefined), at most `timeoutMillis`. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMillis: number,
  everyMillis = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMillis;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    await sleep(everyMillis);
  }
  throw new Error(
    `timed out after ${timeoutMillis} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}

export interface Prometheus {
  readonly url: string;
  readonly process: ChildProcess;
  log(): string;
  query<T = VectorResult>(q: string, time?: number): Promise<T>;
  api<T>(pathAndQuery: string): Promise<T>;
}

export type VectorResult = { metric: Record<string, string>; value: [number, string] }[];

/** Starts Prometheus on 127.0.0.1 with exemplar storage and the remote-write receiver. */
export async function startPrometheus(options: {
  readonly binary: string;
  readonly dir: string;
  readonly port: number;
  readonly ruleFiles: readonly string[];
  readonly scrape: Readonly<Record<string, number>>;
}): Promise<Prometheus> {
  const config = path.join(options.dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      ...options.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`),
      'scrape_configs:',
      ...Object.entries(options.scrape).flatMap(([job, port]) => [
        `  - job_name: ${job}`,
        `    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
      ]),
      '',
    ].join('\n'),
  );
  let log = '';
  const child = spawn(
    options.binary,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(options.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${options.port}`,
      '--web.enable-remote-write-receiver',
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.add(child);
  child.stdout.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr.on('data', (c: Buffer) => (log += c.toString()));
  const url = `http://127.0.0.1:${options.port}`;
  const api = async <T>(pathAndQuery: string): Promise<T> => {
    const res = await fetch(`${url}${pathAndQuery}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${pathAndQuery}: ${body.error ?? res.status}`);
    return body.data;
  };
  await until(
    `Prometheus to be ready\n${log}`,
    async () =>
      (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) })).ok ? true : undefined,
    60_000,
  );
  return {
    url,
    process: child,
    log: () => log,
    api,
    async query<T = VectorResult>(q: string, time?: number): Promise<T> {
      const t = time === undefined ? '' : `&time=${time}`;
      const data = await api<{ result: T }>(`/api/v1/query?query=${encodeURIComponent(q)}${t}`);
      return data.result;
    },
  };
}

/** One line of the app's `TRISIGNAL_VIEW=json` output. */
export type AppEvent = { event: string } & Record<string, unknown>;

export interface AppProcess {
  readonly process: ChildProcess;
  readonly events: AppEvent[];
  output(): string;
  /** The first event named `name` (waits at most `timeoutMillis`). */
  waitFor(name: string, timeoutMillis: number): Promise<AppEvent>;
  readonly exited: Promise<number | null>;
}

/**
 * Starts the launcher like `npm start` does (`node --import tsx src/main.ts`), with the JSON view. It
 * runs in its own process group, so `killGroup()` can kill -9 the launcher and both services at once.
 */
export function startApp(env: NodeJS.ProcessEnv): AppProcess {
  const child = spawn(process.execPath, ['--import', TSX, 'src/main.ts'], {
    cwd: APP_DIR,
    env: { ...process.env, TRISIGNAL_VIEW: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.add(child);
  const events: AppEvent[] = [];
  let out = '';
  let pending = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    pending += c.toString();
    let nl: number;
    while ((nl = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        events.push(JSON.parse(line) as AppEvent);
      } catch {
        // not an event line
      }
    }
  });
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    process: child,
    events,
    output: () => out,
    exited,
    waitFor: (name, timeoutMillis) =>
      until(
        `the app's "${name}" event`,
        () => {
          if (child.exitCode !== null && !events.some((e) => e.event === name))
            throw new Error(`the app exited (${child.exitCode}):\n${out.slice(-3000)}`);
          return events.find((e) => e.event === name);
        },
        timeoutMillis,
      ),
  };
}

/** Starts the standalone receiver on a fixed port (so a restart keeps the address). */
export async function startReceiverProcess(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', TSX, 'src/receiver/main.ts', '--port', String(port), '--dir', dir],
    {
      cwd: APP_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  started.add(child);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  await until(
    'the receiver to listen',
    () => {
      if (child.exitCode !== null) throw new Error(`the receiver exited: ${out}`);
      return out.includes('listening') ? true : undefined;
    },
    30_000,
  );
  return child;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** kill -9 of a process group started with `detached: true`. */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Ends every process started here (and the app's process groups). */
export function killAll(): void {
  for (const child of started) {
    if (child.pid === undefined) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // not a group leader, or gone
    }
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  started.clear();
}

/** `trisignal-wal inspect --json` (the WAL package's read-only CLI). */
export function inspectWal(dir: string): {
  records: number;
  firstOffset: number | undefined;
  lastOffset: number | undefined;
  cursors: { name: string; committed: number; backlog: number }[];
} {
  const bin = path.join(APP_DIR, 'node_modules', '.bin', 'trisignal-wal');
  const r = spawnSync(bin, ['inspect', dir, '--json'], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`trisignal-wal inspect ${dir} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ReturnType<typeof inspectWal>;
}
