/**
 * Starts a service as a child process (`fork`, with an IPC channel) and talks to it: faults, stats,
 * stop. The child's stderr is kept in `<dataDir>/logs/<service>.log` so it never tears the live view.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Faults } from './faults.js';
import type { FromService, ReadyMessage, ToService } from './ipc.js';
import type { ServiceStats } from './service-stats.js';

export interface ServiceHandle {
  readonly name: string;
  readonly ready: ReadyMessage;
  readonly child: ChildProcess;
  setFaults(faults: Faults): Promise<void>;
  /** The service's stats, or undefined if it does not answer within `timeoutMillis`. */
  stats(timeoutMillis?: number): Promise<ServiceStats | undefined>;
  /** Asks it to stop (flushing its telemetry) and waits for it to exit; kills it after `timeoutMillis`. */
  stop(timeoutMillis?: number): Promise<ServiceStats | undefined>;
  readonly exited: Promise<number | null>;
}

export interface StartServiceOptions {
  readonly name: string;
  readonly entry: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logDir: string;
  /** @default 60000 */
  readonly readyTimeoutMillis?: number | undefined;
}

export async function startService(o: StartServiceOptions): Promise<ServiceHandle> {
  mkdirSync(o.logDir, { recursive: true });
  const log = createWriteStream(path.join(o.logDir, `${o.name}.log`), { flags: 'a' });
  // Children run TypeScript the way the launcher does.
  const child = fork(o.entry, [], {
    env: o.env,
    execArgv: ['--import', import.meta.resolve('tsx')],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => log.end());

  let seq = 0;
  const pending = new Map<number, (message: FromService) => void>();
  let stopped: ((stats: ServiceStats | undefined) => void) | undefined;
  let finalStats: ServiceStats | undefined;
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `${o.name} did not start within ${o.readyTimeoutMillis ?? 60_000} ms (see ${o.logDir}/${o.name}.log)`,
          ),
        ),
      o.readyTimeoutMillis ?? 60_000,
    );
    child.on('message', (message: FromService) => {
      switch (message.type) {
        case 'ready':
          clearTimeout(timer);
          resolve(message);
          break;
        case 'ack':
        case 'stats':
          pending.get(message.seq)?.(message);
          pending.delete(message.seq);
          break;
        case 'stopped':
          finalStats = message.stats;
          stopped?.(message.stats);
          break;
        case 'fatal':
          log.write(`fatal: ${message.message}\n`);
          break;
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`${o.name} exited with code ${code} before it was ready (see ${o.logDir}/${o.name}.log)`),
      );
    });
  });

  const request = (
    message: ToService & { seq: number },
    timeoutMillis: number,
  ): Promise<FromService | undefined> =>
    new Promise((resolve) => {
      if (!child.connected) {
        resolve(undefined);
        return;
      }
      const timer = setTimeout(() => {
        pending.delete(message.seq);
        resolve(undefined);
      }, timeoutMillis);
      pending.set(message.seq, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      child.send(message);
    });

  let stopping: Promise<ServiceStats | undefined> | undefined;
  return {
    name: o.name,
    ready,
    child,
    exited,
    async setFaults(faults) {
      const reply = await request({ type: 'faults', seq: ++seq, faults }, 5000);
      if (reply === undefined) throw new Error(`${o.name} did not acknowledge the faults`);
    },
    async stats(timeoutMillis = 2000) {
      const reply = await request({ type: 'stats', seq: ++seq }, timeoutMillis);
      return reply?.type === 'stats' ? reply.stats : undefined;
    },
    stop(timeoutMillis = 20_000) {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return finalStats;
        const got = new Promise<ServiceStats | undefined>((resolve) => (stopped = resolve));
        if (child.connected) child.send({ type: 'stop' } satisfies ToService);
        else child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMillis);
        await exited;
        clearTimeout(timer);
        return finalStats ?? (await Promise.race([got, Promise.resolve(undefined)]));
      })();
      return stopping;
    },
  };
}
