import type { SloClass } from './slo-class.js';

/** What the middleware knows about a request when it asks for admission. */
export interface AdmissionRequest {
  readonly kind: 'http' | 'rpc';
  /** HTTP method or RPC method name. */
  readonly method: string;
  /** Route template or fully qualified RPC method; undefined when not (yet) known. */
  readonly route: string | undefined;
  readonly sloClass: SloClass;
}

/** Admit the request. */
export interface AdmitDecision {
  readonly admit: true;
}

/** Shed the request: answer 503 / RESOURCE_EXHAUSTED with this retry hint. */
export interface ShedDecision {
  readonly admit: false;
  /** Seconds the client should wait before retrying (`Retry-After`). */
  readonly retryAfterSeconds: number;
  /** Low-cardinality reason, put on the span and the shed counter (`breaker_open`, `overload`…). */
  readonly reason: string;
}

export type AdmissionDecision = AdmitDecision | ShedDecision;

/** How an admitted request ended, for admission controllers that learn from outcomes. */
export interface AdmissionOutcome {
  readonly durationSeconds: number;
  readonly error: boolean;
}

/**
 * Load-shedding hook the middlewares consult before running a handler. The slo package implements it
 * (health score, breaker, class-ordered shedding). `admit` must be O(1) and must not throw.
 */
export interface Admission {
  admit(request: AdmissionRequest): AdmissionDecision;
  /** Called once for each admitted request when it ends. */
  complete?(request: AdmissionRequest, outcome: AdmissionOutcome): void;
}

/** The shared "admit" decision (no allocation per request). */
export const ADMIT: AdmitDecision = Object.freeze({ admit: true });
