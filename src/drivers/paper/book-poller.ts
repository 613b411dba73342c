/**
 * Live public order books through ccxt: `watchOrderBook` where the exchange offers it (ccxt.pro),
 * else `fetchOrderBook` polled at an interval. Each book arrives as L2 snapshot rows, the shape the
 * matching engine replays, stamped with the clock's time. A failed poll is reported, never fatal: the
 * next poll tries again, and staleness is judged downstream from the timestamps.
 */
import type { Clock } from '../../core/clock.ts';
import type { BookLevelEvent, MarketSymbol, VenueId } from '../../domain/types.ts';

/** The part of a ccxt exchange this module uses. */
export interface OrderBookSource {
  fetchOrderBook(symbol: string, limit?: number): Promise<{ bids: unknown[][]; asks: unknown[][]; timestamp?: number | undefined; nonce?: unknown }>;
}

export interface BookPollerOptions {
  readonly venue: VenueId;
  readonly symbols: readonly MarketSymbol[];
  readonly source: OrderBookSource;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly depth?: number;
  /**
   * Each book fetched, stamped with the fetch time, and `changedAt`: when its content last changed.
   * A venue that keeps serving the same book (a stalled feed) is not fresh data, however often it is
   * fetched: freshness is judged from `changedAt`, not from the fetch (RELIABILITY rule 8).
   */
  readonly onBook: (symbol: MarketSymbol, rows: BookLevelEvent[], changedAt: number) => void;
  readonly onError?: (symbol: MarketSymbol, err: unknown) => void;
}

/** Converts one ccxt order book into snapshot rows (first row resets the book). */
export function snapshotRows(venue: VenueId, symbol: MarketSymbol, ts: number, book: { bids: unknown[][]; asks: unknown[][] }): BookLevelEvent[] {
  const rows: BookLevelEvent[] = [];
  const add = (side: 'bid' | 'ask', levels: unknown[][]) => {
    for (const lvl of levels) {
      const price = Number(lvl[0]);
      const quantity = Number(lvl[1]);
      if (!(price > 0) || !(quantity >= 0)) continue;
      rows.push({ kind: 'level', ts, venue, symbol, side, price, quantity, snapshot: true, reset: rows.length === 0 });
    }
  };
  add('bid', book.bids);
  add('ask', book.asks);
  return rows;
}

export class BookPoller {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private inFlight = false;
  /** Per symbol: the last book's content and when it first looked that way. */
  private readonly seen = new Map<MarketSymbol, { key: string; at: number }>();

  constructor(private readonly opts: BookPollerOptions) {}

  /** Polls every `intervalMs` from now on (call `pollOnce` first for an immediate book). */
  start(): void {
    this.stopped = false;
    this.timer = setTimeout(() => void this.tick(), this.opts.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Polls every symbol once, now. Resolves when all answered or failed. */
  async pollOnce(): Promise<void> {
    const { venue, source, clock, depth } = this.opts;
    await Promise.all(
      this.opts.symbols.map(async (symbol) => {
        try {
          const book = await source.fetchOrderBook(symbol, depth);
          if (this.stopped) return;
          const now = clock.now();
          this.opts.onBook(symbol, snapshotRows(venue, symbol, now, book), this.changedAt(symbol, book, now));
        } catch (err) {
          this.opts.onError?.(symbol, err);
        }
      }),
    );
  }

  /** When this book's content (top levels, and the venue's sequence number if any) last changed. */
  private changedAt(symbol: MarketSymbol, book: { bids: unknown[][]; asks: unknown[][]; nonce?: unknown }, now: number): number {
    const key = `${String(book.nonce ?? '')}|${JSON.stringify(book.bids.slice(0, 5))}|${JSON.stringify(book.asks.slice(0, 5))}`;
    const prev = this.seen.get(symbol);
    if (prev && prev.key === key) return prev.at;
    this.seen.set(symbol, { key, at: now });
    return now;
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.inFlight) return;
    this.inFlight = true;
    try {
      await this.pollOnce();
    } finally {
      this.inFlight = false;
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.opts.intervalMs);
  }
}
