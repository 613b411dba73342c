/**
 * What one run produces, independent of how it is written out. The engine fills it; report writers
 * read it. Everything here is a pure function of (scenario, data, seed): wall-clock facts live in
 * `RunInfo` and go to `run.json` only.
 */
import type {
  Asset,
  Atto,
  Liquidity,
  MarketSymbol,
  OrderStatus,
  OrderType,
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
  readonly orders: readonly OrderRecord[];
  readonly fills: readonly FillRecord[];
  readonly refused: readonly RefusedSignal[];
  readonly badRows: readonly RefusedSignal[];
  /** Last mark per venue/symbol used for final valuation. */
  readonly marks: ReadonlyMap<string, number>;
  /** Risk state at the end (`active`, `halted`, `reducing`) and why it changed. */
  readonly riskState: { readonly state: string; readonly reason?: string; readonly ts?: TimeMs };
  readonly eventsProcessed: number;
  readonly warnings: readonly string[];
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
