/**
 * What the live driver knows about each of its orders, and the one place that turns what the venue
 * says (order snapshots, trade lists) into order events — each fact emitted once:
 *  - a fill per venue trade id (RELIABILITY rule 3), in `trades` mode;
 *  - when the venue gives no trade ids (or they never catch up with its cumulative `filled`), the
 *    order switches for good to `cumulative` mode: increments of `filled` become fills with a stable
 *    synthesized id (`<order id>@<cumulative filled>`). Never both for one order, so never counted twice;
 *  - the terminal event only once all filled quantity has been emitted, so fills come first.
 * An older snapshot never undoes a newer fill: quantities only ever grow (rule 7).
 * No I/O here: the driver fetches, this decides.
 */
import type { Order, Trade } from 'ccxt';
import { formatAtto, mulAtto, mulRate, toAtto } from '../../domain/money.ts';
import type { Atto, MarketDef, OrderEvent, OrderFilled, SubmitOrder } from '../../domain/types.ts';
import { exact, fillFromCcxtTrade, statusFromCcxt } from './ccxt-mapper.ts';

export interface TrackedOrder {
  readonly cmd: SubmitOrder;
  readonly market: MarketDef;
  exchangeId?: string;
  accepted: boolean;
  /** A terminal event was emitted (or the order is fully filled): nothing more to poll. */
  final: boolean;
  cancelRequested: boolean;
  mode: 'trades' | 'cumulative';
  readonly tradeIds: Set<string>;
  /** Sums over the fills emitted so far. */
  filled: Atto;
  cost: Atto;
  fee: Atto;
  /** Consecutive looks at which the venue's `filled` was ahead of the trades we could see. */
  missing: number;
  /** Consecutive lookups the venue answered "no such order". */
  notFound: number;
  /** When the first of those answers came. */
  notFoundSince?: number;
  /** Serializes updates of this order (poller, fetchOrder and cancel may overlap). */
  lock: Promise<void>;
}

export interface TrackerOptions {
  readonly emit: (e: OrderEvent) => void;
  readonly now: () => number;
  /** Looks at which trades may lag the order's `filled` before the gap is synthesized. */
  readonly maxMissing?: number;
  /** "No such order" answers after which an order we asked to cancel is taken as canceled (rule 2)... */
  readonly maxNotFound?: number;
  /** ...spanning at least this long (ms): a poll interval of 100 ms must not make 10 answers proof. */
  readonly minNotFoundMs?: number;
  /** Final orders kept for late lookups; older ones are forgotten. */
  readonly keepFinal?: number;
}

/** Least time "no such order" answers must span before a canceled order is taken as gone (as DEFAULT_RESOLVE_POLICY.minAbsentMs). */
export const DEFAULT_MIN_NOT_FOUND_MS = 5_000;

export class OrderTracker {
  private readonly orders = new Map<string, TrackedOrder>();
  private readonly finished: string[] = [];

  constructor(private readonly opts: TrackerOptions) {}

  track(cmd: SubmitOrder, market: MarketDef): TrackedOrder {
    const existing = this.orders.get(cmd.clientId);
    if (existing) return existing;
    const o: TrackedOrder = {
      cmd,
      market,
      accepted: false,
      final: false,
      cancelRequested: false,
      mode: 'trades',
      tradeIds: new Set(),
      filled: 0n,
      cost: 0n,
      fee: 0n,
      missing: 0,
      notFound: 0,
      lock: Promise.resolve(),
    };
    this.orders.set(cmd.clientId, o);
    return o;
  }

  /**
   * Follows an order sent by an earlier session: `fills` were already reported (and applied), so their
   * trade ids and quantities count as emitted. Synthesized fills (`<order id>@<cumulative>`) mean the
   * order was being followed by its cumulative quantity, and goes on that way.
   */
  adopt(cmd: SubmitOrder, market: MarketDef, exchangeId: string | undefined, fills: readonly OrderFilled[]): TrackedOrder {
    const o = this.track(cmd, market);
    if (exchangeId !== undefined) {
      o.exchangeId = exchangeId;
      o.accepted = true; // the earlier session emitted the ack
    }
    for (const f of fills) {
      if (o.tradeIds.has(f.tradeId)) continue;
      o.tradeIds.add(f.tradeId);
      if (f.tradeId.includes('@')) o.mode = 'cumulative';
      this.addFill(o, f.notional, toAtto(f.quantity), f.fee);
    }
    return o;
  }

  /** Stops following an order the engine settled itself. */
  forget(clientId: string): void {
    const o = this.orders.get(clientId);
    if (o) this.finish(o);
  }

  get(clientId: string | undefined): TrackedOrder | undefined {
    return clientId === undefined ? undefined : this.orders.get(clientId);
  }

  /**
   * What the poller looks at: orders the venue acknowledged that may still change, and orders we asked
   * to cancel whose fate is not known yet (an unknown submit, or a cancel that met "no such order").
   */
  open(): TrackedOrder[] {
    return [...this.orders.values()].filter((o) => !o.final && (o.exchangeId !== undefined || o.cancelRequested));
  }

  /**
   * The venue answered "no such order". Not proof of absence — Binance lags after a create (rule 2) —
   * so it only counts; an order we asked to cancel that stays unseen for `maxNotFound` lookups in a
   * row, over at least `minNotFoundMs`, is resolved locally as canceled (`resolution: local`), and the
   * reason says so. Until then it may still turn out filled (rule 5).
   */
  notFound(o: TrackedOrder): void {
    const now = this.opts.now();
    if (o.notFound === 0) o.notFoundSince = now;
    o.notFound += 1;
    const span = now - (o.notFoundSince ?? now);
    if (o.cancelRequested && o.notFound >= (this.opts.maxNotFound ?? 10) && span >= (this.opts.minNotFoundMs ?? DEFAULT_MIN_NOT_FOUND_MS)) {
      this.canceled(o, `not found at the venue in ${o.notFound} lookups over ${span} ms after a cancel: resolved locally`, now, 'local');
    }
  }

  /** Runs `fn` after every earlier update of `o` has finished. */
  serialize(o: TrackedOrder, fn: () => Promise<void>): Promise<void> {
    const next = o.lock.then(fn, fn);
    o.lock = next.catch(() => undefined);
    return next;
  }

  accept(o: TrackedOrder, exchangeId: string, ts: number): void {
    o.exchangeId ??= exchangeId;
    if (o.accepted) return;
    o.accepted = true;
    this.emit({ kind: 'OrderAccepted', ...this.base(o, ts), exchangeId: o.exchangeId });
  }

  rejected(o: TrackedOrder, reason: string, code: string | undefined, ts = this.opts.now()): void {
    this.emit({ kind: 'OrderRejected', ...this.base(o, ts), reason, ...(code !== undefined ? { code } : {}) });
    this.finish(o);
  }

  unknown(o: TrackedOrder, reason: string, ts = this.opts.now()): void {
    this.emit({ kind: 'OrderStatusUnknown', ...this.base(o, ts), reason });
  }

  canceled(o: TrackedOrder, reason: string, ts = this.opts.now(), resolution?: 'local'): void {
    if (o.final) return;
    this.emit({ kind: 'OrderCanceled', ...this.base(o, ts), reason, ...(resolution ? { resolution } : {}) });
    this.finish(o);
  }

  /** Emits the trades of this order not emitted before. Ignored once the order counts cumulatively. */
  applyTrades(o: TrackedOrder, trades: readonly Trade[] | undefined, ts = this.opts.now()): void {
    if (o.mode !== 'trades' || !trades) return;
    for (const t of trades) {
      if (!t.id || o.tradeIds.has(t.id) || (t.order && o.exchangeId && String(t.order) !== o.exchangeId)) continue;
      const fill = fillFromCcxtTrade(t, o.cmd.clientId, o.market, { ts, side: o.cmd.side, ...(o.exchangeId ? { exchangeId: o.exchangeId } : {}) });
      o.tradeIds.add(t.id);
      this.addFill(o, fill.notional, toAtto(fill.quantity), fill.fee);
      this.emit(fill);
    }
  }

  /** True when the venue reports more filled than we emitted: its trades should be fetched. */
  behind(o: TrackedOrder, order: Order): boolean {
    return o.mode === 'trades' && filledOf(order) > o.filled;
  }

  /**
   * Takes in one snapshot of the order (after any trades were applied). `moreTrades`: whether the
   * venue has a trade endpoint that may still show the missing fills.
   */
  applyOrder(o: TrackedOrder, order: Order, moreTrades: boolean): void {
    const ts = order.lastUpdateTimestamp ?? order.lastTradeTimestamp ?? order.timestamp ?? this.opts.now();
    o.notFound = 0;
    o.notFoundSince = undefined;
    if (order.id !== undefined && order.status !== 'rejected') this.accept(o, String(order.id), order.timestamp ?? ts);
    this.applyTrades(o, order.trades, ts);
    const venueFilled = filledOf(order);
    if (o.mode === 'trades') {
      if (venueFilled <= o.filled) o.missing = 0;
      else if (!moreTrades && !(order.trades ?? []).some((t) => t.id)) o.mode = 'cumulative';
      else if (++o.missing >= (this.opts.maxMissing ?? 3)) o.mode = 'cumulative';
    }
    if (o.mode === 'cumulative' && venueFilled > o.filled) this.synthesize(o, order, venueFilled, ts);
    if (venueFilled > o.filled || o.final) return; // fills still to come: the status waits for them
    const status = statusFromCcxt(order.status, order.filled, order.amount);
    if (status === 'canceled') this.canceled(o, o.cancelRequested ? 'canceled by request' : 'canceled by the venue', ts);
    else if (status === 'expired') this.end(o, { kind: 'OrderExpired', ...this.base(o, ts), reason: 'expired at the venue' });
    else if (status === 'rejected') this.end(o, { kind: 'OrderRejected', ...this.base(o, ts), reason: 'rejected by the venue' });
    else if (status === 'filled') {
      // Closed short of the quantity: a market order's remainder (Upbit buys by cost) — it will not fill.
      if (o.filled < toAtto(o.cmd.quantity)) {
        this.end(o, { kind: 'OrderExpired', ...this.base(o, ts), reason: `closed by the venue with ${formatAtto(o.filled)} of ${o.cmd.quantity} filled` });
      } else this.finish(o);
    }
  }

  /** One fill for the gap between the venue's cumulative `filled` and ours. */
  private synthesize(o: TrackedOrder, order: Order, venueFilled: Atto, ts: number): void {
    const qty = venueFilled - o.filled;
    const info = (order.info ?? {}) as Record<string, unknown>;
    const venueCost = typeof order.cost === 'number' && order.cost > 0 ? exact(info.cummulativeQuoteQty, order.cost, 'cost') : undefined;
    const refPrice = order.average ?? order.price ?? 0;
    const notional = venueCost !== undefined && venueCost > o.cost ? venueCost - o.cost : mulAtto(toAtto(refPrice), qty);
    const price = Number((Number(formatAtto((notional * 10n ** 18n) / qty))).toPrecision(12));
    const feeTotal = order.fee?.cost !== undefined && order.fee.cost !== null ? exact(info.paid_fee, Number(order.fee.cost), 'fee') : undefined;
    // A limit order seen resting before this fill made the book (maker); anything else took it.
    const liquidity = o.cmd.type === 'limit' && o.accepted ? 'maker' : 'taker';
    // The venue says the fee with the order (Upbit's paid_fee); where it does not (Binance's order
    // endpoint) the market's own rate for that liquidity stands in, so the ledger does not run a fee
    // ahead of the venue. Charged in the quote, as the fee schedule is.
    const rate = liquidity === 'maker' ? o.market.maker : o.market.taker;
    const fee = feeTotal !== undefined ? (feeTotal > o.fee ? feeTotal - o.fee : 0n) : rate !== undefined ? mulRate(notional, rate) : 0n;
    this.addFill(o, notional, qty, fee);
    this.emit(
      Object.freeze({
        kind: 'OrderFilled',
        ...this.base(o, ts),
        exchangeId: o.exchangeId ?? String(order.id),
        tradeId: `${o.exchangeId ?? String(order.id)}@${formatAtto(venueFilled)}`,
        side: o.cmd.side,
        price,
        quantity: Number(formatAtto(qty)),
        notional,
        fee,
        feeAsset: order.fee?.currency ?? o.market.quote,
        liquidity,
      }),
    );
  }

  private addFill(o: TrackedOrder, notional: Atto, qty: Atto, fee: Atto): void {
    o.filled += qty;
    o.cost += notional;
    o.fee += fee;
  }

  private end(o: TrackedOrder, ev: OrderEvent): void {
    this.emit(ev);
    this.finish(o);
  }

  private finish(o: TrackedOrder): void {
    if (o.final) return;
    o.final = true;
    this.finished.push(o.cmd.clientId);
    const keep = this.opts.keepFinal ?? 10_000;
    while (this.finished.length > keep) this.orders.delete(this.finished.shift()!);
  }

  private base(o: TrackedOrder, ts: number) {
    return { clientId: o.cmd.clientId, venue: o.market.venue, symbol: o.cmd.symbol, ts };
  }

  private emit(ev: OrderEvent): void {
    this.opts.emit(Object.isFrozen(ev) ? ev : Object.freeze(ev));
  }
}

/** The venue's cumulative filled quantity, exact (Binance `executedQty`, Upbit `executed_volume`). */
export function filledOf(order: Order): Atto {
  const info = (order.info ?? {}) as Record<string, unknown>;
  return typeof order.filled === 'number' ? exact(info.executedQty ?? info.executed_volume, order.filled, 'filled') : 0n;
}
