import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../src/sources/timestamp.ts';

describe('parseTimestamp', () => {
  const cases: Array<[string, number]> = [
    ['2025-05-26T00:00:00Z', Date.UTC(2025, 4, 26)],
    ['2025-05-26 00:00:00', Date.UTC(2025, 4, 26)],
    ['2025-05-26T13:45:07', Date.UTC(2025, 4, 26, 13, 45, 7)],
    ['2023-03-01 00:01:00+00:00', Date.UTC(2023, 2, 1, 0, 1)],
    ['2021-12-31 23:01:00.000000', Date.UTC(2021, 11, 31, 23, 1)],
    ['2025-08-24T06:05:21.192890', Date.UTC(2025, 7, 24, 6, 5, 21, 192)],
    ['2021-01-08T00:00:00.278Z', Date.UTC(2021, 0, 8, 0, 0, 0, 278)],
    ['2021-01-08T00:00:00.5Z', Date.UTC(2021, 0, 8, 0, 0, 0, 500)],
    ['2025-05-26T09:00:00+09:00', Date.UTC(2025, 4, 26)],
    ['2025-05-25T19:00:00-0500', Date.UTC(2025, 4, 26)],
    ['2024-02-29 12:00:00', Date.UTC(2024, 1, 29, 12)],
    ['1748217600000', Date.UTC(2025, 4, 26)],
    ['0', 0],
    // Slow path: valid ISO forms the fixed decoder does not cover, read as UTC.
    ['2025-05-26', Date.UTC(2025, 4, 26)],
    ['2025-05-26T10:30', Date.UTC(2025, 4, 26, 10, 30)],
    ['2025-05-26 10:30Z', Date.UTC(2025, 4, 26, 10, 30)],
  ];
  for (const [text, ms] of cases) {
    it(`when given "${text}" then it is ${new Date(ms).toISOString()}`, () => {
      expect(parseTimestamp(text)).toBe(ms);
    });
  }

  it('when the fast path applies then it agrees with Date.parse on many random instants', () => {
    let seed = 7;
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 48271) % 2147483647;
      const ms = Math.floor((seed / 2147483647) * 4e12);
      const iso = new Date(ms).toISOString();
      expect(parseTimestamp(iso)).toBe(ms);
      expect(parseTimestamp(iso.replace('T', ' ').replace('Z', '+00:00'))).toBe(ms);
    }
  });

  const bad = ['', ' ', 'yesterday', 'May 26 2025', '2025-02-30 00:00:00', '2023-02-29', '2025-13-01T00:00:00Z',
    '2025-05-26T24:00:00Z', '2025-05-26T00:60:00Z', '2025-05-26T00:00:00.Z', '2025-05-26T00:00:00 nonsense', '1.5e12', '-1000'];
  for (const text of bad) {
    it(`when given "${text}" then it is NaN`, () => {
      expect(parseTimestamp(text)).toBeNaN();
    });
  }
});
