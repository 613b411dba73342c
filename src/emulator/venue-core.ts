/**
 * One emulated venue's engine room, shared by the Binance and Upbit dialects: the simulated exchange
 * (book fill model, zero latency) on a clock that follows wall time, the order ledger, ticker stats,
 * and the synchronous command cycle — submit or cancel, then `advance(now)` — so that an HTTP response
 * already reflects the outcome, as the venues' own FULL/RESULT responses do. It also carries the
 * venue-level fault state (venue-faults/) the routes consult: the server clock's skew, frozen market
 * data, and the partial cap an armed `partial-then-cancel` puts on the next order.
 */
import { EventClock } from '../core/clock.ts';
import { attoToNumber, toAtto } from '../domain/money.ts';
import type { Asset, Atto, MarketDef, MarketEvent, MarketSymbol, OrderEvent, OrderRejected, Side, VenueId } from '../domain/types.ts';
import { SimulatedExchange } from '../sim/simulated-exchange.ts';
import { MarketStats } from './market-stats.ts';
import { OrderLedger, type OrderIntent, type OrderRecord } from './order-ledger.ts';
import { lotsForQuote, marketBuyCost } from './quote-sizing.ts';
import { balanceDetail, depthOf, marketStateOf, type BalanceDetail, type Depth } from './sim-view.ts';
import { FaultState } from './venue-faults/fault-state.ts';
import type { MarketView } from './venue-faults/market-freeze.ts';

export type SubmitOutcome =
  | { readonly ok: true; readonly order: OrderRecord }
  | { readonly ok: false; readonly code: string; readonly reason: string };

const noop = (): void => {};

export class VenueCore {
  readonly venue: VenueId;
  readonly markets: ReadonlyMap<MarketSymbol, MarketDef>;
  readonly ledger = new OrderLedger();
  readonly stats = new MarketStats();
  readonly sim: SimulatedExchange;
  readonly faults: FaultState;
  /** Book version, bumped by every market update (Binance `lastUpdateId`). */
  updateId = 1;
  /** Market data as it is now (what `market()` serves unless a stream-silence froze it). */
  readonly live: MarketView;
  private readonly byId = new Map<string, MarketDef>();
  private readonly clock = new EventClock(0);
  private rejectFor: string | undefined;
  private rejected: OrderRejected | undefined;
  private closed = false;

  constructor(venue: VenueId, markets: ReadonlyMap<MarketSymbol, MarketDef>, balances: ReadonlyMap<Asset, Atto>) {
    this.venue = venue;
    this.markets = markets;
    this.faults = new FaultState(venue);
    for (const def of markets.values()) this.byId.set(def.id ?? def.symbol, def);
    this.sim = new SimulatedExchange({ venue, markets, latencyMs: 0, fillModel: 'book', balances }, this.clock);
    this.sim.events$.subscribe((e) => this.onEvent(e));
    const core = this;
    this.live = {
      depth: (symbol, limit) => core.depth(symbol, limit),
      stats: (symbol) => core.stats.get(symbol),
      get updateId() {
        return core.updateId;
      },
      now: () => core.tick(),
    };
  }

  /** The server's clock: wall time plus any `clock-skew` (what signatures are checked against). */
  serverNow(): number {
    return this.tick() + this.faults.clockOffsetMs;
  }

  /** What market-data routes serve: the live book, or the snapshot of a `stream-silence`. */
  market(): MarketView {
    return this.faults.freeze.view(Date.now()) ?? this.live;
  }

  /** The clock moved to wall time (never backwards) and returned. */
  tick(): number {
    this.clock.advance(Date.now());
    return this.clock.now();
  }

  marketById(id: string): MarketDef | undefined {
    return this.byId.get(id);
  }

  /**
   * Hands one order to the engine and works it off at once. An armed `partial-then-cancel` hands the
   * engine only part of it (whole lots); should the part alone break a minimum the whole order meets,
   * the whole order goes in and the fault has no effect (the runner logs that).
   */
  submit(intent: OrderIntent): SubmitOutcome {
    const part = this.partialQuantity(intent, this.faults.takePartial());
    if (part === undefined) return this.submitOnce(intent, undefined);
    const out = this.submitOnce(intent, part);
    return !out.ok && /^MIN_/.test(out.code) ? this.submitOnce(intent, undefined) : out;
  }

  /** Whole lots of `fill` × the order, when that is at least one lot and less than the order. */
  private partialQuantity(intent: OrderIntent, fill: number | undefined): number | undefined {
    if (fill === undefined) return undefined;
    const m = marketStateOf(this.sim, intent.symbol);
    const lots = m === undefined ? Number.NaN : m.lots.exact(intent.quantity);
    if (m === undefined || Number.isNaN(lots)) return undefined;
    const partLots = Math.floor(lots * fill);
    return partLots >= 1 && partLots < lots ? m.lots.qty(partLots) : undefined;
  }

  private submitOnce(intent: OrderIntent, part: number | undefined): SubmitOutcome {
    const ts = this.tick();
    this.ledger.expect(intent, part === undefined ? undefined : toAtto(part));
    this.rejectFor = intent.clientId;
    this.rejected = undefined;
    const quantity = part ?? intent.quantity;
    const cmd = { clientId: intent.clientId, venue: this.venue, symbol: intent.symbol, side: intent.side, type: intent.type, quantity, ts };
    this.sim.submit(intent.type === 'limit' ? { ...cmd, price: intent.price! } : cmd).catch(noop);
    this.sim.advance(ts);
    this.ledger.expect(undefined);
    this.rejectFor = undefined;
    const rej = this.rejected as OrderRejected | undefined;
    if (rej !== undefined) return { ok: false, code: rej.code ?? 'REJECTED', reason: rej.reason };
    const order = this.ledger.byClient(intent.clientId)!;
    // Immediate-or-cancel: what did not fill at once ends here, reported by the venue as EXPIRED.
    if (intent.timeInForce === 'IOC' && order.isOpen && this.cancel(order)) {
      order.status = 'expired';
      order.expiredByVenue = true;
    }
    return { ok: true, order };
  }

  /** Cancels `order` if it is open; false when it had already ended (filled, canceled, expired). */
  cancel(order: OrderRecord): boolean {
    if (!order.isOpen) return false;
    const ts = this.tick();
    const cmd = { clientId: order.clientId, venue: this.venue, symbol: order.symbol, exchangeId: `${this.venue}-${order.seq}`, ts };
    this.sim.cancel(cmd).catch(noop);
    this.sim.advance(ts);
    return !order.isOpen;
  }

  /** Applies market events as one burst, all stamped with the current wall time (a snapshot stays whole). */
  applyMarket(events: readonly MarketEvent[]): void {
    if (this.closed || events.length === 0) return;
    const ts = this.tick();
    const touched = new Set<MarketSymbol>();
    for (const ev of events) {
      this.sim.onMarket({ ...ev, venue: this.venue, ts });
      touched.add(ev.symbol);
      if (ev.kind === 'trade') this.stats.onTrade(ev.symbol, ev.price, ev.quantity, ts);
    }
    this.sim.advance(ts);
    this.updateId += events.length;
    for (const symbol of touched) this.stats.onPrice(symbol, this.sim.mark(symbol), ts);
  }

  /** Book levels best first, our own resting limit orders included (a venue's book shows them too). */
  depth(symbol: MarketSymbol, limit: number): Depth {
    const own = this.ledger.openOrders(symbol).filter((o) => o.intent.type === 'limit');
    const data = depthOf(this.sim, symbol, limit + own.length);
    if (own.length === 0) return { bids: data.bids.slice(0, limit), asks: data.asks.slice(0, limit) };
    const def = this.markets.get(symbol)!;
    const merge = (levels: Array<[number, number]>, side: Side, desc: boolean): Array<[number, number]> => {
      const byPrice = new Map<number, number>(levels);
      for (const o of own) {
        if (o.intent.side !== side) continue;
        const left = attoToNumber(toAtto(o.intent.quantity) - o.filled);
        byPrice.set(o.intent.price!, (byPrice.get(o.intent.price!) ?? 0) + left);
      }
      const dec = Math.max(0, -Math.floor(Math.log10(def.precision.amount)));
      return [...byPrice]
        .map(([p, q]): [number, number] => [p, Number(q.toFixed(Math.min(dec, 18)))])
        .sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]))
        .slice(0, limit);
    };
    return { bids: merge(data.bids, 'buy', true), asks: merge(data.asks, 'sell', false) };
  }

  /** Free and locked per asset: every asset the venue holds or any market names. */
  balances(): Map<Asset, BalanceDetail> {
    const assets = new Set<Asset>();
    for (const def of this.markets.values()) assets.add(def.base).add(def.quote);
    return balanceDetail(this.sim, assets);
  }

  /** Whether the data book holds anything a `side` market order could take (our own orders excluded). */
  hasLiquidity(symbol: MarketSymbol, side: Side): boolean {
    const m = marketStateOf(this.sim, symbol);
    return m !== undefined && (side === 'buy' ? m.book.asks : m.book.bids).len > 0;
  }

  /** Whole lots a quote budget buys (or a sale brings) on the current book. */
  lotsForQuote(symbol: MarketSymbol, side: Side, budget: Atto): number {
    const m = marketStateOf(this.sim, symbol);
    return m === undefined ? 0 : lotsForQuote(m, side, budget);
  }

  /** The quote a market buy of `quantity` would spend now, fees included (0 when not on the lot grid). */
  marketBuyCost(symbol: MarketSymbol, quantity: number): Atto {
    const m = marketStateOf(this.sim, symbol);
    const lots = m === undefined ? Number.NaN : m.lots.exact(quantity);
    return m === undefined || Number.isNaN(lots) ? 0n : marketBuyCost(m, lots).cost;
  }

  /** Quantity of `lots` lots of `symbol`. */
  lotQuantity(symbol: MarketSymbol, lots: number): number {
    const m = marketStateOf(this.sim, symbol);
    return m === undefined ? 0 : m.lots.qty(lots);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.sim.close();
  }

  private onEvent(e: OrderEvent): void {
    if (e.kind === 'OrderRejected' && e.clientId === this.rejectFor) this.rejected = e;
    this.ledger.apply(e);
    if (e.kind === 'OrderFilled') this.stats.onTrade(e.symbol, e.price, e.quantity, e.ts);
  }
}
