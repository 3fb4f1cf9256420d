/** Prometheus-style durations (`5m`, `1h30m`, `28d`) as used in the spec, the rules and the windows. */

const UNIT_SECONDS: Readonly<Record<string, number>> = Object.freeze({
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
  y: 31_536_000,
});
const ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Parses a Prometheus duration into seconds; undefined when the text is not one (or is zero). */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  const m = DURATION_RE.exec(text);
  if (m === null) return undefined;
  let seconds = 0;
  ORDER.forEach((unit, i) => {
    const part = m[i + 1];
    if (part !== undefined) seconds += Number(part) * UNIT_SECONDS[unit]!;
  });
  return seconds > 0 ? seconds : undefined;
}

/** Renders seconds as the shortest Prometheus duration (`300` → `5m`, `86400` → `1d`, `5400` → `1h30m`). */
export function formatDuration(seconds: number): string {
  let millis = Math.round(seconds * 1000);
  if (millis <= 0) return '0s';
  let out = '';
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_SECONDS[unit]! * 1000;
    const n = Math.floor(millis / size);
    if (n > 0) {
      out += `${n}${unit}`;
      millis -= n * size;
    }
  }
  if (millis > 0) out += `${millis}ms`;
  return out;
}
