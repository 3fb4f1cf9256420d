/**
 * What a service process reads from the environment the launcher gives it: the shared `TRISIGNAL_*`
 * settings plus its own port, scrape port and (orders) the inventory address.
 */
import { readAppConfig } from './config.js';

export interface ServiceEnv {
  readonly host: string;
  readonly port: number;
  readonly inventoryTarget: string | undefined;
  readonly seed: number;
  readonly telemetry: {
    readonly sloFile: string;
    readonly dataDir: string;
    readonly metricsPort: number;
    readonly remoteWriteUrl: string | undefined;
    readonly remoteWriteLabels: Readonly<Record<string, string>>;
    readonly targetTracesPerSecond: number;
    readonly host: string;
    readonly otlpMetrics: boolean;
    readonly prometheus: boolean;
  };
}

/** Variables the launcher sets for each child. */
export const SERVICE_PORT_VAR = 'TRISIGNAL_SERVICE_PORT';
export const SERVICE_METRICS_PORT_VAR = 'TRISIGNAL_SERVICE_METRICS_PORT';
export const INVENTORY_TARGET_VAR = 'TRISIGNAL_INVENTORY_TARGET';

function port(env: NodeJS.ProcessEnv, name: string): number {
  const n = Number(env[name] ?? '0');
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`Expected \`${name}\` to be a port number, got \`${env[name]}\``);
  return n;
}

export function readServiceEnv(env: NodeJS.ProcessEnv): ServiceEnv {
  // The scenario is the launcher's business; the shared parser still validates everything else.
  const app = readAppConfig({ ...env, TRISIGNAL_SCENARIO: 'off' });
  return {
    host: app.host,
    port: port(env, SERVICE_PORT_VAR),
    inventoryTarget: env[INVENTORY_TARGET_VAR] || undefined,
    seed: app.seed,
    telemetry: {
      sloFile: app.sloFile,
      dataDir: app.dataDir,
      metricsPort: port(env, SERVICE_METRICS_PORT_VAR),
      remoteWriteUrl: app.remoteWriteUrl,
      remoteWriteLabels: app.remoteWriteLabels,
      targetTracesPerSecond: app.targetTracesPerSecond,
      host: app.host,
      otlpMetrics: app.metricsExporters.otlp,
      prometheus: app.metricsExporters.prometheus,
    },
  };
}
