/**
 * The markets a live venue trades: ccxt's `loadMarkets()` (spot only) converted to MarketDefs, with the
 * caller's definitions filling what ccxt does not report — Upbit's KRW tick table and minimum order
 * sizes, for one (ccxt gives Upbit a 1e-8 tick and no limits). Where ccxt reports a value, it wins:
 * the venue is the truth.
 */
import type { Exchange } from 'ccxt';
import type { MarketDef, MarketSymbol, MinMax, VenueId } from '../../domain/types.ts';
import { marketFromCcxt } from './ccxt-mapper.ts';

export async function loadLiveMarkets(
  venue: VenueId,
  ex: Exchange,
  given?: ReadonlyMap<MarketSymbol, MarketDef>,
): Promise<Map<MarketSymbol, MarketDef>> {
  const raw = await ex.loadMarkets();
  const out = new Map<MarketSymbol, MarketDef>();
  for (const m of Object.values(raw)) {
    if (!m || m.spot !== true) continue;
    const ours = given?.get(m.symbol);
    let def: MarketDef;
    try {
      def = marketFromCcxt(venue, m, { precisionMode: ex.precisionMode });
    } catch (err) {
      // No usable precision from ccxt: only tradable when the caller defines the market.
      if (!ours) continue;
      def = ours;
    }
    out.set(m.symbol, ours ? overlay(def, ours) : def);
  }
  return out;
}

/** `fromVenue` with the gaps filled from `ours`. */
export function overlay(fromVenue: MarketDef, ours: MarketDef): MarketDef {
  const mm = (a: MinMax | undefined, b: MinMax | undefined): MinMax => ({ ...b, ...a });
  const tickTable = fromVenue.tickTable ?? ours.tickTable;
  const maker = fromVenue.maker ?? ours.maker;
  const taker = fromVenue.taker ?? ours.taker;
  return {
    ...fromVenue,
    limits: {
      amount: mm(fromVenue.limits.amount, ours.limits.amount),
      price: mm(fromVenue.limits.price, ours.limits.price),
      cost: mm(fromVenue.limits.cost, ours.limits.cost),
    },
    ...(tickTable ? { tickTable } : {}),
    ...(maker !== undefined ? { maker } : {}),
    ...(taker !== undefined ? { taker } : {}),
  };
}

/** A stand-in for a symbol the venue does not list, so that the rejection event can still be emitted. */
export function placeholderMarket(venue: VenueId, symbol: MarketSymbol): MarketDef {
  const [base = symbol, quote = ''] = symbol.split('/');
  return { venue, symbol, base, quote: quote.split(':')[0] ?? quote, precision: { price: 1e-8, amount: 1e-8 }, limits: {} };
}
