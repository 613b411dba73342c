/**
 * Applies one market event to one market: the data changes, then whatever our resting orders get
 * from that change. With no orders resting, a level update is just the book update.
 */
import type { BookLevelEvent, CandleEvent, MarketEvent } from '../domain/types.ts';
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

export function applyMarketEvent(m: MarketState, ev: MarketEvent, model: FillModel, sink: FillSink): void {
  m.lastTs = ev.ts;
  switch (ev.kind) {
    case 'level':
      applyLevel(m, ev, model, sink);
      return;
    case 'trade':
      m.lastPrice = ev.price;
      if (!model.bar && (m.buys.length > 0 || m.sells.length > 0)) {
        tradeThrough(m, m.grid.key(ev.price), ev.quantity, ev.ts, sink);
      }
      return;
    case 'candle':
      applyCandle(m, ev, model, sink);
      return;
  }
}

function applyLevel(m: MarketState, ev: BookLevelEvent, model: FillModel, sink: FillSink): void {
  if (ev.reset) m.book.clear();
  const side = ev.side === 'bid' ? m.book.bids : m.book.asks;
  side.set(m.grid.key(ev.price), ev.quantity);
  // Only new or grown liquidity can cross a resting order of the other side.
  if (!model.bar && ev.quantity > 0 && (ev.side === 'ask' ? m.buys : m.sells).length > 0) {
    crossResting(m, side, ev.ts, sink);
  }
}

/**
 * A candle (stamped with its open time) replaces the book with one synthesized around its open, fills
 * bar-model market orders at the open, then resting limits that its range traded through; only then
 * does the close become the mark.
 */
function applyCandle(m: MarketState, ev: CandleEvent, model: FillModel, sink: FillSink): void {
  synthesizeCandleBook(m.book, m.grid, ev.open, m.prevVolume ?? ev.volume, model.candleBook);
  const g = m.grid;
  const c = m.lastCandle ?? (m.lastCandle = { ts: 0, open: 0, openKey: 0, highKey: 0, lowKey: 0 });
  c.ts = ev.ts;
  c.open = ev.open;
  c.openKey = g.key(ev.open);
  c.highKey = g.key(ev.high);
  c.lowKey = g.key(ev.low);
  if (model.bar && m.barPending.length > 0) {
    const pending = m.barPending;
    m.barPending = [];
    for (const o of pending) barFill(m, o, ev.open, model.slippageBps, ev.ts, sink);
  }
  if (m.buys.length > 0 || m.sells.length > 0) candleThrough(m, c.openKey, c.highKey, c.lowKey, ev.ts, sink);
  m.lastPrice = ev.close;
  m.prevVolume = ev.volume;
}
