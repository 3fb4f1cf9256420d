'use strict';
// Calibration work for the benchmarks: a fixed amount of CPU per request, to measure what one
// microsecond of server work costs the throughput ratio on this machine (client and server share the
// cores). Both the HTTP and the gRPC benchmark offer the same probes, named alike.

/** The calibration probes of the benchmarks: variant name and µs of CPU per request. */
const CALIBRATION_PROBES = Object.freeze([
  ['j', 2],
  ['k', 5],
  ['l', 10],
]);

/** A loop of integer arithmetic the optimiser cannot drop (its result is kept). */
function spin(iterations) {
  let x = 0x9e3779b9 | 0;
  for (let i = 0; i < iterations; i++) x = (Math.imul(x ^ (x >>> 15), 0x85ebca6b) + i) | 0;
  return x;
}

/**
 * Returns a function that burns about `micros` µs of CPU per call (0: does nothing). The loop is
 * calibrated at creation on this thread's CPU time (`process.cpuUsage`), not wall time, so being
 * descheduled while calibrating does not inflate it; `iterations` says what one call runs.
 */
function createBusy(micros) {
  if (!Number.isFinite(micros) || micros < 0) throw new RangeError(`busy micros must be ≥ 0, got ${micros}`);
  if (micros === 0) return Object.assign(() => 0, { iterations: 0 });
  let sink = spin(1e6); // warm the loop up (optimised before it is timed)
  const n = 2e7;
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const before = process.cpuUsage();
    sink ^= spin(n);
    const used = process.cpuUsage(before);
    best = Math.min(best, used.user + used.system);
  }
  const iterations = Math.max(1, Math.round((n / best) * micros));
  const busy = () => {
    sink ^= spin(iterations);
    return sink;
  };
  return Object.assign(busy, { iterations });
}

module.exports = { createBusy, CALIBRATION_PROBES };
