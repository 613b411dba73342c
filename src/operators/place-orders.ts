/**
 * Turns approved signals into orders: rounds to the market's lot and tick, checks the venue's
 * minimums locally (a violation is a final `rejected`, never sent), gives each order a fresh client id,
 * registers it before the request leaves, then hands it to the venue's driver.
 */
import { map, type OperatorFunction } from 'rxjs';
import type { ExchangeDriver } from '../drivers/exchange-driver.ts';
import type { ClientIdFactory } from '../domain/client-ids.ts';
import type { OrderRegistry, OrderState } from '../domain/order-registry.ts';
import { checkOrderLimits, roundAmount, roundPrice } from '../domain/precision.ts';
import type { MarketDef, MarketSymbol, OrderSignal, SubmitOrder, VenueId } from '../domain/types.ts';

export interface PlaceOrdersDeps {
  readonly orders: OrderRegistry;
  readonly ids: ClientIdFactory;
  readonly driver: (venue: VenueId) => ExchangeDriver;
  readonly market: (venue: VenueId, symbol: MarketSymbol) => MarketDef | undefined;
  /** Reference price for checking a market order's notional against the minimum. */
  readonly mark: (venue: VenueId, symbol: MarketSymbol) => number | undefined;
  /** Called once the order is registered and before it is sent (the journal hook). */
  readonly beforeSend?: (order: OrderState) => void;
  /** Time stamped on orders; default the signal's own time (right for event-time backtests). */
  readonly now?: () => number;
  /** When the signal being placed reached the engine (performance.now()), passed to the driver. */
  readonly signalAt?: () => number;
}

/** Builds the order for a signal, rounded to the market's precision. */
export function orderFromSignal(sig: OrderSignal, market: MarketDef, clientId: string, ts = sig.ts): SubmitOrder {
  const quantity = lotRounded(market, sig.quantity);
  // A buy limit rounds down and a sell limit up: never more aggressive than the signal asked.
  const price = sig.type === 'limit' && sig.price !== undefined ? roundPrice(market, sig.price, sig.side === 'buy' ? 'down' : 'up') : undefined;
  // Literals rather than a conditional spread: this runs once per signal.
  if (price !== undefined) {
    return { clientId, venue: sig.venue, symbol: sig.symbol, side: sig.side, type: sig.type, quantity, price, ts, signalId: sig.id };
  }
  return { clientId, venue: sig.venue, symbol: sig.symbol, side: sig.side, type: sig.type, quantity, ts, signalId: sig.id };
}

// `roundAmount` of the last quantity seen per market: signal files mostly repeat a few sizes, and the
// rounding (a decimals search over the lot step) is the costliest part of building an order.
const lastRounded = new WeakMap<MarketDef, { qty: number; rounded: number }>();

function lotRounded(market: MarketDef, qty: number): number {
  const last = lastRounded.get(market);
  if (last !== undefined && Object.is(last.qty, qty)) return last.rounded;
  const rounded = roundAmount(market, qty);
  if (last === undefined) lastRounded.set(market, { qty, rounded });
  else {
    last.qty = qty;
    last.rounded = rounded;
  }
  return rounded;
}

/**
 * @example approved$.pipe(placeOrders(deps)).subscribe()
 * Emits every order created, whether sent or rejected locally.
 */
export function placeOrders(deps: PlaceOrdersDeps): OperatorFunction<OrderSignal, OrderState> {
  return map((sig) => placeOrder(deps, sig));
}

/**
 * Places one approved signal as `placeOrders` does (the operator is this, per signal): for callers
 * that build their orders themselves, such as the arbitrage executor's legs.
 */
export function placeOrder(deps: PlaceOrdersDeps, sig: OrderSignal): OrderState {
  const market = deps.market(sig.venue, sig.symbol);
  if (!market) throw new Error(`no market definition for ${sig.venue} ${sig.symbol}`);
  const cmd = orderFromSignal(sig, market, deps.ids.next(), deps.now?.() ?? sig.ts);
  const order = deps.orders.create(cmd);
  const violation =
    cmd.quantity <= 0
      ? { code: 'LOT_SIZE', message: `quantity ${sig.quantity} rounds to 0 at lot step ${market.precision.amount}` }
      : checkOrderLimits(market, cmd.quantity, cmd.price ?? deps.mark(cmd.venue, cmd.symbol));
  if (violation) {
    deps.orders.transition(order, 'reject', cmd.ts, `${violation.code}: ${violation.message}`);
    return order;
  }
  deps.beforeSend?.(order);
  deps.orders.transition(order, 'submit', cmd.ts);
  void deps.driver(cmd.venue).submit(cmd, deps.signalAt ? { signalAt: deps.signalAt() } : undefined);
  return order;
}
