/**
 * Rows of the SQLite journal ↔ domain records. SQL NULL becomes an absent property (not `undefined`
 * set explicitly), so a record read back deep-equals the one written.
 */
import type { Liquidity, OrderFilled, OrderStatus, OrderType, Side, SubmitOrder } from '../domain/types.ts';
import type { JournalOrder, JournalRun, JournalRunEvent, JournalTransition } from './journal.ts';
import { decodeDetail } from './records.ts';

export interface OrderRow {
  client_id: string;
  run_id: string;
  venue: string;
  symbol: string;
  side: Side;
  type: OrderType;
  quantity: number;
  price: number | null;
  ts: number;
  signal_id: string | null;
  status: OrderStatus;
  exchange_id: string | null;
  reason: string | null;
  updated_ts: number;
}

export interface TransitionRow {
  client_id: string;
  status: OrderStatus;
  ts: number;
  reason: string | null;
  exchange_id: string | null;
}

export interface FillRow {
  venue: string;
  trade_id: string;
  client_id: string;
  symbol: string;
  exchange_id: string;
  ts: number;
  side: Side;
  price: number;
  quantity: number;
  notional: string;
  fee: string;
  fee_asset: string;
  liquidity: Liquidity;
}

export interface RunRow {
  run_id: string;
  first_opened_ts: number;
  last_opened_ts: number;
  opens: number;
}

export interface RunEventRow {
  run_id: string;
  ts: number;
  kind: string;
  detail: string;
}

export function toOrder(r: OrderRow): JournalOrder {
  const intent: SubmitOrder = {
    clientId: r.client_id,
    venue: r.venue,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    quantity: r.quantity,
    ...(r.price !== null ? { price: r.price } : {}),
    ts: r.ts,
    ...(r.signal_id !== null ? { signalId: r.signal_id } : {}),
  };
  return {
    runId: r.run_id,
    clientId: r.client_id,
    intent,
    status: r.status,
    ...(r.exchange_id !== null ? { exchangeId: r.exchange_id } : {}),
    ...(r.reason !== null ? { reason: r.reason } : {}),
    updatedTs: r.updated_ts,
  };
}

export function toTransition(r: TransitionRow): JournalTransition {
  return {
    clientId: r.client_id,
    status: r.status,
    ts: r.ts,
    ...(r.reason !== null ? { reason: r.reason } : {}),
    ...(r.exchange_id !== null ? { exchangeId: r.exchange_id } : {}),
  };
}

export function toFill(r: FillRow): OrderFilled {
  return {
    kind: 'OrderFilled',
    clientId: r.client_id,
    venue: r.venue,
    symbol: r.symbol,
    ts: r.ts,
    exchangeId: r.exchange_id,
    tradeId: r.trade_id,
    side: r.side,
    price: r.price,
    quantity: r.quantity,
    notional: BigInt(r.notional),
    fee: BigInt(r.fee),
    feeAsset: r.fee_asset,
    liquidity: r.liquidity,
  };
}

/** Positional parameters of the fills INSERT, in column order. */
export function fillParams(f: OrderFilled): unknown[] {
  return [
    f.venue, f.tradeId, f.clientId, f.symbol, f.exchangeId, f.ts, f.side, f.price, f.quantity,
    f.notional.toString(), f.fee.toString(), f.feeAsset, f.liquidity,
  ];
}

export function toRun(r: RunRow): JournalRun {
  return { runId: r.run_id, firstOpenedTs: r.first_opened_ts, lastOpenedTs: r.last_opened_ts, opens: r.opens };
}

export function toRunEvent(r: RunEventRow): JournalRunEvent {
  return { runId: r.run_id, kind: r.kind, ts: r.ts, detail: decodeDetail(r.detail) };
}
