import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  annualizationFactor,
  maxDrawdown,
  medianSpacingMs,
  meanStd,
  periodReturns,
  profitFactor,
  profitFactorByQuote,
  sharpe,
  sortino,
  splitSymbol,
  totalReturn,
  winRate,
  YEAR_MS,
} from '../../src/reports/metrics.ts';
import { fillStatsOf } from '../../src/reports/fill-stats.ts';
import { DAY, HAND_EQUITY, HAND_FILLS, MINUTE, T0, makeFill, series } from './fixtures.ts';

describe('metrics by hand', () => {
  it('total return when equity goes 100 → 150 then is 0.5; null when initial equity is 0', () => {
    expect(totalReturn(100, 150)).toBe(0.5);
    expect(totalReturn(0, 150)).toBeNull();
  });

  it('max drawdown when the deepest fall is 150 → 105 then is 0.3 with its peak and trough times', () => {
    const dd = maxDrawdown(series(HAND_EQUITY));
    expect(dd.maxDrawdown).toBeCloseTo(0.3, 15);
    expect(dd.peakTs, 'the first of two equal peaks').toBe(T0 + 3 * MINUTE);
    expect(dd.troughTs).toBe(T0 + 5 * MINUTE);
  });

  it('max drawdown when equity never falls then is 0 with no timestamps', () => {
    expect(maxDrawdown(series([1, 2, 2, 3]))).toEqual({ maxDrawdown: 0, peakTs: null, troughTs: null });
    expect(maxDrawdown(series([]))).toEqual({ maxDrawdown: 0, peakTs: null, troughTs: null });
  });

  it('max drawdown when equity goes below zero then is clamped to 1', () => {
    expect(maxDrawdown(series([100, -50])).maxDrawdown).toBe(1);
  });

  it('sharpe and sortino when daily returns are +10%, −10%, +10% then match the hand values', () => {
    const s = series([100, 110, 99, 108.9], DAY);
    // mean 1/30, sample std 0.11547 → 1/(2√3) per day; downside √(0.01/3) → 1/√3 per day.
    expect(sharpe(s)).toBeCloseTo(Math.sqrt(365) / (2 * Math.sqrt(3)), 9);
    expect(sortino(s)).toBeCloseTo(Math.sqrt(365) / Math.sqrt(3), 9);
  });

  it('sharpe when there are fewer than 2 returns or zero variance then is null', () => {
    expect(sharpe(series([100, 110]))).toBeNull();
    expect(sharpe(series([100, 100, 100, 100]))).toBeNull();
    expect(sharpe(series([100, 110, 121, 133.1])), 'equal returns differ only by float noise').toBeNull();
    expect(sortino(series([100, 110, 121])), 'no downside').toBeNull();
  });

  it('annualization when samples are one minute apart then uses √(minutes per year)', () => {
    expect(annualizationFactor(series(HAND_EQUITY).ts)).toBeCloseTo(Math.sqrt(YEAR_MS / MINUTE), 9);
  });

  it('median spacing when some samples share a timestamp then ignores the zero gaps', () => {
    expect(medianSpacingMs([0, 0, 0, 10, 20, 50])).toBe(10);
    expect(medianSpacingMs([0, 10, 30, 60])).toBe(20);
    expect(medianSpacingMs([5, 5])).toBeNull();
  });

  it('period returns when an equity is not positive then skip the step from it', () => {
    expect(periodReturns([100, 0, 50, 100])).toEqual([-1, 1]);
  });

  it('win rate and profit factor over the hand fills', () => {
    const stats = fillStatsOf(HAND_FILLS);
    expect(winRate(stats)).toBe(0.5);
    const pf = profitFactorByQuote(stats);
    expect(pf.get('USDT')).toBe(0.5);
    expect(pf.get('KRW'), 'no losses in KRW').toBeNull();
    expect([...pf.keys()].sort(), 'every quote traded is listed').toEqual(['KRW', 'USDT']);
    expect(winRate(fillStatsOf([makeFill({ price: 1, quantity: 1 })])), 'no fill realized anything').toBeNull();
    expect(profitFactor(3n, 0n)).toBeNull();
  });

  it('splitSymbol handles spot, settled and bare symbols', () => {
    expect(splitSymbol('BTC/USDT')).toEqual({ base: 'BTC', quote: 'USDT' });
    expect(splitSymbol('BTC/USDT:USDT')).toEqual({ base: 'BTC', quote: 'USDT' });
    expect(splitSymbol('BTCUSDT')).toEqual({ base: 'BTCUSDT', quote: '' });
  });
});

const equityArb = fc.array(fc.double({ min: 1, max: 1e9, noNaN: true }), { minLength: 0, maxLength: 200 });

describe('metrics properties', () => {
  it('max drawdown is always in [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true })), (xs) => {
        const dd = maxDrawdown(series(xs)).maxDrawdown;
        return dd >= 0 && dd <= 1;
      }),
    );
  });

  it('max drawdown is 0 for non-decreasing equity', () => {
    fc.assert(
      fc.property(equityArb, (xs) => maxDrawdown(series([...xs].sort((p, q) => p - q))).maxDrawdown === 0),
    );
  });

  it('max drawdown equals the brute-force maximum over all (peak, later trough) pairs', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1, max: 1e6, noNaN: true }), { maxLength: 40 }), (xs) => {
        let brute = 0;
        for (let i = 0; i < xs.length; i++) for (let j = i; j < xs.length; j++) brute = Math.max(brute, (xs[i]! - xs[j]!) / xs[i]!);
        return Math.abs(maxDrawdown(series(xs)).maxDrawdown - brute) < 1e-12;
      }),
    );
  });

  it('sharpe and sortino carry the sign of the mean return, and are finite or null', () => {
    fc.assert(
      fc.property(equityArb, (xs) => {
        const s = series(xs);
        const { mean } = meanStd(periodReturns(xs));
        for (const v of [sharpe(s), sortino(s)]) {
          if (v === null) continue;
          if (!Number.isFinite(v)) return false;
          if (Math.sign(v) !== Math.sign(mean) && v !== 0) return false;
        }
        return true;
      }),
    );
  });

  it('sharpe does not depend on the equity scale', () => {
    fc.assert(
      fc.property(equityArb, fc.double({ min: 0.5, max: 1000, noNaN: true }), (xs, k) => {
        const a = sharpe(series(xs));
        const b = sharpe(series(xs.map((x) => x * k)));
        if (a === null || b === null) return true; // scaling may push a near-zero variance across the threshold
        return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a));
      }),
    );
  });

  it('win rate is in [0, 1] and profit factor is positive or null', () => {
    const fillArb = fc.record({ pnl: fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }) });
    fc.assert(
      fc.property(fc.array(fillArb, { maxLength: 50 }), (rows) => {
        const stats = fillStatsOf(rows.map((r) => makeFill({ price: 1, quantity: 1, realizedPnl: r.pnl })));
        const w = winRate(stats);
        const pf = profitFactorByQuote(stats).get('USDT') ?? null;
        return (w === null || (w >= 0 && w <= 1)) && (pf === null || pf >= 0);
      }),
    );
  });
});
