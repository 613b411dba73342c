/**
 * Applies one market event to one market: the data changes, then whatever our resting orders get
 * from that change. With no orders resting, a level update is just the book update.
 */
import type { TimeMs } from '../domain/types.ts';
import { synthesizeCandleBook, type CandleBookModel } from './candle-book.ts';
import type { MarketState } from './market-state.ts';
import { barFill, candleThrough, crossResting, tradeThrough } from './matching.ts';
import type { FillSink } from './settlement.ts';

export interface FillModel {
  /** Bar model: market orders fill at the next candle's open; only candles fill limit orders. */
  readonly bar: boolean;
  readonly slippageBps: number;
  readonly candleBook: CandleBookModel;
}

/*
 * Each kind takes its fields as arguments, so a caller holding columns (see sources/columns.ts)
 * applies them without building an event object per row.
 */

/** One L2 level change (`ask` false: a bid level); `reset` clears the book first (a snapshot's first row). */
export function applyLevel(
  m: MarketState,
  ts: TimeMs,
  ask: boolean,
  price: number,
  quantity: number,
  reset: boolean,
  model: FillModel,
  sink: FillSink,
): void {
  m.lastTs = ts;
  if (reset) m.book.clear();
  const side = ask ? m.book.asks : m.book.bids;
  side.set(m.grid.key(price), quantity);
  // Only new or grown liquidity can cross a resting order of the other side.
  if (!model.bar && quantity > 0 && (ask ? m.buys : m.sells).length > 0) {
    crossResting(m, side, ts, sink);
  }
}

/** One public trade print. */
export function applyTrade(m: MarketState, ts: TimeMs, price: number, quantity: number, model: FillModel, sink: FillSink): void {
  m.lastTs = ts;
  m.lastPrice = price;
  if (!model.bar && (m.buys.length > 0 || m.sells.length > 0)) {
    tradeThrough(m, m.grid.key(price), quantity, ts, sink);
  }
}

/**
 * A candle (stamped with its open time) replaces the book with one synthesized around its open, fills
 * bar-model market orders at the open, then resting limits that its range traded through; only then
 * does the close become the mark.
 */
export function applyCandle(
  m: MarketState,
  ts: TimeMs,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
  model: FillModel,
  sink: FillSink,
): void {
  m.lastTs = ts;
  synthesizeCandleBook(m.book, m.grid, open, m.prevVolume ?? volume, model.candleBook);
  const g = m.grid;
  const c = m.lastCandle ?? (m.lastCandle = { ts: 0, open: 0, openKey: 0, highKey: 0, lowKey: 0 });
  c.ts = ts;
  c.open = open;
  c.openKey = g.key(open);
  c.highKey = g.key(high);
  c.lowKey = g.key(low);
  if (model.bar && m.barPending.length > 0) {
    const pending = m.barPending;
    m.barPending = [];
    for (const o of pending) barFill(m, o, open, model.slippageBps, ts, sink);
  }
  if (m.buys.length > 0 || m.sells.length > 0) candleThrough(m, c.openKey, c.highKey, c.lowKey, ts, sink);
  m.lastPrice = close;
  m.prevVolume = volume;
}
