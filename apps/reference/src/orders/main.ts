/**
 * `orders`: the Express API, started by the launcher (`src/main.ts`) as a child process. It calls
 * inventory through a gRPC client carrying `@trisignal/middleware-grpc`'s client interceptor.
 */
import type { Server } from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { clientInterceptor } from '@trisignal/middleware-grpc';
import { createCapacity } from '../capacity.js';
import { createFaultInjector } from '../faults.js';
import { loadInventory } from '../inventory-proto.js';
import { serveIpc } from '../ipc.js';
import { createRng } from '../rng.js';
import { collectServiceStats } from '../service-stats.js';
import { readServiceEnv } from '../service-env.js';
import { startTelemetry } from '../telemetry.js';
import { createOrdersApp } from './app.js';

/** Work slots of the shared pool, and the in-flight level the health score measures against. */
const POOL_SLOTS = 4;
const MAX_IN_FLIGHT = 40;

const env = readServiceEnv(process.env);
if (env.inventoryTarget === undefined) throw new Error('TRISIGNAL_INVENTORY_TARGET is not set');
const telemetry = await startTelemetry({ service: 'orders', ...env.telemetry, maxInFlight: MAX_IN_FLIGHT });
const { obs } = telemetry;
const faults = createFaultInjector();
const capacity = createCapacity(POOL_SLOTS);
const { Client } = loadInventory();
const inventory = new Client(env.inventoryTarget, grpc.credentials.createInsecure(), {
  interceptors: [clientInterceptor({ obs, target: env.inventoryTarget })],
});

const app = createOrdersApp({
  obs,
  admission: telemetry.admission,
  inventory,
  faults,
  capacity,
  random: createRng(env.seed + 1),
});
const server: Server = await new Promise((resolve, reject) => {
  const s = app.listen(env.port, env.host, (error?: Error) => (error ? reject(error) : resolve(s)));
});
server.keepAliveTimeout = 65_000;
const { port } = server.address() as { port: number };

const stats = () =>
  collectServiceStats({
    service: 'orders',
    obs,
    admission: telemetry.admission,
    adaptive: telemetry.adaptive,
    tail: telemetry.tail,
    injected: () => faults.injected(),
    capacity,
  });

const ipc = serveIpc({
  setFaults: (f) => faults.set(f),
  stats,
  async stop() {
    // Stop taking requests, let the ones in flight finish (bounded), then flush telemetry.
    await new Promise<void>((resolve) => {
      // Keep-alive sockets close as soon as they are idle; whatever is still busy after 5 s is cut.
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      const timer = setTimeout(() => server.closeAllConnections(), 5000);
      server.close(() => {
        clearInterval(idle);
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    });
    const final = await stats().catch(() => undefined);
    inventory.close();
    await telemetry.shutdown();
    return final;
  },
});
obs.logger.info('orders listening', { 'server.port': port });
ipc.send({
  type: 'ready',
  service: 'orders',
  instanceId: String(obs.resource.attributes['service.instance.id']),
  pid: process.pid,
  port,
  metricsPort: telemetry.scrape?.port ?? 0,
  metricsPortFallback: telemetry.scrapePortFallback,
});
