/**
 * The built-in load scenario: normal traffic → an error burst → a latency regression → overload that
 * triggers shedding (bronze first) → recovery. `TRISIGNAL_SCENARIO` picks phases and lengths, e.g.
 * `normal=15,errors=15,latency=15,overload=20,recovery=10` (the default, 75 s), `normal=600` for steady
 * traffic, or `off` for no load at all (the services run until Ctrl-C).
 */
import { NO_FAULTS, type Faults } from '../faults.js';
import { ERROR_ROUTE, RESERVE_RPC, ROUTES, SLOW_ROUTE } from './routes.js';

export type PhaseName = 'normal' | 'errors' | 'latency' | 'overload' | 'recovery';

export interface Phase {
  readonly name: PhaseName;
  readonly title: string;
  readonly seconds: number;
  /** Requests per second per route id (before `TRISIGNAL_RATE`). */
  readonly rates: Readonly<Record<string, number>>;
  /** What orders and inventory inject during the phase. */
  readonly faults: Faults;
}

/** The error-prone route fails this often in normal traffic. */
export const BASELINE_ERROR_RATE = 0.02;

const BASELINE: Faults = Object.freeze({
  errorRate: { [ERROR_ROUTE]: BASELINE_ERROR_RATE },
  extraLatencyMs: {},
});

const normalRates = Object.fromEntries(ROUTES.map((r) => [r.id, r.ratePerSecond]));
const overloadRates = Object.fromEntries(ROUTES.map((r) => [r.id, r.ratePerSecond * r.overload]));

const CATALOGUE: Readonly<Record<PhaseName, Omit<Phase, 'seconds' | 'name'>>> = {
  normal: { title: 'normal traffic', rates: normalRates, faults: BASELINE },
  errors: {
    title: 'error burst',
    rates: normalRates,
    faults: { errorRate: { [ERROR_ROUTE]: 1 }, extraLatencyMs: {} },
  },
  latency: {
    title: 'latency regression',
    rates: normalRates,
    faults: {
      errorRate: BASELINE.errorRate,
      extraLatencyMs: { [RESERVE_RPC]: 300, [SLOW_ROUTE]: 500 },
    },
  },
  overload: { title: 'overload', rates: overloadRates, faults: BASELINE },
  recovery: { title: 'recovery', rates: normalRates, faults: BASELINE },
};

export const DEFAULT_SCENARIO = 'normal=15,errors=15,latency=15,overload=20,recovery=10';

/** Parses `TRISIGNAL_SCENARIO`; throws on an unknown phase or a bad length. */
export function parseScenario(raw: string | undefined): Phase[] {
  const text = raw === undefined || raw.trim() === '' ? DEFAULT_SCENARIO : raw.trim();
  if (text === 'off') return [];
  return text.split(',').map((part) => {
    const [name, seconds] = part.split('=').map((s) => s.trim());
    if (name === undefined || !Object.hasOwn(CATALOGUE, name))
      throw new Error(
        `Expected \`TRISIGNAL_SCENARIO\` phases among ${Object.keys(CATALOGUE).join(', ')}, got \`${part}\``,
      );
    const n = Number(seconds);
    if (!Number.isFinite(n) || n <= 0)
      throw new Error(`Expected a positive number of seconds for phase \`${name}\`, got \`${part}\``);
    const phaseName = name as PhaseName;
    return { name: phaseName, seconds: n, ...CATALOGUE[phaseName] };
  });
}

export { NO_FAULTS };
