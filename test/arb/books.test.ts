import { describe, expect, it } from 'vitest';
import { BookSet, DepthBook, DepthSide } from '../../src/arb/books.ts';

const levels = (s: DepthSide) => Array.from({ length: s.depth }, (_, i) => [s.price(i), s.size(i)]);

describe('DepthSide', () => {
  it('when levels arrive in any order then bids read best (highest) first and asks best (lowest) first', () => {
    const bids = new DepthSide(1);
    const asks = new DepthSide(-1);
    for (const p of [100, 102, 101, 99]) bids.set(p, p / 100);
    for (const p of [103, 105, 104, 106]) asks.set(p, p / 100);
    expect(levels(bids)).toEqual([[102, 1.02], [101, 1.01], [100, 1], [99, 0.99]]);
    expect(levels(asks)).toEqual([[103, 1.03], [104, 1.04], [105, 1.05], [106, 1.06]]);
    expect(bids.best()).toBe(102);
    expect(asks.best()).toBe(103);
  });

  it('when a level is set again then its size is replaced, and a zero size deletes it', () => {
    const s = new DepthSide(1);
    s.set(100, 1);
    s.set(101, 2);
    s.set(100, 3);
    expect(levels(s)).toEqual([[101, 2], [100, 3]]);
    s.set(101, 0);
    expect(levels(s)).toEqual([[100, 3]]);
    s.set(50, 0); // deleting an absent level is a no-op
    expect(levels(s)).toEqual([[100, 3]]);
  });

  it('when a full side gets a worse level then it is not kept, and a better one pushes the worst out', () => {
    const s = new DepthSide(-1, 3);
    for (const p of [10, 11, 12]) s.set(p, 1);
    s.set(13, 1);
    expect(levels(s).map((l) => l[0])).toEqual([10, 11, 12]);
    s.set(10.5, 2);
    expect(levels(s)).toEqual([[10, 1], [10.5, 2], [11, 1]]);
    s.set(9, 4);
    expect(levels(s)).toEqual([[9, 4], [10, 1], [10.5, 2]]);
  });

  it('when the index is past the visible depth then price is NaN and size 0', () => {
    const s = new DepthSide(1);
    expect(s.best()).toBeNaN();
    expect(s.price(0)).toBeNaN();
    expect(s.size(3)).toBe(0);
  });
});

describe('DepthBook and BookSet', () => {
  it('when a snapshot row with reset arrives then both sides are cleared first and the update time kept', () => {
    const b = new DepthBook('binance', 'BTC/USDT', 0);
    b.apply(1, false, 100, 1, true);
    b.apply(1, true, 101, 1, false);
    b.apply(2, true, 102, 1, false);
    expect(b.mid()).toBe(100.5);
    b.apply(3, false, 90, 5, true);
    expect(b.bids.depth).toBe(1);
    expect(b.asks.depth).toBe(0);
    expect(b.ts).toBe(3);
    expect(b.mid()).toBeNaN();
  });

  it('when books are asked for then each venue/symbol gets one dense id', () => {
    const set = new BookSet();
    const a = set.book('binance', 'BTC/USDT');
    const b = set.book('upbit', 'BTC/KRW');
    expect(set.book('binance', 'BTC/USDT')).toBe(a);
    expect([a.id, b.id]).toEqual([0, 1]);
    expect(set.find('upbit', 'USDT/KRW')).toBeUndefined();
  });
});
