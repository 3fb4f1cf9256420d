import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RuleModel } from './simulate.js';
import { defineSlo } from './spec.js';
import {
  budgetConsumedAtFire,
  burnRate,
  burnRateWindows,
  SLI_WINDOWS_SECONDS,
  timeToFire,
} from './windows.js';

const DAY = 86_400;

describe('burnRateWindows', () => {
  it('derives the SRE Workbook factors for a 30-day period (14.4, 6, 3, 1)', () => {
    expect(
      burnRateWindows(30 * DAY).map((w) => [w.severity, w.long, w.short, w.budgetShare, w.factor]),
    ).toEqual([
      ['page', '1h', '5m', 0.02, 14.4],
      ['page', '6h', '30m', 0.05, 6],
      ['ticket', '1d', '2h', 0.1, 3],
      ['ticket', '3d', '6h', 0.1, 1],
    ]);
  });

  it("derives Sloth's google-28d factors for a 28-day period (13.44, 5.6, 2.8, 0.9333)", () => {
    expect(burnRateWindows(28 * DAY).map((w) => w.factor)).toEqual([13.44, 5.6, 2.8, 0.9333]);
  });

  it('pairs every long window with a short window of a twelfth', () => {
    for (const w of burnRateWindows(30 * DAY)) expect(w.shortSeconds * 12).toBe(w.longSeconds);
  });

  it('records the seven Workbook windows', () => {
    expect(SLI_WINDOWS_SECONDS).toEqual([300, 1800, 3600, 7200, 21_600, DAY, 3 * DAY]);
  });

  it('matches the Workbook arithmetic: budget consumed at fire and time to fire', () => {
    expect(budgetConsumedAtFire(14.4, 3600, 30 * DAY)).toBe(0.02);
    expect(budgetConsumedAtFire(6, 6 * 3600, 30 * DAY)).toBe(0.05);
    // a 100% outage at 99.9% fires the 14.4×/1h alert after about 52 seconds
    expect(timeToFire(1, 0.001, 14.4, 3600)).toBeCloseTo(51.84, 6);
  });
});

describe('burn rate', () => {
  it('is monotone in the error rate (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 1e-5, max: 0.5, noNaN: true }),
        (a, b, budget) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(burnRate(lo, budget)).toBeLessThanOrEqual(burnRate(hi, budget));
        },
      ),
    );
  });

  it('fires the generated page alert no later when the error rate is higher (property on the rule model)', () => {
    const spec = defineSlo({ service: 's', classes: [{ name: 'silver', availability: 99.9 }] });
    const objective = spec.objectives[0]!;
    const firstPage = (errorsPerMinute: number): number => {
      const minutes = 150;
      const requests = Array.from({ length: minutes + 1 }, (_, t) => t * 1000);
      const errors = Array.from({ length: minutes + 1 }, (_, t) => Math.max(0, t - 60) * errorsPerMinute);
      const model = new RuleModel(spec, [{ className: 'silver', requests, errors, buckets: new Map() }]);
      for (let t = 61; t <= minutes; t++) {
        if (
          model
            .firing(t)
            .alerts.some((a) => a.labels['severity'] === 'page' && a.labels['slo_sli'] === objective.sli)
        )
          return t;
      }
      return Infinity;
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(firstPage(hi)).toBeLessThanOrEqual(firstPage(lo));
      }),
      { numRuns: 40 },
    );
    expect(firstPage(1000)).toBe(61); // a full outage after an hour of history pages within the first minute
    expect(firstPage(5)).toBe(Infinity); // 0.5% errors = burn 5: never a page
  });
});
