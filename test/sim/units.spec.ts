import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tickAt } from '../../src/domain/precision.ts';
import { OrderBook } from '../../src/sim/order-book.ts';
import { LotGrid, PriceGrid } from '../../src/sim/price-grid.ts';
import { BINANCE_BTC_USDT, UPBIT_BTC_KRW, UPBIT_USDT_KRW } from './harness.ts';

describe('sim units: price keys and lots', () => {
  it('when a price carries float noise then it lands on the same key as the clean price', () => {
    const g = new PriceGrid(BINANCE_BTC_USDT);
    expect(g.key(20472.800000000003)).toBe(g.key(20472.8));
    expect(g.price(g.key(0.1 + 0.2))).toBe(0.3);
  });

  it('when BTC/KRW prices exceed 2^53 in key units then keys and prices stay exact', () => {
    const g = new PriceGrid(UPBIT_BTC_KRW);
    const k = g.key(159_523_000);
    expect(k).toBe(159_523_000 * 1e8);
    expect(g.price(k)).toBe(159_523_000);
    expect(g.tickAt(k)).toBe(1000 * 1e8);
    expect(g.up(k)).toBe(g.key(159_524_000));
  });

  it('when a tick table applies then the grid agrees with precision.tickAt on both sides of each boundary', () => {
    for (const def of [UPBIT_BTC_KRW, UPBIT_USDT_KRW]) {
      const g = new PriceGrid(def);
      for (const row of def.tickTable!) {
        for (const p of [row.from, row.from * 1.5, row.from * 0.999]) {
          if (!(p > 0)) continue;
          expect(g.tickAt(g.key(p)) / g.scale, `${def.symbol} at ${p}`).toBeCloseTo(tickAt(def, p), 12);
        }
      }
    }
  });

  it('when prices are snapped then floor and ceil keys land on the tick of their own price', () => {
    const g = new PriceGrid(UPBIT_BTC_KRW);
    expect(g.price(g.floorKey(1_999_999))).toBe(1_999_000); // tick 1,000 from 1,000,000
    expect(g.price(g.floorKey(999_999))).toBe(999_500); // tick 500 below it
    expect(g.price(g.ceilKey(999_700))).toBe(1_000_000);
    expect(g.price(g.ceilKey(1_000_001))).toBe(1_001_000);
    expect(g.price(g.down(g.key(1_000_000))), 'one tick down uses the tick below the boundary').toBe(999_500);
    expect(g.price(g.floorKey(100.004999999))).toBe(100);
  });

  it('when quantities are converted to lots then exact multiples pass, noise is tolerated and dust is floored', () => {
    const lots = new LotGrid(BINANCE_BTC_USDT);
    expect(lots.exact(0.3)).toBe(30_000);
    expect(lots.exact(0.1 + 0.2)).toBe(30_000);
    expect(lots.exact(0.000015)).toBeNaN();
    expect(lots.exact(-1)).toBeNaN();
    expect(lots.floor(0.014596000000000001)).toBe(1459);
    expect(lots.floor(0.000009)).toBe(0);
    expect(lots.qty(1459)).toBe(0.01459);
    expect(lots.atto(3)).toBe(30_000_000_000_000n);
  });
});

describe('sim units: order book', () => {
  it('when levels are set, updated and deleted then each side keeps its best level at the end', () => {
    const b = new OrderBook();
    b.bids.set(100, 1);
    b.bids.set(102, 2);
    b.bids.set(101, 3);
    b.asks.set(105, 1);
    b.asks.set(103, 1);
    b.asks.set(104, 1);
    expect(b.bids.bestKey()).toBe(102);
    expect(b.asks.bestKey()).toBe(103);
    b.bids.set(102, 0);
    b.asks.set(103, 0);
    expect([b.bids.bestKey(), b.bids.bestQty()]).toEqual([101, 3]);
    expect(b.asks.bestKey()).toBe(104);
    expect(b.midKey()).toBe(102.5);
    b.clear();
    expect([b.bids.bestKey(), b.asks.bestKey(), b.midKey()]).toEqual([0, 0, 0]);
  });

  it('when random updates are applied then the side matches a map-based reference model', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('bid' as const, 'ask' as const), fc.integer({ min: 1, max: 300 }), fc.constantFrom(0, 0, 1, 2.5)), { maxLength: 400 }),
        (updates) => {
          const book = new OrderBook();
          const ref = { bid: new Map<number, number>(), ask: new Map<number, number>() };
          for (const [side, key, qty] of updates) {
            (side === 'bid' ? book.bids : book.asks).set(key, qty);
            if (qty > 0) ref[side].set(key, qty);
            else ref[side].delete(key);
          }
          for (const side of ['bid', 'ask'] as const) {
            const s = side === 'bid' ? book.bids : book.asks;
            const got = Array.from({ length: s.len }, (_, i) => [s.keyAt(i), s.qtys[i]]);
            const want = [...ref[side]].sort((x, y) => (side === 'bid' ? x[0] - y[0] : y[0] - x[0]));
            expect(got).toEqual(want);
          }
        },
      ),
      { seed: 42 },
    );
  });
});
