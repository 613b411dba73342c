/**
 * Wires the arbitrage operator into a run: the detector configuration from the plan (pair markets
 * with the fees the venues will charge, conversions from conversion markets or rate files), the
 * market data it watches (L2 rows as they are; candles as the same synthetic book the simulated venue
 * builds from them, so the detector prices what the matching engine will fill), and the report.
 */
import { readFileSync } from 'node:fs';
import { parseRateCsv } from '../arb/conversion.ts';
import type { ArbPair, ConversionSpec, DetectorConfig } from '../arb/detector.ts';
import type { ArbPlan } from '../config/arb-schema.ts';
import type { RunPlan } from '../config/run-plan.ts';
import { Subscription } from 'rxjs';
import type { Clock, EventScheduler } from '../core/clock.ts';
import type { ExchangeDriver } from '../drivers/exchange-driver.ts';
import { ConfigError } from '../core/errors.ts';
import type { BalanceSheet } from '../domain/run-result.ts';
import type { MarketDef, MarketEvent, MarketSymbol, TimeMs, VenueId } from '../domain/types.ts';
import { DEFAULT_CANDLE_BOOK, synthesizeCandleBook, type CandleBookModel } from '../sim/candle-book.ts';
import { OrderBook } from '../sim/order-book.ts';
import { LotGrid, PriceGrid } from '../sim/price-grid.ts';
import { LEVEL_ASK, LEVEL_RESET, type MarketColumns } from '../sources/columns.ts';
import type { EventColumns, TimedColumns } from '../sources/merge-columns.ts';
import type { Journal } from '../journal/journal.ts';
import { ArbExecutor } from './arb-executor.ts';
import { arbitrageReport, type ArbitrageReport } from './arb-report.ts';
import { marketKey } from './trading-core.ts';

/** The detector's configuration for a run's `arbitrage:` block. */
export function detectorConfigOf(plan: RunPlan, arb: ArbPlan, markets: ReadonlyMap<string, MarketDef>): DetectorConfig {
  const def = (venue: VenueId, symbol: MarketSymbol, field: string): MarketDef => {
    const m = markets.get(marketKey(venue, symbol));
    if (!m) throw new ConfigError(`arbitrage: field "${field}": no market definition for ${venue} ${symbol}`, { field });
    return m;
  };
  // The fee the detector assumes is the one the venue will charge: the scenario's venue fees, else the market's.
  const leg = (venue: VenueId, symbol: MarketSymbol, field: string): ArbPair['a'] => {
    const m = def(venue, symbol, field);
    const fee = plan.venues.get(venue)?.fees?.taker ?? m.taker;
    return fee !== undefined ? { market: m, takerFee: fee } : { market: m };
  };
  const pairs = arb.pairs.map((p, i) => ({ a: leg(p.a.venue, p.a.symbol, `arbitrage.pairs.${i}.a`), b: leg(p.b.venue, p.b.symbol, `arbitrage.pairs.${i}.b`) }));
  const conversions: ConversionSpec[] = arb.conversions.map((c) =>
    c.kind === 'book' ? { kind: 'book', venue: c.venue, symbol: c.symbol } : { kind: 'series', series: parseRateCsv(readFileSync(c.file, 'utf8'), c.file, c.base, c.quote) },
  );
  return {
    pairs,
    referenceQuote: arb.referenceQuote,
    conversions,
    thresholdBps: arb.thresholdBps,
    size: arb.size,
    maxBookAgeMs: arb.maxBookAgeMs,
    maxRateAgeMs: arb.maxRateAgeMs,
    rateMode: arb.rateMode,
    premiumIntervalMs: arb.premiumIntervalMs,
    maxLevels: arb.maxLevels,
    ...(arb.maxNotional !== undefined || arb.maxBase !== undefined
      ? { risk: { ...(arb.maxNotional !== undefined ? { maxNotional: arb.maxNotional } : {}), ...(arb.maxBase !== undefined ? { maxBase: arb.maxBase } : {}) } }
      : {}),
  };
}

/** A candle market's synthetic book, rebuilt per candle exactly as the simulated venue does. */
class CandleBooks {
  private readonly book = new OrderBook();
  private readonly grid: PriceGrid;
  private readonly lots: LotGrid;
  private prevVolume: number | undefined;

  constructor(
    market: MarketDef,
    private readonly model: CandleBookModel,
  ) {
    this.grid = new PriceGrid(market);
    this.lots = new LotGrid(market);
  }

  /** Writes the book of a candle opening at `open` into the detector's book `id` (one snapshot). */
  apply(ex: ArbExecutor, id: number, ts: TimeMs, open: number, volume: number): void {
    synthesizeCandleBook(this.book, this.grid, open, this.prevVolume ?? volume, this.model);
    this.prevVolume = volume;
    const { bids, asks } = this.book;
    const det = ex.detector;
    const lots = this.lots;
    let first = true;
    // Best first on each side; the first row resets (an empty book still resets it). Each level as
    // the engine fills it: whole lots only.
    for (let i = bids.len - 1; i >= 0; i--, first = false) det.onLevel(id, ts, false, this.grid.price(bids.keyAt(i)), lots.qty(lots.floor(bids.qtys[i]!)), first);
    for (let i = asks.len - 1; i >= 0; i--, first = false) det.onLevel(id, ts, true, this.grid.price(asks.keyAt(i)), lots.qty(lots.floor(asks.qtys[i]!)), first);
    if (first) det.onLevel(id, ts, false, this.grid.price(1), 0, true);
  }
}

/**
 * A backtest's arbitrage: the executor plus its feed from the run's market data. `visitor` gives the
 * extra visit for a market input (undefined for a market the detector does not watch); `beforeTime`
 * settles a moment once the run moves past it.
 */
export class BacktestArbitrage {
  readonly executor: ArbExecutor;
  private readonly candleModel: CandleBookModel;
  private lastTs = Number.NaN;

  constructor(
    plan: RunPlan,
    private readonly arb: ArbPlan,
    markets: ReadonlyMap<string, MarketDef>,
    clock: EventScheduler,
    venues: { readonly latencyMs: (venue: VenueId) => number; readonly advance: (t: TimeMs) => void },
  ) {
    this.candleModel = { ...DEFAULT_CANDLE_BOOK, ...plan.candleBook };
    // A timer's work meets each venue as it is at the timer's time (a fault run already does this).
    clock.beforeDue ??= venues.advance;
    const wake = (): void => {};
    this.executor = new ArbExecutor({
      plan: arb,
      detector: detectorConfigOf(plan, arb, markets),
      clock,
      // Same moment, after the event that caused it (EventScheduler: due at the next runDue).
      defer: (fn) => void clock.after(0, fn),
      // A simulated venue answers when the data passes the order's arrival; a timer at the arrival
      // makes it answer then, so a hedge or a second leg follows a fill at the fill's time, not at the
      // venue's next data (minutes later on candles).
      onSent: (venue) => void clock.after(venues.latencyMs(venue), wake),
    });
  }

  /** The extra visit that feeds `venue` `symbol`'s rows to the detector, or undefined when it is not watched. */
  visitor(venue: VenueId, symbol: MarketSymbol, market: MarketDef | undefined): ((batch: TimedColumns, i: number) => void) | undefined {
    const id = this.executor.detector.bookId(venue, symbol);
    if (id === undefined || market === undefined) return undefined;
    const ex = this.executor;
    let candles: CandleBooks | undefined;
    const candleBook = () => (candles ??= new CandleBooks(market, this.candleModel));
    return (batch, i) => {
      if ((batch as MarketColumns).t === 'market') {
        const c = batch as MarketColumns;
        if (c.kind === 'level') ex.detector.onLevel(id, c.ts[i]!, (c.flags[i]! & LEVEL_ASK) !== 0, c.a[i]!, c.b[i]!, (c.flags[i]! & LEVEL_RESET) !== 0);
        else if (c.kind === 'candle') candleBook().apply(ex, id, c.ts[i]!, c.a[i]!, c.b[i]!);
        return;
      }
      const ev = (batch as EventColumns<MarketEvent>).events[i]!;
      if (ev.kind === 'level') ex.detector.onLevel(id, ev.ts, ev.side === 'ask', ev.price, ev.quantity, ev.reset);
      else if (ev.kind === 'candle') candleBook().apply(ex, id, ev.ts, ev.open, ev.volume);
    };
  }

  /** Call before each event at `ts`: when time moves on, the previous moment is complete and acted on. */
  beforeEvent(ts: TimeMs): void {
    if (ts !== this.lastTs) {
      if (this.lastTs === this.lastTs) this.executor.settle();
      this.lastTs = ts;
    }
  }

  /** End of data: the last moment. */
  finish(ts: TimeMs): void {
    this.executor.finish(ts);
  }

  report(initial: BalanceSheet, final: BalanceSheet, endTs: TimeMs): ArbitrageReport {
    return reportOf(this.executor, this.arb, initial, final, endTs);
  }
}

/**
 * A paper or live run's arbitrage: the executor fed with the drivers' tops of book (each a one-level
 * book of its market, in wall time), acting after each.
 */
export class LiveArbitrage {
  readonly executor: ArbExecutor;
  private sub: Subscription | undefined;

  constructor(
    plan: RunPlan,
    private readonly arb: ArbPlan,
    markets: ReadonlyMap<string, MarketDef>,
    clock: Clock,
    log: (line: string) => void,
    journal?: Journal,
  ) {
    this.executor = new ArbExecutor({
      plan: arb,
      detector: detectorConfigOf(plan, arb, markets),
      clock,
      // After the event that caused it has been applied everywhere: the next turn of the event loop.
      defer: (fn) => void setImmediate(fn),
      log,
      ...(journal ? { journal } : {}),
    });
  }

  /**
   * Starts watching the drivers' books (before they start: the first books count); `executor.attach`
   * the core later. Whole polled books where the driver has them, so sizing walks the visible depth.
   */
  watch(drivers: Iterable<ExchangeDriver>): void {
    const subs = [...drivers].map((d) => (d.depth$ ? d.depth$.subscribe((b) => this.executor.onBook(b)) : d.book$.subscribe((t) => this.executor.onTop(t))));
    this.sub = new Subscription(() => subs.forEach((s) => s.unsubscribe()));
  }

  stop(): void {
    this.sub?.unsubscribe();
  }

  report(initial: BalanceSheet, final: BalanceSheet, endTs: TimeMs): ArbitrageReport {
    return reportOf(this.executor, this.arb, initial, final, endTs);
  }
}

/** arbitrage.json of a run, the same for a backtest's and a paper/live run's executor. */
function reportOf(executor: ArbExecutor, arb: ArbPlan, initial: BalanceSheet, final: BalanceSheet, endTs: TimeMs): ArbitrageReport {
  return arbitrageReport({
    executor,
    referenceQuote: arb.referenceQuote,
    policy: arb.policy,
    sequential: arb.sequential,
    thresholdBps: arb.thresholdBps,
    initial,
    final,
    endTs,
  });
}
