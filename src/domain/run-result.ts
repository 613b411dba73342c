/**
 * What one run produces, independent of how it is written out. The engine fills it; report writers
 * read it. Everything here is a pure function of (scenario, data, seed): wall-clock facts live in
 * `RunInfo` and go to `run.json` only.
 *
 * Fills and orders are not held here: a million-order run would not fit the memory budget. The engine
 * hands each one to a `RunSink` as it happens (the report recorder streams them to disk) and the
 * result carries only their aggregates (`fillStats`, `orderCounts`).
 */
import type {
  Asset,
  Atto,
  Liquidity,
  MarketSymbol,
  OrderStatus,
  OrderType,
  Resolution,
  Side,
  TimeMs,
  VenueId,
} from './types.ts';

export type BalanceSheet = ReadonlyMap<VenueId, ReadonlyMap<Asset, Atto>>;

/** One execution, after the position tracker applied it. */
export interface FillRecord {
  readonly ts: TimeMs;
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly clientId: string;
  readonly exchangeId: string;
  readonly tradeId: string;
  readonly side: Side;
  readonly price: number;
  readonly quantity: number;
  readonly notional: Atto;
  readonly fee: Atto;
  readonly feeAsset: Asset;
  readonly liquidity: Liquidity;
  /** P&L realized by this fill against the average cost, in the market's quote, net of nothing. */
  readonly realizedPnl: Atto;
  /** Position in base after this fill. */
  readonly positionAfter: Atto;
  readonly signalId?: string;
}

/** Final state of one order. */
export interface OrderRecord {
  readonly clientId: string;
  readonly exchangeId?: string;
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly side: Side;
  readonly type: OrderType;
  readonly quantity: number;
  readonly price?: number;
  readonly status: OrderStatus;
  readonly filled: number;
  readonly avgPrice?: number;
  readonly fees: Atto;
  readonly createdTs: TimeMs;
  readonly updatedTs: TimeMs;
  readonly signalId?: string;
  readonly reason?: string;
  /** Set when the outcome was in doubt: settled by a venue lookup, or locally (see Resolution). */
  readonly resolution?: Resolution;
}

/** Where the engine hands each fill and each final order as they happen. */
export interface RunSink {
  fill(rec: FillRecord): void;
  order(rec: OrderRecord): void;
}

/** Exact sums over the fills of one (venue, symbol). */
export interface MarketFillStats {
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly fills: number;
  /** Base quantity bought and sold. */
  readonly buyVolume: Atto;
  readonly sellVolume: Atto;
  /** Σ notional, in the market's quote. */
  readonly notional: Atto;
  /** Per fee asset; an asset appears once a fill charged in it, even a zero fee. */
  readonly fees: ReadonlyMap<Asset, Atto>;
  /** Σ realized P&L, in the market's quote. */
  readonly realizedPnl: Atto;
}

/** Aggregates of every fill of a run, enough for the summary without the fills themselves. */
export interface FillStats {
  readonly count: number;
  /** Fills that realized P&L (realizedPnl ≠ 0), and those of them with realizedPnl > 0. */
  readonly closing: number;
  readonly wins: number;
  /**
   * Σ positive and Σ |negative| realized P&L per quote asset. Every quote traded has an entry in
   * both (0 when none), so a quote with no losses is still listed.
   */
  readonly grossProfit: ReadonlyMap<Asset, Atto>;
  readonly grossLoss: ReadonlyMap<Asset, Atto>;
  /** Per fee asset. */
  readonly fees: ReadonlyMap<Asset, Atto>;
  /** Σ notional per quote asset. */
  readonly turnover: ReadonlyMap<Asset, Atto>;
  /** One entry per (venue, symbol), in order of first fill. */
  readonly markets: readonly MarketFillStats[];
}

/** A signal the risk gate or the input parser refused. */
export interface RefusedSignal {
  readonly ts?: TimeMs;
  readonly signalId?: string;
  readonly file?: string;
  readonly line?: number;
  readonly reason: string;
  readonly rule: string;
}

/** Equity sampled in event time, valued in `quoteCurrency`. */
export interface EquitySeries {
  readonly ts: readonly TimeMs[];
  readonly equity: readonly number[];
}

export interface RunResult {
  readonly runId: string;
  readonly scenario: string;
  readonly mode: 'backtest' | 'paper' | 'live';
  readonly seed: number;
  readonly quoteCurrency: Asset;
  readonly startTs: TimeMs;
  readonly endTs: TimeMs;
  readonly initialBalances: BalanceSheet;
  readonly finalBalances: BalanceSheet;
  /** Equity at the start and end, in quoteCurrency, valued with the marks of the time. */
  readonly initialEquity: number;
  readonly finalEquity: number;
  readonly equity: EquitySeries;
  /** Orders by final status (those still open at the end in their last status), over the whole run. */
  readonly orderCounts: ReadonlyMap<OrderStatus, number>;
  /** Orders whose outcome was in doubt, by how it was settled (venue lookup, or locally). */
  readonly resolutions?: ReadonlyMap<Resolution, number>;
  /** Orders settled locally that the venue showed after all: recorded twice in orders.csv. */
  readonly ordersReopened?: number;
  readonly fillStats: FillStats;
  /**
   * Fraction of equity samples at which some traded position (venue, symbol) was non-zero, computed
   * by the engine while sampling; null with no samples.
   */
  readonly exposure: number | null;
  readonly refused: readonly RefusedSignal[];
  readonly badRows: readonly RefusedSignal[];
  /** Last mark per venue/symbol used for final valuation. */
  readonly marks: ReadonlyMap<string, number>;
  /**
   * Risk state at the end (`active`, `halted`, `reducing`), why it last changed, and every change of
   * the run in order (kill-switch trips and a person's commands).
   */
  readonly riskState: {
    readonly state: string;
    readonly reason?: string;
    readonly ts?: TimeMs;
    readonly history?: ReadonlyArray<{ readonly from: string; readonly to: string; readonly reason: string; readonly ts: TimeMs }>;
  };
  readonly eventsProcessed: number;
  readonly warnings: readonly string[];
  /** Live mode: in-process latency from handing an order to the driver to its HTTP request leaving. */
  readonly submitLatency?: LatencyStats;
}

export interface LatencyStats {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Facts about the execution that vary between identical runs. */
export interface RunInfo {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly wallMs: number;
  readonly host: string;
  readonly node: string;
  readonly tradeflowVersion: string;
  readonly argv: readonly string[];
}
