/**
 * `stream-silence`: the market-data side of the venue stops updating for a while. Books, tickers and
 * their timestamps are served from a snapshot taken when the silence began, while the matching engine
 * goes on trading against the live book — the case where a client's market data is stale without any
 * error, which it must detect by age (RELIABILITY rules 7 and 8). Private endpoints stay live.
 */
import type { MarketSymbol } from '../../domain/types.ts';
import type { TickerStats } from '../market-stats.ts';
import type { Depth } from '../sim-view.ts';

/** What the market-data routes read: the live venue, or a frozen copy of it. */
export interface MarketView {
  depth(symbol: MarketSymbol, limit: number): Depth;
  stats(symbol: MarketSymbol): TickerStats | undefined;
  /** Book version (Binance `lastUpdateId`). */
  readonly updateId: number;
  /** The time market data is stamped with: now, or the moment the stream went quiet. */
  now(): number;
}

/** Levels per side kept in a snapshot: Binance's `depth` maximum. */
const SNAPSHOT_LEVELS = 5000;

class FrozenView implements MarketView {
  private readonly books = new Map<MarketSymbol, Depth>();
  private readonly tickers = new Map<MarketSymbol, TickerStats>();
  readonly updateId: number;

  constructor(live: MarketView, symbols: Iterable<MarketSymbol>, private readonly at: number) {
    this.updateId = live.updateId;
    for (const s of symbols) {
      this.books.set(s, live.depth(s, SNAPSHOT_LEVELS));
      const t = live.stats(s);
      if (t !== undefined) this.tickers.set(s, { ...t });
    }
  }

  depth(symbol: MarketSymbol, limit: number): Depth {
    const d = this.books.get(symbol) ?? { bids: [], asks: [] };
    return { bids: d.bids.slice(0, limit), asks: d.asks.slice(0, limit) };
  }
  stats(symbol: MarketSymbol): TickerStats | undefined {
    return this.tickers.get(symbol);
  }
  now(): number {
    return this.at;
  }
}

export class MarketFreeze {
  private frozen: FrozenView | undefined;
  private until = 0;

  /** Freezes market data as `live` shows it now, for `ms`; during a silence, extends it. */
  start(live: MarketView, symbols: Iterable<MarketSymbol>, now: number, ms: number): void {
    if (this.frozen === undefined || now >= this.until) this.frozen = new FrozenView(live, symbols, now);
    this.until = Math.max(this.until, now + ms);
  }

  /** The frozen view while the silence lasts, else undefined. */
  view(now: number): MarketView | undefined {
    if (this.frozen !== undefined && now >= this.until) this.frozen = undefined;
    return this.frozen;
  }

  /** Wall time the current silence ends (0 when none). */
  get endsAt(): number {
    return this.frozen === undefined ? 0 : this.until;
  }
}
