/**
 * Risk gate: lets a signal through only when every configured limit holds. A denial is an event
 * (reported), never an exception. Rules, first failing wins: `halted` (kill switch: cancels only),
 * `stale_book` (market data older than `maxBookAgeMs`, rule 8), `signal_risk`, `reducing` (only
 * position-shrinking orders), `max_open_orders`, `max_position`, `no_reference_price`,
 * `max_order_notional`. Cancels never pass through here, so none is ever blocked.
 */
import { filter, type OperatorFunction } from 'rxjs';
import type { KillSwitch } from '../domain/kill-switch.ts';
import type { OrderRegistry } from '../domain/order-registry.ts';
import type { Portfolio } from '../domain/portfolio.ts';
import { attoToNumber, toAtto } from '../domain/money.ts';
import type { RefusedSignal } from '../domain/run-result.ts';
import type { RiskLimits } from '../domain/risk-limits.ts';
import type { MarketSymbol, OrderSignal, TimeMs, VenueId } from '../domain/types.ts';

export type { RiskLimits };


export interface RiskContext {
  readonly limits: RiskLimits;
  readonly killSwitch: KillSwitch;
  readonly portfolio: Portfolio;
  readonly orders: OrderRegistry;
  /** Reference price of a market now (mark), if any. */
  readonly mark: (venue: VenueId, symbol: MarketSymbol) => number | undefined;
  /** Value of one unit of a market's quote in the reporting currency. */
  readonly quoteRate: (venue: VenueId, symbol: MarketSymbol) => number | undefined;
  /**
   * How old (ms) the market's last book/mark update is at a signal of time `ts`; undefined when none
   * arrived yet. Backtests measure in event time (`ts` − last market event); paper and live in wall time
   * (now − last book fetched), ignoring `ts`. Without it the `maxBookAgeMs` limit cannot be checked.
   */
  readonly markAge?: (venue: VenueId, symbol: MarketSymbol, ts: TimeMs) => number | undefined;
}

export type RiskVerdict = { readonly ok: true } | { readonly ok: false; readonly rule: string; readonly reason: string };

const OK: RiskVerdict = { ok: true };

/** Signed base quantity this market would hold if every live order filled. */
function projectedPosition(ctx: RiskContext, venue: VenueId, symbol: MarketSymbol): number {
  let qty = attoToNumber(ctx.portfolio.position(venue, symbol)?.qty ?? 0n);
  if (ctx.orders.liveCount === 0) return qty;
  for (const o of ctx.orders.live()) {
    if (o.cmd.venue !== venue || o.cmd.symbol !== symbol) continue;
    const left = attoToNumber(o.quantityAtto - o.filled);
    qty += o.cmd.side === 'buy' ? left : -left;
  }
  return qty;
}

/** Checks one signal against the kill switch and every limit; the first failing rule wins. */
export function assessSignal(sig: OrderSignal, ctx: RiskContext): RiskVerdict {
  const { limits } = ctx;
  const state = ctx.killSwitch.state;
  if (state === 'halted') return { ok: false, rule: 'halted', reason: 'trading is halted: only cancels are allowed' };
  if (limits.maxBookAgeMs !== undefined && ctx.markAge !== undefined) {
    const stale = staleBook(ctx.markAge(sig.venue, sig.symbol, sig.ts), limits.maxBookAgeMs, sig);
    if (stale !== undefined) return stale;
  }
  if (limits.maxSignalRisk !== undefined && sig.risk !== undefined && sig.risk > limits.maxSignalRisk) {
    return { ok: false, rule: 'signal_risk', reason: `signal risk ${sig.risk} is above the limit ${limits.maxSignalRisk}` };
  }
  // The projected position only matters to the reducing-only state and the position limit: a run with
  // neither does not pay for it on every signal.
  let before = 0;
  let after = 0;
  if (state === 'reducing' || limits.maxPosition !== undefined) {
    before = projectedPosition(ctx, sig.venue, sig.symbol);
    after = before + (sig.side === 'buy' ? sig.quantity : -sig.quantity);
  }
  if (state === 'reducing' && !(Math.abs(after) < Math.abs(before) && Math.sign(after) * Math.sign(before) >= 0)) {
    return { ok: false, rule: 'reducing', reason: 'trading is reducing-only and this order would not shrink the position' };
  }
  if (limits.maxOpenOrders !== undefined && ctx.orders.liveCount >= limits.maxOpenOrders) {
    return { ok: false, rule: 'max_open_orders', reason: `${ctx.orders.liveCount} orders are live; the limit is ${limits.maxOpenOrders}` };
  }
  const maxPos = limits.maxPosition?.get(`${sig.venue}:${sig.symbol}`) ?? limits.maxPosition?.get('*');
  if (maxPos !== undefined && Math.abs(after) > maxPos * (1 + 1e-12) && Math.abs(after) > Math.abs(before)) {
    return { ok: false, rule: 'max_position', reason: `position would reach ${after} (limit ${maxPos})` };
  }
  if (limits.maxOrderNotional !== undefined) {
    const price = sig.price ?? ctx.mark(sig.venue, sig.symbol);
    const rate = ctx.quoteRate(sig.venue, sig.symbol);
    if (price === undefined || rate === undefined) {
      return { ok: false, rule: 'no_reference_price', reason: 'no price is known yet to check the order notional limit' };
    }
    const notional = attoToNumber(toAtto(price) * toAtto(sig.quantity) / 10n ** 18n) * rate;
    if (notional > limits.maxOrderNotional) {
      return { ok: false, rule: 'max_order_notional', reason: `order notional ${notional.toFixed(2)} is above the limit ${limits.maxOrderNotional}` };
    }
  }
  return OK;
}

/** The refusal for market data `age` ms old (undefined: none yet), or undefined when it is fresh enough. */
function staleBook(age: number | undefined, maxAge: number, sig: OrderSignal): RiskVerdict | undefined {
  if (age !== undefined && age <= maxAge) return undefined;
  const reason =
    age === undefined
      ? `no market data for ${sig.venue} ${sig.symbol} yet: no new orders without a book (limit ${maxAge} ms)`
      : `market data for ${sig.venue} ${sig.symbol} is ${Math.round(age)} ms old, above the limit ${maxAge} ms`;
  return { ok: false, rule: 'stale_book', reason };
}

/**
 * Operator: passes approved signals, reports refused ones through `onRefused`.
 * @example signals$.pipe(riskGate(ctx, (r) => refused.push(r)))
 */
export function riskGate(ctx: RiskContext, onRefused: (r: RefusedSignal) => void): OperatorFunction<OrderSignal, OrderSignal> {
  return filter((sig) => {
    const v = assessSignal(sig, ctx);
    if (v.ok) return true;
    onRefused({ ts: sig.ts, signalId: sig.id, rule: v.rule, reason: v.reason, ...(sig.source ?? {}) });
    return false;
  });
}
