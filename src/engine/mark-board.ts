/**
 * The latest reference price of every market, from the drivers' book streams: last trade when the
 * venue reports one, else the mid of the best bid and ask. Paper and live runs value positions with it.
 */
import { merge, type Subscription } from 'rxjs';
import type { ExchangeDriver } from '../drivers/exchange-driver.ts';
import type { BookTop, MarketSymbol, VenueId } from '../domain/types.ts';

export class MarkBoard {
  private readonly marks = new Map<string, { price: number; ts: number }>();
  private readonly sub: Subscription;

  constructor(drivers: Iterable<ExchangeDriver>) {
    this.sub = merge(...[...drivers].map((d) => d.book$)).subscribe((t) => this.update(t));
  }

  update(t: BookTop): void {
    const price = t.last ?? (t.bid !== undefined && t.ask !== undefined ? (t.bid + t.ask) / 2 : (t.bid ?? t.ask));
    if (price !== undefined && price > 0) this.marks.set(`${t.venue}\u0000${t.symbol}`, { price, ts: t.ts });
  }

  readonly mark = (venue: VenueId, symbol: MarketSymbol): number | undefined => this.marks.get(`${venue}\u0000${symbol}`)?.price;

  /** When the mark of a market last changed (for staleness checks). */
  updatedAt(venue: VenueId, symbol: MarketSymbol): number | undefined {
    return this.marks.get(`${venue}\u0000${symbol}`)?.ts;
  }

  close(): void {
    this.sub.unsubscribe();
  }
}
