/**
 * Synthesizes an L2 book from a candle when the data has no book.
 *
 * The book is centred on the candle's OPEN, never its close: the candle is stamped with its open time,
 * so anything else would let an order see the future. Model (all parameters in CandleBookModel):
 *   - best bid/ask at open × (1 ∓ spreadBps/2 / 1e4), snapped outward to the tick (bid down, ask up),
 *     and at least one tick apart;
 *   - `levels` levels per side, `levelStepBps` apart, each snapped outward and at least one tick
 *     beyond the previous;
 *   - each level holds depthFraction × (previous candle's volume) / levels — the previous candle's,
 *     again so that the book does not know this candle's volume; the first candle uses its own.
 */
import type { OrderBook } from './order-book.ts';
import type { PriceGrid } from './price-grid.ts';

export interface CandleBookModel {
  /** Full bid-ask spread in basis points of the open. */
  readonly spreadBps: number;
  /** Levels per side. */
  readonly levels: number;
  /** Distance between consecutive levels in basis points of the open. */
  readonly levelStepBps: number;
  /** Share of the reference volume offered on each side, spread evenly over the levels. */
  readonly depthFraction: number;
}

/** Defaults: a 10 bps spread, 5 levels 10 bps apart, half of the last candle's volume per side. */
export const DEFAULT_CANDLE_BOOK: CandleBookModel = Object.freeze({
  spreadBps: 10,
  levels: 5,
  levelStepBps: 10,
  depthFraction: 0.5,
});

/** Reused between calls: a candle book is rebuilt on every candle and must not allocate. */
let scratch = new Float64Array(16);

/**
 * Replaces `book` with the synthetic book of a candle that opens at `open`, sized from `refVolume`.
 * A non-positive volume leaves the book empty: no volume, no liquidity.
 */
export function synthesizeCandleBook(
  book: OrderBook,
  grid: PriceGrid,
  open: number,
  refVolume: number,
  model: CandleBookModel,
): void {
  book.clear();
  const levels = Math.max(0, Math.floor(model.levels));
  const qty = (model.depthFraction * refVolume) / levels;
  if (!(qty > 0) || !(open > 0)) return;
  if (scratch.length < levels) scratch = new Float64Array(levels);
  const half = model.spreadBps / 2 / 1e4;
  const step = model.levelStepBps / 1e4;

  // Bids, best first, then pushed deepest first (the best level belongs at the end of the side).
  let n = 0;
  let prev = Infinity;
  for (let i = 0; i < levels; i++) {
    let k = grid.floorKey(open * (1 - half - i * step));
    if (i > 0 && k > grid.down(prev)) k = grid.down(prev);
    if (k <= 0) break;
    scratch[n++] = k;
    prev = k;
  }
  const bestBid = n > 0 ? scratch[0]! : 0;
  for (let i = n - 1; i >= 0; i--) book.bids.push(scratch[i]!, qty);

  n = 0;
  for (let i = 0; i < levels; i++) {
    let k = grid.ceilKey(open * (1 + half + i * step));
    if (i === 0 && bestBid > 0 && k <= bestBid) k = grid.up(bestBid);
    if (i > 0 && k < grid.up(prev)) k = grid.up(prev);
    scratch[n++] = k;
    prev = k;
  }
  for (let i = n - 1; i >= 0; i--) book.asks.push(scratch[i]!, qty);
}
