/**
 * Configuration of the reference app, read once from the environment. Every variable is optional; the
 * defaults make `npm start` work on a fresh clone with nothing else running.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario, type Phase } from './scenario/phases.js';

/** Where the app lives (apps/reference), for its spec file and default data directory. */
export const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** How the launcher shows progress. */
export type ViewMode = 'tty' | 'plain' | 'json' | 'off';

/** Everything the launcher needs. */
export interface AppConfig {
  /** WAL directories, received telemetry, run report. */
  readonly dataDir: string;
  /** The SLO spec (gold / silver / bronze). */
  readonly sloFile: string;
  /** Export there instead of to the embedded receiver (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  readonly otlpEndpoint: string | undefined;
  /** Port of the embedded OTLP/HTTP receiver (0: any free port). */
  readonly receiverPort: number;
  /** Prometheus remote-write URL; metrics are pushed there too when set. */
  readonly remoteWriteUrl: string | undefined;
  /** Extra labels on every remote-written series (`k=v,k2=v2`). */
  readonly remoteWriteLabels: Readonly<Record<string, string>>;
  /** Prometheus scrape ports of orders and inventory (busy: any free port, and the view says so). */
  readonly ordersMetricsPort: number;
  readonly inventoryMetricsPort: number;
  /** HTTP port of orders and gRPC port of inventory (0: any free port). */
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly phases: readonly Phase[];
  /** Multiplies every request rate of the scenario. */
  readonly rate: number;
  readonly view: ViewMode;
  /** After the scenario, keep everything running until Ctrl-C / SIGTERM (the e2e test queries Prometheus meanwhile). */
  readonly hold: boolean;
  /** Interface the services listen on (HTTP, gRPC, scrape). */
  readonly host: string;
  /** `OTEL_METRICS_EXPORTER`: push metrics by OTLP, serve them for scraping, or both. */
  readonly metricsExporters: { readonly otlp: boolean; readonly prometheus: boolean };
  /** Seed of the load generator's and the services' pseudo-random choices. */
  readonly seed: number;
  /** Sampled traces per second per route wanted from the adaptive head sampler. */
  readonly targetTracesPerSecond: number;
}

/** A variable of ours has a value the app cannot use. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`Expected \`${name}\` to be an integer from ${min} to ${max}, got \`${raw}\``);
  return n;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new ConfigError(`Expected \`${name}\` to be a positive number, got \`${raw}\``);
  return n;
}

/** `k=v,k2=v2` → `{ k: 'v', k2: 'v2' }`. */
export function parseLabels(
  raw: string | undefined,
  name = 'TRISIGNAL_REMOTE_WRITE_LABELS',
): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined || raw.trim() === '') return out;
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim();
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
      throw new ConfigError(`Expected \`${name}\` to be a list of label=value pairs, got \`${raw}\``);
    out[key] = pair.slice(eq + 1).trim();
  }
  return out;
}

/** `OTEL_METRICS_EXPORTER`: a list of `otlp`, `prometheus` or `none`. */
export function parseMetricsExporters(raw: string | undefined): { otlp: boolean; prometheus: boolean } {
  if (raw === undefined || raw.trim() === '') return { otlp: true, prometheus: true };
  const names = raw.split(',').map((s) => s.trim().toLowerCase());
  for (const n of names)
    if (n !== 'otlp' && n !== 'prometheus' && n !== 'none')
      throw new ConfigError(
        `Expected \`OTEL_METRICS_EXPORTER\` to list otlp, prometheus or none, got \`${raw}\``,
      );
  return { otlp: names.includes('otlp'), prometheus: names.includes('prometheus') };
}

function viewMode(env: NodeJS.ProcessEnv, isTty: boolean): ViewMode {
  const raw = env['TRISIGNAL_VIEW'];
  if (raw === undefined || raw === '' || raw === 'auto') return isTty ? 'tty' : 'plain';
  if (raw === 'tty' || raw === 'plain' || raw === 'json' || raw === 'off') return raw;
  throw new ConfigError(`Expected \`TRISIGNAL_VIEW\` to be auto, tty, plain, json or off, got \`${raw}\``);
}

/** Reads the launcher's configuration; throws `ConfigError` naming the variable at fault. */
export function readAppConfig(env: NodeJS.ProcessEnv = process.env, isTty = false): AppConfig {
  const endpoint = env['OTEL_EXPORTER_OTLP_ENDPOINT'];
  const remoteWriteUrl = env['TRISIGNAL_REMOTE_WRITE_URL'];
  return {
    dataDir: path.resolve(env['TRISIGNAL_DATA_DIR'] || path.join(APP_DIR, '.telemetry')),
    sloFile: path.resolve(env['TRISIGNAL_SLO_FILE'] || path.join(APP_DIR, 'slo.yaml')),
    otlpEndpoint: endpoint === undefined || endpoint === '' ? undefined : endpoint,
    receiverPort: integer(env, 'TRISIGNAL_RECEIVER_PORT', 0, 0, 65535),
    remoteWriteUrl: remoteWriteUrl === undefined || remoteWriteUrl === '' ? undefined : remoteWriteUrl,
    remoteWriteLabels: parseLabels(env['TRISIGNAL_REMOTE_WRITE_LABELS']),
    ordersMetricsPort: integer(env, 'TRISIGNAL_ORDERS_METRICS_PORT', 9464, 0, 65535),
    inventoryMetricsPort: integer(env, 'TRISIGNAL_INVENTORY_METRICS_PORT', 9465, 0, 65535),
    httpPort: integer(env, 'TRISIGNAL_HTTP_PORT', 0, 0, 65535),
    grpcPort: integer(env, 'TRISIGNAL_GRPC_PORT', 0, 0, 65535),
    phases: parseScenario(env['TRISIGNAL_SCENARIO']),
    rate: positive(env, 'TRISIGNAL_RATE', 1),
    view: viewMode(env, isTty),
    host: env['TRISIGNAL_HOST'] || '127.0.0.1',
    metricsExporters: parseMetricsExporters(env['OTEL_METRICS_EXPORTER']),
    hold: env['TRISIGNAL_HOLD'] === '1' || env['TRISIGNAL_HOLD'] === 'true',
    seed: integer(env, 'TRISIGNAL_SEED', 1, 0, 2 ** 31 - 1),
    targetTracesPerSecond: positive(env, 'TRISIGNAL_TARGET_TRACES_PER_SECOND', 5),
  };
}
