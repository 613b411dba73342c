/**
 * Every order tradeflow knows, by client id, with its status driven through the transition table.
 * Fills move the filled quantity exactly (atto); the status follows from the quantity left.
 */
import { nextStatus, type OrderTransition } from './order-state.ts';
import { attoToNumber, toAtto } from './money.ts';
import type { OrderRecord } from './run-result.ts';
import {
  TerminalStatuses,
  type Atto,
  type OrderEvent,
  type OrderStatus,
  type SubmitOrder,
  type TimeMs,
} from './types.ts';

export interface OrderState {
  readonly cmd: SubmitOrder;
  status: OrderStatus;
  exchangeId?: string;
  filled: Atto;
  notional: Atto;
  fees: Atto;
  readonly quantityAtto: Atto;
  updatedTs: TimeMs;
  reason?: string;
  /** How an unknown outcome was settled, e.g. `lookup` or `local` (the venue never answered). */
  resolution?: string;
}

export class OrderRegistry {
  private readonly orders = new Map<string, OrderState>();
  private openCount = 0;

  /** Registers a new order (status `new`). Client ids are unique per attempt: a reuse is a bug. */
  create(cmd: SubmitOrder): OrderState {
    if (this.orders.has(cmd.clientId)) throw new Error(`client id ${cmd.clientId} already used`);
    const state: OrderState = {
      cmd,
      status: 'new',
      filled: 0n,
      notional: 0n,
      fees: 0n,
      quantityAtto: toAtto(cmd.quantity),
      updatedTs: cmd.ts,
    };
    this.orders.set(cmd.clientId, state);
    return state;
  }

  get(clientId: string): OrderState | undefined {
    return this.orders.get(clientId);
  }

  /** Orders not in a final status (open, partially filled, submitting, unknown). */
  get liveCount(): number {
    return this.openCount;
  }

  *live(): IterableIterator<OrderState> {
    for (const o of this.orders.values()) if (!TerminalStatuses.has(o.status) && o.status !== 'new') yield o;
  }

  transition(state: OrderState, t: OrderTransition, ts: TimeMs, reason?: string): void {
    const before = state.status;
    state.status = nextStatus(state.status, t, state.cmd.clientId);
    state.updatedTs = Math.max(state.updatedTs, ts);
    if (reason !== undefined) state.reason = reason;
    this.recount(before, state.status);
  }

  /**
   * Applies a driver event to its order. Returns the order, or undefined for an order this registry
   * never created (the reconciler decides what to do with those).
   */
  apply(ev: OrderEvent): OrderState | undefined {
    const state = this.orders.get(ev.clientId);
    if (!state) return undefined;
    switch (ev.kind) {
      case 'OrderAccepted':
        state.exchangeId = ev.exchangeId;
        this.transition(state, 'accept', ev.ts);
        break;
      case 'OrderFilled': {
        state.exchangeId ??= ev.exchangeId;
        state.filled += toAtto(ev.quantity);
        state.notional += ev.notional;
        state.fees += ev.fee;
        this.transition(state, state.filled >= state.quantityAtto ? 'fill_full' : 'fill_partial', ev.ts);
        break;
      }
      case 'OrderCanceled':
        this.transition(state, 'cancel', ev.ts, ev.reason);
        break;
      case 'OrderExpired':
        this.transition(state, 'expire', ev.ts, ev.reason);
        break;
      case 'OrderRejected':
        this.transition(state, 'reject', ev.ts, ev.code ? `${ev.code}: ${ev.reason}` : ev.reason);
        break;
      case 'OrderStatusUnknown':
        this.transition(state, 'lose_track', ev.ts, ev.reason);
        break;
    }
    return state;
  }

  records(): OrderRecord[] {
    const out: OrderRecord[] = [];
    for (const s of this.orders.values()) out.push(toRecord(s));
    return out;
  }

  private recount(before: OrderStatus, after: OrderStatus): void {
    const wasLive = before !== 'new' && !TerminalStatuses.has(before);
    const isLive = after !== 'new' && !TerminalStatuses.has(after);
    if (wasLive !== isLive) this.openCount += isLive ? 1 : -1;
  }
}

export function toRecord(s: OrderState): OrderRecord {
  const filled = attoToNumber(s.filled);
  return {
    clientId: s.cmd.clientId,
    ...(s.exchangeId !== undefined ? { exchangeId: s.exchangeId } : {}),
    venue: s.cmd.venue,
    symbol: s.cmd.symbol,
    side: s.cmd.side,
    type: s.cmd.type,
    quantity: s.cmd.quantity,
    ...(s.cmd.price !== undefined ? { price: s.cmd.price } : {}),
    status: s.status,
    filled,
    ...(s.filled > 0n ? { avgPrice: attoToNumber(s.notional) / filled } : {}),
    fees: s.fees,
    createdTs: s.cmd.ts,
    updatedTs: s.updatedTs,
    ...(s.cmd.signalId !== undefined ? { signalId: s.cmd.signalId } : {}),
    ...(s.reason !== undefined ? { reason: s.reason } : {}),
  };
}
