/**
 * Market orders sized in quote (Binance `quoteOrderQty`, Upbit `ord_type=price`) and the funds check of
 * market buys sized in base. The matching engine takes base quantities only, so the emulator turns a
 * quote budget into the whole lots it buys by walking the same book levels the engine will then walk
 * (nothing can move the book between the two: both happen in one synchronous request). Exact atto money,
 * the engine's notional and fee formulas.
 */
import type { Atto, Side } from '../domain/types.ts';
import type { MarketState } from '../sim/market-state.ts';
import { feeOf, notionalOf } from '../sim/settlement.ts';

/** Whole lots whose notional (fees excluded) fits in `budget`, walking the side a `side` order takes. */
export function lotsForQuote(m: MarketState, side: Side, budget: Atto): number {
  const book = side === 'buy' ? m.book.asks : m.book.bids;
  let lots = 0;
  let left = budget;
  for (let i = book.len - 1; i >= 0 && left > 0n; i--) {
    const levelLots = m.lots.floor(book.qtys[i]!);
    if (levelLots === 0) continue;
    const key = book.keyAt(i);
    const perLot = notionalOf(m, key, 1);
    if (perLot <= 0n) continue;
    let can = Math.min(levelLots, Number(left / perLot));
    // The per-lot estimate is exact for linear notionals; settle any rounding edge on the real formula.
    while (can > 0 && notionalOf(m, key, can) > left) can--;
    if (can === 0) break;
    lots += can;
    left -= notionalOf(m, key, can);
    if (can < levelLots) break;
  }
  return lots;
}

/** What a market buy of `lots` would cost (notional + taker fee per level) and how many lots the book holds. */
export function marketBuyCost(m: MarketState, lots: number): { lots: number; cost: Atto } {
  const asks = m.book.asks;
  let got = 0;
  let cost = 0n;
  for (let i = asks.len - 1; i >= 0 && got < lots; i--) {
    const take = Math.min(m.lots.floor(asks.qtys[i]!), lots - got);
    if (take === 0) continue;
    const notional = notionalOf(m, asks.keyAt(i), take);
    cost += notional + feeOf(notional, m.takerAtto);
    got += take;
  }
  return { lots: got, cost };
}
