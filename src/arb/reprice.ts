/**
 * The edge of one direction priced again at execution time, on the books as they are now — what the
 * execution operator does before it sends (RELIABILITY rule 10, and rule 8 for the books' age):
 *  - an opportunity the detector emitted may be from a half-updated view (the other venue's update
 *    for the same moment came after it), from before inventory was reserved by another arbitrage,
 *    or simply old;
 *  - an arbitrage signal from a file names a direction and a size but was computed elsewhere.
 * The same checks as the detector, in the same order, with the same skip reasons (books present and
 * fresh, rate known and fresh, marginal edge, sizing against FREE inventory and minimums, exact edge
 * at the size). Pure: books and inventory are the caller's, nothing is kept between calls but scratch.
 */
import type { MarketDef, TimeMs } from '../domain/types.ts';
import type { BookSet, DepthBook } from './books.ts';
import { BookRate, QuoteConverter, type RateMode } from './conversion.ts';
import type { ArbPair, ConversionSpec, DetectorConfig, Inventory } from './detector.ts';
import { EdgeResult, marginalClears, type EdgeTerms } from './edge.ts';
import { makeOpportunity, type Opportunity, type SkipReason } from './opportunity.ts';
import type { Ratio } from './ratio.ts';
import { sizeOpportunity } from './sizing.ts';

export type PriceResult = { readonly ok: true; readonly opportunity: Opportunity } | { readonly ok: false; readonly reason: SkipReason };

interface Side {
  readonly market: MarketDef;
  readonly book: DepthBook;
  readonly fee: number;
  readonly conv: QuoteConverter;
}

class Terms implements EdgeTerms {
  buyFee = 0;
  sellFee = 0;
  buyFactor = 1;
  sellFactor = 1;
  buy!: QuoteConverter;
  sell!: QuoteConverter;
  buyRatio(): Ratio {
    return this.buy.paidRatio();
  }
  sellRatio(): Ratio {
    return this.sell.receivedRatio();
  }
}

export class ArbPricer {
  private readonly sides = new Map<string, Side>();
  private readonly terms = new Terms();
  private readonly edge = new EdgeResult();

  /** `books`: the detector's (the same view it detects on). */
  constructor(
    readonly config: DetectorConfig,
    readonly books: BookSet,
  ) {
    const mode: RateMode = config.rateMode ?? 'executable';
    const converter = (quote: string): QuoteConverter => {
      const ref = config.referenceQuote;
      if (quote === ref) return new QuoteConverter(quote, ref, undefined, mode);
      for (const spec of config.conversions ?? []) {
        const src = sourceOf(spec, books);
        if ((src.base === quote && src.quote === ref) || (src.base === ref && src.quote === quote)) return new QuoteConverter(quote, ref, src, mode, config.maxRateAgeMs);
      }
      throw new RangeError(`no conversion between ${quote} and the reference quote ${ref}`);
    };
    const add = (l: ArbPair['a']) => {
      const fee = l.takerFee ?? l.market.taker ?? 0;
      this.sides.set(key(l.market), { market: l.market, book: books.book(l.market.venue, l.market.symbol), fee, conv: converter(l.market.quote) });
    };
    for (const p of config.pairs) {
      add(p.a);
      add(p.b);
    }
  }

  /** The pair market of `venue` `symbol`, if it is one. */
  market(venue: string, symbol: string): MarketDef | undefined {
    return this.sides.get(`${venue}\u0000${symbol}`)?.market;
  }

  /**
   * Prices "buy on `buy`, sell on `sell`" at event (or wall) time `t` against `inventory`'s free
   * balances, at most `size` (default the configured size).
   */
  price(buy: MarketDef, sell: MarketDef, t: TimeMs, inventory: Inventory, size = this.config.size): PriceResult {
    const b = this.sides.get(key(buy));
    const s = this.sides.get(key(sell));
    if (b === undefined || s === undefined) throw new RangeError(`${buy.venue} ${buy.symbol} / ${sell.venue} ${sell.symbol} is not a configured pair`);
    const asks = b.book.asks;
    const bids = s.book.bids;
    if (asks.depth === 0 || bids.depth === 0) return { ok: false, reason: 'no_book' };
    const maxAge = this.config.maxBookAgeMs;
    if (!(t - b.book.ts <= maxAge) || !(t - s.book.ts <= maxAge)) return { ok: false, reason: 'stale_book' };
    const sb = b.conv.update(t);
    const ss = sb === 'ok' ? s.conv.update(t) : sb;
    if (ss !== 'ok') return { ok: false, reason: ss };
    const terms = this.terms;
    terms.buy = b.conv;
    terms.sell = s.conv;
    terms.buyFee = b.fee;
    terms.sellFee = s.fee;
    terms.buyFactor = b.conv.paid;
    terms.sellFactor = s.conv.received;
    const thr = this.config.thresholdBps;
    if (!marginalClears(asks.best(), bids.best(), terms, thr)) return { ok: false, reason: 'below_threshold' };
    const risk = this.config.risk;
    const r = sizeOpportunity(
      buy,
      sell,
      asks,
      bids,
      terms,
      thr,
      {
        size,
        buyQuote: inventory.free(buy.venue, buy.quote),
        sellBase: inventory.free(sell.venue, sell.base),
        ...(risk?.maxNotional !== undefined ? { maxNotional: risk.maxNotional } : {}),
        ...(risk?.maxBase !== undefined ? { maxBase: risk.maxBase } : {}),
      },
      this.edge,
    );
    if (!r.ok) return { ok: false, reason: r.reason };
    const e = this.edge;
    const conv = b.conv.identity ? s.conv : b.conv;
    return {
      ok: true,
      opportunity: makeOpportunity({ ts: t, buy, sell, sized: r, edge: e, referenceQuote: this.config.referenceQuote, buyFee: b.fee, sellFee: s.fee, conv }),
    };
  }

  /**
   * Visible base depth a leg would walk: the asks of the buy market or the bids of the sell market,
   * summed over the levels within `bandBps` of the best (the "less liquid leg" of a sequential send).
   */
  depth(market: MarketDef, side: 'buy' | 'sell', bandBps = 50): number {
    const sd = this.sides.get(key(market));
    if (sd === undefined) return 0;
    const levels = side === 'buy' ? sd.book.asks : sd.book.bids;
    const best = levels.best();
    let sum = 0;
    for (let i = 0; i < levels.depth; i++) {
      const p = levels.price(i);
      if (Math.abs(p - best) > (best * bandBps) / 1e4) break;
      sum += levels.size(i);
    }
    return sum;
  }

  /** Multipliers to the reference quote at `t` (mid), per quote asset; undefined when unknown. */
  midRate(market: MarketDef, t: TimeMs): number | undefined {
    const sd = this.sides.get(key(market));
    if (sd === undefined) return undefined;
    return sd.conv.update(t) === 'no_rate' ? undefined : sd.conv.mid;
  }

  /** The taker fee the pricing assumes for `market`. */
  fee(market: MarketDef): number {
    return this.sides.get(key(market))?.fee ?? 0;
  }
}

function key(m: { venue: string; symbol: string }): string {
  return `${m.venue}\u0000${m.symbol}`;
}

function sourceOf(spec: ConversionSpec, books: BookSet): BookRate | NonNullable<Extract<ConversionSpec, { kind: 'series' }>['series']> {
  return spec.kind === 'series' ? spec.series : new BookRate(books.book(spec.venue, spec.symbol));
}
