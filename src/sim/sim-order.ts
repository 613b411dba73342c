/**
 * The venue's record of one open order.
 */
import type {
  Atto,
  MarketSymbol,
  OrderSnapshot,
  OrderStatus,
  OrderType,
  Side,
  SubmitOrder,
  TimeMs,
  VenueId,
} from '../domain/types.ts';

/**
 * An accepted order while it is open (a finished one lives on as a row of OrderStore). It references
 * the submit command rather than copying it, and derives its exchange id.
 */
export class SimOrder {
  /** Acceptance sequence number: the `n` of the exchange id `${venue}-${n}`. */
  readonly seq: number;
  readonly venue: VenueId;
  readonly cmd: SubmitOrder;
  /** Quantity in whole lots. */
  readonly lots: number;
  /** Limit price key; NaN for market orders. */
  readonly limitKey: number;
  /** True when funds were reserved at acceptance (limit buys, every sell); market buys pay from free. */
  readonly funded: boolean;
  filledLots = 0;
  status: OrderStatus = 'open';
  /** What is left of the reservation (quote for buys, base for sells), released when the order ends. */
  reservedLeft: Atto;
  updatedTs: TimeMs;

  constructor(seq: number, venue: VenueId, cmd: SubmitOrder, lots: number, limitKey: number, reserved: Atto, ts: TimeMs) {
    this.seq = seq;
    this.venue = venue;
    this.cmd = cmd;
    this.lots = lots;
    this.limitKey = limitKey;
    this.funded = cmd.side === 'sell' || cmd.type === 'limit';
    this.reservedLeft = reserved;
    this.updatedTs = ts;
  }

  /** Built on first use and kept: every event of the order carries it. */
  private xid: string | undefined;

  get exchangeId(): string {
    return (this.xid ??= `${this.venue}-${this.seq}`);
  }
  get clientId(): string {
    return this.cmd.clientId;
  }
  get symbol(): MarketSymbol {
    return this.cmd.symbol;
  }
  get side(): Side {
    return this.cmd.side;
  }
  get type(): OrderType {
    return this.cmd.type;
  }
  get quantity(): number {
    return this.cmd.quantity;
  }
  get price(): number | undefined {
    return this.cmd.type === 'limit' ? this.cmd.price : undefined;
  }
}

export function isFinal(o: SimOrder): boolean {
  return o.status === 'filled' || o.status === 'canceled' || o.status === 'expired' || o.status === 'rejected';
}

export function snapshotOf(o: SimOrder, filled: number): OrderSnapshot {
  const snap: OrderSnapshot = {
    clientId: o.clientId,
    exchangeId: o.exchangeId,
    venue: o.venue,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    quantity: o.quantity,
    filled,
    status: o.status,
    ts: o.updatedTs,
  };
  const price = o.price;
  return price === undefined ? snap : { ...snap, price };
}
