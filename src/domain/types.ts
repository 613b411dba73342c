/**
 * Domain types shared by every layer. Plain data, no behaviour.
 *
 * Numbers: prices and quantities are JS numbers that have already been rounded to the market's
 * precision (so they are the nearest double to an exact decimal). Money that is *accumulated*
 * (balances, notional, fees, P&L) is a `bigint` of atto-units (1e-18 of the asset) — see `money.ts` —
 * so that sums reconcile exactly and float drift never reaches a balance.
 */

/** A ccxt exchange id, e.g. `binance`, `upbit`. */
export type VenueId = string;
/** A ccxt unified symbol, e.g. `BTC/USDT`, `BTC/KRW`. */
export type MarketSymbol = string;
/** An asset code, e.g. `BTC`, `USDT`, `KRW`. */
export type Asset = string;
/** Event time, epoch milliseconds. Never wall time inside a backtest. */
export type TimeMs = number;
/** Fixed-point amount in 1e-18 units of an asset. */
export type Atto = bigint;

export const Sides = ['buy', 'sell'] as const;
export type Side = (typeof Sides)[number];

export const OrderTypes = ['market', 'limit'] as const;
export type OrderType = (typeof OrderTypes)[number];

export type Liquidity = 'maker' | 'taker';

/** Where a record came from, for error messages and reports. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

// ---------------------------------------------------------------------------------------------
// Signals
// ---------------------------------------------------------------------------------------------

/** A trading signal: "buy/sell this much of this market on this venue". */
export interface OrderSignal {
  readonly kind: 'order';
  readonly id: string;
  readonly ts: TimeMs;
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly side: Side;
  readonly quantity: number;
  readonly type: OrderType;
  /** Limit price; required when `type` is `limit`. */
  readonly price?: number;
  /** The signal's own risk score, 0..1; refused above the configured limit. */
  readonly risk?: number;
  readonly source?: SourceRef;
}

/** What a control row asks of the kill switch: `halt` → halted, `reduce` → reducing, `resume` → active. */
export const ControlActions = ['halt', 'reduce', 'resume'] as const;
export type ControlAction = (typeof ControlActions)[number];

/**
 * A person's command in the signal stream (a row whose `side` is halt, reduce or resume). It acts on
 * the whole run's kill switch; the row's exchange, symbol and quantity, if any, are ignored.
 */
export interface ControlSignal {
  readonly kind: 'control';
  readonly id: string;
  readonly ts: TimeMs;
  readonly action: ControlAction;
  readonly source?: SourceRef;
}

/**
 * A cross-venue arbitrage to take (a row whose `side` is `arb`): buy `quantity` of base on `buyVenue`
 * (`buySymbol`) and sell it on `sellVenue` (`sellSymbol`), both as takers. It is executed by the
 * arbitrage operator, which prices the edge again on the books at execution time and skips the signal,
 * with a reason, when the edge is gone or the books are stale.
 */
export interface ArbSignal {
  readonly kind: 'arb';
  readonly id: string;
  readonly ts: TimeMs;
  readonly buyVenue: VenueId;
  readonly buySymbol: MarketSymbol;
  readonly sellVenue: VenueId;
  readonly sellSymbol: MarketSymbol;
  readonly quantity: number;
  readonly risk?: number;
  readonly source?: SourceRef;
}

export type Signal = OrderSignal | ControlSignal | ArbSignal;

// ---------------------------------------------------------------------------------------------
// Market data
// ---------------------------------------------------------------------------------------------

/** One OHLCV candle, stamped with its open time. */
export interface CandleEvent {
  readonly kind: 'candle';
  readonly ts: TimeMs;
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** One public trade print. `side` is the taker side when known. */
export interface TradeEvent {
  readonly kind: 'trade';
  readonly ts: TimeMs;
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly price: number;
  readonly quantity: number;
  readonly side?: Side;
}

/**
 * One L2 level change. A snapshot is a run of rows with `snapshot: true` and the same `ts`; the first
 * row of a snapshot run has `reset: true` and clears the book before it is applied. Quantity 0 deletes.
 */
export interface BookLevelEvent {
  readonly kind: 'level';
  readonly ts: TimeMs;
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly side: 'bid' | 'ask';
  readonly price: number;
  readonly quantity: number;
  readonly snapshot: boolean;
  readonly reset: boolean;
}

export type MarketEvent = CandleEvent | TradeEvent | BookLevelEvent;

/**
 * One polled order book, all its levels: the L2 snapshot rows (bids best first, then asks best first;
 * the first row has `reset`), stamped with when the book's content last changed (a stalled feed ages).
 */
export interface BookSnapshot {
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly ts: TimeMs;
  readonly rows: readonly BookLevelEvent[];
}

/** Best bid/ask of one market at one moment (what a driver's book stream publishes). */
export interface BookTop {
  readonly ts: TimeMs;
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly bid?: number;
  readonly bidSize?: number;
  readonly ask?: number;
  readonly askSize?: number;
  /** Last traded / reference price (candle close, last trade) used for marking positions. */
  readonly last?: number;
}

// ---------------------------------------------------------------------------------------------
// Markets (ccxt market structure, reduced to what execution needs)
// ---------------------------------------------------------------------------------------------

export interface MinMax {
  readonly min?: number;
  readonly max?: number;
}

/**
 * A tradable market's rules, shaped like ccxt's market structure (TICK_SIZE precision mode):
 * `precision.price` is the tick size, `precision.amount` the lot step.
 */
export interface MarketDef {
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly id?: string;
  readonly base: Asset;
  readonly quote: Asset;
  readonly precision: { readonly price: number; readonly amount: number };
  readonly limits: {
    readonly amount?: MinMax;
    readonly price?: MinMax;
    /** Notional (price × amount) in quote. */
    readonly cost?: MinMax;
  };
  /**
   * Price-dependent tick sizes, ascending by `from` (Upbit KRW markets). When present it overrides
   * `precision.price` for prices ≥ each `from`.
   */
  readonly tickTable?: ReadonlyArray<{ readonly from: number; readonly tick: number }>;
  readonly maker?: number;
  readonly taker?: number;
}

// ---------------------------------------------------------------------------------------------
// Orders
// ---------------------------------------------------------------------------------------------

export const OrderStatuses = [
  'new',
  'submitting',
  'open',
  'partially_filled',
  'filled',
  'canceled',
  'rejected',
  'expired',
  'unknown',
] as const;
export type OrderStatus = (typeof OrderStatuses)[number];

export const TerminalStatuses: ReadonlySet<OrderStatus> = new Set(['filled', 'canceled', 'rejected', 'expired']);

/** What the order manager asks a driver to place. Carries its client id from the start. */
export interface SubmitOrder {
  readonly clientId: string;
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly side: Side;
  readonly type: OrderType;
  readonly quantity: number;
  readonly price?: number;
  /** Event time at which the command was issued. */
  readonly ts: TimeMs;
  readonly signalId?: string;
}

export interface CancelOrder {
  readonly clientId: string;
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly exchangeId?: string;
  readonly ts: TimeMs;
}

/** A driver's answer to a query: the venue's view of one order. */
export interface OrderSnapshot {
  readonly clientId?: string;
  readonly exchangeId: string;
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly side: Side;
  readonly type: OrderType;
  readonly quantity: number;
  readonly price?: number;
  readonly filled: number;
  readonly status: OrderStatus;
  readonly ts: TimeMs;
}

// ---------------------------------------------------------------------------------------------
// Order events (immutable, named in the past tense). Drivers emit these; the order manager and the
// position tracker consume them.
// ---------------------------------------------------------------------------------------------

interface OrderEventBase {
  readonly clientId: string;
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  /** Event time at the venue. */
  readonly ts: TimeMs;
}

export interface OrderAccepted extends OrderEventBase {
  readonly kind: 'OrderAccepted';
  readonly exchangeId: string;
}

export interface OrderFilled extends OrderEventBase {
  readonly kind: 'OrderFilled';
  readonly exchangeId: string;
  /** Venue trade id; a fill is applied once per (venue, tradeId). */
  readonly tradeId: string;
  readonly side: Side;
  readonly price: number;
  readonly quantity: number;
  /** price × quantity in quote atto-units, exact. */
  readonly notional: Atto;
  readonly fee: Atto;
  readonly feeAsset: Asset;
  readonly liquidity: Liquidity;
}

/**
 * How an outcome that was in doubt got settled: `local` when tradeflow decided it without the venue
 * confirming (an order proven absent by repeated lookups, or never seen again after a cancel).
 */
export type Resolution = 'lookup' | 'local';

export interface OrderCanceled extends OrderEventBase {
  readonly kind: 'OrderCanceled';
  readonly reason?: string;
  readonly resolution?: Resolution;
}

export interface OrderExpired extends OrderEventBase {
  readonly kind: 'OrderExpired';
  readonly reason?: string;
}

export interface OrderRejected extends OrderEventBase {
  readonly kind: 'OrderRejected';
  readonly reason: string;
  /** Venue or local error code, e.g. `-2010`, `MIN_NOTIONAL`. */
  readonly code?: string;
  readonly resolution?: Resolution;
}

/** The outcome of a submit is not known (timeout, 5xx, reset after send). Resolve by lookup. */
export interface OrderStatusUnknown extends OrderEventBase {
  readonly kind: 'OrderStatusUnknown';
  readonly reason: string;
}

export type OrderEvent =
  | OrderAccepted
  | OrderFilled
  | OrderCanceled
  | OrderExpired
  | OrderRejected
  | OrderStatusUnknown;

export type OrderEventKind = OrderEvent['kind'];
