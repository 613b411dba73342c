/**
 * The emulator's record of every order the venue accepted and every fill, kept from the simulated
 * exchange's event stream. The matching engine answers "what is the state"; the venues' APIs also want
 * what it does not keep — the request as sent (quote quantity, Upbit's identifier and uuid), the fills
 * of each order with their fees, cumulative quote — so the ledger keeps those, per order, in venue order.
 */
import { randomUUID } from 'node:crypto';
import { InvariantError } from '../core/errors.ts';
import { toAtto } from '../domain/money.ts';
import type { Asset, Atto, Liquidity, MarketSymbol, OrderEvent, OrderStatus, Side, TimeMs, VenueId } from '../domain/types.ts';

/** What the API asked for, beyond what the matching engine needs. */
export interface OrderIntent {
  readonly clientId: string;
  readonly symbol: MarketSymbol;
  readonly side: Side;
  readonly type: 'limit' | 'market';
  /** Base quantity handed to the engine (for a quote-sized market order: what the quote buys). */
  readonly quantity: number;
  readonly price?: number;
  /** Binance `quoteOrderQty` / Upbit `ord_type=price` amount, in quote. */
  readonly quoteQty?: number;
  /** Upbit's identifier as sent (absent when the request had none). */
  readonly identifier?: string;
  readonly timeInForce: 'GTC' | 'IOC';
}

export interface FillRecord {
  /** The engine's trade number (`<venue>-t<n>`): Binance trade ids are these numbers. */
  readonly tradeId: number;
  /** Upbit identifies trades by uuid. */
  readonly uuid: string;
  readonly ts: TimeMs;
  readonly price: number;
  readonly quantity: number;
  readonly notional: Atto;
  readonly fee: Atto;
  readonly feeAsset: Asset;
  readonly liquidity: Liquidity;
}

export class OrderRecord {
  /** Acceptance sequence number; Binance's orderId. */
  readonly seq: number;
  /** Upbit's order id. */
  readonly uuid = randomUUID();
  readonly intent: OrderIntent;
  readonly createdAt: TimeMs;
  status: OrderStatus = 'open';
  updatedAt: TimeMs;
  /** Filled base, cumulative quote (notional) and fees, exact. */
  filled: Atto = 0n;
  quote: Atto = 0n;
  fee: Atto = 0n;
  readonly fills: FillRecord[] = [];
  /** Set when the emulator ended the order itself (IOC remainder): reported as EXPIRED. */
  expiredByVenue = false;
  /**
   * `partial-then-cancel`: the engine was handed only this much of the order; once it has filled, the
   * venue cancels the rest (the order ends `canceled` with this filled).
   */
  readonly cap: Atto | undefined;

  constructor(seq: number, intent: OrderIntent, ts: TimeMs, cap?: Atto) {
    this.seq = seq;
    this.intent = intent;
    this.createdAt = ts;
    this.updatedAt = ts;
    this.cap = cap;
  }

  get clientId(): string {
    return this.intent.clientId;
  }
  get symbol(): MarketSymbol {
    return this.intent.symbol;
  }
  get isOpen(): boolean {
    return this.status === 'open' || this.status === 'partially_filled';
  }
}

/** The id the venue's API gives `r`: Binance orderId (as a string), Upbit uuid. */
export function venueOrderId(venue: VenueId, r: OrderRecord): string {
  return venue === 'upbit' ? r.uuid : String(r.seq);
}

/** The client id as the venue knows it: Binance (new)clientOrderId, Upbit identifier (absent without one). */
export function venueClientId(venue: VenueId, r: OrderRecord): string | undefined {
  return venue === 'upbit' ? r.intent.identifier : r.clientId;
}

function numberAfter(id: string, marker: string): number {
  const n = Number(id.slice(id.lastIndexOf(marker) + marker.length));
  if (!Number.isInteger(n) || n < 1) throw new InvariantError(`emulator: unexpected engine id ${id}`, { id });
  return n;
}

export class OrderLedger {
  private readonly bySeq: OrderRecord[] = [];
  private readonly open = new Map<string, OrderRecord>();
  private readonly byUuid = new Map<string, OrderRecord>();
  /** Latest order per client id (the one a lookup by client id finds). */
  private readonly byClientId = new Map<string, OrderRecord>();
  /** Every fill in venue order, with its order. */
  readonly trades: Array<{ readonly order: OrderRecord; readonly fill: FillRecord }> = [];
  private pending: OrderIntent | undefined;
  private pendingCap: Atto | undefined;

  /** Announces the intent of the submit about to be handed to the engine (and its partial cap, if any). */
  expect(intent: OrderIntent | undefined, cap?: Atto): void {
    this.pending = intent;
    this.pendingCap = cap;
  }

  apply(e: OrderEvent): void {
    switch (e.kind) {
      case 'OrderAccepted': {
        const intent = this.pending;
        if (intent === undefined || intent.clientId !== e.clientId) {
          throw new InvariantError(`emulator: acceptance of ${e.clientId} without its request`, { clientId: e.clientId });
        }
        const r = new OrderRecord(numberAfter(e.exchangeId, '-'), intent, e.ts, this.pendingCap);
        this.bySeq.push(r);
        if (r.seq !== this.bySeq.length) throw new InvariantError(`emulator: order seq ${r.seq} out of order`, { seq: r.seq });
        this.open.set(r.clientId, r);
        this.byUuid.set(r.uuid, r);
        this.byClientId.set(r.clientId, r);
        return;
      }
      case 'OrderFilled': {
        const r = this.open.get(e.clientId);
        if (r === undefined) throw new InvariantError(`emulator: fill of unknown open order ${e.clientId}`, {});
        const fill: FillRecord = {
          tradeId: numberAfter(e.tradeId, '-t'),
          uuid: randomUUID(),
          ts: e.ts,
          price: e.price,
          quantity: e.quantity,
          notional: e.notional,
          fee: e.fee,
          feeAsset: e.feeAsset,
          liquidity: e.liquidity,
        };
        r.fills.push(fill);
        r.filled += toAtto(e.quantity);
        r.quote += e.notional;
        r.fee += e.fee;
        r.updatedAt = e.ts;
        this.trades.push({ order: r, fill });
        if (r.cap !== undefined && r.filled >= r.cap) this.finish(r, 'canceled', e.ts); // the venue cancels the rest
        else if (r.filled >= toAtto(r.intent.quantity)) this.finish(r, 'filled', e.ts);
        else r.status = 'partially_filled';
        return;
      }
      case 'OrderCanceled':
      case 'OrderExpired': {
        const r = this.open.get(e.clientId);
        if (r !== undefined) this.finish(r, e.kind === 'OrderCanceled' ? 'canceled' : 'expired', e.ts);
        return;
      }
      default:
        return; // rejections and unknown outcomes carry no order of ours
    }
  }

  get size(): number {
    return this.bySeq.length;
  }
  bySequence(seq: number): OrderRecord | undefined {
    return Number.isInteger(seq) && seq >= 1 ? this.bySeq[seq - 1] : undefined;
  }
  byOrderUuid(uuid: string): OrderRecord | undefined {
    return this.byUuid.get(uuid);
  }
  byClient(clientId: string): OrderRecord | undefined {
    return this.byClientId.get(clientId);
  }
  openOrders(symbol?: MarketSymbol): OrderRecord[] {
    const out: OrderRecord[] = [];
    for (const r of this.open.values()) if (symbol === undefined || r.symbol === symbol) out.push(r);
    return out;
  }
  all(): readonly OrderRecord[] {
    return this.bySeq;
  }

  private finish(r: OrderRecord, status: OrderStatus, ts: TimeMs): void {
    r.status = status;
    r.updatedAt = ts;
    this.open.delete(r.clientId);
  }
}
