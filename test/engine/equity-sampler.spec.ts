import { describe, expect, it } from 'vitest';
import { parseAtto } from '../../src/domain/money.ts';
import { Portfolio } from '../../src/domain/portfolio.ts';
import type { MarketDef } from '../../src/domain/types.ts';
import { Valuation } from '../../src/domain/valuation.ts';
import { EquitySampler } from '../../src/engine/equity-sampler.ts';

const BTC_USDT: MarketDef = {
  venue: 'binance',
  symbol: 'BTC/USDT',
  base: 'BTC',
  quote: 'USDT',
  precision: { price: 0.01, amount: 0.00001 },
  limits: {},
};

function sampler(interval = 1000) {
  let price = 100;
  const portfolio = new Portfolio(
    new Map([['binance', new Map([['BTC', parseAtto('2'), ], ['USDT', parseAtto('50')]])]]),
    () => BTC_USDT,
  );
  const s = new EquitySampler(portfolio, new Valuation([BTC_USDT], 'USDT'), () => price, interval);
  return { s, setPrice: (p: number) => (price = p) };
}

describe('EquitySampler', () => {
  it('when points span several storage chunks then count, tsAt/equityAt and the arrays agree', () => {
    const { s, setPrice } = sampler();
    const n = 150_000;
    for (let i = 0; i < n; i++) {
      setPrice(100 + (i % 97));
      s.maybeSample(i * 1000);
      s.maybeSample(i * 1000 + 500); // same bucket: no point
    }
    expect(s.count).toBe(n);
    const { ts, equity } = s;
    expect(ts).toHaveLength(n);
    expect(equity).toHaveLength(n);
    for (const i of [0, 1, 65_535, 65_536, 65_537, 131_072, n - 1]) {
      expect(ts[i]).toBe(i * 1000);
      expect(s.tsAt(i)).toBe(i * 1000);
      expect(equity[i]).toBe(2 * (100 + (i % 97)) + 50);
      expect(s.equityAt(i)).toBe(equity[i]);
    }
    expect(s.lastEquity).toBe(equity[n - 1]);
    expect(s.initialEquity).toBe(250);
  });

  it('when the final point falls on the last sample time then it replaces it, and the arrays follow', () => {
    const { s, setPrice } = sampler();
    s.maybeSample(0);
    s.maybeSample(1000);
    const before = s.equity;
    expect(before).toEqual([250, 250]);
    setPrice(110);
    s.finish(1000);
    expect(s.ts).toEqual([0, 1000]);
    expect(s.equity).toEqual([250, 270]);
    expect(s.count).toBe(2);
    expect(s.exposure).toBe(0);
    s.finish(1500);
    expect(s.ts).toEqual([0, 1000, 1500]);
  });
});
