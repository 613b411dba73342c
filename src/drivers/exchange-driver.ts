/**
 * The one interface every venue sits behind: simulated, paper, live (ccxt) and the fault-injecting
 * wrapper. Commands go in; everything that happens to an order comes out of `events$` — including
 * rejections and unknown outcomes, so the order manager is driven by events alone, the same in
 * every mode. Queries return the venue's truth for reconciliation.
 */
import type { Observable } from 'rxjs';
import type {
  Asset,
  Atto,
  BookSnapshot,
  BookTop,
  CancelOrder,
  MarketDef,
  MarketSymbol,
  OrderEvent,
  OrderFilled,
  OrderSnapshot,
  SubmitOrder,
  VenueId,
} from '../domain/types.ts';

export interface OrderQuery {
  readonly symbol: MarketSymbol;
  readonly clientId?: string;
  readonly exchangeId?: string;
}

export type Balances = ReadonlyMap<Asset, Atto>;

/**
 * An order this driver did not submit in this session — sent by a session that died (from the
 * journal), or found at the venue with our prefix — handed over so that the driver follows it like its
 * own: lookups and polls of it report on `events$`, and the fills listed here are never reported again.
 */
export interface AdoptedOrder {
  readonly cmd: SubmitOrder;
  readonly exchangeId?: string;
  readonly fills: readonly OrderFilled[];
}

/** What a driver's warm-up did (ExchangeDriver.warmUp). */
export interface WarmUpReport {
  /** Dry placements made. */
  readonly calls: number;
  readonly ms: number;
  /** Why the warm-up stopped early: a call failed before reaching the transport (redacted). */
  readonly problem?: string;
}

/** What the engine knows about a submit besides the order itself. */
export interface SubmitMeta {
  /** `performance.now()` when the signal behind the order reached the engine (latency measurement). */
  readonly signalAt?: number;
}

export interface ExchangeDriver {
  readonly venue: VenueId;
  /** Markets this driver can trade, with precision and limits. */
  loadMarkets(): Promise<ReadonlyMap<MarketSymbol, MarketDef>>;
  /**
   * Sends an order. Resolves once the request has been handed over (the simulated driver: queued
   * for its arrival time). The outcome — accepted, filled, rejected, unknown — arrives on `events$`.
   * Never rejects for venue outcomes; rejects only on programming errors.
   */
  submit(order: SubmitOrder, meta?: SubmitMeta): Promise<void>;
  /** Requests a cancel; the outcome arrives on `events$` (OrderCanceled, or a fill that won the race). */
  cancel(cmd: CancelOrder): Promise<void>;
  /** Looks an order up by exchange id or client id; undefined when the venue does not know it. */
  fetchOrder(query: OrderQuery): Promise<OrderSnapshot | undefined>;
  fetchOpenOrders(symbol?: MarketSymbol): Promise<OrderSnapshot[]>;
  /** Total balance per asset (free + locked) in atto-units. */
  fetchBalance(): Promise<Balances>;
  /** Order events in venue order. Hot: subscribe before submitting. */
  readonly events$: Observable<OrderEvent>;
  /** Best bid/ask/last updates. Hot. */
  readonly book$: Observable<BookTop>;
  /**
   * Every polled book with all its levels, where the driver polls books (paper, live). Hot. The
   * arbitrage detector sizes through these (slippage over the visible depth), not just the top.
   */
  readonly depth$?: Observable<BookSnapshot>;
  /** Follows an order sent by an earlier session (see AdoptedOrder). Drivers without memory of it may ignore it. */
  adopt?(order: AdoptedOrder): Promise<void>;
  /**
   * Runs the order path dry (built and signed, never sent) `calls` times before the first signal, so
   * the first real orders do not pay for cold code. Drivers whose path is not worth warming omit it.
   */
  warmUp?(symbols: readonly MarketSymbol[], opts: { readonly calls: number; readonly maxMs?: number }): Promise<WarmUpReport>;
  /** The engine settled this order itself (proven absent): stop following it. */
  forget?(clientId: string): void;
  close(): Promise<void>;
}
