/**
 * What happens when a submit reaches the venue: the filters (symbol, duplicate client id, lot, tick,
 * minimums), the funds check and reservation, the acknowledgement, then matching under the fill model.
 */
import { formatAtto } from '../domain/money.ts';
import type { Atto, OrderEvent, SubmitOrder, TimeMs, VenueId } from '../domain/types.ts';
import type { MarketState } from './market-state.ts';
import { barFill, candleThrough, sweep } from './matching.ts';
import { checkSubmit } from './order-checks.ts';
import type { Settlement } from './settlement.ts';
import { SimOrder } from './sim-order.ts';

export interface IntakeContext {
  readonly venue: VenueId;
  readonly settlement: Settlement;
  readonly emit: (e: OrderEvent) => void;
  readonly bar: boolean;
  readonly slippageBps: number;
  /** Whether an OPEN order already uses `clientId` (Binance's duplicate rule). */
  isOpen(clientId: string): boolean;
  /** The sequence number the next accepted order gets. */
  nextSeq(): number;
  /** Records a just-accepted order as open. */
  register(o: SimOrder): void;
}

/** Handles the arrival of `cmd` at time `ts`; `m` is undefined when the venue has no such market. */
export function admitOrder(ctx: IntakeContext, m: MarketState | undefined, cmd: SubmitOrder, ts: TimeMs): void {
  if (m === undefined) return reject(ctx, cmd, ts, 'BAD_SYMBOL', `${ctx.venue}: unknown symbol ${cmd.symbol}`);
  if (ctx.isOpen(cmd.clientId)) {
    return reject(ctx, cmd, ts, 'DUPLICATE_CLIENT_ID', `Duplicate order sent: client id ${cmd.clientId} is in use`);
  }
  const check = checkSubmit(m, cmd, m.mark());
  if (!check.ok) return reject(ctx, cmd, ts, check.code, check.reason);
  const { lots, limitKey } = check;
  const reserve = fundsNeeded(ctx, m, cmd, lots, limitKey);
  if (typeof reserve === 'string') return reject(ctx, cmd, ts, 'INSUFFICIENT_FUNDS', reserve);

  const o = new SimOrder(ctx.nextSeq(), ctx.venue, cmd, lots, limitKey, reserve, ts);
  ctx.register(o);
  if (reserve > 0n) (o.side === 'buy' ? m.quote : m.base).reserve(reserve);
  ctx.emit({ kind: 'OrderAccepted', clientId: o.clientId, venue: ctx.venue, symbol: o.symbol, ts, exchangeId: o.exchangeId });
  if (ctx.bar) barArrival(ctx, m, o, ts);
  else bookArrival(ctx, m, o, ts);
}

/**
 * What the order must lock (0 for market buys, which pay from free funds as they walk), or the reason
 * it cannot be afforded. A market buy must afford at least one lot at the price it would meet first.
 */
function fundsNeeded(ctx: IntakeContext, m: MarketState, cmd: SubmitOrder, lots: number, limitKey: number): Atto | string {
  const s = ctx.settlement;
  if (cmd.side === 'sell') {
    const need = m.lots.atto(lots);
    return need <= m.base.free ? need : short(m.base.asset, need, m.base.free);
  }
  if (cmd.type === 'limit') {
    const need = s.buyReservation(m, limitKey, lots);
    return need <= m.quote.free ? need : short(m.quote.asset, need, m.quote.free);
  }
  const ref = ctx.bar ? m.mark() : undefined;
  const firstKey = ctx.bar ? (ref === undefined ? 0 : m.grid.ceilKey(ref * (1 + ctx.slippageBps / 1e4))) : m.book.asks.bestKey();
  if (firstKey === 0) return 0n; // nothing to price it against yet: decided when it meets a price
  if (s.canPay(m, m.quote.free, firstKey, 1, 'taker')) return 0n;
  return short(m.quote.asset, s.cost(m, firstKey, 1, 'taker'), m.quote.free);
}

function short(asset: string, need: Atto, free: Atto): string {
  return `insufficient ${asset}: needs ${formatAtto(need)}, free ${formatAtto(free)}`;
}

function bookArrival(ctx: IntakeContext, m: MarketState, o: SimOrder, ts: TimeMs): void {
  const stop = sweep(m, o, 'taker', ts, ctx.settlement);
  if (stop === 'filled') return;
  if (o.type === 'market') {
    const reason = stop === 'funds' ? 'insufficient funds for remainder' : 'no liquidity for remainder';
    ctx.settlement.end(o, m, 'expired', reason, ts);
    return;
  }
  m.restingFor(o.side).add(o);
  meetCandleAtArrival(ctx, m, ts);
}

function barArrival(ctx: IntakeContext, m: MarketState, o: SimOrder, ts: TimeMs): void {
  const c = m.lastCandle;
  if (o.type === 'market') {
    // "First candle whose open time ≥ arrival": one opening exactly at arrival was applied just before.
    if (c !== undefined && c.ts >= ts) barFill(m, o, c.open, ctx.slippageBps, ts, ctx.settlement);
    else m.barPending.push(o);
    return;
  }
  m.restingFor(o.side).add(o);
  meetCandleAtArrival(ctx, m, ts);
}

/**
 * A limit order arriving exactly at a candle's open time has the whole candle ahead of it, so the
 * candle's range applies to it as to orders that were resting (those it already filled are gone).
 */
function meetCandleAtArrival(ctx: IntakeContext, m: MarketState, ts: TimeMs): void {
  const c = m.lastCandle;
  if (c !== undefined && c.ts >= ts) candleThrough(m, c.openKey, c.highKey, c.lowKey, ts, ctx.settlement);
}

function reject(ctx: IntakeContext, cmd: SubmitOrder, ts: TimeMs, code: string, reason: string): void {
  ctx.emit({ kind: 'OrderRejected', clientId: cmd.clientId, venue: ctx.venue, symbol: cmd.symbol, ts, reason, code });
}
