/**
 * Deterministic trace ids for statistical tests: a seeded PRNG (mulberry32) turned into 32 lowercase hex
 * digits, so a failing run can be replayed exactly.
 */
export function createSeededTraceIdGenerator(seed: number): () => string {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return () => {
    let id = '';
    for (let i = 0; i < 4; i++) id += next().toString(16).padStart(8, '0');
    return id;
  };
}

/** A seeded span id generator (16 hex digits). */
export function createSeededSpanIdGenerator(seed: number): () => string {
  const traceIds = createSeededTraceIdGenerator(seed);
  return () => traceIds().slice(0, 16);
}
