/** Shared helpers for the arbitrage tests: books from level lists, terms, markets from the shipped catalog. */
import { DepthSide } from '../../src/arb/books.ts';
import type { EdgeTerms } from '../../src/arb/edge.ts';
import { ONE, inverseOf, ratioOf, type Ratio } from '../../src/arb/ratio.ts';
import { loadMarketCatalog } from '../../src/config/market-catalog.ts';
import type { MarketDef } from '../../src/domain/types.ts';

export function asks(levels: ReadonlyArray<readonly [number, number]>): DepthSide {
  const s = new DepthSide(-1);
  for (const [p, q] of levels) s.set(p, q);
  return s;
}

export function bids(levels: ReadonlyArray<readonly [number, number]>): DepthSide {
  const s = new DepthSide(1);
  for (const [p, q] of levels) s.set(p, q);
  return s;
}

/** A conversion multiplier: 1, × rate, or ÷ rate, with its exact ratio. */
export type Factor = { readonly f: number; readonly r: Ratio };
export const same: Factor = { f: 1, r: ONE };
export const divideBy = (rate: number): Factor => ({ f: 1 / rate, r: inverseOf(rate) });
export const multiplyBy = (rate: number): Factor => ({ f: rate, r: ratioOf(rate) });

export function terms(buyFee: number, sellFee: number, buy: Factor = same, sell: Factor = same): EdgeTerms {
  return { buyFee, sellFee, buyFactor: buy.f, sellFactor: sell.f, buyRatio: () => buy.r, sellRatio: () => sell.r };
}

const catalog = loadMarketCatalog();
export function market(venue: string, symbol: string): MarketDef {
  const m = catalog.get(venue)?.get(symbol);
  if (!m) throw new Error(`no shipped market ${venue} ${symbol}`);
  return m;
}
