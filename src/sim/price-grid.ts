/**
 * Integer units for one market: prices become integer "keys" (price × 10^priceDecimals) and amounts
 * become whole lots. The matching engine compares and stores only these integers, so a data price of
 * 20472.800000000003 and an order price of 20472.8 land on the same level, and every quantity we fill
 * is an exact multiple of the lot step.
 */
import { toAtto } from '../domain/money.ts';
import { decimalsOf, priceDecimals } from '../domain/precision.ts';
import type { Atto, MarketDef } from '../domain/types.ts';

/** Relative tolerance under which a scaled float counts as the integer it is next to (float noise). */
const NOISE = 1e-9;

/** Rounds `x` to the integer it is within float noise of, or returns it unchanged. */
function settle(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) <= NOISE * Math.max(1, Math.abs(x)) ? r : x;
}

export class PriceGrid {
  /** 10^decimals of the finest tick the market has (tick table included). */
  readonly scale: number;
  private readonly baseTick: number;
  private readonly fromKeys: number[] = [];
  private readonly tickUnits: number[] = [];

  constructor(market: MarketDef) {
    this.scale = 10 ** priceDecimals(market);
    this.baseTick = Math.round(market.precision.price * this.scale);
    for (const row of market.tickTable ?? []) {
      this.fromKeys.push(Math.round(row.from * this.scale));
      this.tickUnits.push(Math.round(row.tick * this.scale));
    }
  }

  /**
   * The key of a price. Monotone, so order is preserved; above 2^53 (Upbit KRW prices with an 8-decimal
   * table) keys stay exact because such prices are whole multiples of a large tick.
   */
  key(price: number): number {
    return Math.round(price * this.scale);
  }

  /** The price of a key: a correctly rounded division, i.e. the nearest double to the exact decimal. */
  price(key: number): number {
    return key / this.scale;
  }

  /** Tick size in key units at `key`; same rule as `tickAt` in precision.ts (row applies from `from`). */
  tickAt(key: number): number {
    let tick = this.baseTick;
    const from = this.fromKeys;
    for (let i = 0; i < from.length; i++) {
      if (key >= from[i]!) tick = this.tickUnits[i]!;
      else break;
    }
    return tick;
  }

  /** Key of the highest on-tick price ≤ `price`. */
  floorKey(price: number): number {
    const x = settle(price * this.scale);
    const t = this.tickAt(Math.floor(x));
    return Math.floor(settle(x / t)) * t;
  }

  /** Key of the lowest on-tick price ≥ `price`. */
  ceilKey(price: number): number {
    const x = settle(price * this.scale);
    const t = this.tickAt(Math.ceil(x));
    return Math.ceil(settle(x / t)) * t;
  }

  /** One tick above `key` (the tick that applies at `key`). */
  up(key: number): number {
    return key + this.tickAt(key);
  }

  /** One tick below `key` (the tick that applies just below it, which differs at a table boundary). */
  down(key: number): number {
    return key - this.tickAt(key - 1);
  }
}

export class LotGrid {
  readonly step: number;
  /** Exact atto value of one lot, so base amounts are `lots × stepAtto` with no conversion per fill. */
  readonly stepAtto: Atto;
  private readonly scale: number;
  private readonly stepUnits: number;

  constructor(market: MarketDef) {
    this.step = market.precision.amount;
    const d = decimalsOf(this.step);
    this.scale = 10 ** d;
    this.stepUnits = Math.round(this.step * this.scale);
    this.stepAtto = toAtto(this.step);
  }

  /** Whole lots in `qty` when it is a positive multiple of the step, else NaN. */
  exact(qty: number): number {
    if (!(qty > 0) || !Number.isFinite(qty)) return Number.NaN;
    const x = settle((qty * this.scale) / this.stepUnits);
    return Number.isInteger(x) && x >= 1 ? x : Number.NaN;
  }

  /** Whole lots available in `qty` (data quantities may carry float noise or sub-lot dust). */
  floor(qty: number): number {
    if (!(qty > 0)) return 0;
    return Math.floor(settle((qty * this.scale) / this.stepUnits));
  }

  /** The quantity of `lots` lots: nearest double to the exact decimal. */
  qty(lots: number): number {
    return (lots * this.stepUnits) / this.scale;
  }

  atto(lots: number): Atto {
    return BigInt(lots) * this.stepAtto;
  }
}
