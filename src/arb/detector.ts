/**
 * Cross-venue arbitrage detection over L2 books: on each book update, both directions of every pair
 * that the update can affect (the pair's own books, or the conversion book one of its legs uses) are
 * evaluated — books present and fresh, conversion known and fresh, the marginal edge at the top of the
 * books above the threshold (the cheap test most updates stop at), then sizing (sizing.ts) and the net
 * edge at that size (edge.ts). A direction that passes is emitted as an `Opportunity`; one that does
 * not is counted under its `SkipReason`. The premium of each pair's venue B over venue A is sampled on
 * an event-time grid into a `PremiumSeries`.
 *
 * Rows that share a book and a time (one venue message) are applied together and evaluated once.
 * Pure and synchronous: no I/O, no clock (time is the events' `ts`), no RxJS. The hot path
 * (`onLevel` with a book id) allocates nothing unless it emits.
 *
 * Example:
 *   const det = new ArbDetector(config, inventory, (o) => executor.take(o));
 *   const id = det.bookId('upbit', 'BTC/KRW')!;
 *   det.onLevel(id, ev.ts, ev.side === 'ask', ev.price, ev.quantity, ev.reset);   // or det.onEvent(ev)
 *   …
 *   det.finish(lastTs);   // evaluates the last message, takes the last premium samples
 */
import type { Asset, Atto, BookLevelEvent, MarketDef, MarketSymbol, TimeMs, VenueId } from '../domain/types.ts';
import { BookSet, DEFAULT_MAX_LEVELS, type DepthBook } from './books.ts';
import { BookRate, QuoteConverter, type RateMode, type RateSeries } from './conversion.ts';
import { EdgeResult, marginalClears, type EdgeTerms } from './edge.ts';
import { emptySkipCounts, makeOpportunity, type Opportunity, type SkipCounts } from './opportunity.ts';
import { PremiumSeries } from './premium.ts';
import type { Ratio } from './ratio.ts';
import { sizeOpportunity } from './sizing.ts';

/** One side of a pair: a market and the taker fee paid there (default: the market's `taker`). */
export interface ArbLeg {
  readonly market: MarketDef;
  readonly takerFee?: number;
}

/** Two markets of the same base on two venues; both directions are evaluated. */
export interface ArbPair {
  readonly a: ArbLeg;
  readonly b: ArbLeg;
}

/** Where a quote conversion comes from: a watched conversion market's book, or a rate series. */
export type ConversionSpec =
  | { readonly kind: 'book'; readonly venue: VenueId; readonly symbol: MarketSymbol }
  | { readonly kind: 'series'; readonly series: RateSeries };

export interface DetectorConfig {
  readonly pairs: readonly ArbPair[];
  /** The quote every edge is measured in (e.g. USDT). */
  readonly referenceQuote: Asset;
  /** Needed for each leg whose quote is not the reference quote. */
  readonly conversions?: readonly ConversionSpec[];
  /** Minimum net edge (bps of the buy notional) to report an opportunity. */
  readonly thresholdBps: number;
  /** Largest base size of one opportunity. */
  readonly size: number;
  /** A book not updated for longer than this (ms of event time) is stale. */
  readonly maxBookAgeMs: number;
  /** A conversion rate older than this is stale. */
  readonly maxRateAgeMs: number;
  /** Which side of the conversion book values each leg (conversion.ts); default `executable`. */
  readonly rateMode?: RateMode;
  readonly risk?: { readonly maxNotional?: number; readonly maxBase?: number };
  /** Premium sampling interval (ms of event time); default 1000. */
  readonly premiumIntervalMs?: number;
  /** Visible depth kept per book side; default {@link DEFAULT_MAX_LEVELS}. */
  readonly maxLevels?: number;
}

/** Free balances on each venue (what is not locked in open orders), as the executor sees them. */
export interface Inventory {
  free(venue: VenueId, asset: Asset): Atto;
}

interface Leg {
  readonly market: MarketDef;
  readonly book: DepthBook;
  readonly fee: number;
  readonly conv: QuoteConverter;
}

/** One direction (buy on `buy`, sell on `sell`), also the EdgeTerms its evaluation uses. */
class Direction implements EdgeTerms {
  readonly buyFee: number;
  readonly sellFee: number;
  buyFactor = 1;
  sellFactor = 1;

  constructor(
    readonly buy: Leg,
    readonly sell: Leg,
  ) {
    this.buyFee = buy.fee;
    this.sellFee = sell.fee;
  }

  buyRatio(): Ratio {
    return this.buy.conv.paidRatio();
  }

  sellRatio(): Ratio {
    return this.sell.conv.receivedRatio();
  }
}

interface PairState {
  readonly a: Leg;
  readonly b: Leg;
  readonly series: PremiumSeries;
}

export class ArbDetector {
  readonly books: BookSet;
  readonly skips: SkipCounts = emptySkipCounts();
  /** Per-pair premium series, in `config.pairs` order. */
  readonly premium: PremiumSeries[];
  /** Counters, as object fields so the hot path updates them in place. */
  readonly counts = { updates: 0, evaluations: 0, opportunities: 0 };
  private readonly pairs: PairState[] = [];
  /** Directions to evaluate per book id. */
  private readonly watchers: Direction[][] = [];
  private readonly edge = new EdgeResult();
  private readonly interval: number;
  private nextSample = Number.NaN;
  /** The book whose rows at `pendingTs` are being applied and not yet evaluated (−1: none). */
  private pending = -1;
  private pendingTs = Number.NaN;

  constructor(
    readonly config: DetectorConfig,
    private readonly inventory: Inventory,
    private readonly emit: (o: Opportunity) => void,
  ) {
    if (!(config.size > 0)) throw new RangeError(`size must be positive, got ${config.size}`);
    if (!Number.isFinite(config.thresholdBps)) throw new RangeError(`thresholdBps must be a number, got ${config.thresholdBps}`);
    this.interval = config.premiumIntervalMs ?? 1000;
    this.books = new BookSet(config.maxLevels ?? DEFAULT_MAX_LEVELS);
    const mode = config.rateMode ?? 'executable';
    const ref = config.referenceQuote;
    const converters = new Map<string, { conv: QuoteConverter; book?: DepthBook }>();
    const converterFor = (quote: Asset, midOnly: boolean): { conv: QuoteConverter; book?: DepthBook } => {
      const key = `${quote}\u0000${midOnly}`;
      let c = converters.get(key);
      if (c) return c;
      const m = midOnly ? 'mid' : mode;
      if (quote === ref) c = { conv: new QuoteConverter(quote, ref, undefined, m) };
      else {
        for (const spec of config.conversions ?? []) {
          if (spec.kind === 'series') {
            const s = spec.series;
            if ((s.base === quote && s.quote === ref) || (s.base === ref && s.quote === quote)) {
              c = { conv: new QuoteConverter(quote, ref, s, m, config.maxRateAgeMs) };
              break;
            }
          } else {
            const book = this.books.book(spec.venue, spec.symbol);
            const src = new BookRate(book);
            if ((src.base === quote && src.quote === ref) || (src.base === ref && src.quote === quote)) {
              c = { conv: new QuoteConverter(quote, ref, src, m, config.maxRateAgeMs), book };
              break;
            }
          }
        }
        if (!c) throw new RangeError(`no conversion between ${quote} and the reference quote ${ref}: add a conversion market or rate file`);
      }
      converters.set(key, c);
      return c;
    };
    const leg = (l: ArbLeg, midOnly: boolean): Leg & { rateBook?: DepthBook } => {
      const fee = l.takerFee ?? l.market.taker;
      if (fee === undefined || !(fee >= 0)) throw new RangeError(`${l.market.venue} ${l.market.symbol}: no taker fee (market definition or takerFee)`);
      const c = converterFor(l.market.quote, midOnly);
      return { market: l.market, book: this.books.book(l.market.venue, l.market.symbol), fee, conv: c.conv, ...(c.book ? { rateBook: c.book } : {}) };
    };
    const watch = (book: DepthBook | undefined, d: Direction): void => {
      if (!book) return;
      while (this.watchers.length <= book.id) this.watchers.push([]);
      if (!this.watchers[book.id]!.includes(d)) this.watchers[book.id]!.push(d);
    };
    for (const p of config.pairs) {
      if (p.a.market.base !== p.b.market.base) throw new RangeError(`pair ${p.a.market.symbol} / ${p.b.market.symbol}: different base assets`);
      const a = leg(p.a, false);
      const b = leg(p.b, false);
      for (const d of [new Direction(a, b), new Direction(b, a)]) {
        watch(a.book, d);
        watch(b.book, d);
        watch(a.rateBook, d);
        watch(b.rateBook, d);
      }
      this.pairs.push({ a: leg(p.a, true), b: leg(p.b, true), series: new PremiumSeries(p.a.market, p.b.market) });
    }
    while (this.watchers.length < this.books.list.length) this.watchers.push([]);
    this.premium = this.pairs.map((p) => p.series);
  }

  /** The dense id of a watched book (a pair's market or a conversion market), for `onLevel`. */
  bookId(venue: VenueId, symbol: MarketSymbol): number | undefined {
    return this.books.find(venue, symbol)?.id;
  }

  /** Applies one L2 event; false when its market is not watched. */
  onEvent(ev: BookLevelEvent): boolean {
    const b = this.books.find(ev.venue, ev.symbol);
    if (b === undefined) return false;
    this.onLevel(b.id, ev.ts, ev.side === 'ask', ev.price, ev.quantity, ev.reset);
    return true;
  }

  /**
   * Applies one L2 level change to book `id` at event time `ts`. What it affects is evaluated once the
   * book's rows at that time are all in — when a row of another book or a later time arrives, or on
   * `flush` — because the rows of one venue message (a snapshot, a diff-depth event) share a time and a
   * half-applied message is a book that never existed (it can show phantom edges).
   */
  onLevel(id: number, ts: TimeMs, isAsk: boolean, price: number, size: number, reset: boolean): void {
    if (id !== this.pending || ts !== this.pendingTs) {
      if (this.pending >= 0) this.flush();
      // Samples on the grid before `ts` see every event up to them (this one is later).
      if (!(ts <= this.nextSample)) this.sampleUntil(ts);
      this.pending = id;
      this.pendingTs = ts;
    }
    this.books.list[id]!.apply(ts, isAsk, price, size, reset);
    this.counts.updates++;
  }

  /**
   * Evaluates what the last group of rows affects. Called by `onLevel` when the group ends; a live
   * feed calls it after each message, a replay once at the end (or through `finish`).
   */
  flush(): void {
    const id = this.pending;
    if (id < 0) return;
    this.pending = -1;
    const ts = this.pendingTs;
    const ds = this.watchers[id]!;
    for (let i = 0; i < ds.length; i++) this.evaluate(ds[i]!, ts);
  }

  /** Evaluates the last rows and takes the premium samples due up to and including `ts` (end of data). */
  finish(ts: TimeMs): void {
    this.flush();
    this.sampleUntil(ts, true);
  }

  private evaluate(d: Direction, t: TimeMs): void {
    this.counts.evaluations++;
    const asks = d.buy.book.asks;
    const bids = d.sell.book.bids;
    const skips = this.skips;
    if (asks.depth === 0 || bids.depth === 0) {
      skips.no_book++;
      return;
    }
    const maxAge = this.config.maxBookAgeMs;
    if (t - d.buy.book.ts > maxAge || t - d.sell.book.ts > maxAge) {
      skips.stale_book++;
      return;
    }
    const sb = d.buy.conv.update(t);
    const ss = sb === 'ok' ? d.sell.conv.update(t) : sb;
    if (ss !== 'ok') {
      skips[ss]++;
      return;
    }
    d.buyFactor = d.buy.conv.paid;
    d.sellFactor = d.sell.conv.received;
    const thr = this.config.thresholdBps;
    // The top of the books is the best any size can do (VWAPs only get worse with size).
    if (!marginalClears(asks.best(), bids.best(), d, thr)) {
      skips.below_threshold++;
      return;
    }
    const buy = d.buy.market;
    const sell = d.sell.market;
    const risk = this.config.risk;
    const r = sizeOpportunity(
      buy,
      sell,
      asks,
      bids,
      d,
      thr,
      {
        size: this.config.size,
        buyQuote: this.inventory.free(buy.venue, buy.quote),
        sellBase: this.inventory.free(sell.venue, sell.base),
        ...(risk?.maxNotional !== undefined ? { maxNotional: risk.maxNotional } : {}),
        ...(risk?.maxBase !== undefined ? { maxBase: risk.maxBase } : {}),
      },
      this.edge,
    );
    if (!r.ok) {
      skips[r.reason]++;
      return;
    }
    const e = this.edge;
    const conv = d.buy.conv.identity ? d.sell.conv : d.buy.conv;
    this.counts.opportunities++;
    this.emit(makeOpportunity({ ts: t, buy, sell, sized: r, edge: e, referenceQuote: this.config.referenceQuote, buyFee: d.buyFee, sellFee: d.sellFee, conv }));
  }

  /**
   * Samples the grid times before `ts` (up to and including it when `inclusive`) not yet sampled. A
   * grid time g is sampled once an event later than g arrives, so the sample sees every event at ≤ g.
   */
  private sampleUntil(ts: TimeMs, inclusive = false): void {
    const step = this.interval;
    // The grid: multiples of the interval, from the first event on.
    if (Number.isNaN(this.nextSample)) this.nextSample = Math.ceil(ts / step) * step;
    const maxAge = this.config.maxBookAgeMs;
    while (this.nextSample < ts || (inclusive && this.nextSample === ts)) {
      const g = this.nextSample;
      let allStale = true;
      for (let i = 0; i < this.pairs.length; i++) {
        if (this.samplePair(this.pairs[i]!, g, maxAge) !== 'books_stale') allStale = false;
      }
      // Book ages only grow until the next event, so after a grid time with every pair's books stale
      // the rest of a gap in the data is skipped at once.
      this.nextSample = allStale ? Math.max(g + step, Math.ceil(ts / step) * step) : g + step;
    }
  }

  /** Pushes pair `p`'s premium at grid time `g` when both books and the rate are fresh. */
  private samplePair(p: PairState, g: TimeMs, maxAge: number): 'pushed' | 'books_stale' | 'skipped' {
    const A = p.a.book;
    const B = p.b.book;
    if (!(g - A.ts <= maxAge) || !(g - B.ts <= maxAge)) return 'books_stale';
    const midA = A.mid();
    const midB = B.mid();
    if (!(midA > 0) || !(midB > 0)) return 'skipped';
    if (p.a.conv.update(g) !== 'ok' || p.b.conv.update(g) !== 'ok') return 'skipped';
    p.series.push(g, 1e4 * ((midB * p.b.conv.mid) / (midA * p.a.conv.mid) - 1));
    return 'pushed';
  }
}
