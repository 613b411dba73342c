/**
 * The venue-level fault state one emulated venue carries: refusal windows, lookup lag, altered trade
 * listings, frozen market data, the server clock's offset, and the log of every fault that fired.
 * The runner (fault-runner.ts) sets it; the dialects' routes read it through `notFound` / `tradeView`,
 * which also log each answer the fault changed.
 */
import type { VenueId } from '../../domain/types.ts';
import type { RequestKind } from '../faults.ts';
import { venueClientId, venueOrderId, type OrderRecord } from '../order-ledger.ts';
import { FaultLog } from './fault-log.ts';
import { LookupLag } from './lookup-lag.ts';
import { MarketFreeze } from './market-freeze.ts';
import { TradeFeed, type TradeRow } from './trade-feed.ts';
import { TrafficGate } from './traffic-gate.ts';

/** The request a route is answering, for the log. */
export interface RouteRequest {
  readonly request: string;
  readonly requestKind: RequestKind;
}

export class FaultState {
  readonly log = new FaultLog();
  readonly gate = new TrafficGate();
  readonly lag = new LookupLag();
  readonly trades = new TradeFeed();
  readonly freeze = new MarketFreeze();
  /** `clock-skew`: how far the server clock (signature time checks, `serverTime`) is from wall time. */
  clockOffsetMs = 0;
  /**
   * `partial-then-cancel`: the fill fraction for the order the request being handled places. Set by
   * the runner just before the (synchronous) handler runs and cleared right after, so it can only
   * reach that request's order.
   */
  private armed: number | undefined;

  constructor(private readonly venue: VenueId) {}

  armPartial(fill: number | undefined): void {
    this.armed = fill;
  }

  /** The armed fraction, once. */
  takePartial(): number | undefined {
    const f = this.armed;
    this.armed = undefined;
    return f;
  }

  /** A lookup of `order` by id or client id: true when a not-found lag must answer "no such order". */
  notFound(order: OrderRecord, at: RouteRequest, now = Date.now()): boolean {
    if (!this.lag.lookup(order, now)) return false;
    const left = this.lag.lookupsLeft(order);
    this.note(order, 'not-found-lag', at, `lookup answered not-found${left > 0 ? ` (${left} more to come)` : ''}`);
    return true;
  }

  /** Orders a list shows now: lagging ones left out (without using up their lookups). */
  listed(orders: readonly OrderRecord[], now = Date.now()): OrderRecord[] {
    return orders.filter((r) => !this.lag.hidden(r, now));
  }

  /** Trade rows as a listing shows them now (drop-event / repeat-event applied and logged). */
  tradeView<T extends TradeRow>(rows: readonly T[], at: RouteRequest, now = Date.now()): T[] {
    const v = this.trades.view(rows, now);
    for (const a of v.altered) {
      const what = a.kind === 'drop-event' ? `left out ${a.trades} trade(s) the order already counts` : `listed ${a.trades} trade(s) twice`;
      this.note(a.order, a.kind, at, what);
    }
    return v.rows;
  }

  private note(order: OrderRecord, kind: string, at: RouteRequest, effect: string): void {
    const clientId = venueClientId(this.venue, order);
    this.log.add({
      kind,
      trigger: false,
      request: at.request,
      requestKind: at.requestKind,
      ...(clientId !== undefined ? { clientId } : {}),
      orderId: venueOrderId(this.venue, order),
      effect,
    });
  }
}
