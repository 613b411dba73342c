/**
 * Applies driver events to the order registry (through the transition table) and passes on the
 * fills, tagged with the order they belong to.
 */
import { mergeMap, type OperatorFunction } from 'rxjs';
import type { OrderRegistry, OrderState } from '../domain/order-registry.ts';
import type { OrderEvent, OrderFilled } from '../domain/types.ts';

export interface TrackedFill {
  readonly fill: OrderFilled;
  readonly order: OrderState | undefined;
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
    const order = orders.apply(ev);
    if (!order) onForeign(ev);
    return ev.kind === 'OrderFilled' ? [{ fill: ev, order }] : [];
  });
}
