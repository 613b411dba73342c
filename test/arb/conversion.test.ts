import { describe, expect, it } from 'vitest';
import { DepthBook } from '../../src/arb/books.ts';
import { BookRate, QuoteConverter, parseRateCsv } from '../../src/arb/conversion.ts';
import { DataError } from '../../src/core/errors.ts';

/** Upbit USDT/KRW with bid 1,390 and ask 1,391, last updated at t = 1,000. */
function usdtKrw(): DepthBook {
  const b = new DepthBook('upbit', 'USDT/KRW', 0);
  b.apply(1000, false, 1390, 50_000, true);
  b.apply(1000, true, 1391, 40_000, false);
  b.apply(1000, true, 1391.5, 40_000, false);
  return b;
}

describe('QuoteConverter from a conversion book', () => {
  it('when KRW is converted to USDT then KRW paid costs 1/bid, KRW received is worth 1/ask, mid is 1/1390.5', () => {
    const c = new QuoteConverter('KRW', 'USDT', new BookRate(usdtKrw()), 'executable', 60_000);
    expect(c.update(1500)).toBe('ok');
    expect(c.paid).toBe(1 / 1390);
    expect(c.received).toBe(1 / 1391);
    expect(c.mid).toBe(1 / 1390.5);
    expect(c.rate).toBe(1390.5);
    expect(c.ageMs).toBe(500);
    // 1,391,000 KRW received buys exactly 1,000 USDT at the ask.
    expect(1_391_000 * c.received).toBeCloseTo(1000, 9);
    expect(c.paidRatio()).toEqual({ num: 10n ** 18n, den: 1390n * 10n ** 18n });
    expect(c.receivedRatio()).toEqual({ num: 10n ** 18n, den: 1391n * 10n ** 18n });
  });

  it('when USDT is converted to KRW then USDT paid costs the ask and USDT received fetches the bid', () => {
    const c = new QuoteConverter('USDT', 'KRW', new BookRate(usdtKrw()));
    expect(c.update(1000)).toBe('ok');
    expect([c.paid, c.received, c.mid]).toEqual([1391, 1390, 1390.5]);
  });

  it('when the mode is mid then paid and received both use the mid', () => {
    const c = new QuoteConverter('KRW', 'USDT', new BookRate(usdtKrw()), 'mid');
    c.update(1000);
    expect([c.paid, c.received]).toEqual([1 / 1390.5, 1 / 1390.5]);
    expect(c.paidRatio()).toEqual({ num: 2n * 10n ** 18n, den: 2781n * 10n ** 18n });
  });

  it('when the conversion book is older than the limit then the rate is stale, and one-sided or empty means no rate', () => {
    const book = usdtKrw();
    const c = new QuoteConverter('KRW', 'USDT', new BookRate(book), 'executable', 5_000);
    expect(c.update(6000)).toBe('ok');
    expect(c.update(6001)).toBe('stale_rate');
    expect(c.ageMs).toBe(5001);
    book.apply(7000, true, 1391, 0, false);
    book.apply(7000, true, 1391.5, 0, false);
    expect(c.update(7000)).toBe('no_rate');
  });

  it('when both quotes are the reference then it is the identity, never stale', () => {
    const c = new QuoteConverter('USDT', 'USDT', undefined, 'executable', 0);
    expect(c.update(1e15)).toBe('ok');
    expect([c.paid, c.received, c.mid, c.ageMs]).toEqual([1, 1, 1, 0]);
  });

  it('when the source does not connect the two assets then construction fails', () => {
    expect(() => new QuoteConverter('USD', 'USDT', new BookRate(usdtKrw()))).toThrow(/USDT\/KRW rate cannot convert USD to USDT/);
    expect(() => new QuoteConverter('KRW', 'USDT', undefined)).toThrow(/no rate source/);
  });
});

describe('rate files', () => {
  const csv = ['timestamp,rate', '2025-08-24T06:00:00Z,1389.5', '2025-08-24 06:01:00,1390.25', `${Date.UTC(2025, 7, 24, 6, 2)},1391`].join('\n');
  const t0 = Date.UTC(2025, 7, 24, 6, 0);

  it('when a rate is asked at t then it is the last one at or before t, with its age', () => {
    const s = parseRateCsv(csv, 'fx.csv', 'USDT', 'KRW');
    const c = new QuoteConverter('KRW', 'USDT', s, 'executable', 90_000);
    expect(c.update(t0 - 1)).toBe('no_rate');
    expect(c.update(t0)).toBe('ok');
    expect(c.rate).toBe(1389.5);
    expect(c.update(t0 + 59_999)).toBe('ok');
    expect([c.rate, c.ageMs]).toEqual([1389.5, 59_999]);
    expect(c.update(t0 + 60_000)).toBe('ok');
    expect(c.rate).toBe(1390.25);
    expect(c.update(t0 + 120_000 + 90_000)).toBe('ok');
    expect(c.rate).toBe(1391);
    expect(c.update(t0 + 120_000 + 90_001)).toBe('stale_rate');
    // Back in time (a premium sample behind the current event) is looked up too.
    expect(c.update(t0 + 30_000)).toBe('ok');
    expect(c.rate).toBe(1389.5);
    // One number per time: the executable sides are the rate itself.
    expect(c.paid).toBe(1 / 1389.5);
    expect(c.received).toBe(1 / 1389.5);
  });

  it('when a row is bad then the error names the file, line and field', () => {
    const err = (text: string) => {
      try {
        parseRateCsv(text, 'fx.csv', 'USDT', 'KRW');
      } catch (e) {
        return e as DataError;
      }
      throw new Error('no error');
    };
    expect(err('timestamp,rate\n1000,-3').message).toBe('fx.csv:2: field "rate": expected a positive number, got "-3"');
    expect(err('timestamp,rate\n1000,1\nyesterday,2').info).toMatchObject({ line: 3, field: 'timestamp' });
    expect(err('timestamp,rate\n2000,1\n1000,2').message).toMatch(/fx\.csv:3: field "timestamp": timestamps must ascend/);
    expect(err('time,rate\n1,1').message).toMatch(/no "timestamp" column/);
    expect(err('').message).toMatch(/empty/);
  });
});
