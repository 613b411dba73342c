/**
 * How much of one arbitrage direction to take. The size is the smallest of
 *
 *   size        the configured size
 *   depth       the cumulative size up to which the MARGINAL net edge (the next ask on the buy venue
 *               against the next bid on the sell venue, walking both books level by level) still
 *               clears the threshold — capped by the visible depth of both books
 *   buy_quote   the buy venue's free quote balance: the largest q with cost(q) × (1 + f_A) ≤ balance
 *   sell_base   the sell venue's free base balance (inventory on each venue; nothing is transferred)
 *   max_notional the risk limit on the buy notional in the reference quote
 *   max_base    the risk limit on the base amount of one opportunity (position)
 *   venue_max   either market's maximum amount
 *
 * then rounded DOWN to the common lot step of both markets (the least common multiple of the two
 * steps, so the same amount is valid on both), and re-checked exactly (bigint) against the two
 * balances. The rounded size must pass both markets' minimums — amount and notional, each in its own
 * quote at the leg's expected VWAP (Binance NOTIONAL 5 USDT, Upbit 5,000 KRW) — and the net edge at
 * that size must clear the threshold (decided exactly, see edge.ts). A failure is a skip with a reason:
 * `no_inventory` when a balance was what limited the size, `size_below_minimum` otherwise.
 */
import { ATTO_PER_UNIT, attoToNumber, toAtto } from '../domain/money.ts';
import { checkOrderLimits, decimalsOf, snapToStep } from '../domain/precision.ts';
import type { Atto, MarketDef } from '../domain/types.ts';
import type { DepthSide } from './books.ts';
import { computeEdge, edgeClears, marginalClears, walkExact, type EdgeResult, type EdgeTerms } from './edge.ts';
import type { SizeBinding, SkipReason } from './opportunity.ts';

export interface SizingLimits {
  /** Largest size wanted, base units. */
  readonly size: number;
  /** Free quote balance on the buy venue. */
  readonly buyQuote: Atto;
  /** Free base balance on the sell venue. */
  readonly sellBase: Atto;
  /** Max buy notional of one opportunity, in the reference quote. */
  readonly maxNotional?: number;
  /** Max base amount of one opportunity. */
  readonly maxBase?: number;
}

export type SizingResult =
  | { readonly ok: true; readonly size: number; readonly binding: SizeBinding }
  | {
      readonly ok: false;
      readonly reason: SkipReason;
      readonly binding: SizeBinding;
      /** The leg and limit code that failed (`MIN_AMOUNT`, `MIN_NOTIONAL`, `LOT_SIZE`), when a minimum did. */
      readonly leg?: 'buy' | 'sell';
      readonly code?: string;
      readonly detail?: string;
    };

/** The smallest step that is a whole number of both steps (their LCM): 1e-5 and 1e-8 → 1e-5. */
export function commonStep(a: number, b: number): number {
  const d = Math.max(decimalsOf(a), decimalsOf(b));
  const f = 10 ** d;
  const ua = Math.round(a * f);
  const ub = Math.round(b * f);
  return (ua / gcd(ua, ub)) * ub / f;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Cumulative size over which the marginal edge clears `thresholdBps`, walking both books together
 * (stops at `cap`, or when either side's visible depth ends).
 */
export function depthLimit(asks: DepthSide, bids: DepthSide, terms: EdgeTerms, thresholdBps: number, cap: number): number {
  let i = 0;
  let j = 0;
  let remA = asks.size(0);
  let remB = bids.size(0);
  let cum = 0;
  while (i < asks.depth && j < bids.depth && cum < cap) {
    if (!marginalClears(asks.price(i), bids.price(j), terms, thresholdBps)) break;
    const step = remA < remB ? remA : remB;
    cum += step;
    remA -= step;
    remB -= step;
    if (remA <= 0) remA = asks.size(++i);
    if (remB <= 0) remB = bids.size(++j);
  }
  return cum < cap ? cum : cap;
}

/** The largest q whose Σ price × qty × `mult` over `asks` stays within `budget` (all visible depth at most). */
export function maxForBudget(asks: DepthSide, budget: number, mult: number): number {
  let rem = budget;
  let q = 0;
  for (let i = 0; i < asks.depth; i++) {
    const unit = asks.price(i) * mult;
    const s = asks.size(i);
    const cost = unit * s;
    if (cost > rem) return q + rem / unit;
    q += s;
    rem -= cost;
  }
  return q;
}

const INVENTORY: ReadonlySet<SizeBinding> = new Set(['buy_quote', 'sell_base']);

function bind(c: { cap: number; binding: SizeBinding }, q: number, why: SizeBinding): void {
  if (q < c.cap) {
    c.cap = q;
    c.binding = why;
  }
}

/**
 * Sizes the direction "buy on `buy` (walking `asks`), sell on `sell` (walking `bids`)". On success
 * `edge` holds the edge at the returned size.
 */
export function sizeOpportunity(
  buy: MarketDef,
  sell: MarketDef,
  asks: DepthSide,
  bids: DepthSide,
  terms: EdgeTerms,
  thresholdBps: number,
  limits: SizingLimits,
  edge: EdgeResult,
): SizingResult {
  if (limits.buyQuote <= 0n) return { ok: false, reason: 'no_inventory', binding: 'buy_quote' };
  if (limits.sellBase <= 0n) return { ok: false, reason: 'no_inventory', binding: 'sell_base' };
  const c: { cap: number; binding: SizeBinding } = { cap: limits.size, binding: 'size' };
  bind(c, attoToNumber(limits.sellBase), 'sell_base');
  if (limits.maxBase !== undefined) bind(c, limits.maxBase, 'max_base');
  const maxA = buy.limits.amount?.max;
  const maxB = sell.limits.amount?.max;
  if (maxA !== undefined) bind(c, maxA, 'venue_max');
  if (maxB !== undefined) bind(c, maxB, 'venue_max');
  bind(c, depthLimit(asks, bids, terms, thresholdBps, c.cap), 'depth');
  if (!(c.cap > 0) && c.binding === 'depth') return { ok: false, reason: 'below_threshold', binding: 'depth' };
  bind(c, maxForBudget(asks, attoToNumber(limits.buyQuote), 1 + terms.buyFee), 'buy_quote');
  if (limits.maxNotional !== undefined) bind(c, maxForBudget(asks, limits.maxNotional, terms.buyFactor), 'max_notional');
  const { cap, binding } = c;

  const step = commonStep(buy.precision.amount, sell.precision.amount);
  let size = cap > 0 ? snapToStep(cap, step, 'down') : 0;
  // The float limits above are exact to ~1e-15; the rounding treats noise below 1e-9 of a step as
  // on-grid. Balances must hold exactly, so the rounded size is checked in bigint and stepped down.
  if (size > 0) size = withinBalances(asks, size, step, terms.buyFee, limits);
  const inventoryBound = INVENTORY.has(binding);
  const short = (leg: 'buy' | 'sell', code: string, detail: string): SizingResult => ({
    ok: false,
    reason: inventoryBound ? 'no_inventory' : 'size_below_minimum',
    binding,
    leg,
    code,
    detail,
  });
  if (!(size > 0)) return short('buy', 'LOT_SIZE', `size ${cap} rounds down to 0 on the common lot step ${step}`);
  if (!computeEdge(asks, bids, size, terms, edge)) return { ok: false, reason: 'below_threshold', binding };
  const vb = checkOrderLimits(buy, size, edge.buyVwap);
  if (vb) return short('buy', vb.code, vb.message);
  const vs = checkOrderLimits(sell, size, edge.sellVwap);
  if (vs) return short('sell', vs.code, vs.message);
  if (!edgeClears(edge, asks, bids, terms, thresholdBps)) return { ok: false, reason: 'below_threshold', binding };
  return { ok: true, size, binding };
}

/** Steps `size` down until cost × (1 + fee) ≤ buy quote and size ≤ sell base hold exactly. */
function withinBalances(asks: DepthSide, size: number, step: number, fee: number, limits: SizingLimits): number {
  const E = ATTO_PER_UNIT;
  const feeMul = E + toAtto(fee);
  // walkExact is in 1e-36 quote units; × (E + F) → 1e-54; the balance (1e-18) × E² → 1e-54.
  const budget = limits.buyQuote * E * E;
  let q = size;
  for (let guard = 0; q > 0 && guard < 4; guard++) {
    if (toAtto(q) <= limits.sellBase && walkExact(asks, q) * feeMul <= budget) return q;
    q = snapToStep(q - step, step, 'nearest');
  }
  return q > 0 && toAtto(q) <= limits.sellBase && walkExact(asks, q) * feeMul <= budget ? q : 0;
}
