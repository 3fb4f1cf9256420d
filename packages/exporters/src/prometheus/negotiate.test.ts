import { describe, expect, it } from 'vitest';
import { negotiateFormat } from './negotiate.js';

describe('negotiateFormat', () => {
  it("gives Prometheus's scraper OpenMetrics (its default Accept header)", () => {
    const prometheus =
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
    expect(negotiateFormat(prometheus)).toBe('openmetrics');
    // Prometheus 2.42's header (no escaping parameter).
    expect(
      negotiateFormat(
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      ),
    ).toBe('openmetrics');
  });

  it('serves text 0.0.4 by default and to text-only clients', () => {
    expect(negotiateFormat(undefined)).toBe('text');
    expect(negotiateFormat('')).toBe('text');
    expect(negotiateFormat('*/*')).toBe('text');
    expect(negotiateFormat('text/plain;version=0.0.4')).toBe('text');
    expect(negotiateFormat('application/json')).toBe('text');
  });

  it('follows q values, not header order', () => {
    expect(
      negotiateFormat('text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5'),
    ).toBe('text');
    expect(negotiateFormat('text/plain;q=0.1,application/openmetrics-text')).toBe('openmetrics');
  });

  it('skips versions it does not serve and q=0', () => {
    expect(negotiateFormat('application/openmetrics-text;version=2.0.0,text/plain')).toBe('text');
    expect(negotiateFormat('application/openmetrics-text;q=0,text/plain')).toBe('text');
  });
});
