/**
 * Edge math. Expected values are worked by hand from the formula in edge.ts:
 *   net bps = 10⁴ × (S' × (1 − f_sell) − B' × (1 + f_buy)) / B'     gross = 10⁴ × (S' − B') / B'
 */
import { describe, expect, it } from 'vitest';
import { EdgeResult, clearsExact, computeEdge, edgeClears, marginalClears, netEdgeBps, walkExact } from '../../src/arb/edge.ts';
import { asks, bids, divideBy, terms } from './helpers.ts';

// Binance BTC/USDT asks and Upbit BTC/KRW bids; USDT/KRW bid 1390 / ask 1391.
const A = () => asks([[100_000, 0.1], [100_010, 0.2], [100_050, 1]]);
const B = () => bids([[140_000_000, 0.05], [139_990_000, 0.1], [139_900_000, 1]]);

describe('computeEdge', () => {
  it('when 0.25 BTC is bought on Binance and sold on Upbit then VWAPs walk several levels and both fees come off', () => {
    // Buy: 0.1 @ 100,000 + 0.15 @ 100,010 = 10,000 + 15,001.5 = 25,001.5 USDT (VWAP 100,006).
    // Sell: 0.05 @ 140,000,000 + 0.1 @ 139,990,000 + 0.1 @ 139,900,000 = 34,989,000 KRW (VWAP 139,956,000).
    // KRW received is valued at the USDT/KRW ask (buying USDT back): S' = 34,989,000 / 1391 = 25,153.846153846…
    // gross = 10⁴ × (25,153.846153846 − 25,001.5) / 25,001.5 = 60.934805450…
    // net   = 10⁴ × (25,153.846153846 × 0.9995 − 25,001.5 × 1.001) / 25,001.5 = 45.904338047…
    const e = new EdgeResult();
    const ok = computeEdge(A(), B(), 0.25, terms(0.001, 0.0005, undefined, divideBy(1391)), e);
    expect(ok).toBe(true);
    expect(e.buyNotional).toBeCloseTo(25_001.5, 9);
    expect(e.sellNotional).toBeCloseTo(34_989_000, 6);
    expect(e.buyVwap).toBeCloseTo(100_006, 9);
    expect(e.sellVwap).toBeCloseTo(139_956_000, 6);
    expect([e.buyLevels, e.sellLevels]).toEqual([2, 3]);
    expect(e.sellRef).toBeCloseTo(25_153.846153846152, 8);
    expect(e.grossBps).toBeCloseTo(60.93480545013453, 9);
    expect(e.netBps).toBeCloseTo(45.90433804740946, 9);
    expect(e.errorBps, 'the float error bound is tiny').toBeLessThan(1e-9);
  });

  it('when the rate is the mid instead then the proceeds are worth more: net 49.520269…', () => {
    // S' = 34,989,000 / 1390.5 = 25,162.891046386; net = 10⁴ × (25,162.891046386 × 0.9995 − 25,026.501501…)/25,001.5
    const e = new EdgeResult();
    computeEdge(A(), B(), 0.25, terms(0.001, 0.0005, undefined, divideBy(1390.5)), e);
    expect(e.netBps).toBeCloseTo(49.520269129051826, 9);
    expect(e.grossBps).toBeCloseTo(64.5525454017527, 9);
  });

  it('when the size exactly empties levels then the walk stops there', () => {
    // 0.1 @ 100,000 + 0.2 @ 100,010 = 30,002 USDT
    const e = new EdgeResult();
    expect(computeEdge(A(), B(), 0.3, terms(0, 0), e)).toBe(true);
    expect(e.buyNotional).toBeCloseTo(30_002, 9);
    expect(e.buyLevels).toBe(2);
  });

  it('when the visible depth is shorter than the size then there is no edge', () => {
    const e = new EdgeResult();
    expect(computeEdge(A(), B(), 1.31, terms(0.001, 0.0005), e)).toBe(false);
    expect(computeEdge(A(), bids([]), 0.01, terms(0.001, 0.0005), e)).toBe(false);
  });

  it('when the same venue fees are swapped then each leg pays its own venue rate', () => {
    // Same books, buy fee 0.0005, sell fee 0.001: net = 10⁴ × (S' × 0.999 − B × 1.0005)/B
    // = 10⁴ × (25,128.692307692 − 25,014.00075)/25,001.5 = 45.873870644…
    const e = new EdgeResult();
    computeEdge(A(), B(), 0.25, terms(0.0005, 0.001, undefined, divideBy(1391)), e);
    expect(e.netBps).toBeCloseTo(45.873870644684395, 9);
  });
});

describe('the threshold decision at the boundary', () => {
  // Buy at 4,995, sell at 5,010, both fees 0.1%: 5,010 × 0.999 = 5,004.99 and 4,995 × 1.001 = 4,999.995,
  // so net = 10⁴ × 4.995 / 4,995 = 10 bps EXACTLY. In doubles the same formula gives 9.99999999999978.
  const t = terms(0.001, 0.001);

  it('when the net edge equals the threshold exactly then it clears, although the float figure is just under', () => {
    expect(netEdgeBps(4995, 5010, 0.001, 0.001), 'the float formula lands below 10').toBeLessThan(10);
    expect(marginalClears(4995, 5010, t, 10)).toBe(true);
    const e = new EdgeResult();
    computeEdge(asks([[4995, 2]]), bids([[5010, 2]]), 1, t, e);
    expect(e.netBps).toBeLessThan(10);
    expect(edgeClears(e, asks([[4995, 2]]), bids([[5010, 2]]), t, 10)).toBe(true);
  });

  it('when the float figure is just over a threshold the exact edge misses then it does not clear', () => {
    // At 1.5 BTC the doubles give 10.000000000000389; the exact edge is 10 < 10.0000000000001.
    const e = new EdgeResult();
    computeEdge(asks([[4995, 2]]), bids([[5010, 2]]), 1.5, t, e);
    expect(e.netBps).toBeGreaterThan(10.0000000000001);
    expect(edgeClears(e, asks([[4995, 2]]), bids([[5010, 2]]), t, 10.0000000000001)).toBe(false);
    expect(edgeClears(e, asks([[4995, 2]]), bids([[5010, 2]]), t, 10)).toBe(true);
  });

  it('when the sell price is one cent lower or the threshold a hair higher then it does not clear', () => {
    expect(marginalClears(4995, 5009.99, t, 10)).toBe(false);
    expect(marginalClears(4995, 5010, t, 10.000000001)).toBe(false);
    expect(marginalClears(4995, 5010, t, 9.999999999)).toBe(true);
  });

  it('when decided exactly then the notionals are the decimal sums, not their doubles', () => {
    // 0.1 × 3 levels of 0.1: the double sum 0.30000000000000004 would not be exact; the bigint walk is.
    const side = asks([[0.1, 0.1], [0.2, 0.1], [0.3, 0.1]]);
    expect(walkExact(side, 0.3)).toBe(60_000_000_000_000_000_000_000_000_000_000_000n); // 0.06 × 10³⁶
    // S = B exactly, no fees: net = 0 → clears a 0 threshold, not a 1e-9 one.
    expect(clearsExact(10n, 10n, terms(0, 0), 0)).toBe(true);
    expect(clearsExact(10n, 10n, terms(0, 0), 1e-9)).toBe(false);
  });
});
