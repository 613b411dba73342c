/**
 * Upbit response shapes: orders (`wait` / `done` / `cancel`, ord_type `limit` / `price` / `market`),
 * their trades, accounts, orderbook units and tickers. Decimal fields are plain-decimal strings in
 * order and account responses and numbers in quotation responses, as on the venue; times are KST.
 */
import { attoToNumber, mulRate, toAtto } from '../../domain/money.ts';
import type { Asset, Atto, MarketDef } from '../../domain/types.ts';
import { plain, plainAtto } from '../decimal.ts';
import type { FillRecord, OrderRecord } from '../order-ledger.ts';
import type { BalanceDetail } from '../sim-view.ts';

const KST_MS = 9 * 3600_000;

/** `2025-08-09T16:44:00+09:00`: Upbit's order times, whole seconds, Korean time. */
export function kst(ts: number): string {
  return `${new Date(ts + KST_MS).toISOString().slice(0, 19)}+09:00`;
}

export function marketId(def: MarketDef): string {
  return def.id ?? `${def.quote}-${def.base}`;
}

export function ordType(r: OrderRecord): 'limit' | 'price' | 'market' {
  if (r.intent.type === 'limit') return 'limit';
  return r.intent.quoteQty !== undefined ? 'price' : 'market';
}

/**
 * Upbit's state. A market buy by cost whose budget was not spent to the last won ends `cancel` (the
 * remainder is canceled) even though it traded: the venue reports it so, and clients must cope.
 */
export function upbitState(r: OrderRecord): 'wait' | 'done' | 'cancel' {
  if (r.isOpen) return 'wait';
  if (r.status === 'filled') {
    return ordType(r) === 'price' && r.quote < toAtto(r.intent.quoteQty!) ? 'cancel' : 'done';
  }
  return 'cancel';
}

function feeRate(def: MarketDef): number {
  return Math.max(def.maker ?? 0, def.taker ?? 0);
}

/**
 * One order. `accepted` gives the view at acceptance — what `POST /v1/orders` returns: Upbit answers
 * before matching, so even a market order comes back `wait` with nothing executed. `trades` adds
 * those fills as the order's `trades` (GET /v1/order; a drop/repeat-event fault may alter the list).
 */
export function orderBody(r: OrderRecord, def: MarketDef, opts: { accepted?: boolean; trades?: readonly FillRecord[] } = {}): Record<string, unknown> {
  const type = ordType(r);
  const accepted = opts.accepted === true;
  const filled: Atto = accepted ? 0n : r.filled;
  const funds: Atto = accepted ? 0n : r.quote;
  const paid: Atto = accepted ? 0n : r.fee;
  const open = accepted || r.isOpen;
  const volume = toAtto(r.intent.quantity);
  const remaining = volume - filled;
  const rate = feeRate(def);
  let reserved = 0n;
  let locked = 0n;
  if (r.intent.side === 'buy') {
    const budget = type === 'price' ? toAtto(r.intent.quoteQty!) : mulRate(volume, r.intent.price!);
    reserved = mulRate(budget, rate);
    const left = type === 'price' ? budget - funds : mulRate(remaining, r.intent.price!);
    if (open) locked = left + (reserved > paid ? reserved - paid : 0n);
  } else if (open) locked = remaining;
  const remainingFee = open && reserved > paid ? reserved - paid : 0n;
  const body: Record<string, unknown> = {
    uuid: r.uuid,
    side: r.intent.side === 'buy' ? 'bid' : 'ask',
    ord_type: type,
    price: type === 'limit' ? plain(r.intent.price!) : type === 'price' ? plain(r.intent.quoteQty!) : null,
    state: accepted ? 'wait' : upbitState(r),
    market: marketId(def),
    created_at: kst(r.createdAt),
    volume: type === 'price' ? null : plainAtto(volume),
    remaining_volume: type === 'price' ? null : plainAtto(remaining),
    reserved_fee: plainAtto(reserved),
    remaining_fee: plainAtto(remainingFee),
    paid_fee: plainAtto(paid),
    locked: plainAtto(locked),
    executed_volume: plainAtto(filled),
    executed_funds: plainAtto(funds),
    trades_count: accepted ? 0 : r.fills.length,
  };
  if (r.intent.identifier !== undefined) body.identifier = r.intent.identifier;
  if (r.intent.timeInForce === 'IOC') body.time_in_force = 'ioc';
  if (opts.trades !== undefined) {
    const side = r.intent.side === 'buy' ? 'bid' : 'ask';
    body.trades = opts.trades.map((f) => ({
      market: marketId(def),
      uuid: f.uuid,
      price: plain(f.price),
      volume: plain(f.quantity),
      funds: plainAtto(f.notional),
      [`${side}_fee`]: plainAtto(f.fee),
      trend: side === 'bid' ? 'up' : 'down',
      created_at: kst(f.ts),
      side,
    }));
  }
  return body;
}

/** `GET /v1/accounts`: assets with a balance. */
export function accountsBody(balances: ReadonlyMap<Asset, BalanceDetail>, unit: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const [currency, b] of balances) {
    if (b.free === 0n && b.locked === 0n) continue;
    out.push({ currency, balance: plainAtto(b.free), locked: plainAtto(b.locked), avg_buy_price: '0', avg_buy_price_modified: false, unit_currency: unit });
  }
  return out;
}

/** A number for quotation responses (Upbit sends JSON numbers there). */
export function num(a: Atto | number): number {
  return typeof a === 'number' ? a : attoToNumber(a);
}
