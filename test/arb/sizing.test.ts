/**
 * Sizing: each constraint binding in turn, lot-step rounding, and the minimums of both venues.
 *
 * Books: buy Binance BTC/USDT (taker 0.1%), sell Upbit BTC/KRW (taker 0.05%), KRW → USDT ÷ 1,400,
 * threshold 20 bps. Marginal net edge per level pair, 10⁴ × (bid/1400 × 0.9995 − ask × 1.001)/ask:
 *   0.0–0.3  ask 100,000 / bid 141,400,000: (100,949.5 − 100,100)/100,000     = 84.95 bps  ✓
 *   0.3–0.5  ask 100,000 / bid 141,200,000: (100,806.714 − 100,100)/100,000   = 70.67 bps  ✓
 *   0.5–0.7  ask 100,100 / bid 141,200,000: (100,806.714 − 100,200.1)/100,100 = 60.60 bps  ✓
 *   0.7–     ask 100,100 / bid 140,000,000: (99,950 − 100,200.1)/100,100      < 0          ✗
 * so depth allows 0.7 BTC.
 */
import { describe, expect, it } from 'vitest';
import { EdgeResult } from '../../src/arb/edge.ts';
import { commonStep, sizeOpportunity, type SizingLimits } from '../../src/arb/sizing.ts';
import { parseAtto } from '../../src/domain/money.ts';
import type { MarketDef } from '../../src/domain/types.ts';
import { asks, bids, divideBy, market, terms } from './helpers.ts';

const binance = market('binance', 'BTC/USDT');
const upbit = market('upbit', 'BTC/KRW');
const kraken = market('kraken', 'BTC/USDT');
const A = () => asks([[100_000, 0.5], [100_100, 0.5], [100_500, 1]]);
const B = () => bids([[141_400_000, 0.3], [141_200_000, 0.4], [140_000_000, 1]]);
const T = terms(0.001, 0.0005, undefined, divideBy(1400));
const plenty: SizingLimits = { size: 1, buyQuote: parseAtto('1000000'), sellBase: parseAtto('10') };

function size(limits: Partial<SizingLimits>, thresholdBps = 20, buy: MarketDef = binance) {
  return sizeOpportunity(buy, upbit, A(), B(), T, thresholdBps, { ...plenty, ...limits }, new EdgeResult());
}

describe('sizeOpportunity: each limit binding in turn', () => {
  it('when the configured size is the smallest then it is the size', () => {
    expect(size({ size: 0.2 })).toEqual({ ok: true, size: 0.2, binding: 'size' });
  });

  it('when depth is the smallest then the size stops where the marginal edge falls under the threshold', () => {
    expect(size({})).toEqual({ ok: true, size: 0.7, binding: 'depth' });
    // A higher threshold cuts earlier: 65 bps passes the first two level pairs only (0.5 BTC).
    expect(size({}, 65)).toEqual({ ok: true, size: 0.5, binding: 'depth' });
  });

  it('when the top of the books misses the threshold then there is nothing to size', () => {
    expect(size({}, 85)).toMatchObject({ ok: false, reason: 'below_threshold', binding: 'depth' });
  });

  it('when the buy venue quote balance is the smallest then the size is what it pays for, fee included, rounded down', () => {
    // 0.3 BTC cost 30,000 USDT + 0.1% fee = 30,030 USDT; 0.5 USDT more buys 0.000004995 BTC, under a lot.
    expect(size({ buyQuote: parseAtto('30030.5') })).toEqual({ ok: true, size: 0.3, binding: 'buy_quote' });
    expect(size({ buyQuote: parseAtto('30029.99') })).toEqual({ ok: true, size: 0.29999, binding: 'buy_quote' });
  });

  it('when the balance is short of the rounded size by less than float noise then the exact check steps a lot down', () => {
    // 30,029.999999999999999999 USDT is 1e-18 short of 0.3 BTC's cost; as a double it is 30,030.
    expect(size({ buyQuote: parseAtto('30030') })).toEqual({ ok: true, size: 0.3, binding: 'buy_quote' });
    expect(size({ buyQuote: parseAtto('30029.999999999999999999') })).toEqual({ ok: true, size: 0.29999, binding: 'buy_quote' });
  });

  it('when the sell venue base balance is the smallest then it binds, rounded down to the common lot', () => {
    expect(size({ sellBase: parseAtto('0.12345678') })).toEqual({ ok: true, size: 0.12345, binding: 'sell_base' });
  });

  it('when the notional risk limit is the smallest then it binds (buy notional in the reference quote)', () => {
    expect(size({ maxNotional: 15_000 })).toEqual({ ok: true, size: 0.15, binding: 'max_notional' });
  });

  it('when the base risk limit is the smallest then it binds', () => {
    expect(size({ maxBase: 0.05 })).toEqual({ ok: true, size: 0.05, binding: 'max_base' });
  });

  it('when a market maximum amount is the smallest then it binds', () => {
    const capped: MarketDef = { ...binance, limits: { ...binance.limits, amount: { min: 0.00001, max: 0.01 } } };
    expect(size({}, 20, capped)).toEqual({ ok: true, size: 0.01, binding: 'venue_max' });
  });
});

describe('lot steps', () => {
  it('when the two markets have different steps then the size is a multiple of both, rounded down', () => {
    expect(commonStep(binance.precision.amount, upbit.precision.amount)).toBe(0.00001);
    expect(commonStep(0.0004, 0.0006)).toBe(0.0012);
    expect(size({ size: 0.123456789 })).toEqual({ ok: true, size: 0.12345, binding: 'size' });
    // 0.29 is 0.28999999999999998 as a double: still 0.29, not 0.28999.
    expect(size({ size: 0.29 })).toEqual({ ok: true, size: 0.29, binding: 'size' });
  });
});

describe('minimums on both legs', () => {
  it('when the Binance leg is under its 5 USDT minimum notional then no trade (Upbit leg alone would pass)', () => {
    // 0.00004 BTC: 4 USDT on Binance (< 5), 5,656 KRW on Upbit (≥ 5,000).
    const r = size({ maxBase: 0.00004 });
    expect(r).toMatchObject({ ok: false, reason: 'size_below_minimum', binding: 'max_base', leg: 'buy', code: 'MIN_NOTIONAL' });
    expect(size({ maxBase: 0.00005 })).toMatchObject({ ok: true, size: 0.00005 });
  });

  it('when the Upbit leg is under its 5,000 KRW minimum then no trade (the Kraken leg alone would pass)', () => {
    // Buy Kraken BTC/USDT at 50,000 (taker 0.4%), sell Upbit at 70,700,000 KRW (= 50,500 USDT):
    // net = 10⁴ × (50,500 × 0.9995 − 50,000 × 1.004)/50,000 = 54.95 bps. 0.00006 BTC is 3 USDT on Kraken
    // (min 0.5 USDT, 0.00005 BTC) but 4,242 KRW on Upbit.
    const k = sizeOpportunity(kraken, upbit, asks([[50_000, 1]]), bids([[70_700_000, 1]]), terms(0.004, 0.0005, undefined, divideBy(1400)), 20, { ...plenty, maxBase: 0.00006 }, new EdgeResult());
    expect(k).toMatchObject({ ok: false, reason: 'size_below_minimum', leg: 'sell', code: 'MIN_NOTIONAL' });
    if (!k.ok) expect(k.detail).toMatch(/5000/);
    const ok = sizeOpportunity(kraken, upbit, asks([[50_000, 1]]), bids([[70_700_000, 1]]), terms(0.004, 0.0005, undefined, divideBy(1400)), 20, { ...plenty, maxBase: 0.00008 }, new EdgeResult());
    expect(ok).toMatchObject({ ok: true, size: 0.00008 });
  });

  it('when a leg is under its minimum amount then no trade', () => {
    const k = sizeOpportunity(kraken, upbit, asks([[50_000, 1]]), bids([[70_700_000, 1]]), terms(0.004, 0.0005, undefined, divideBy(1400)), 20, { ...plenty, maxBase: 0.00004 }, new EdgeResult());
    expect(k).toMatchObject({ ok: false, reason: 'size_below_minimum', leg: 'buy', code: 'MIN_AMOUNT' });
  });

  it('when a balance is what leaves the size under a minimum, or is empty, then the reason is no_inventory', () => {
    // 3 USDT buys 0.00002997 BTC → 0.00002 on the lot → 2 USDT < 5.
    expect(size({ buyQuote: parseAtto('3') })).toMatchObject({ ok: false, reason: 'no_inventory', binding: 'buy_quote', leg: 'buy', code: 'MIN_NOTIONAL' });
    expect(size({ sellBase: parseAtto('0.000001') })).toMatchObject({ ok: false, reason: 'no_inventory', binding: 'sell_base', code: 'LOT_SIZE' });
    expect(size({ sellBase: 0n })).toMatchObject({ ok: false, reason: 'no_inventory', binding: 'sell_base' });
    expect(size({ buyQuote: 0n })).toMatchObject({ ok: false, reason: 'no_inventory', binding: 'buy_quote' });
  });
});

describe('the edge at the size found', () => {
  it('when sized then the edge holds the VWAPs at that size', () => {
    // 0.7 BTC: buy 0.5 × 100,000 + 0.2 × 100,100 = 70,020 USDT; sell 0.3 × 141.4M + 0.4 × 141.2M = 98,900,000 KRW
    // = 70,642.857142857 USDT; net = 10⁴ × (70,642.857142857 × 0.9995 − 70,020 × 1.001)/70,020 = 73.9097…
    const e = new EdgeResult();
    const r = sizeOpportunity(binance, upbit, A(), B(), T, 20, plenty, e);
    expect(r.ok).toBe(true);
    expect(e.buyVwap).toBeCloseTo(100_028.571428571, 6);
    expect(e.sellVwap).toBeCloseTo(141_285_714.285714, 4);
    expect(e.netBps).toBeCloseTo((1e4 * ((98_900_000 / 1400) * 0.9995 - 70_020 * 1.001)) / 70_020, 9);
    expect(e.netBps).toBeCloseTo(73.9097, 4);
  });
});
