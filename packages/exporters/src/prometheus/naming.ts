/**
 * OpenTelemetry → Prometheus names, after the OpenTelemetry "Prometheus and OpenMetrics compatibility"
 * spec and the collector's translator: invalid characters become `_` (runs collapsed), the unit becomes
 * a suffix (`s` → `_seconds`, `By` → `_bytes`, `{request}` → none, `1` on a gauge → `_ratio`,
 * `By/s` → `_bytes_per_second`), and monotonic sums get `_total`.
 */

const UNIT_NAMES: Readonly<Record<string, string>> = {
  // time
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  // bytes
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  // SI
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};

const PER_UNIT_NAMES: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

const INVALID_METRIC_CHARS = /[^a-zA-Z0-9_:]+/g;
const INVALID_LABEL_CHARS = /[^a-zA-Z0-9_]+/g;
const UNDERSCORES = /__+/g;

/** A valid Prometheus metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`, runs of `_` collapsed. */
export function sanitizeMetricName(name: string): string {
  let out = name.replace(INVALID_METRIC_CHARS, '_').replace(UNDERSCORES, '_');
  if (out === '' || (out.charCodeAt(0) >= 48 && out.charCodeAt(0) <= 57)) out = `_${out}`;
  return out;
}

/**
 * A valid Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`. A name starting with a digit gets `key_`;
 * one starting with `__` (reserved for Prometheus) gets `key`, as the OpenTelemetry spec says.
 */
export function sanitizeLabelName(name: string): string {
  let out = name.replace(INVALID_LABEL_CHARS, '_');
  if (out === '') return 'key_';
  const c = out.charCodeAt(0);
  if (c >= 48 && c <= 57) out = `key_${out}`;
  else if (out.startsWith('__')) out = `key${out}`;
  return out;
}

function unitPart(unit: string, table: Readonly<Record<string, string>>): string {
  const known = table[unit];
  if (known !== undefined) return known;
  return unit.replace(INVALID_LABEL_CHARS, '_').replace(UNDERSCORES, '_').replace(/^_|_$/g, '');
}

/**
 * The Prometheus unit words for a UCUM unit (`''` when there are none): annotations in braces are
 * dropped, `X/Y` becomes `X_per_Y`, and `1` becomes `ratio` on gauges only.
 */
export function unitSuffix(unit: string, isGauge: boolean): string {
  const u = unit.replace(/\{[^}]*\}/g, '').trim();
  if (u === '') return '';
  if (u === '1') return isGauge ? 'ratio' : '';
  const slash = u.indexOf('/');
  if (slash === -1) return unitPart(u, UNIT_NAMES);
  const main = unitPart(u.slice(0, slash), UNIT_NAMES);
  const per = unitPart(u.slice(slash + 1), PER_UNIT_NAMES);
  if (per === '') return main;
  return main === '' ? `per_${per}` : `${main}_per_${per}`;
}

/** Family name (without `_total`) and the unit words (for OpenMetrics `# UNIT`). */
export interface PrometheusFamilyName {
  readonly family: string;
  readonly unit: string;
}

/** Builds a family name from an OpenTelemetry instrument name and unit. */
export function familyName(name: string, unit: string, isGauge: boolean, prefix = ''): PrometheusFamilyName {
  let family = sanitizeMetricName(prefix === '' ? name : `${prefix}_${name}`);
  const suffix = unitSuffix(unit, isGauge);
  // A counter named `x_total` keeps its unit before the `_total` it gets back later.
  if (family.endsWith('_total')) family = family.slice(0, -6);
  if (suffix !== '' && !family.endsWith(`_${suffix}`)) family = `${family}_${suffix}`;
  return { family, unit: suffix };
}

/** Escapes a label value (text and OpenMetrics): `\\`, `"`, newline. */
export function escapeLabelValue(value: string): string {
  if (!/[\\"\n]/.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Escapes HELP text: `\\` and newline in text 0.0.4; OpenMetrics also escapes `"`. */
export function escapeHelp(value: string, openMetrics: boolean): string {
  const out = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return openMetrics ? out.replace(/"/g, '\\"') : out;
}
