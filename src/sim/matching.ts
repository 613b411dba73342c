/**
 * The fill rules, as plain functions over one market's state. No RxJS and no allocation in here: fills
 * go to a FillSink, which does the money and the events.
 *
 * Price comparisons use signed keys (see order-book.ts). An order "crosses" a level of the opposite side
 * when `orderSkey + levelSkey ≥ 0`, where a buy's skey is +limit and a sell's is −limit (a market order's
 * is +Infinity): e.g. buy 100 vs ask 99 → 100 + (−99) ≥ 0.
 */
import type { Liquidity, TimeMs } from '../domain/types.ts';
import type { MarketState } from './market-state.ts';
import type { BookSide } from './order-book.ts';
import type { FillSink } from './settlement.ts';
import type { RestingOrders } from './resting-orders.ts';
import type { SimOrder } from './sim-order.ts';

/** Why a sweep stopped. */
export type SweepStop = 'filled' | 'limit' | 'no-liquidity' | 'funds';

function orderSkey(o: SimOrder): number {
  if (o.type === 'market') return Infinity;
  return o.side === 'buy' ? o.limitKey : -o.limitKey;
}

/**
 * Walks the opposite side of the data book for `o`, best level first, while levels cross its price.
 * As taker (an arriving order) each fill is at the level's price; as maker (a resting order that the
 * data book moved through) each fill is at the order's own limit. What we take is subtracted from the
 * level, and stays subtracted until the data next sets that level. Levels holding less than one lot
 * are skipped: we only ever fill whole lots.
 */
export function sweep(m: MarketState, o: SimOrder, liquidity: Liquidity, ts: TimeMs, sink: FillSink): SweepStop {
  const side = o.side === 'buy' ? m.book.asks : m.book.bids;
  const os = orderSkey(o);
  let i = side.len - 1;
  while (o.filledLots < o.lots) {
    if (i < 0) return 'no-liquidity';
    if (os + side.skeys[i]! < 0) return 'limit';
    const levelLots = m.lots.floor(side.qtys[i]!);
    if (levelLots === 0) {
      i--;
      continue;
    }
    const want = Math.min(levelLots, o.lots - o.filledLots);
    const priceKey = liquidity === 'taker' ? side.keyAt(i) : o.limitKey;
    const can = sink.affordable(o, m, priceKey, want, liquidity);
    if (can > 0) {
      consume(m, side, i, can);
      sink.fill(o, m, priceKey, can, liquidity, ts);
    }
    if (can < want) return 'funds';
    i--;
  }
  return 'filled';
}

/** Takes `lots` from level `i`; a level left with less than one lot is gone for us, so it is removed. */
function consume(m: MarketState, side: BookSide, i: number, lots: number): void {
  const left = side.qtys[i]! - m.lots.qty(lots);
  if (m.lots.floor(left) === 0) side.removeAt(i);
  else side.qtys[i] = left;
}

/**
 * After the data changed one side of the book: fills our resting orders on the other side that the
 * book now crosses (best ask ≤ a resting buy, best bid ≥ a resting sell), as maker at their limits, up
 * to the quantity on the crossing levels. Costs two comparisons when nothing crosses.
 */
export function crossResting(m: MarketState, changed: BookSide, ts: TimeMs, sink: FillSink): void {
  const resting = changed === m.book.asks ? m.buys : m.sells;
  while (resting.length > 0 && changed.len > 0) {
    if (resting.bestSkey() + changed.skeys[changed.len - 1]! < 0) return;
    const o = resting.best()!;
    sweep(m, o, 'maker', ts, sink);
    if (o.filledLots < o.lots) return; // crossing liquidity used up
    resting.popBest();
  }
}

/**
 * A public trade at `tradeKey` fills resting buys priced strictly above it and resting sells strictly
 * below it, as maker at their limits, up to the trade's quantity per side. A trade exactly at our
 * limit fills nothing: we cannot know our place in the queue, so we assume the worst.
 */
export function tradeThrough(m: MarketState, tradeKey: number, tradeQty: number, ts: TimeMs, sink: FillSink): void {
  if (m.buys.length > 0) tradeThroughSide(m, m.buys, tradeKey, tradeQty, ts, sink);
  if (m.sells.length > 0) tradeThroughSide(m, m.sells, tradeKey, tradeQty, ts, sink);
}

function tradeThroughSide(
  m: MarketState,
  resting: RestingOrders,
  tradeKey: number,
  tradeQty: number,
  ts: TimeMs,
  sink: FillSink,
): void {
  let left = m.lots.floor(tradeQty);
  // buy: limit > trade ⇔ limit − trade > 0; sell: limit < trade ⇔ −limit + trade > 0.
  const tradeSkey = resting.sign * tradeKey;
  while (left > 0 && resting.length > 0 && resting.bestSkey() - tradeSkey > 0) {
    const o = resting.best()!;
    const lots = Math.min(left, o.lots - o.filledLots);
    sink.fill(o, m, o.limitKey, lots, 'maker', ts);
    left -= lots;
    if (o.filledLots === o.lots) resting.popBest();
  }
}

/**
 * A candle whose low is strictly below a resting buy (high strictly above a resting sell) fills it in
 * full, as maker, at the better of its limit and the open: a gap opens through the limit and the order
 * trades at the open.
 */
export function candleThrough(
  m: MarketState,
  openKey: number,
  highKey: number,
  lowKey: number,
  ts: TimeMs,
  sink: FillSink,
): void {
  const buys = m.buys;
  while (buys.length > 0 && buys.best()!.limitKey > lowKey) {
    const o = buys.best()!;
    sink.fill(o, m, Math.min(o.limitKey, openKey), o.lots - o.filledLots, 'maker', ts);
    buys.popBest();
  }
  const sells = m.sells;
  while (sells.length > 0 && sells.best()!.limitKey < highKey) {
    const o = sells.best()!;
    sink.fill(o, m, Math.max(o.limitKey, openKey), o.lots - o.filledLots, 'maker', ts);
    sells.popBest();
  }
}

/**
 * Bar model: fills a market order in full at a candle's open moved against it by `slippageBps`, rounded
 * to the tick against it too (buys up, sells down). A buy that cannot pay for all of it fills what it
 * can and the rest expires.
 */
export function barFill(m: MarketState, o: SimOrder, open: number, slippageBps: number, ts: TimeMs, sink: FillSink): void {
  const slip = slippageBps / 1e4;
  const key = o.side === 'buy' ? m.grid.ceilKey(open * (1 + slip)) : m.grid.floorKey(open * (1 - slip));
  const want = o.lots - o.filledLots;
  const can = sink.affordable(o, m, key, want, 'taker');
  if (can > 0) sink.fill(o, m, key, can, 'taker', ts);
  if (can < want) sink.end(o, m, 'expired', 'insufficient funds for remainder', ts);
}
