/**
 * Running aggregates of a run's fills, so the summary needs no list of fills: a million-fill run
 * keeps one small record per (venue, symbol) instead of a million FillRecords.
 *
 * Sums are exact bigints. `add` is O(1): two map lookups to find the market (a one-entry cache makes
 * them none when consecutive fills hit the same market, the usual case) and one for the fee asset.
 * Nothing is allocated per fill but the bigint results themselves; in particular no key string is
 * built, which is why markets are kept in a venue → symbol map rather than under "venue:symbol".
 * Totals per quote asset are derived from the per-market sums in `snapshot()`, not kept per fill.
 */
import { toAtto } from '../domain/money.ts';
import type { FillRecord, FillStats, MarketFillStats } from '../domain/run-result.ts';
import type { Asset, Atto, MarketSymbol, VenueId } from '../domain/types.ts';
import { splitSymbol } from './metrics.ts';

interface MarketAcc {
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly quote: Asset;
  fills: number;
  buyVolume: Atto;
  sellVolume: Atto;
  notional: Atto;
  realizedPnl: Atto;
  grossProfit: Atto;
  grossLoss: Atto;
  readonly fees: Map<Asset, Atto>;
}

export class FillStatsAccumulator {
  private readonly byVenue = new Map<VenueId, Map<MarketSymbol, MarketAcc>>();
  /** Markets in order of first fill, so snapshots list them in a deterministic order. */
  private readonly markets: MarketAcc[] = [];
  private last: MarketAcc | undefined;
  private count = 0;
  private closing = 0;
  private wins = 0;

  add(rec: FillRecord): void {
    const m = this.market(rec.venue, rec.symbol);
    this.count++;
    m.fills++;
    // toAtto is exact for quantities already rounded to the market's lot size.
    if (rec.side === 'buy') m.buyVolume += toAtto(rec.quantity);
    else m.sellVolume += toAtto(rec.quantity);
    m.notional += rec.notional;
    m.fees.set(rec.feeAsset, (m.fees.get(rec.feeAsset) ?? 0n) + rec.fee);
    const pnl = rec.realizedPnl;
    if (pnl !== 0n) {
      this.closing++;
      m.realizedPnl += pnl;
      if (pnl > 0n) {
        this.wins++;
        m.grossProfit += pnl;
      } else m.grossLoss -= pnl;
    }
  }

  /** An immutable copy: later `add` calls do not change it. O(markets × assets). */
  snapshot(): FillStats {
    const grossProfit = new Map<Asset, Atto>();
    const grossLoss = new Map<Asset, Atto>();
    const fees = new Map<Asset, Atto>();
    const turnover = new Map<Asset, Atto>();
    const markets: MarketFillStats[] = [];
    for (const m of this.markets) {
      addTo(grossProfit, m.quote, m.grossProfit);
      addTo(grossLoss, m.quote, m.grossLoss);
      addTo(turnover, m.quote, m.notional);
      for (const [asset, fee] of m.fees) addTo(fees, asset, fee);
      markets.push({
        venue: m.venue,
        symbol: m.symbol,
        fills: m.fills,
        buyVolume: m.buyVolume,
        sellVolume: m.sellVolume,
        notional: m.notional,
        fees: new Map(m.fees),
        realizedPnl: m.realizedPnl,
      });
    }
    return { count: this.count, closing: this.closing, wins: this.wins, grossProfit, grossLoss, fees, turnover, markets };
  }

  private market(venue: VenueId, symbol: MarketSymbol): MarketAcc {
    const last = this.last;
    if (last !== undefined && last.venue === venue && last.symbol === symbol) return last;
    let symbols = this.byVenue.get(venue);
    if (symbols === undefined) this.byVenue.set(venue, (symbols = new Map()));
    let m = symbols.get(symbol);
    if (m === undefined) {
      m = {
        venue,
        symbol,
        quote: splitSymbol(symbol).quote,
        fills: 0,
        buyVolume: 0n,
        sellVolume: 0n,
        notional: 0n,
        realizedPnl: 0n,
        grossProfit: 0n,
        grossLoss: 0n,
        fees: new Map(),
      };
      symbols.set(symbol, m);
      this.markets.push(m);
    }
    this.last = m;
    return m;
  }
}

/** Stats of no fills (a run that traded nothing). */
export function emptyFillStats(): FillStats {
  return new FillStatsAccumulator().snapshot();
}

/** Stats of a list of fills; for tests and small in-memory uses. */
export function fillStatsOf(fills: Iterable<FillRecord>): FillStats {
  const acc = new FillStatsAccumulator();
  for (const f of fills) acc.add(f);
  return acc.snapshot();
}

function addTo(map: Map<Asset, Atto>, key: Asset, value: Atto): void {
  map.set(key, (map.get(key) ?? 0n) + value);
}
