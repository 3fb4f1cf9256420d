/**
 * Messages between the launcher and the two service processes (Node's IPC channel of `fork`). The
 * scenario flips faults through it, the live view asks for stats, and the launcher stops the services.
 */
import type { Faults } from './faults.js';
import type { ServiceStats } from './service-stats.js';

export type ToService =
  | { readonly type: 'faults'; readonly seq: number; readonly faults: Faults }
  | { readonly type: 'stats'; readonly seq: number }
  | { readonly type: 'stop' };

export interface ReadyMessage {
  readonly type: 'ready';
  readonly service: string;
  readonly instanceId: string;
  readonly pid: number;
  /** Where the service listens (HTTP for orders, gRPC for inventory). */
  readonly port: number;
  readonly metricsPort: number;
  readonly metricsPortFallback: boolean;
}

export type FromService =
  | ReadyMessage
  | { readonly type: 'ack'; readonly seq: number }
  | { readonly type: 'stats'; readonly seq: number; readonly stats: ServiceStats }
  | { readonly type: 'stopped'; readonly stats: ServiceStats | undefined }
  | { readonly type: 'fatal'; readonly message: string };

/**
 * The service side: answers the launcher's requests and stops on `stop`, SIGINT, SIGTERM, or when the
 * launcher goes away (the IPC channel closes).
 */
export function serveIpc(handlers: {
  readonly setFaults: (faults: Faults) => void;
  readonly stats: () => Promise<ServiceStats>;
  /** Stops serving, flushes telemetry; resolves with the final stats. */
  readonly stop: () => Promise<ServiceStats | undefined>;
}): { send(message: FromService): void } {
  const send = (message: FromService): void => {
    if (process.send !== undefined && process.connected) process.send(message);
  };
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    handlers.stop().then(
      (stats) => {
        send({ type: 'stopped', stats });
        // Leave once the message is out (the channel flushes on disconnect).
        if (process.connected) process.disconnect();
        process.exitCode = 0;
      },
      (error: unknown) => {
        send({ type: 'fatal', message: `shutdown failed: ${String(error)}` });
        process.exit(1);
      },
    );
  };
  process.on('message', (raw: ToService) => {
    switch (raw.type) {
      case 'faults':
        handlers.setFaults(raw.faults);
        send({ type: 'ack', seq: raw.seq });
        break;
      case 'stats':
        handlers.stats().then(
          (stats) => send({ type: 'stats', seq: raw.seq, stats }),
          () => undefined,
        );
        break;
      case 'stop':
        stop();
        break;
    }
  });
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  return { send };
}
