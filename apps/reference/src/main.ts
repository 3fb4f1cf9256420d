/**
 * The reference app's launcher (`npm start`): starts the embedded OTLP/HTTP receiver (unless
 * `OTEL_EXPORTER_OTLP_ENDPOINT` points elsewhere), then `inventory` (gRPC) and `orders` (HTTP) as child
 * processes, runs the load scenario against orders while drawing the live view, and ends with a summary
 * and one trace drawn across both services. Ctrl-C stops everything cleanly: the load stops, the
 * services stop serving and flush their telemetry, the receiver stores the last batches.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAppConfig, type AppConfig } from './config.js';
import { startReceiver, type Receiver } from './receiver/server.js';
import { createLoadGenerator, type LoadGenerator } from './scenario/load-generator.js';
import { ROUTES } from './scenario/routes.js';
import type { Phase } from './scenario/phases.js';
import type { ServiceStats } from './service-stats.js';
import { INVENTORY_TARGET_VAR, SERVICE_METRICS_PORT_VAR, SERVICE_PORT_VAR } from './service-env.js';
import { startService, type ServiceHandle } from './supervisor.js';
import { createTtyPainter, renderFrame, renderLine, type Frame } from './view/live-view.js';
import { renderSummary } from './view/summary.js';

const SRC = path.dirname(fileURLToPath(import.meta.url));

interface PhaseRecord {
  readonly name: string;
  readonly title: string;
  readonly startMillis: number;
  endMillis: number;
}

let config: AppConfig;
try {
  config = readAppConfig(process.env, process.stdout.isTTY === true);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}

const out = process.stdout;
const json = (event: Record<string, unknown>): void => {
  if (config.view === 'json') out.write(`${JSON.stringify(event)}\n`);
};
const say = (line: string): void => {
  if (config.view !== 'json') out.write(`${line}\n`);
};

const receivedDir = path.join(config.dataDir, 'received');
const logDir = path.join(config.dataDir, 'logs');
mkdirSync(config.dataDir, { recursive: true });

let receiver: Receiver | undefined;
const services: ServiceHandle[] = [];
let loadgen: LoadGenerator | undefined;
const phases: PhaseRecord[] = [];
const abort = new AbortController();
let stopping: Promise<void> | undefined;
let viewTimer: NodeJS.Timeout | undefined;
const painter = config.view === 'tty' ? createTtyPainter(out) : undefined;
const started = Date.now();
let currentPhase: { phase: Phase; index: number; until: number } | undefined;
const history = new Map<string, ServiceStats[]>();
const header: string[] = [];

function sleep(millis: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, millis);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

async function refreshView(): Promise<void> {
  const stats = await Promise.all(services.map((s) => s.stats(900)));
  const frameServices: Frame['services'][number][] = [];
  for (const s of stats) {
    if (s === undefined) continue;
    const list = history.get(s.service) ?? [];
    list.push(s);
    // p50 / p99 / rates over the last 5 s: smoother than one second at these request rates.
    while (list.length > 6) list.shift();
    history.set(s.service, list);
    frameServices.push({ now: s, before: list.length > 1 ? list[0] : undefined });
  }
  const frame: Frame = {
    elapsedSeconds: (Date.now() - started) / 1000,
    phase:
      currentPhase === undefined
        ? undefined
        : {
            title: currentPhase.phase.title,
            index: currentPhase.index,
            count: config.phases.length,
            remainingSeconds: Math.max(0, (currentPhase.until - Date.now()) / 1000),
          },
    services: frameServices,
    load: loadgen?.counts(),
    loadInFlight: loadgen?.inFlight ?? 0,
    receiver: receiver?.stats(),
    header,
  };
  if (stopping !== undefined) return;
  if (painter !== undefined) painter.paint(renderFrame(frame, true));
  else if (config.view === 'plain') say(renderLine(frame));
  else if (config.view === 'json') json({ event: 'tick', line: renderLine(frame) });
}

async function runScenario(): Promise<void> {
  const gen = loadgen!;
  for (const [index, phase] of config.phases.entries()) {
    if (abort.signal.aborted) break;
    await Promise.all(services.map((s) => s.setFaults(phase.faults)));
    const rates = Object.fromEntries(Object.entries(phase.rates).map(([k, v]) => [k, v * config.rate]));
    const record: PhaseRecord = {
      name: phase.name,
      title: phase.title,
      startMillis: Date.now(),
      endMillis: 0,
    };
    phases.push(record);
    currentPhase = { phase, index, until: record.startMillis + phase.seconds * 1000 };
    gen.setRates(rates, phase.name);
    json({
      event: 'phase',
      name: phase.name,
      title: phase.title,
      startMillis: record.startMillis,
      seconds: phase.seconds,
    });
    await sleep(phase.seconds * 1000, abort.signal);
    record.endMillis = Date.now();
  }
  currentPhase = undefined;
  await gen.stop();
}

function runReport(final: readonly (ServiceStats | undefined)[]): Record<string, unknown> {
  return {
    startedAt: started,
    endpoint: receiver?.url ?? config.otlpEndpoint,
    receiverDir: receiver === undefined ? undefined : receivedDir,
    phases,
    load: loadgen?.counts(),
    services: Object.fromEntries(services.map((s, i) => [s.name, { ready: s.ready, final: final[i] }])),
    receiver: receiver?.stats(),
  };
}

/** Stops load, services (flushing), receiver; prints the summary. Idempotent. */
function stop(reason: string): Promise<void> {
  stopping ??= (async () => {
    abort.abort();
    if (viewTimer !== undefined) clearInterval(viewTimer);
    painter?.done();
    say(`\nstopping (${reason}): load off, services flushing their telemetry…`);
    await loadgen?.stop(10_000);
    // orders first: its calls to inventory finish before inventory goes.
    const final: (ServiceStats | undefined)[] = [];
    for (const s of [...services].reverse()) final.unshift(await s.stop());
    await receiver?.close();
    const report = runReport(final);
    writeFileSync(path.join(config.dataDir, 'run.json'), JSON.stringify(report, null, 2));
    const summary = renderSummary({
      receiverDir: receiver === undefined ? undefined : receivedDir,
      receiver: receiver?.stats(),
      endpoint: receiver?.url ?? config.otlpEndpoint ?? '',
      load: loadgen?.counts(),
      services: final,
    });
    for (const line of summary) say(line);
    say(`\nrun report: ${path.join(config.dataDir, 'run.json')}`);
    json({ event: 'summary', report: path.join(config.dataDir, 'run.json'), lines: summary });
  })();
  return stopping;
}

let interrupts = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  interrupts++;
  if (interrupts > 1) {
    // A second Ctrl-C: do not wait any longer.
    for (const s of services) s.child.kill('SIGKILL');
    process.exit(130);
  }
  void stop(signal).then(() => process.exit(0));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  if (config.otlpEndpoint === undefined) {
    // A fresh directory per run, so the summary counts this run only (the WALs persist across runs).
    rmSync(receivedDir, { recursive: true, force: true });
    receiver = await startReceiver({ dir: receivedDir, port: config.receiverPort });
  }
  const endpoint = config.otlpEndpoint ?? receiver!.url;
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    TRISIGNAL_DATA_DIR: config.dataDir,
    TRISIGNAL_SLO_FILE: config.sloFile,
  };
  const inventory = await startService({
    name: 'inventory',
    entry: path.join(SRC, 'inventory', 'main.ts'),
    env: {
      ...base,
      [SERVICE_PORT_VAR]: String(config.grpcPort),
      [SERVICE_METRICS_PORT_VAR]: String(config.inventoryMetricsPort),
    },
    logDir,
  });
  services.push(inventory);
  const orders = await startService({
    name: 'orders',
    entry: path.join(SRC, 'orders', 'main.ts'),
    env: {
      ...base,
      [SERVICE_PORT_VAR]: String(config.httpPort),
      [SERVICE_METRICS_PORT_VAR]: String(config.ordersMetricsPort),
      [INVENTORY_TARGET_VAR]: `127.0.0.1:${inventory.ready.port}`,
    },
    logDir,
  });
  services.push(orders);
  if (stopping !== undefined) await stopping;

  header.push(
    `trisignal reference app — orders http://127.0.0.1:${orders.ready.port} → inventory grpc 127.0.0.1:${inventory.ready.port}`,
    `metrics: orders http://127.0.0.1:${orders.ready.metricsPort}/metrics, inventory http://127.0.0.1:${inventory.ready.metricsPort}/metrics` +
      (orders.ready.metricsPortFallback || inventory.ready.metricsPortFallback
        ? ' (a default port was busy)'
        : ''),
    `OTLP → ${receiver === undefined ? endpoint : `embedded receiver ${receiver.url}, stored in ${receivedDir}`}` +
      (config.remoteWriteUrl === undefined ? '' : `; remote write → ${config.remoteWriteUrl}`),
    '',
  );
  json({
    event: 'ready',
    endpoint,
    receiverDir: receiver === undefined ? undefined : receivedDir,
    services: Object.fromEntries(services.map((s) => [s.name, s.ready])),
  });
  for (const line of header) if (config.view === 'plain' || config.view === 'off') say(line);

  loadgen = createLoadGenerator({
    baseUrl: `http://127.0.0.1:${orders.ready.port}`,
    routes: ROUTES,
    seed: config.seed,
  });
  if (config.view !== 'off') {
    viewTimer = setInterval(() => void refreshView().catch(() => undefined), 1000);
  }
  // A service that dies takes the run down with it (and says where its log is).
  for (const s of services) {
    void s.exited.then((code) => {
      if (stopping === undefined) {
        say(`${s.name} exited unexpectedly (code ${code}); see ${path.join(logDir, `${s.name}.log`)}`);
        void stop(`${s.name} exited`).then(() => process.exit(1));
      }
    });
  }
  await runScenario();
  if (stopping === undefined) {
    json({ event: 'scenario-done', atMillis: Date.now(), phases, load: loadgen.counts() });
    if (config.hold || config.phases.length === 0) {
      say('scenario done; the services keep running — Ctrl-C to stop.');
      await new Promise<void>(() => undefined);
    }
    await stop('scenario done');
    process.exit(0);
  }
} catch (error) {
  say(`failed: ${error instanceof Error ? error.message : String(error)}`);
  json({ event: 'error', message: error instanceof Error ? error.message : String(error) });
  await stop('startup failed');
  process.exit(1);
}
