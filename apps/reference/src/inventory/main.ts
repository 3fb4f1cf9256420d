/**
 * `inventory` as a process, started by the launcher (`src/main.ts`): telemetry, the gRPC server, and
 * the IPC channel through which the scenario sets faults and the live view reads stats.
 */
import { createFaultInjector } from '../faults.js';
import { serveIpc } from '../ipc.js';
import { createRng } from '../rng.js';
import { collectServiceStats } from '../service-stats.js';
import { readServiceEnv } from '../service-env.js';
import { startTelemetry } from '../telemetry.js';
import { startInventoryServer } from './server.js';

const env = readServiceEnv(process.env);
const telemetry = await startTelemetry({ service: 'inventory', ...env.telemetry, maxInFlight: 50 });
const { obs } = telemetry;
const faults = createFaultInjector();
const inventory = await startInventoryServer(
  { obs, admission: telemetry.admission, faults, random: createRng(env.seed + 2) },
  env.host,
  env.port,
);

const stats = () =>
  collectServiceStats({
    service: 'inventory',
    obs,
    admission: telemetry.admission,
    adaptive: telemetry.adaptive,
    tail: telemetry.tail,
    injected: () => faults.injected(),
  });

const ipc = serveIpc({
  setFaults: (f) => faults.set(f),
  stats,
  async stop() {
    await inventory.stop();
    const final = await stats().catch(() => undefined);
    await telemetry.shutdown();
    return final;
  },
});
obs.logger.info('inventory listening', { 'server.port': inventory.port });
ipc.send({
  type: 'ready',
  service: 'inventory',
  instanceId: String(obs.resource.attributes['service.instance.id']),
  pid: process.pid,
  port: inventory.port,
  metricsPort: telemetry.scrape?.port ?? 0,
  metricsPortFallback: telemetry.scrapePortFallback,
});
