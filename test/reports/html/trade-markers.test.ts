import { describe, expect, it } from 'vitest';
import { TradeMarkerReducer } from '../../../src/reports/html/trade-markers.ts';
import { T0 } from '../fixtures.ts';

describe('TradeMarkerReducer', () => {
  it('when_under_the_cap_then_every_fill_is_a_marker', () => {
    const r = new TradeMarkerReducer(100);
    r.push(T0, 'buy', 100, 1);
    r.push(T0 + 1, 'sell', 101, 2);
    r.push(T0 + 2, 'buy', 99, 0.5);
    expect(r.markers()).toEqual([
      { t: T0, price: 100, side: 'buy', n: 1, qty: 1 },
      { t: T0 + 1, price: 101, side: 'sell', n: 1, qty: 2 },
      { t: T0 + 2, price: 99, side: 'buy', n: 1, qty: 0.5 },
    ]);
  });

  it('when_over_the_cap_then_fills_are_grouped_and_none_is_lost', () => {
    const r = new TradeMarkerReducer(40);
    const n = 10_000;
    for (let i = 0; i < n; i++) r.push(T0 + i, i % 3 === 0 ? 'sell' : 'buy', 100 + (i % 7), 1);
    const m = r.markers();
    expect(m.length).toBeLessThanOrEqual(40);
    expect(m.reduce((s, x) => s + x.n, 0), 'every fill counted once').toBe(n);
    expect(m.reduce((s, x) => s + x.qty, 0)).toBe(n);
    expect(m.filter((x) => x.side === 'sell').reduce((s, x) => s + x.n, 0)).toBe(Math.ceil(n / 3));
    for (let i = 1; i < m.length; i++) expect(m[i]!.t >= m[i - 1]!.t, 'in time order').toBe(true);
    expect(r.total).toBe(n);
  });

  it('when_grouped_then_a_marker_sits_at_its_first_fill', () => {
    const r = new TradeMarkerReducer(4);
    for (let i = 0; i < 8; i++) r.push(T0 + i, 'buy', 100 + i, 1);
    expect(r.markers()).toEqual([
      { t: T0, price: 100, side: 'buy', n: 4, qty: 4 },
      { t: T0 + 4, price: 104, side: 'buy', n: 4, qty: 4 },
    ]);
  });
});
