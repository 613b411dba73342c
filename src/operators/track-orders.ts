/**
 * Applies driver events to the order registry (through the transition table) and passes on the
 * fills of our orders, each once (a repeated trade id is dropped), tagged with their order. Events for
 * orders we do not know go to `onForeign` (reconciliation's input).
 */
import { mergeMap, type OperatorFunction } from 'rxjs';
import type { OrderRegistry, OrderState } from '../domain/order-registry.ts';
import type { OrderEvent, OrderFilled } from '../domain/types.ts';

const NONE: never[] = [];

export interface TrackedFill {
  readonly fill: OrderFilled;
  readonly order: OrderState;
}

/**
 * @param onForeign called for events about orders this run never created (reconciliation input)
 * @example driver.events$.pipe(trackOrders(registry, foreign)).subscribe(applyFill)
 */
export function trackOrders(
  orders: OrderRegistry,
  onForeign: (ev: OrderEvent) => void = () => {},
): OperatorFunction<OrderEvent, TrackedFill> {
  return mergeMap((ev) => {
    const { order, duplicate } = orders.apply(ev);
    if (!order) onForeign(ev);
    return ev.kind === 'OrderFilled' && order && !duplicate ? [{ fill: ev, order }] : NONE;
  });
}
