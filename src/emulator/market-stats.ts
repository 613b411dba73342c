/**
 * Rolling-from-start ticker statistics per market (open, high, low, last, volume), fed by the prices and
 * trades the emulator's book sees and by our own fills. Venues report a 24-hour window; an emulator run
 * rarely lasts that long, so the window is "since the emulator started" (documented deviation).
 */
import type { MarketSymbol, TimeMs } from '../domain/types.ts';

export interface TickerStats {
  openTime: TimeMs;
  open: number;
  high: number;
  low: number;
  last: number;
  lastQty: number;
  volume: number;
  quoteVolume: number;
  count: number;
  ts: TimeMs;
}

export class MarketStats {
  private readonly bySymbol = new Map<MarketSymbol, TickerStats>();

  /** A new reference price (mark) of `symbol` at `ts`. */
  onPrice(symbol: MarketSymbol, price: number | undefined, ts: TimeMs): void {
    if (price === undefined || !(price > 0)) return;
    const s = this.bySymbol.get(symbol);
    if (s === undefined) {
      this.bySymbol.set(symbol, { openTime: ts, open: price, high: price, low: price, last: price, lastQty: 0, volume: 0, quoteVolume: 0, count: 0, ts });
      return;
    }
    if (price > s.high) s.high = price;
    if (price < s.low) s.low = price;
    s.last = price;
    s.ts = ts;
  }

  /** A trade (a public print or one of our fills). */
  onTrade(symbol: MarketSymbol, price: number, quantity: number, ts: TimeMs): void {
    this.onPrice(symbol, price, ts);
    const s = this.bySymbol.get(symbol);
    if (s === undefined) return;
    s.lastQty = quantity;
    s.volume += quantity;
    s.quoteVolume += price * quantity;
    s.count += 1;
  }

  get(symbol: MarketSymbol): TickerStats | undefined {
    return this.bySymbol.get(symbol);
  }
}
