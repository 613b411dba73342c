import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/reports/iso-time.ts';

const MAX_MS = 8.64e15; // the largest time a Date holds

describe('isoTime', () => {
  it('equals toISOString for any time, in any order (cached day or not)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -MAX_MS, max: MAX_MS }), { maxLength: 20 }), (xs) => {
        for (const ts of xs) expect(isoTime(ts, 'ts')).toBe(new Date(ts).toISOString());
      }),
    );
  });

  it('equals toISOString across day boundaries, near the epoch and for fractional milliseconds', () => {
    const base = Date.UTC(2024, 0, 1);
    const times = [base - 1, base, base + 1, base + 86_399_999, base + 86_400_000, -1, 0, 1, -86_400_001, 0.5, -0.5, base + 0.9];
    for (const ts of [...times, ...times.reverse()]) expect(isoTime(ts, 'ts')).toBe(new Date(ts).toISOString());
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 * 86_400_000 }), (dt) => isoTime(base + dt, 'ts') === new Date(base + dt).toISOString()),
    );
  });

  it('when the time is not a date then names the field', () => {
    expect(() => isoTime(Number.NaN, 'fill.ts')).toThrow('fill.ts: NaN is not a valid timestamp');
    expect(() => isoTime(MAX_MS + 1, 'equity.ts')).toThrow(/equity.ts/);
  });
});
