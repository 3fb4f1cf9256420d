import type { Meter } from '@opentelemetry/api';
import {
  ADMIT,
  type Admission,
  type AdmissionDecision,
  type AdmissionOutcome,
  type AdmissionRequest,
  type ShedDecision,
} from '@trisignal/core';
import {
  BREAKER_DEFAULTS,
  type BreakerOptions,
  type BreakerState,
  HealthBreaker,
  resolveBreakerOptions,
} from './breaker.js';
import { parseDuration } from './duration.js';
import { invalidOption } from './errors.js';
import {
  createSloEvaluator,
  type GoldenSignalSource,
  type SaturationSource,
  type SloClock,
  type SloEvaluator,
} from './evaluator.js';
import {
  computeHealth,
  type HealthOptions,
  type HealthScore,
  resolveHealthOptions,
  type ResolvedHealthOptions,
} from './health.js';
import { SloMetrics } from './metrics.js';
import { isSloSpec, type SloSpec } from './spec.js';

/** Why a request was shed. */
export type ShedReason = 'overload' | 'breaker_open' | 'breaker_half_open';
const REASONS: readonly ShedReason[] = Object.freeze(['overload', 'breaker_open', 'breaker_half_open']);
const OVERLOAD = 0;
const OPEN = 1;
const HALF_OPEN = 2;

/** Options of {@link createSloAdmission}. */
export interface SloAdmissionOptions {
  readonly spec: SloSpec;
  /** A live evaluator to read; when absent one is created from `source`, `saturation` and `clock` (and shut down with the admission). */
  readonly evaluator?: SloEvaluator | undefined;
  /** Live series (`obs.recorder`), when no `evaluator` is given. */
  readonly source?: GoldenSignalSource | undefined;
  /** Saturation (`obs.runtime`), when no `evaluator` is given. */
  readonly saturation?: SaturationSource | undefined;
  /** The same clock as the evaluator's. @default performance */
  readonly clock?: SloClock | undefined;
  /** Uniform random numbers in [0, 1) for probabilistic shedding and jitter. @default Math.random */
  readonly random?: (() => number) | undefined;
  /** Start the evaluator's timer (when the admission creates it). @default true */
  readonly autoStart?: boolean | undefined;
  /** Exports health, breaker and shedding gauges (and the evaluator's). @default none */
  readonly meter?: Meter | undefined;
  /** Weights and ramps of the health score. @default HEALTH_DEFAULTS (0.4 / 0.3 / 0.2 / 0.1) */
  readonly health?: HealthOptions | undefined;
  /** Window of the error and latency burn rates in the health score. @default '1m' */
  readonly healthWindow?: string | undefined;
  /** Requests a class needs in the health window before its burn rates count. @default 20 */
  readonly minRequests?: number | undefined;
  /** In-flight limit for the saturation component. @default none */
  readonly maxInFlight?: number | undefined;
  /** Health score below which shedding starts (bronze first). @default 0.7 */
  readonly shedBelow?: number | undefined;
  /** Breaker settings (`openBelow` defaults to 0.35). */
  readonly breaker?: BreakerOptions | undefined;
  /** `Retry-After` of requests shed for overload. @default 1 */
  readonly shedRetryAfterSeconds?: number | undefined;
}

/** Defaults of {@link SloAdmissionOptions}. */
export const SLO_ADMISSION_DEFAULTS = Object.freeze({
  healthWindow: '1m',
  minRequests: 20,
  shedBelow: 0.7,
  openBelow: BREAKER_DEFAULTS.openBelow,
  shedRetryAfterSeconds: 1,
});

/** What the admission controller decided last, for dashboards and tests. */
export interface SloAdmissionState {
  readonly breaker: BreakerState;
  readonly health: HealthScore;
  /** Shed probability per class while closed. */
  readonly shedProbability: Readonly<Record<string, number>>;
  /** Shed counts per class and reason since start. */
  readonly shed: Readonly<Record<string, Readonly<Record<ShedReason, number>>>>;
  /** The backoff exponent of the next opening. */
  readonly attempt: number;
  /** When an open breaker turns half-open (clock milliseconds); 0 otherwise. */
  readonly openUntil: number;
}

/** Core's `Admission`, driven by the SLO model: health score, breaker and class-ordered shedding. */
export interface SloAdmission extends Admission, AsyncDisposable {
  /** O(1), allocation-free, never throws. */
  admit(request: AdmissionRequest): AdmissionDecision;
  /** Judges breaker probes; O(1), never throws. */
  complete(request: AdmissionRequest, outcome: AdmissionOutcome): void;
  /** Recomputes health, breaker and shedding now (runs after every evaluator tick). */
  evaluate(): void;
  state(): SloAdmissionState;
  readonly evaluator: SloEvaluator;
  shutdown(): Promise<void>;
  forceFlush(): Promise<void>;
}

const defaultClock: SloClock = { now: () => performance.now() };

function shed(retryAfterSeconds: number, reason: ShedReason): ShedDecision {
  return Object.freeze({ admit: false, retryAfterSeconds, reason });
}

class SloAdmissionController implements SloAdmission {
  readonly evaluator: SloEvaluator;
  readonly #spec: SloSpec;
  readonly #ownsEvaluator: boolean;
  readonly #clock: SloClock;
  readonly #random: () => number;
  readonly #health: ResolvedHealthOptions;
  readonly #healthWindowSeconds: number;
  readonly #minRequests: number;
  readonly #maxInFlight: number | undefined;
  readonly #shedBelow: number;
  readonly #breaker: HealthBreaker;
  readonly #metrics: SloMetrics;
  readonly #classNames: readonly string[];
  readonly #classIndex = new Map<string, number>();
  readonly #defaultIndex: number;
  /** Shedding level of each class: 0 sheds first (highest priority number), levels - 1 last. */
  readonly #level: Int32Array;
  readonly #levels: number;
  readonly #slowCallSeconds: Float64Array;
  readonly #shedProbability: Float64Array;
  readonly #shedCounts: Float64Array;
  readonly #overload: readonly ShedDecision[];
  readonly #halfOpenDecision: ShedDecision;
  #openDecision: ShedDecision;
  readonly #probes = new WeakSet<object>();
  #score: HealthScore = { score: 1, components: { latency: 1, errors: 1, saturation: 1, traffic: 1 } };
  readonly #unsubscribe: () => void;
  #shutdown: Promise<void> | undefined;

  constructor(options: SloAdmissionOptions) {
    const spec = options.spec;
    if (!isSloSpec(spec)) {
      throw invalidOption('spec', spec, 'a spec returned by defineSlo()');
    }
    this.#spec = spec;
    this.#clock = options.clock ?? defaultClock;
    this.#random = options.random ?? Math.random;
    if (typeof this.#random !== 'function')
      throw invalidOption('random', options.random, 'a function returning numbers in [0, 1)');
    this.#health = resolveHealthOptions(options.health);
    const healthWindowSeconds = parseDuration(options.healthWindow ?? SLO_ADMISSION_DEFAULTS.healthWindow);
    if (healthWindowSeconds === undefined || healthWindowSeconds > 600) {
      throw invalidOption('healthWindow', options.healthWindow, 'a duration of at most 10m, such as "1m"');
    }
    this.#healthWindowSeconds = healthWindowSeconds;
    const minRequests = options.minRequests ?? SLO_ADMISSION_DEFAULTS.minRequests;
    if (!Number.isInteger(minRequests) || minRequests < 1)
      throw invalidOption('minRequests', minRequests, 'a positive integer');
    this.#minRequests = minRequests;
    if (
      options.maxInFlight !== undefined &&
      !(Number.isFinite(options.maxInFlight) && options.maxInFlight > 0)
    ) {
      throw invalidOption('maxInFlight', options.maxInFlight, 'a positive number');
    }
    this.#maxInFlight = options.maxInFlight;
    const breaker = resolveBreakerOptions(options.breaker);
    const shedBelow = options.shedBelow ?? SLO_ADMISSION_DEFAULTS.shedBelow;
    if (typeof shedBelow !== 'number' || !(shedBelow > breaker.openBelow) || shedBelow > 1) {
      throw invalidOption(
        'shedBelow',
        shedBelow,
        `a health score above \`breaker.openBelow\` (${breaker.openBelow}) and at most 1`,
      );
    }
    this.#shedBelow = shedBelow;
    const retryAfter = options.shedRetryAfterSeconds ?? SLO_ADMISSION_DEFAULTS.shedRetryAfterSeconds;
    if (!Number.isFinite(retryAfter) || retryAfter < 0)
      throw invalidOption('shedRetryAfterSeconds', retryAfter, 'a non-negative number of seconds');

    if (options.evaluator !== undefined) {
      if (options.evaluator.spec !== spec)
        throw invalidOption(
          'evaluator',
          'an evaluator of another spec',
          'an evaluator created with the same spec',
        );
      this.evaluator = options.evaluator;
      this.#ownsEvaluator = false;
    } else {
      if (options.source === undefined)
        throw invalidOption(
          'source',
          options.source,
          'a golden-signal source (obs.recorder) when no `evaluator` is given',
        );
      this.evaluator = createSloEvaluator({
        spec,
        source: options.source,
        saturation: options.saturation,
        clock: this.#clock,
        autoStart: options.autoStart,
        meter: options.meter,
      });
      this.#ownsEvaluator = true;
    }

    this.#classNames = spec.classes.map((c) => c.name);
    spec.classes.forEach((c, i) => this.#classIndex.set(c.name, i));
    this.#defaultIndex = this.#classIndex.get(spec.defaultClass) ?? 0;
    const priorities = [...new Set(spec.classes.map((c) => c.priority))].sort((a, b) => b - a);
    this.#levels = priorities.length;
    this.#level = Int32Array.from(spec.classes.map((c) => priorities.indexOf(c.priority)));
    this.#slowCallSeconds = Float64Array.from(
      spec.classes.map((c) =>
        c.latency.length === 0 ? Infinity : Math.max(...c.latency.map((l) => l.thresholdSeconds)),
      ),
    );
    this.#shedProbability = new Float64Array(spec.classes.length);
    this.#shedCounts = new Float64Array(spec.classes.length * REASONS.length);
    this.#overload = spec.classes.map(() => shed(retryAfter, 'overload'));
    this.#halfOpenDecision = shed(1, 'breaker_half_open');
    this.#openDecision = shed(Math.ceil(breaker.openMillis / 1000), 'breaker_open');
    this.#metrics = new SloMetrics(options.meter);
    this.#breaker = new HealthBreaker(breaker, this.#clock.now(), this.#random, (to, now) => {
      this.#metrics.recordTransition(to);
      if (to === 'open') this.#refreshOpenDecision(now);
    });
    this.#metrics.bindAdmission(() => ({
      health: this.#score.score,
      components: this.#score.components,
      breakerState: this.#breaker.state === 'closed' ? 0 : this.#breaker.state === 'half_open' ? 1 : 2,
      classes: this.#classNames,
      shedProbability: this.#shedProbability,
      reasons: REASONS,
      shedCount: (c, r) => this.#shedCounts[c * REASONS.length + r]!,
    }));
    this.#unsubscribe = this.evaluator.onTick(() => this.evaluate());
  }

  #refreshOpenDecision(now: number): void {
    const seconds = Math.max(1, Math.ceil((this.#breaker.openUntil - now) / 1000));
    if (seconds !== this.#openDecision.retryAfterSeconds) this.#openDecision = shed(seconds, 'breaker_open');
  }

  admit(request: AdmissionRequest): AdmissionDecision {
    try {
      const breaker = this.#breaker;
      if (breaker.state !== 'closed') {
        if (breaker.state === 'open') {
          const now = this.#clock.now();
          if (now < breaker.openUntil) {
            this.#shedCounts[this.#indexOf(request) * 3 + OPEN]! += 1;
            return this.#openDecision;
          }
          breaker.halfOpen(now);
        }
        if (breaker.tryProbe()) {
          this.#probes.add(request);
          return ADMIT;
        }
        this.#shedCounts[this.#indexOf(request) * 3 + HALF_OPEN]! += 1;
        return this.#halfOpenDecision;
      }
      const c = this.#indexOf(request);
      const p = this.#shedProbability[c]!;
      if (p > 0 && this.#random() < p) {
        this.#shedCounts[c * 3 + OVERLOAD]! += 1;
        return this.#overload[c]!;
      }
      return ADMIT;
    } catch {
      // Admission must never take a request down with it: admit, and count the fault.
      this.#metrics.addAdmissionError();
      return ADMIT;
    }
  }

  #indexOf(request: AdmissionRequest): number {
    const cls = request.sloClass;
    return (cls === undefined ? undefined : this.#classIndex.get(cls)) ?? this.#defaultIndex;
  }

  complete(request: AdmissionRequest, outcome: AdmissionOutcome): void {
    try {
      if (!this.#probes.has(request)) return;
      this.#probes.delete(request);
      const slow = this.#slowCallSeconds[this.#indexOf(request)]!;
      const ok = !outcome.error && outcome.durationSeconds <= slow;
      this.#breaker.probeResult(ok, this.#clock.now());
    } catch {
      this.#metrics.addAdmissionError();
    }
  }

  evaluate(): void {
    const now = this.#clock.now();
    const breaker = this.#breaker;
    // While closed, judge only what happened since the breaker last closed: the outage that opened it
    // must not reopen it the moment it closes.
    const since = breaker.state === 'closed' ? breaker.closedAt : undefined;
    let errorBurn = NaN;
    let latencyBurn = NaN;
    let baselineRatio = NaN;
    let rate = 0;
    let baselineRate = 0;
    let haveBaseline = false;
    for (const cls of this.#spec.classes) {
      const w = this.evaluator.window(cls.name, this.#healthWindowSeconds, since);
      if (w === undefined) continue;
      const traffic = this.evaluator.traffic(cls.name);
      rate += Number.isFinite(traffic.rate) ? traffic.rate : 0;
      if (Number.isFinite(traffic.baseline) && traffic.baseline > 0) {
        baselineRate += traffic.baseline;
        haveBaseline = true;
      }
      if (w.requests < this.#minRequests) continue;
      errorBurn = maxOf(errorBurn, w.errors / w.requests / cls.objectives[0]!.budget);
      for (let j = 0; j < cls.latency.length; j++) {
        latencyBurn = maxOf(latencyBurn, w.slow[j]! / w.requests / cls.objectives[j + 1]!.budget);
      }
      const latency = this.evaluator.latency(cls.name, since);
      if (Number.isFinite(latency.value) && Number.isFinite(latency.baseline) && latency.baseline > 0) {
        baselineRatio = maxOf(baselineRatio, latency.value / latency.baseline);
      }
    }
    const sat = this.evaluator.saturation;
    this.#score = computeHealth(
      {
        errorBurnRate: errorBurn,
        latencyBurnRate: latencyBurn,
        latencyBaselineRatio: baselineRatio,
        eventLoopDelaySeconds:
          sat === undefined
            ? NaN
            : Math.max(0, sat.eventLoopDelayP99Seconds - sat.eventLoopDelayResolutionSeconds),
        eventLoopUtilization: sat === undefined ? NaN : sat.eventLoopUtilization,
        heapUsedRatio: sat === undefined ? NaN : sat.heapUsedRatio,
        inFlightRatio: this.#maxInFlight === undefined ? NaN : this.evaluator.inFlight / this.#maxInFlight,
        trafficRatio: haveBaseline ? rate / baselineRate : NaN,
      },
      this.#health,
    );
    breaker.evaluate(now, this.#score.score);
    if (breaker.state === 'open') this.#refreshOpenDecision(now);
    this.#updateShedding();
  }

  #updateShedding(): void {
    const openBelow = this.#breaker.options.openBelow;
    const score = this.#score.score;
    const pressure = Math.min(1, Math.max(0, (this.#shedBelow - score) / (this.#shedBelow - openBelow)));
    const k = this.#levels;
    for (let c = 0; c < this.#shedProbability.length; c++) {
      // Spread the pressure over the levels: the first level goes from 0 to 1 while pressure climbs the
      // first 1/k, then the next level starts, gold last.
      this.#shedProbability[c] =
        this.#breaker.state === 'closed' ? Math.min(1, Math.max(0, pressure * k - this.#level[c]!)) : 0;
    }
  }

  state(): SloAdmissionState {
    const shedProbability: Record<string, number> = {};
    const shedCounts: Record<string, Record<ShedReason, number>> = {};
    this.#classNames.forEach((name, c) => {
      shedProbability[name] = this.#shedProbability[c]!;
      shedCounts[name] = {
        overload: this.#shedCounts[c * 3 + OVERLOAD]!,
        breaker_open: this.#shedCounts[c * 3 + OPEN]!,
        breaker_half_open: this.#shedCounts[c * 3 + HALF_OPEN]!,
      };
    });
    return {
      breaker: this.#breaker.state,
      health: this.#score,
      shedProbability,
      shed: shedCounts,
      attempt: this.#breaker.attempt,
      openUntil: this.#breaker.state === 'open' ? this.#breaker.openUntil : 0,
    };
  }

  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#unsubscribe();
      this.#metrics.shutdown();
      if (this.#ownsEvaluator) await this.evaluator.shutdown();
    })();
    return this.#shutdown;
  }

  forceFlush(): Promise<void> {
    return this.#ownsEvaluator ? this.evaluator.forceFlush() : Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.shutdown();
  }
}

function maxOf(a: number, b: number): number {
  if (Number.isNaN(b)) return a;
  return Number.isNaN(a) || b > a ? b : a;
}

/**
 * Creates the admission controller middlewares consult (core's `Admission`): a health score from the
 * live evaluator (latency 0.4, errors 0.3, saturation 0.2, traffic 0.1 by default), a breaker that opens
 * below 0.35 with exponential backoff and N half-open probes, and probabilistic shedding by class
 * priority (bronze first, gold last) as the score falls below `shedBelow`. Throws only for invalid options.
 * @example
 * const admission = createSloAdmission({ spec, source: obs.recorder, saturation: obs.runtime, meter: obs.meter });
 * app.use(createExpressMiddleware({ obs, admission }));
 */
export function createSloAdmission(options: SloAdmissionOptions): SloAdmission {
  return new SloAdmissionController(options);
}

export { REASONS as SHED_REASONS };
