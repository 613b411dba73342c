/**
 * Brings the driver's tracked orders in line with the venue: takes in a snapshot (the ack, the fills —
 * fetching the order's trades when the snapshot shows more filled than we have seen — then the end),
 * re-reads open orders for the poller, adopts an order the venue already had (duplicate client id),
 * and folds in what the optional push streams deliver. Every update of one order runs after the
 * previous one (the tracker serializes), so poller, lookups and cancels never interleave on it.
 */
import type { Order, Trade } from 'ccxt';
import type { Clock } from '../../core/clock.ts';
import type { OrderTracker, TrackedOrder } from './order-tracker.ts';
import type { VenueClient } from './venue-client.ts';

/** How far before the command the account-trades query starts: slack for clock skew. */
const TRADES_SLACK_MS = 60_000;

export class OrderSync {
  constructor(
    private readonly client: VenueClient,
    private readonly tracker: OrderTracker,
    private readonly clock: Clock,
    /** Called after any update that may leave the order open: (re)starts polling. */
    private readonly kick: () => void,
  ) {}

  /** Takes in one snapshot of an order of ours, after any update already under way. */
  async take(o: TrackedOrder, order: Order): Promise<void> {
    try {
      await this.tracker.serialize(o, () => this.settle(o, order));
    } catch (err) {
      // An answer we cannot read (a trade without a price...) is reported, never thrown at the caller:
      // submit() and cancel() must not reject for what a venue says. The poller will look again.
      this.client.report(`order ${o.cmd.clientId}: unreadable venue answer`, err);
    }
    this.kick();
  }

  /** Re-reads one open order (the poller's unit of work). */
  refresh(o: TrackedOrder): Promise<void> {
    return this.tracker.serialize(o, async () => {
      if (o.final) return;
      try {
        const order = await this.client.fetchOrder(o.cmd.symbol, { exchangeId: o.exchangeId, clientId: o.cmd.clientId });
        if (order) await this.settle(o, order);
        else this.tracker.notFound(o);
      } catch (err) {
        this.client.report(`poll ${o.cmd.clientId}`, err);
      }
    });
  }

  /** The venue says it already has this client id: fetch that order and carry on with it. */
  async adopt(o: TrackedOrder, reason: string): Promise<void> {
    const order = await this.client.fetchOrder(o.cmd.symbol, { clientId: o.cmd.clientId }).catch(() => undefined);
    if (!order) return this.tracker.unknown(o, `duplicate client id, but the order is not visible yet: ${reason}`);
    await this.take(o, order);
  }

  /** An order update pushed by a stream (ccxt.pro watchOrders). */
  pushed(order: Order): Promise<void> {
    const o = this.tracker.get(order.clientOrderId);
    return o && !o.final ? this.take(o, order) : Promise.resolve();
  }

  /** Trades pushed by a stream (ccxt.pro watchMyTrades): deduplicated by trade id like any others. */
  pushedTrades(trades: readonly Trade[]): void {
    for (const o of this.tracker.open()) this.tracker.applyTrades(o, trades.filter((t) => String(t.order) === o.exchangeId));
  }

  private async settle(o: TrackedOrder, order: Order): Promise<void> {
    const ts = order.lastTradeTimestamp ?? order.timestamp ?? this.clock.now();
    if (order.id !== undefined && order.status !== 'rejected') this.tracker.accept(o, String(order.id), order.timestamp ?? ts);
    this.tracker.applyTrades(o, order.trades, ts);
    const moreTrades = this.client.tradeSource !== 'orderOnly';
    if (moreTrades && this.tracker.behind(o, order)) {
      await this.client
        .fetchTrades(o.cmd.symbol, o.exchangeId!, o.cmd.ts - TRADES_SLACK_MS)
        .then((trades) => this.tracker.applyTrades(o, trades, ts))
        .catch((err) => this.client.report(`trades of ${o.cmd.clientId}`, err));
    }
    this.tracker.applyOrder(o, order, moreTrades);
  }
}
