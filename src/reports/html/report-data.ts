/**
 * What a report page is drawn from: the summary, the equity and drawdown curves and one price series
 * per market with its trade markers, each cut down to a size a browser draws at once, plus the
 * optional failures, reconciliation and arbitrage sections.
 *
 * `ReportDataBuilder` collects it point by point in fixed memory, from either source: the recorder
 * feeds it while a run is written (so publishing reads nothing back from disk), `readRunDir` feeds it
 * from a finished run folder. Both push the same points in the same order, and values are compared
 * and written as the files round them, so both give the same page, byte for byte.
 */
import type { MarketSymbol, VenueId } from '../../domain/types.ts';
import type { ArbitrageView } from './arb-view.ts';
import { DEFAULT_MAX_POINTS, MinMaxDownsampler, type SampledSeries } from './downsample.ts';
import type { FailuresView, KeyValueRow } from './side-files.ts';
import { DEFAULT_MAX_MARKERS, TradeMarkerReducer, type MarkerSide, type TradeMarker } from './trade-markers.ts';

/** summary.json as read: the page treats every field as possibly missing (older or foreign files). */
export type SummaryJson = Readonly<Record<string, unknown>>;

export interface MarketData {
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  /** Marks from prices.csv (empty when the run folder has none for this market). */
  readonly prices: SampledSeries;
  readonly markers: readonly TradeMarker[];
  readonly fills: number;
}

export interface ReportData {
  readonly summary: SummaryJson;
  readonly equity: SampledSeries;
  /** Drawdown from the running peak, as a fraction (0.05 = 5 % below the peak). */
  readonly drawdown: SampledSeries;
  /** Sorted by venue, then symbol. */
  readonly markets: readonly MarketData[];
  /** False when the folder has no prices.csv (recorded before runs wrote one). */
  readonly hasPrices: boolean;
  /** Undefined: no failures.json, so no fault was injected. */
  readonly failures?: FailuresView;
  readonly reconciliation?: readonly KeyValueRow[];
  /** Undefined: no arbitrage.json, the run had no `arbitrage:` block. */
  readonly arbitrage?: ArbitrageView;
}

/** The optional files of a run folder, as the page shows them (see side-files.ts, arb-view.ts). */
export interface SideData {
  readonly failures?: FailuresView;
  readonly reconciliation?: readonly KeyValueRow[];
  readonly arbitrage?: ArbitrageView;
}

export interface ReportLimits {
  /** Points per chart series at most (default 5000). */
  readonly maxPoints?: number;
  /** Trade markers per market at most (default 600). */
  readonly maxMarkers?: number;
}

interface MarketAcc {
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  prices: MinMaxDownsampler | undefined;
  markers: TradeMarkerReducer | undefined;
}

export class ReportDataBuilder {
  private readonly equityDs: MinMaxDownsampler;
  private readonly drawdownDs: MinMaxDownsampler;
  private readonly markets = new Map<VenueId, Map<MarketSymbol, MarketAcc>>();
  private readonly maxPoints: number;
  private readonly maxMarkers: number;

  constructor(limits: ReportLimits = {}) {
    this.maxPoints = limits.maxPoints ?? DEFAULT_MAX_POINTS;
    this.maxMarkers = limits.maxMarkers ?? DEFAULT_MAX_MARKERS;
    this.equityDs = new MinMaxDownsampler(this.maxPoints);
    this.drawdownDs = new MinMaxDownsampler(this.maxPoints);
  }

  /** One equity.csv row: time (whole ms), equity and drawdown (as written, or unrounded from memory). */
  equityPoint(ts: number, equity: number, drawdown: number): void {
    this.equityDs.push(ts, equity);
    this.drawdownDs.push(ts, drawdown);
  }

  /**
   * The function that takes one market's prices.csv rows, in order (a market appears in the page at
   * its first row, as when read from the file).
   */
  priceInput(venue: VenueId, symbol: MarketSymbol): (ts: number, price: number) => void {
    let ds: MinMaxDownsampler | undefined;
    return (ts, price) => (ds ??= (this.market(venue, symbol).prices ??= new MinMaxDownsampler(this.maxPoints))).push(ts, price);
  }

  /** One prices.csv row. */
  price(venue: VenueId, symbol: MarketSymbol, ts: number, price: number): void {
    (this.market(venue, symbol).prices ??= new MinMaxDownsampler(this.maxPoints)).push(ts, price);
  }

  /** One trades.csv row. */
  trade(venue: VenueId, symbol: MarketSymbol, ts: number, side: MarkerSide, price: number, quantity: number): void {
    (this.market(venue, symbol).markers ??= new TradeMarkerReducer(this.maxMarkers)).push(ts, side, price, quantity);
  }

  build(summary: SummaryJson, extra: SideData & { hasPrices: boolean }): ReportData {
    const markets: MarketData[] = [];
    for (const venue of [...this.markets.keys()].sort()) {
      const bySymbol = this.markets.get(venue)!;
      for (const symbol of [...bySymbol.keys()].sort()) {
        const m = bySymbol.get(symbol)!;
        markets.push({
          venue,
          symbol,
          prices: m.prices?.result() ?? { t: [], v: [], total: 0 },
          markers: m.markers?.markers() ?? [],
          fills: m.markers?.total ?? 0,
        });
      }
    }
    return {
      summary,
      equity: this.equityDs.result(),
      drawdown: this.drawdownDs.result(),
      markets,
      hasPrices: extra.hasPrices,
      ...(extra.failures ? { failures: extra.failures } : {}),
      ...(extra.reconciliation ? { reconciliation: extra.reconciliation } : {}),
      ...(extra.arbitrage ? { arbitrage: extra.arbitrage } : {}),
    };
  }

  private market(venue: VenueId, symbol: MarketSymbol): MarketAcc {
    let bySymbol = this.markets.get(venue);
    if (bySymbol === undefined) this.markets.set(venue, (bySymbol = new Map()));
    let m = bySymbol.get(symbol);
    if (m === undefined) bySymbol.set(symbol, (m = { venue, symbol, prices: undefined, markers: undefined }));
    return m;
  }
}
