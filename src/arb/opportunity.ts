/**
 * What the arbitrage detector reports: an `Opportunity` (both legs' expected prices at a size that
 * clears every check), or a skip with one of a few stable reasons (counted, not emitted one by one).
 */
import type { Asset, MarketSymbol, TimeMs, VenueId } from '../domain/types.ts';

export const SkipReasons = [
  /** The net edge after fees, slippage and conversion is under the threshold (at the top, or at the size found). */
  'below_threshold',
  /** The size allowed by depth, risk limits and lot steps is under a venue's minimum amount or notional. */
  'size_below_minimum',
  /** The buy venue's quote or the sell venue's base balance is missing or too small for a minimum order. */
  'no_inventory',
  /** One of the two books was last updated longer ago than the configured maximum age. */
  'stale_book',
  /** The conversion rate is older than the configured maximum age. */
  'stale_rate',
  /** No conversion rate is known yet (conversion book empty or one-sided, or before the rate file starts). */
  'no_rate',
  /** A side needed is empty (before the first snapshot, or a venue's book emptied). */
  'no_book',
] as const;
export type SkipReason = (typeof SkipReasons)[number];

/** Which constraint set the size. */
export const SizeBindings = ['size', 'depth', 'buy_quote', 'sell_base', 'max_notional', 'max_base', 'venue_max'] as const;
export type SizeBinding = (typeof SizeBindings)[number];

/** An arbitrage to take now: buy `size` on `buyVenue` and sell it on `sellVenue`, both as takers. */
export interface Opportunity {
  /** Event time of the book update that revealed it. */
  readonly ts: TimeMs;
  readonly buyVenue: VenueId;
  readonly buySymbol: MarketSymbol;
  readonly sellVenue: VenueId;
  readonly sellSymbol: MarketSymbol;
  readonly base: Asset;
  /** Base amount, on both markets' lot steps and above both venues' minimums. */
  readonly size: number;
  /** VWAP walking the buy venue's asks to `size`, in its own quote. */
  readonly expectedBuyPrice: number;
  /** VWAP walking the sell venue's bids to `size`, in its own quote. */
  readonly expectedSellPrice: number;
  /** Buy notional in the reference quote (the denominator of the bps figures). */
  readonly buyNotionalRef: number;
  readonly sellNotionalRef: number;
  readonly referenceQuote: Asset;
  readonly grossEdgeBps: number;
  /** After both taker fees. */
  readonly netEdgeBps: number;
  readonly buyFee: number;
  readonly sellFee: number;
  /**
   * The conversion used, at its mid: 1 unit of the conversion source's base = `rate` of its quote
   * (USDT/KRW: KRW per USDT). The buy leg's conversion, or the sell leg's when the buy leg quotes the
   * reference; 1 when both do. `rateAgeMs` is its age at `ts`.
   */
  readonly rate: number;
  readonly rateAgeMs: number;
  readonly binding: SizeBinding;
}

/** The parts an Opportunity is made of, as the detector and the execution-time re-check hold them. */
export interface OpportunityParts {
  readonly ts: TimeMs;
  readonly buy: { readonly venue: VenueId; readonly symbol: MarketSymbol; readonly base: Asset };
  readonly sell: { readonly venue: VenueId; readonly symbol: MarketSymbol };
  readonly sized: { readonly size: number; readonly binding: SizeBinding };
  readonly edge: { readonly buyVwap: number; readonly sellVwap: number; readonly buyRef: number; readonly sellRef: number; readonly grossBps: number; readonly netBps: number };
  readonly referenceQuote: Asset;
  readonly buyFee: number;
  readonly sellFee: number;
  /** The conversion used (see Opportunity.rate): the buy leg's, or the sell leg's when the buy leg's is the identity. */
  readonly conv: { readonly identity: boolean; readonly rate: number; readonly ageMs: number };
}

/** A frozen Opportunity from its parts (one place builds it, for the detector and the re-check alike). */
export function makeOpportunity(p: OpportunityParts): Opportunity {
  const { edge: e } = p;
  return Object.freeze({
    ts: p.ts,
    buyVenue: p.buy.venue,
    buySymbol: p.buy.symbol,
    sellVenue: p.sell.venue,
    sellSymbol: p.sell.symbol,
    base: p.buy.base,
    size: p.sized.size,
    expectedBuyPrice: e.buyVwap,
    expectedSellPrice: e.sellVwap,
    buyNotionalRef: e.buyRef,
    sellNotionalRef: e.sellRef,
    referenceQuote: p.referenceQuote,
    grossEdgeBps: e.grossBps,
    netEdgeBps: e.netBps,
    buyFee: p.buyFee,
    sellFee: p.sellFee,
    rate: p.conv.rate,
    rateAgeMs: p.conv.identity ? 0 : p.conv.ageMs,
    binding: p.sized.binding,
  });
}

/** Per-reason skip counters (plain numeric fields, updated in place). */
export type SkipCounts = Record<SkipReason, number>;

export function emptySkipCounts(): SkipCounts {
  return { below_threshold: 0, size_below_minimum: 0, no_inventory: 0, stale_book: 0, stale_rate: 0, no_rate: 0, no_book: 0 };
}
