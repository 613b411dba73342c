/**
 * Market precision and limits: snapping prices to ticks (including Upbit's price-dependent KRW tick
 * table) and amounts to lot steps, and checking an order against a market's minimums before it is sent.
 */
import type { MarketDef } from './types.ts';

export type RoundMode = 'down' | 'up' | 'nearest';

/** Number of decimals needed to write `step` exactly: 0.01 → 2, 0.5 → 1, 1000 → 0, 1e-8 → 8. */
export function decimalsOf(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) throw new RangeError(`step must be a positive number, got ${step}`);
  for (let d = 0; d <= 18; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return 18;
}

/**
 * Snaps `value` to a multiple of `step`. Float noise below 1e-9 of a decimal unit is treated as exact
 * (0.29 × 100 = 28.999999999999996 is 29), so values already on the grid never move.
 */
export function snapToStep(value: number, step: number, mode: RoundMode): number {
  const d = decimalsOf(step);
  const f = 10 ** d;
  const stepUnits = Math.round(step * f);
  const raw = value * f;
  const nearest = Math.round(raw);
  const units = Math.abs(raw - nearest) <= 1e-9 * Math.max(1, Math.abs(raw)) ? nearest : raw;
  const q = units / stepUnits;
  const n = mode === 'down' ? Math.floor(q) : mode === 'up' ? Math.ceil(q) : Math.round(q);
  return (n * stepUnits) / f;
}

/** True when `value` lies on the `step` grid (within float noise). */
export function isOnStep(value: number, step: number): boolean {
  return snapToStep(value, step, 'nearest') === snapToStep(value, step, 'down') &&
    Math.abs(snapToStep(value, step, 'nearest') - value) <= 1e-9 * Math.max(1, Math.abs(value));
}

/** The tick size that applies at `price` in `market`. */
export function tickAt(market: MarketDef, price: number): number {
  const table = market.tickTable;
  if (!table || table.length === 0) return market.precision.price;
  let tick = market.precision.price;
  for (const row of table) {
    if (price >= row.from) tick = row.tick;
    else break;
  }
  return tick;
}

/** Rounds a price to the market's tick (buy limits round down, sell limits up, by convention of callers). */
export function roundPrice(market: MarketDef, price: number, mode: RoundMode = 'nearest'): number {
  const snapped = snapToStep(price, tickAt(market, price), mode);
  // Crossing a tick-table boundary can change the tick; one more pass settles it.
  return snapToStep(snapped, tickAt(market, snapped), mode);
}

/** Rounds an amount down to the lot step (ccxt's amountToPrecision truncates too). */
export function roundAmount(market: MarketDef, amount: number): number {
  return snapToStep(amount, market.precision.amount, 'down');
}

/** Decimals to print prices of this market with (the finest tick in its table). */
export function priceDecimals(market: MarketDef): number {
  const ticks = [market.precision.price, ...(market.tickTable ?? []).map((r) => r.tick)];
  return Math.max(...ticks.map(decimalsOf));
}

export function amountDecimals(market: MarketDef): number {
  return decimalsOf(market.precision.amount);
}

export interface LimitViolation {
  /** Machine code, stable for reports: `LOT_SIZE`, `MIN_AMOUNT`, `MAX_AMOUNT`, `MIN_NOTIONAL`, `MAX_NOTIONAL`, `PRICE_FILTER`. */
  readonly code: string;
  readonly message: string;
}

/**
 * Checks an order's amount and (for limit orders, or market orders with a reference price) notional
 * against the market's limits. Returns the first violation, or undefined when the order may be sent.
 */
export function checkOrderLimits(market: MarketDef, amount: number, price: number | undefined): LimitViolation | undefined {
  const sym = `${market.venue} ${market.symbol}`;
  if (!(amount > 0) || !Number.isFinite(amount)) {
    return { code: 'LOT_SIZE', message: `${sym}: amount must be a positive number, got ${amount}` };
  }
  const { amount: amt, cost } = market.limits;
  if (amt?.min !== undefined && amount < amt.min) {
    return { code: 'MIN_AMOUNT', message: `${sym}: amount ${amount} is below the minimum ${amt.min}` };
  }
  if (amt?.max !== undefined && amount > amt.max) {
    return { code: 'MAX_AMOUNT', message: `${sym}: amount ${amount} is above the maximum ${amt.max}` };
  }
  if (price !== undefined) {
    if (!(price > 0)) return { code: 'PRICE_FILTER', message: `${sym}: price must be positive, got ${price}` };
    const notional = amount * price;
    if (cost?.min !== undefined && notional < cost.min * (1 - 1e-12)) {
      return { code: 'MIN_NOTIONAL', message: `${sym}: notional ${notional} ${market.quote} is below the minimum ${cost.min}` };
    }
    if (cost?.max !== undefined && notional > cost.max) {
      return { code: 'MAX_NOTIONAL', message: `${sym}: notional ${notional} ${market.quote} is above the maximum ${cost.max}` };
    }
  }
  return undefined;
}
