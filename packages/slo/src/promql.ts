/** Small, deterministic PromQL building blocks: clean numbers, label matchers, `le` matchers for Prometheus 2 and 3. */

/**
 * A float with the binary noise removed: `1 - 0.999` → `0.001`, `14.4 * 0.001` → `0.0144`. Twelve
 * significant digits is far more than any objective or factor needs and far less than the noise.
 */
export function clean(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  return Number(value.toPrecision(12));
}

/** Renders a number for PromQL and YAML: shortest round-trip form of the cleaned value (`0.001`, `14.4`, `1e-7`). */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(clean(value));
}

/** Escapes a string for a double-quoted PromQL string literal. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** A label matcher: `name="value"`, `name=~"re"`, `name!=""`. */
export interface LabelMatcher {
  readonly name: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** `name{a="b",c=~"d"}` with matchers in the given order. */
export function selector(metric: string, matchers: readonly LabelMatcher[]): string {
  if (matchers.length === 0) return metric;
  return `${metric}{${matchers.map((m) => `${m.name}${m.op}${quote(m.value)}`).join(',')}}`;
}

/** Equality matchers from a label map, sorted by name (stable output). */
export function equalityMatchers(labels: Readonly<Record<string, string>>): LabelMatcher[] {
  return Object.keys(labels)
    .sort()
    .map((name) => ({ name, op: '=' as const, value: labels[name]! }));
}

/**
 * Go's `strconv.FormatFloat(f, 'g', -1, 64)`: shortest digits, exponent form when the decimal exponent
 * is below -4 or at least 6 (strconv uses precision 6 for that decision in shortest mode).
 */
function goFormatG(value: number): string {
  if (value === 0) return '0';
  const [mantissa, e] = value.toExponential().split('e') as [string, string];
  const exponent = Number(e);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    const abs = Math.abs(exponent);
    return `${mantissa}e${sign}${abs < 10 ? '0' : ''}${abs}`;
  }
  return String(value);
}

/** Go's `strconv.FormatFloat(f, 'f', -1, 64)`: shortest digits, never an exponent. */
function fixedShortest(value: number): string {
  const [mantissa, e] = value.toExponential().split('e') as [string, string];
  const exponent = Number(e);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  let out: string;
  if (exponent >= 0) {
    out =
      digits.length > exponent + 1
        ? `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`
        : digits + '0'.repeat(exponent + 1 - digits.length);
  } else {
    out = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  return negative ? `-${out}` : out;
}

/**
 * The renderings a histogram bucket boundary can have in Prometheus: as exposed by JavaScript exporters
 * and kept by Prometheus 2 (`1`, `0.25`), as `strconv.FormatFloat(f, 'f', -1, 64)` from the OTLP
 * translation (`1`), and as normalised by Prometheus 3 at ingestion (`1.0`, `0.25`, `1e+06`).
 */
export function leRenderings(bound: number): readonly string[] {
  if (bound === Infinity) return ['+Inf'];
  const forms = new Set<string>();
  forms.add(String(bound));
  forms.add(goFormatG(bound));
  // Prometheus 3's formatOpenMetricsFloat: Go's 'g' form, plus ".0" when it has neither '.' nor 'e'.
  const g = goFormatG(bound);
  forms.add(/[.e]/.test(g) ? g : `${g}.0`);
  // The OTLP translation writes shortest fixed notation (strconv 'f', -1).
  forms.add(fixedShortest(bound));
  return [...forms].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
}

/**
 * The `le` matcher for one bucket boundary that works on Prometheus 2 and 3: `le="0.25"` when every
 * rendering agrees, else a regex of the renderings with escaped dots (`le=~"1|1\\.0"`).
 */
export function leMatcher(bound: number): LabelMatcher {
  const forms = leRenderings(bound);
  if (forms.length === 1) return { name: 'le', op: '=', value: forms[0]! };
  return { name: 'le', op: '=~', value: forms.map((f) => f.replace(/[.+]/g, (c) => `\\${c}`)).join('|') };
}

/** Prometheus 3's rendering of a boundary (used by the generated tests to exercise the `le` matcher). */
export function openMetricsFloat(bound: number): string {
  if (bound === Infinity) return '+Inf';
  const g = goFormatG(bound);
  return /[.e]/.test(g) ? g : `${g}.0`;
}
