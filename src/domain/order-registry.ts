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
  type OrderFilled,
  type OrderStatus,
  type Resolution,
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
  /** Venue trade ids already applied to this order: a fill counts once (RELIABILITY rule 3). */
  readonly tradeIds: Set<string>;
  /** How an unknown outcome was settled: `lookup` (the venue showed it) or `local` (it never answered). */
  resolution?: Resolution;
}

/** What a journal knows of an order sent by an earlier session. */
export interface RestoredOrder {
  readonly exchangeId?: string;
  readonly fills: readonly OrderFilled[];
  readonly reason: string;
  readonly updatedTs: TimeMs;
}

export interface ApplyOutcome {
  /** The order the event belongs to; undefined for an order this registry does not know. */
  readonly order: OrderState | undefined;
  /** True for a fill whose trade id was already applied (dropped). */
  readonly duplicate: boolean;
}

/**
 * Orders in a final status leave memory once `onClosed` has taken them (a million-order backtest
 * must not hold a million orders); the last `keepClosed` stay for late events such as a fill that
 * crossed a cancel.
 */
export class OrderRegistry {
  private readonly orders = new Map<string, OrderState>();
  /** Orders sent and not final: what risk checks iterate, so it must not hold closed ones. */
  private readonly liveOrders = new Map<string, OrderState>();
  /** Recently closed orders, oldest first from `closedHead` (a queue without O(n) shifts). */
  private closed: OrderState[] = [];
  private closedHead = 0;
  private readonly counts = new Map<OrderStatus, number>();
  private readonly settled = new Map<Resolution, number>();
  /** Orders closed twice: settled locally, then shown by the venue after all (each has two rows). */
  private reopenedCount = 0;

  constructor(
    private readonly onClosed: (record: OrderRecord) => void = () => {},
    private readonly keepClosed = 10_000,
  ) {}

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
      tradeIds: new Set(),
    };
    this.orders.set(cmd.clientId, state);
    return state;
  }

  /**
   * Brings back an order a previous session sent (from the journal), in status `unknown` until the
   * venue is asked: its recorded fills count as applied (their trade ids are kept), so a fill the
   * venue reports again is dropped as a duplicate rather than applied twice.
   */
  restore(cmd: SubmitOrder, known: RestoredOrder): OrderState {
    const state = this.create(cmd);
    if (known.exchangeId !== undefined) state.exchangeId = known.exchangeId;
    for (const f of known.fills) {
      state.tradeIds.add(f.tradeId);
      state.filled += toAtto(f.quantity);
      state.notional += f.notional;
      state.fees += f.fee;
    }
    state.status = 'unknown';
    state.reason = known.reason;
    state.updatedTs = Math.max(state.updatedTs, known.updatedTs);
    this.recount(state, 'new');
    return state;
  }

  get(clientId: string): OrderState | undefined {
    return this.orders.get(clientId);
  }

  /** Orders not in a final status (open, partially filled, submitting, unknown). */
  get liveCount(): number {
    return this.liveOrders.size;
  }

  live(): IterableIterator<OrderState> {
    return this.liveOrders.values();
  }

  transition(state: OrderState, t: OrderTransition, ts: TimeMs, reason?: string): void {
    const before = state.status;
    state.status = nextStatus(state.status, t, state.cmd.clientId);
    state.updatedTs = Math.max(state.updatedTs, ts);
    if (reason !== undefined) state.reason = reason;
    this.recount(state, before);
    // A local rejection never goes through apply(); close it here.
    if (before === 'new' && TerminalStatuses.has(state.status)) this.close(state);
  }

  /**
   * Applies a driver event to its order. Returns the order, or undefined for an order this registry
   * never created (the reconciler decides what to do with those).
   */
  apply(ev: OrderEvent): ApplyOutcome {
    const state = this.orders.get(ev.clientId);
    if (!state) return { order: undefined, duplicate: false };
    // Settled locally (proven absent, or unseen after a cancel) and now the venue shows it after all:
    // the venue is the truth, so the order is reopened as unknown and takes the news from there (its
    // row in orders.csv is written again when it closes for good).
    if (state.resolution === 'local' && TerminalStatuses.has(state.status) && isVenueNews(ev)) this.reopen(state);
    const wasFinal = TerminalStatuses.has(state.status);
    const wasUnknown = state.status === 'unknown';
    switch (ev.kind) {
      case 'OrderAccepted':
        state.exchangeId = ev.exchangeId;
        this.transition(state, 'accept', ev.ts);
        break;
      case 'OrderFilled': {
        if (state.tradeIds.has(ev.tradeId)) return { order: state, duplicate: true };
        // The transition is checked before anything moves: a fill the state cannot take changes nothing.
        nextStatus(state.status, state.filled + toAtto(ev.quantity) >= state.quantityAtto ? 'fill_full' : 'fill_partial', state.cmd.clientId);
        state.tradeIds.add(ev.tradeId);
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
    if (wasUnknown && state.status !== 'unknown') {
      state.resolution = (ev.kind === 'OrderRejected' || ev.kind === 'OrderCanceled' ? ev.resolution : undefined) ?? 'lookup';
    } else if ((ev.kind === 'OrderRejected' || ev.kind === 'OrderCanceled') && ev.resolution !== undefined) {
      state.resolution = ev.resolution;
    }
    if (!wasFinal && TerminalStatuses.has(state.status)) this.close(state);
    return { order: state, duplicate: false };
  }

  /** Records of the orders still in memory (live ones and the recently closed). */
  records(): OrderRecord[] {
    const out: OrderRecord[] = [];
    for (const s of this.orders.values()) out.push(toRecord(s));
    return out;
  }

  /** Hands every order not yet closed to `onClosed` (end of a run), in creation order. */
  flushOpen(): void {
    for (const s of this.orders.values()) if (!TerminalStatuses.has(s.status)) this.onClosed(toRecord(s));
  }

  /** Count of orders per status, over the whole run. */
  statusCounts(): ReadonlyMap<OrderStatus, number> {
    const out = new Map(this.counts);
    for (const s of this.orders.values()) if (!TerminalStatuses.has(s.status)) out.set(s.status, (out.get(s.status) ?? 0) + 1);
    return out;
  }

  /** How many orders were settled by a venue lookup and how many locally (final orders). */
  resolutionCounts(): ReadonlyMap<Resolution, number> {
    return new Map(this.settled);
  }

  /** Orders that were closed, reopened by later venue news, and closed again (two records each). */
  get reopened(): number {
    return this.reopenedCount;
  }

  private reopen(state: OrderState): void {
    this.reopenedCount++;
    this.counts.set(state.status, (this.counts.get(state.status) ?? 1) - 1);
    if (state.resolution !== undefined) this.settled.set(state.resolution, (this.settled.get(state.resolution) ?? 1) - 1);
    state.reason = `settled locally as ${state.status}, then shown by the venue`;
    state.status = 'unknown';
    this.recount(state, 'new');
  }

  private close(state: OrderState): void {
    this.counts.set(state.status, (this.counts.get(state.status) ?? 0) + 1);
    if (state.resolution !== undefined) this.settled.set(state.resolution, (this.settled.get(state.resolution) ?? 0) + 1);
    this.onClosed(toRecord(state));
    this.closed.push(state);
    while (this.closed.length - this.closedHead > this.keepClosed) {
      this.orders.delete(this.closed[this.closedHead]!.cmd.clientId);
      this.closedHead++;
    }
    if (this.closedHead > 4096 && this.closedHead * 2 > this.closed.length) {
      this.closed = this.closed.slice(this.closedHead);
      this.closedHead = 0;
    }
  }

  private recount(state: OrderState, before: OrderStatus): void {
    const wasLive = before !== 'new' && !TerminalStatuses.has(before);
    const isLive = state.status !== 'new' && !TerminalStatuses.has(state.status);
    if (wasLive === isLive) return;
    if (isLive) this.liveOrders.set(state.cmd.clientId, state);
    else this.liveOrders.delete(state.cmd.clientId);
  }
}

/** An event that only the venue could have sent (not a local settlement). */
function isVenueNews(ev: OrderEvent): boolean {
  if (ev.kind === 'OrderAccepted' || ev.kind === 'OrderFilled' || ev.kind === 'OrderExpired') return true;
  return (ev.kind === 'OrderCanceled' || ev.kind === 'OrderRejected') && ev.resolution !== 'local';
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
    // Exact quotient in atto, then 12 significant digits: no float noise like 103789.73000000001.
    ...(s.filled > 0n ? { avgPrice: Number(attoToNumber((s.notional * 10n ** 18n) / s.filled).toPrecision(12)) } : {}),
    fees: s.fees,
    createdTs: s.cmd.ts,
    updatedTs: s.updatedTs,
    ...(s.cmd.signalId !== undefined ? { signalId: s.cmd.signalId } : {}),
    ...(s.reason !== undefined ? { reason: s.reason } : {}),
    ...(s.resolution !== undefined ? { resolution: s.resolution } : {}),
  };
}
