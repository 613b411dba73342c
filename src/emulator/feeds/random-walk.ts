/**
 * A seeded random-walk L2 book for markets with no data file: every `intervalMs` the mid moves by a
 * log-normal step (`volatilityBps` per step) and a fresh snapshot of `levels` levels a side is applied,
 * snapped to the market's ticks (Upbit's KRW table included) and lots. The sequence of books is a pure
 * function of the seed; only its timing follows the wall clock. Resting orders fill when the book
 * walks through them, like any data book.
 */
import { seededRandom } from '../../core/random.ts';
import { roundPrice, snapToStep, tickAt } from '../../domain/precision.ts';
import type { BookLevelEvent, MarketDef, MarketSymbol } from '../../domain/types.ts';
import type { VenueCore } from '../venue-core.ts';
import type { Feed } from './replay-feed.ts';

export interface WalkSpec {
  readonly symbol: MarketSymbol;
  readonly startPrice: number;
}

export interface WalkOptions {
  readonly seed: number;
  readonly intervalMs?: number;
  readonly levels?: number;
  readonly volatilityBps?: number;
  /** Spread between best bid and ask, in basis points of the mid (at least one tick). */
  readonly spreadBps?: number;
  /** Quote value of a level on average; default 100× the market's minimum notional (or 1000 quote). */
  readonly levelNotional?: number;
}


/** One walker per market: next() moves the mid and returns the snapshot rows of the new book. */
export function walker(def: MarketDef, startPrice: number, seed: number, o: Omit<WalkOptions, 'seed'> = {}): () => BookLevelEvent[] {
  const rand = seededRandom(seed);
  const levels = o.levels ?? 10;
  const vol = (o.volatilityBps ?? 5) / 1e4;
  const spread = (o.spreadBps ?? 2) / 1e4;
  const notional = o.levelNotional ?? 100 * (def.limits.cost?.min ?? 10);
  let mid = startPrice;
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const qty = (price: number) => {
    const q = snapToStep((notional / price) * (0.5 + rand()), def.precision.amount, 'down');
    return Math.max(q, def.precision.amount, def.limits.amount?.min ?? 0);
  };
  // Levels 1 bp apart, and at least one tick (coarse KRW ticks can exceed a basis point).
  const below = (p: number) => {
    const q = roundPrice(def, p * (1 - 1e-4), 'down');
    return q < p ? q : roundPrice(def, p - tickAt(def, p * (1 - 1e-9)), 'down');
  };
  const above = (p: number) => {
    const q = roundPrice(def, p * (1 + 1e-4), 'up');
    return q > p ? q : roundPrice(def, p + tickAt(def, p), 'up');
  };
  return () => {
    mid *= Math.exp(vol * gauss());
    const bids: number[] = [roundPrice(def, mid * (1 - spread / 2), 'down')];
    const ask0 = roundPrice(def, mid * (1 + spread / 2), 'up');
    const asks: number[] = [ask0 > bids[0]! ? ask0 : above(bids[0]!)];
    for (let i = 1; i < levels; i++) {
      bids.push(below(bids[i - 1]!));
      asks.push(above(asks[i - 1]!));
    }
    const rows: BookLevelEvent[] = [];
    const row = (side: 'bid' | 'ask', price: number): BookLevelEvent => ({
      kind: 'level', ts: 0, venue: def.venue, symbol: def.symbol, side, price, quantity: qty(price), snapshot: true, reset: rows.length === 0,
    });
    for (const p of bids) if (p > 0) rows.push(row('bid', p));
    for (const p of asks) rows.push(row('ask', p));
    return rows;
  };
}

/** Starts walking `specs`; the first book is applied at once so the venue never starts empty. */
export function startWalk(core: VenueCore, specs: readonly WalkSpec[], o: WalkOptions): Feed {
  const steps = specs.map((s, i) => {
    const def = core.markets.get(s.symbol);
    if (def === undefined) throw new RangeError(`random walk: ${core.venue} has no market ${s.symbol}`);
    return walker(def, s.startPrice, (o.seed + Math.imul(i + 1, 0x9e3779b1)) >>> 0, o);
  });
  const tick = () => {
    for (const next of steps) core.applyMarket(next());
  };
  tick();
  const timer = setInterval(tick, o.intervalMs ?? 250);
  timer.unref();
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return {
    done,
    stop() {
      clearInterval(timer);
      resolve();
    },
  };
}
