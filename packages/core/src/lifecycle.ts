import { diag } from '@opentelemetry/api';
import { CoreError } from './errors.js';

/**
 * Resolves when `work` settles or rejects with `TRISIGNAL_CORE_TIMEOUT` after `timeoutMillis`,
 * whichever comes first. The timer never keeps the process alive.
 */
export function withDeadline<TValue>(
  work: Promise<TValue>,
  timeoutMillis: number,
  what: string,
): Promise<TValue> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new CoreError('TRISIGNAL_CORE_TIMEOUT', `${what} did not finish within ${timeoutMillis} ms`));
    }, timeoutMillis);
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Process hooks that flush telemetry on signals and when the event loop drains. */
export interface SignalHooks {
  remove(): void;
}

/**
 * Installs flush-on-exit hooks. On a signal, `flush` runs, then — if no other listener handles that
 * signal — the signal is raised again with our handler removed, so the process ends exactly as it would
 * have without us (killed by the signal). On `beforeExit`, `flush` runs once and the process then exits
 * with its own exit code.
 */
export function installSignalHooks(
  signals: readonly NodeJS.Signals[],
  beforeExit: boolean,
  flush: () => Promise<void>,
): SignalHooks {
  const handlers = new Map<NodeJS.Signals, () => void>();
  let beforeExitHandler: (() => void) | undefined;
  let removed = false;

  const remove = (): void => {
    if (removed) return;
    removed = true;
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    if (beforeExitHandler !== undefined) process.removeListener('beforeExit', beforeExitHandler);
  };

  for (const signal of signals) {
    const handler = (): void => {
      remove();
      flush()
        .catch((error: unknown) => diag.error(`trisignal: flush on ${signal} failed`, error))
        .finally(() => {
          // Another listener owns this signal: it decides how the process ends.
          if (process.listenerCount(signal) > 0) return;
          process.kill(process.pid, signal);
        });
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  if (beforeExit) {
    beforeExitHandler = (): void => {
      remove();
      flush().catch((error: unknown) => diag.error('trisignal: flush on beforeExit failed', error));
    };
    process.on('beforeExit', beforeExitHandler);
  }
  return { remove };
}
