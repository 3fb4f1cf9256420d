/**
 * An open-loop HTTP load generator: it sends each route's requests at the rate it is given (arrivals do
 * not wait for responses, as real users do not), and counts every request it sends and every response
 * by phase, route and status. Its counts are the truth the end-to-end test compares Prometheus with.
 */
import http from 'node:http';
import { createRng } from '../rng.js';
import type { RouteSpec } from './routes.js';

/** Counts of one route (in one phase, or in total). */
export interface RouteCounts {
  sent: number;
  /** Responses by HTTP status. */
  statuses: Record<string, number>;
  /** Of the 503 responses, those shed by admission control (they carry `Retry-After`). */
  shed: number;
  /** Requests that got no response, by error code (`ECONNREFUSED`, `timeout`, …). */
  failures: Record<string, number>;
  /** Arrivals not sent because `maxInFlight` requests were already outstanding. */
  skipped: number;
}

export interface LoadCounts {
  /** By route template. */
  readonly total: Record<string, RouteCounts>;
  /** By phase name, then route template. */
  readonly byPhase: Record<string, Record<string, RouteCounts>>;
  /** The first shed response (503 with Retry-After) seen, if any. */
  readonly firstShed:
    | { readonly route: string; readonly sloClass: string; readonly phase: string; readonly atMillis: number }
    | undefined;
}

export interface LoadGenerator {
  /** Requests per second by route id; routes not listed send nothing. */
  setRates(rates: Readonly<Record<string, number>>, phase: string): void;
  readonly inFlight: number;
  counts(): LoadCounts;
  /** Stops sending and waits (bounded) for the responses still outstanding. */
  stop(timeoutMillis?: number): Promise<void>;
}

export interface LoadGeneratorOptions {
  readonly baseUrl: string;
  readonly routes: readonly RouteSpec[];
  readonly seed: number;
  /** @default 512 */
  readonly maxInFlight?: number | undefined;
  /** Per-request timeout; long, so that the server never sees an abort the counts would miss. @default 60000 */
  readonly timeoutMillis?: number | undefined;
  /** Scheduler tick. @default 10 */
  readonly tickMillis?: number | undefined;
}

function emptyCounts(): RouteCounts {
  return { sent: 0, statuses: {}, shed: 0, failures: {}, skipped: 0 };
}

export function createLoadGenerator(o: LoadGeneratorOptions): LoadGenerator {
  const base = new URL(o.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
  const random = createRng(o.seed);
  const maxInFlight = o.maxInFlight ?? 512;
  const timeoutMillis = o.timeoutMillis ?? 60_000;
  const total: Record<string, RouteCounts> = {};
  const byPhase: Record<string, Record<string, RouteCounts>> = {};
  let firstShed: LoadCounts['firstShed'];
  let rates = new Map<RouteSpec, number>();
  let phase = '';
  const debt = new Map<RouteSpec, number>();
  let inFlight = 0;
  const idleWaiters = new Set<() => void>();
  let last = performance.now();
  const started = Date.now();

  const cell = (route: RouteSpec): [RouteCounts, RouteCounts] => {
    const t = (total[route.template] ??= emptyCounts());
    const phaseCounts = (byPhase[phase] ??= {});
    const p = (phaseCounts[route.template] ??= emptyCounts());
    return [t, p];
  };

  const send = (route: RouteSpec): void => {
    const counts = cell(route);
    if (inFlight >= maxInFlight) {
      for (const c of counts) c.skipped++;
      return;
    }
    const { path, body } = route.request(random);
    for (const c of counts) c.sent++;
    inFlight++;
    let settled = false;
    const done = (status: string | undefined, failure: string | undefined, shed = false): void => {
      if (settled) return;
      settled = true;
      for (const c of counts) {
        if (shed) c.shed++;
        if (status !== undefined) c.statuses[status] = (c.statuses[status] ?? 0) + 1;
        if (failure !== undefined) c.failures[failure] = (c.failures[failure] ?? 0) + 1;
      }
      inFlight--;
      if (inFlight === 0) for (const w of idleWaiters) w();
    };
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: route.method,
        path,
        agent,
        headers:
          body === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = String(res.statusCode ?? 0);
          const shed = status === '503' && res.headers['retry-after'] !== undefined;
          if (shed && firstShed === undefined) {
            firstShed = {
              route: route.template,
              sloClass: route.sloClass,
              phase,
              atMillis: Date.now() - started,
            };
          }
          done(status, undefined, shed);
        });
        res.on('error', (error: NodeJS.ErrnoException) => done(undefined, error.code ?? 'response_error'));
        // A connection cut mid-response may end the response without 'end' or 'error'.
        res.on('close', () => {
          if (!res.complete) done(undefined, 'aborted');
        });
      },
    );
    req.setTimeout(timeoutMillis, () =>
      req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })),
    );
    req.on('error', (error: NodeJS.ErrnoException) => done(undefined, error.code ?? 'request_error'));
    req.end(body);
  };

  const timer = setInterval(() => {
    const now = performance.now();
    const seconds = (now - last) / 1000;
    last = now;
    for (const [route, rate] of rates) {
      let due = (debt.get(route) ?? 0) + rate * seconds;
      while (due >= 1) {
        due -= 1;
        send(route);
      }
      debt.set(route, due);
    }
  }, o.tickMillis ?? 10);

  return {
    setRates(next, phaseName) {
      phase = phaseName;
      rates = new Map(o.routes.filter((r) => (next[r.id] ?? 0) > 0).map((r) => [r, next[r.id]!]));
      last = performance.now();
    },
    get inFlight() {
      return inFlight;
    },
    counts() {
      return structuredClone({ total, byPhase, firstShed });
    },
    async stop(waitMillis = 30_000) {
      clearInterval(timer);
      rates = new Map();
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const waiter = (): void => {
            clearTimeout(t);
            idleWaiters.delete(waiter);
            resolve();
          };
          const t = setTimeout(waiter, waitMillis);
          idleWaiters.add(waiter);
        });
      }
      agent.destroy();
    },
  };
}
