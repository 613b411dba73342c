/**
 * The live driver's `book$`: best bid/ask of the watched symbols, polled from the venue's order book
 * at an interval (the paper driver's poller, reduced to the top of the book). Polling is the baseline
 * everywhere; a failed poll is reported and the next one tries again.
 */
import type { Clock } from '../../core/clock.ts';
import type { BookLevelEvent, BookSnapshot, BookTop, MarketSymbol, VenueId } from '../../domain/types.ts';
import { BookPoller, type OrderBookSource } from '../paper/book-poller.ts';

export interface BookTopsOptions {
  readonly venue: VenueId;
  readonly source: OrderBookSource;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly depth?: number;
  readonly onTop: (top: BookTop) => void;
  /** Each polled book whole (all its levels), before its top. */
  readonly onBook?: (book: BookSnapshot) => void;
  readonly onError?: (symbol: MarketSymbol, err: unknown) => void;
}

/** The top of one polled book (ccxt sorts bids descending, asks ascending). */
export function topOf(venue: VenueId, symbol: MarketSymbol, rows: readonly BookLevelEvent[], ts: number): BookTop {
  const bid = rows.find((r) => r.side === 'bid');
  const ask = rows.find((r) => r.side === 'ask');
  return {
    ts,
    venue,
    symbol,
    ...(bid ? { bid: bid.price, bidSize: bid.quantity } : {}),
    ...(ask ? { ask: ask.price, askSize: ask.quantity } : {}),
  };
}

export class BookTops {
  private readonly symbols = new Set<MarketSymbol>();
  private poller: BookPoller | undefined;

  constructor(private readonly opts: BookTopsOptions) {}

  /** Adds symbols to the watched set (and starts polling them at once). */
  watch(symbols: Iterable<MarketSymbol>): void {
    const before = this.symbols.size;
    for (const s of symbols) this.symbols.add(s);
    if (this.symbols.size === before && this.poller) return;
    this.poller?.stop();
    const { venue, source, clock, intervalMs, depth, onTop, onBook, onError } = this.opts;
    this.poller = new BookPoller({
      venue,
      symbols: [...this.symbols],
      source,
      clock,
      intervalMs,
      depth: depth ?? 20,
      // A top is stamped with when its book last changed: a stalled feed ages, however often it is fetched.
      onBook: (symbol, rows, changedAt) => {
        onBook?.({ venue, symbol, ts: changedAt, rows });
        onTop(topOf(venue, symbol, rows, changedAt));
      },
      ...(onError ? { onError } : {}),
    });
    const poller = this.poller;
    // A first book now, then one every interval.
    void poller.pollOnce().then(() => {
      if (this.poller === poller) poller.start();
    });
  }

  stop(): void {
    this.poller?.stop();
    this.poller = undefined;
  }
}
