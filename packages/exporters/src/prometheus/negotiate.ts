import type { ExpositionFormat } from './serialize.js';

interface Clause {
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
  readonly q: number;
  readonly order: number;
}

function parseAccept(header: string): Clause[] {
  const clauses: Clause[] = [];
  header.split(',').forEach((part, order) => {
    const [mediaType, ...rest] = part.split(';');
    const type = mediaType?.trim().toLowerCase() ?? '';
    if (type === '') return;
    const params = new Map<string, string>();
    let q = 1;
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq === -1) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, '');
      if (key === 'q') {
        const n = Number(value);
        q = Number.isFinite(n) ? n : 0;
      } else {
        params.set(key, value);
      }
    }
    clauses.push({ type, params, q, order });
  });
  return clauses;
}

/**
 * Picks the exposition format from an `Accept` header, as client_golang's `NegotiateIncludingOpenMetrics`
 * does: clauses by descending q (ties in header order); `application/openmetrics-text` (version 1.0.0 or
 * 0.0.1, or none) selects OpenMetrics; `text/plain` (0.0.4, 1.0.0 or no version) and `*\/*` select text
 * 0.0.4; anything else is skipped. No match, or no header, falls back to text 0.0.4. Prometheus's own
 * scraper asks for OpenMetrics 1.0.0 first (q=0.6), so it gets OpenMetrics and the exemplars.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (accept === undefined || accept.trim() === '') return 'text';
  const clauses = parseAccept(accept).sort((a, b) => b.q - a.q || a.order - b.order);
  for (const c of clauses) {
    if (c.q <= 0) continue;
    const version = c.params.get('version');
    if (c.type === 'application/openmetrics-text') {
      if (version === undefined || version === '1.0.0' || version === '0.0.1') return 'openmetrics';
    } else if (c.type === 'text/plain') {
      if (version === undefined || version === '0.0.4' || version === '1.0.0') return 'text';
    } else if (c.type === '*/*' || c.type === 'text/*') {
      return 'text';
    }
  }
  return 'text';
}
