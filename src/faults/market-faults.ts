/**
 * Faults of market data: what the engine sees of the market goes quiet (`stream-silence`: no update
 * reaches it), lags (`stale-book`: updates arrive `latency_ms` late), or jumps (`price-gap`: the
 * venue's prices move by `gap_pct` at once — candles and trades; an L2 book cannot be shifted mid-stream
 * without inventing levels, so a gap on book data is refused when the plan is built).
 * Silence and lag act on the engine's view (mark and its age: the stale-book check sees them); a gap
 * acts on the venue's own data, so fills happen at the gapped prices.
 */
import type { Scheduler } from '../core/clock.ts';
import type { MarketEvent, MarketSymbol, TimeMs, VenueId } from '../domain/types.ts';
import type { FaultLog, FaultRecord } from './fault-log.ts';
import type { ActiveWindow, FaultSchedule } from './fault-schedule.ts';

export interface MarketView {
  readonly mark: (venue: VenueId, symbol: MarketSymbol) => number | undefined;
  readonly lastMarketTs: (venue: VenueId, symbol: MarketSymbol) => TimeMs | undefined;
}

/** The venue's data inputs, as the backtest feeds them. */
export interface MarketFeed {
  onLevel(symbol: MarketSymbol, ts: TimeMs, ask: boolean, price: number, quantity: number, snapshot: boolean, reset: boolean): void;
  onTrade(symbol: MarketSymbol, ts: TimeMs, price: number, quantity: number): void;
  onCandle(symbol: MarketSymbol, ts: TimeMs, open: number, high: number, low: number, close: number, volume: number): void;
}

/**
 * The engine's view of the market under silence and lag windows. Every window with a start time is
 * logged when the run reaches it (through `scheduler`), so a window that no order meets is reported too.
 */
export function faultyMarketView(view: MarketView, schedule: FaultSchedule, log: FaultLog, scheduler: Scheduler): MarketView {
  const frozen = new Map<string, number | undefined>();
  const records = new Map<ActiveWindow, FaultRecord>();
  for (const w of schedule.openedWindows()) {
    if (w.entry.kind !== 'stream-silence' && w.entry.kind !== 'stale-book' && w.entry.kind !== 'price-gap') continue;
    scheduler.after(w.start - scheduler.now(), () => {
      const e = w.entry;
      const how =
        e.kind === 'stream-silence'
          ? { detected: 'no market data: the book stopped updating (its age exceeds max_book_age_ms)', action: 'new orders refused as stale until data resumed; cancels allowed' }
          : e.kind === 'stale-book'
            ? { detected: `market data ${e.latencyMs} ms late (book age check)`, action: 'new orders refused while the book was older than max_book_age_ms' }
            : { detected: `prices jumped ${e.gapPct}% at once`, action: 'positions revalued at the new prices; drawdown and loss limits apply' };
      records.set(w, log.strike(e, { ts: w.start, ...(e.venue ? { venue: e.venue } : {}), ...(e.symbol ? { symbol: e.symbol } : {}) }, { ...how, windowEnd: w.end }));
    });
  }
  const silent = (venue: VenueId, symbol: MarketSymbol, now: number) =>
    schedule.activeWindows('stream-silence', venue, symbol, now)[0] ?? schedule.activeWindows('stale-book', venue, symbol, now)[0];
  return {
    mark: (venue, symbol) => {
      const key = `${venue}\u0000${symbol}`;
      const w = silent(venue, symbol, scheduler.now());
      if (w === undefined) {
        frozen.delete(key);
        return view.mark(venue, symbol);
      }
      // The last price seen before the window stays the one the engine knows.
      if (!frozen.has(key)) frozen.set(key, view.mark(venue, symbol));
      return frozen.get(key);
    },
    lastMarketTs: (venue, symbol) => {
      const actual = view.lastMarketTs(venue, symbol);
      if (actual === undefined) return undefined;
      const now = scheduler.now();
      const silence = schedule.activeWindows('stream-silence', venue, symbol, now)[0];
      if (silence) return Math.min(actual, silence.start);
      const lag = schedule.activeWindows('stale-book', venue, symbol, now)[0];
      // The newest data that has reached us is `latency_ms` old.
      return lag ? Math.min(actual, now - lag.entry.latencyMs) : actual;
    },
  };
}

/** How far the gap windows open at `ts` move `venue`/`symbol`'s prices (1: not at all). */
export function gapFactor(schedule: FaultSchedule, venue: VenueId, symbol: MarketSymbol, ts: TimeMs): number {
  let k = 1;
  for (const w of schedule.activeWindows('price-gap', venue, symbol, ts)) k *= 1 + w.entry.gapPct / 100;
  return k;
}

/** A market event with its prices moved by the gap windows (book rows are refused at plan time). */
export function gappedEvent(ev: MarketEvent, schedule: FaultSchedule, venue: VenueId): MarketEvent {
  const k = gapFactor(schedule, venue, ev.symbol, ev.ts);
  if (k === 1) return ev;
  if (ev.kind === 'candle') return { ...ev, open: ev.open * k, high: ev.high * k, low: ev.low * k, close: ev.close * k };
  if (ev.kind === 'trade') return { ...ev, price: ev.price * k };
  return ev;
}

/** The venue's feed with its prices moved by the gap windows of `venue`/`symbol`. */
export function gappedFeed(feed: MarketFeed, schedule: FaultSchedule, venue: VenueId): MarketFeed {
  const factor = (symbol: MarketSymbol, ts: TimeMs): number => gapFactor(schedule, venue, symbol, ts);
  return {
    onLevel: (symbol, ts, ask, price, quantity, snapshot, reset) => feed.onLevel(symbol, ts, ask, price * factor(symbol, ts), quantity, snapshot, reset),
    onTrade: (symbol, ts, price, quantity) => feed.onTrade(symbol, ts, price * factor(symbol, ts), quantity),
    onCandle: (symbol, ts, open, high, low, close, volume) => {
      const k = factor(symbol, ts);
      feed.onCandle(symbol, ts, open * k, high * k, low * k, close * k, volume);
    },
  };
}
