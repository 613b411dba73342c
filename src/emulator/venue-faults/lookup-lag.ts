/**
 * `not-found-lag`: an accepted order the venue's query side does not know yet. Binance documents that
 * an order may not be visible right after it was placed; a lookup by id or client id then answers
 * -2013 "Order does not exist." (Upbit: 404 `order_not_found`). While lagging, the order also stays out
 * of open/closed order lists (the same query side serves them); cancels, which go to the matching
 * engine, still find it. Hidden for the next `lookups` lookups by id and/or `ms` after acceptance —
 * whichever lasts longer when both are given.
 */
import type { OrderRecord } from '../order-ledger.ts';

interface Lag {
  left: number;
  readonly until: number;
}

export class LookupLag {
  private readonly lagging = new Map<OrderRecord, Lag>();

  hide(order: OrderRecord, now: number, lookups: number | undefined, ms: number | undefined): void {
    this.lagging.set(order, { left: lookups ?? 0, until: ms === undefined ? 0 : now + ms });
  }

  /** True when this lookup of `order` must answer not-found (it uses up one of the lookups). */
  lookup(order: OrderRecord, now: number): boolean {
    const lag = this.active(order, now);
    if (lag === undefined) return false;
    if (lag.left > 0) lag.left -= 1;
    return true;
  }

  /** Lookups still to be answered not-found (0 when the lag is time-based or over). */
  lookupsLeft(order: OrderRecord): number {
    return this.lagging.get(order)?.left ?? 0;
  }

  /** Whether lists leave `order` out now (does not use up a lookup). */
  hidden(order: OrderRecord, now: number): boolean {
    return this.active(order, now) !== undefined;
  }

  private active(order: OrderRecord, now: number): Lag | undefined {
    const lag = this.lagging.get(order);
    if (lag === undefined) return undefined;
    if (lag.left > 0 || now < lag.until) return lag;
    this.lagging.delete(order);
    return undefined;
  }
}
