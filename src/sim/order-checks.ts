/**
 * The venue's filters, applied when a submit arrives: lot size, tick (with Upbit's KRW tick table via
 * `tickAt`), then the market's minimums and maximums (`checkOrderLimits`). Funds are checked after
 * these, by the exchange, because they need the book and the balances.
 */
import { checkOrderLimits, tickAt } from '../domain/precision.ts';
import type { SubmitOrder } from '../domain/types.ts';
import type { MarketState } from './market-state.ts';

export type OrderCheck =
  | { readonly ok: true; readonly lots: number; readonly limitKey: number }
  | { readonly ok: false; readonly code: string; readonly reason: string };

const reject = (code: string, reason: string): OrderCheck => ({ ok: false, code, reason });

/**
 * Checks `cmd` against `m`'s rules. `refPrice` prices market orders for the notional check (the
 * market's current reference price; the check is skipped when there is none).
 */
export function checkSubmit(m: MarketState, cmd: SubmitOrder, refPrice: number | undefined): OrderCheck {
  const lots = m.lots.exact(cmd.quantity);
  if (Number.isNaN(lots)) {
    return reject('LOT_SIZE', `${symOf(m)}: amount ${cmd.quantity} is not a positive multiple of the lot step ${m.lots.step}`);
  }
  let limitKey = Number.NaN;
  if (cmd.type === 'limit') {
    const price = cmd.price;
    if (price === undefined || !(price > 0) || !Number.isFinite(price)) {
      return reject('PRICE_FILTER', `${symOf(m)}: a limit order needs a positive price, got ${price}`);
    }
    const tick = tickAt(m.def, price);
    if (!onTick(m, price, tick)) {
      return reject('PRICE_FILTER', `${symOf(m)}: price ${price} is not a multiple of the tick ${tick}`);
    }
    limitKey = m.grid.key(price);
  }
  const violation = checkOrderLimits(m.def, cmd.quantity, cmd.type === 'limit' ? cmd.price : refPrice);
  if (violation) return reject(violation.code, violation.message);
  return { ok: true, lots, limitKey };
}

/** `venue SYMBOL`, for messages (only built when a check fails). */
function symOf(m: MarketState): string {
  return `${m.def.venue} ${m.def.symbol}`;
}

/** True when `price` is a whole number of `tick`s, judged in integer key units. */
function onTick(m: MarketState, price: number, tick: number): boolean {
  const x = price * m.grid.scale;
  const k = Math.round(x);
  // A price with more decimals than the finest tick is off the grid; float noise is not.
  if (Math.abs(x - k) > 1e-9 + Math.abs(x) * 1e-15) return false;
  const t = Math.round(tick * m.grid.scale);
  return t > 0 && k % t === 0;
}
