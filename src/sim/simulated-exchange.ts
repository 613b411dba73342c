/**
 * The simulated venue behind the ExchangeDriver interface: a matching engine in event time.
 *
 * Everything is synchronous. `submit`/`cancel` only queue the command for its arrival time (clock now +
 * latency); the queue is worked off as market events pass that time (`onMarket`) or at the end of the
 * data (`finish`), and every OrderEvent is emitted on `events$` from inside those calls. No wall clock,
 * no randomness: ids come from counters, so the same inputs give the same event list. The fill model is
 * documented in src/sim/README.md.
 */
import { Subject, type Observable } from 'rxjs';
import type { Clock } from '../core/clock.ts';
import { InvariantError } from '../core/errors.ts';
import type { Balances, ExchangeDriver, OrderQuery } from '../drivers/exchange-driver.ts';
import type {
  BookTop,
  CancelOrder,
  MarketDef,
  MarketEvent,
  MarketSymbol,
  OrderEvent,
  OrderSnapshot,
  SubmitOrder,
  TimeMs,
  VenueId,
} from '../domain/types.ts';
import { DEFAULT_CANDLE_BOOK, type CandleBookModel } from './candle-book.ts';
import { CommandQueue, type InFlight } from './command-queue.ts';
import { applyCandle, applyLevel, applyTrade } from './market-events.ts';
import { MarketState } from './market-state.ts';
import { admitOrder, type IntakeContext } from './order-intake.ts';
import { Settlement } from './settlement.ts';
import { OrderStore } from './order-store.ts';
import { snapshotOf, type SimOrder } from './sim-order.ts';
import { VenueBalances } from './venue-balances.ts';
import { validateConfig, type SimulatedVenueConfig } from './venue-config.ts';

export type { SimulatedVenueConfig } from './venue-config.ts';

const DONE: Promise<void> = Promise.resolve();

export class SimulatedExchange implements ExchangeDriver {
  readonly venue: VenueId;
  readonly events$: Observable<OrderEvent>;
  readonly book$: Observable<BookTop>;
  private readonly cfg: SimulatedVenueConfig;
  private readonly clock: Clock;
  private readonly events = new Subject<OrderEvent>();
  private readonly tops = new Subject<BookTop>();
  private readonly markets = new Map<MarketSymbol, MarketState>();
  private readonly balances: VenueBalances;
  private readonly queue = new CommandQueue();
  private readonly intake: IntakeContext;
  private readonly model: { bar: boolean; slippageBps: number; candleBook: CandleBookModel };
  /** Every accepted order, by sequence (exchange id `${venue}-${seq}`). */
  private readonly store: OrderStore;
  /** Open orders by client id, in acceptance order. Kept small on purpose: see order-store.ts. */
  private readonly open = new Map<string, SimOrder>();
  private readonly ignored: CancelOrder[] = [];
  private closed = false;

  constructor(cfg: SimulatedVenueConfig, clock: Clock) {
    validateConfig(cfg);
    this.cfg = cfg;
    this.clock = clock;
    this.venue = cfg.venue;
    this.events$ = this.events.asObservable();
    this.book$ = this.tops.asObservable();
    this.balances = new VenueBalances(cfg.balances);
    this.store = new OrderStore(cfg.venue);
    for (const [symbol, def] of cfg.markets) {
      const fees = cfg.fees ?? { maker: def.maker ?? 0, taker: def.taker ?? 0 };
      this.markets.set(symbol, new MarketState(def, fees, this.balances.entry(def.base), this.balances.entry(def.quote)));
    }
    this.model = {
      bar: cfg.fillModel === 'bar',
      slippageBps: cfg.slippageBps ?? 0,
      candleBook: { ...DEFAULT_CANDLE_BOOK, ...cfg.candleBook },
    };
    const emit = (e: OrderEvent): void => this.events.next(e);
    const settlement = new Settlement(cfg.venue, emit, (o) => {
      this.open.delete(o.clientId);
      this.store.close(o, this.markets.get(o.symbol)!.lots.qty(o.filledLots));
    });
    this.intake = {
      venue: cfg.venue,
      settlement,
      emit,
      bar: this.model.bar,
      slippageBps: this.model.slippageBps,
      isOpen: (clientId) => this.open.has(clientId),
      nextSeq: () => this.store.size + 1,
      register: (o) => {
        this.store.add(o);
        this.open.set(o.clientId, o);
      },
    };
  }

  // --- commands -------------------------------------------------------------------------------

  submit(order: SubmitOrder): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.venue}: submit after close`));
    if (order.venue !== this.venue) return Promise.reject(new Error(`${this.venue}: order for venue ${order.venue}`));
    this.queue.push({ arrival: this.clock.now() + this.cfg.latencyMs, kind: 'submit', cmd: order });
    return DONE;
  }

  cancel(cmd: CancelOrder): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.venue}: cancel after close`));
    this.queue.push({ arrival: this.clock.now() + this.cfg.latencyMs, kind: 'cancel', cmd });
    return DONE;
  }

  // --- market data ----------------------------------------------------------------------------

  /** Applies one market event of this venue at `ev.ts`, with the commands that arrive around it. */
  onMarket(ev: MarketEvent): void {
    if (ev.venue !== this.venue) {
      throw new InvariantError(`${this.venue}: market event of venue ${ev.venue}`, { venue: ev.venue });
    }
    switch (ev.kind) {
      case 'level':
        this.onLevel(ev.symbol, ev.ts, ev.side === 'ask', ev.price, ev.quantity, ev.snapshot, ev.reset);
        return;
      case 'trade':
        this.onTrade(ev.symbol, ev.ts, ev.price, ev.quantity);
        return;
      case 'candle':
        this.onCandle(ev.symbol, ev.ts, ev.open, ev.high, ev.low, ev.close, ev.volume);
        return;
    }
  }

  /*
   * `onMarket` with the event's fields as arguments, for callers that hold market data as columns
   * (backtests reading in worker threads): the same rules, no event object per row.
   */

  /** A BookLevelEvent of this venue (`ask` false: a bid level). */
  onLevel(symbol: MarketSymbol, ts: TimeMs, ask: boolean, price: number, quantity: number, snapshot: boolean, reset: boolean): void {
    // Commands that arrived before this event meet the book as it was before it.
    if (this.queue.nextArrival() < ts) this.drain(ts, false);
    const m = this.markets.get(symbol);
    if (m !== undefined) applyLevel(m, ts, ask, price, quantity, reset, this.model, this.intake.settlement);
    // A snapshot arrives as several rows with one ts: an order must not land between its rows.
    if (!snapshot && this.queue.nextArrival() <= ts) this.drain(ts, true);
    if (m !== undefined) this.publishTop(m, ts);
  }

  /** A TradeEvent of this venue. */
  onTrade(symbol: MarketSymbol, ts: TimeMs, price: number, quantity: number): void {
    if (this.queue.nextArrival() < ts) this.drain(ts, false);
    const m = this.markets.get(symbol);
    if (m !== undefined) applyTrade(m, ts, price, quantity, this.model, this.intake.settlement);
    if (this.queue.nextArrival() <= ts) this.drain(ts, true);
    if (m !== undefined) this.publishTop(m, ts);
  }

  /** A CandleEvent of this venue. */
  onCandle(symbol: MarketSymbol, ts: TimeMs, open: number, high: number, low: number, close: number, volume: number): void {
    if (this.queue.nextArrival() < ts) this.drain(ts, false);
    const m = this.markets.get(symbol);
    if (m !== undefined) applyCandle(m, ts, open, high, low, close, volume, this.model, this.intake.settlement);
    if (this.queue.nextArrival() <= ts) this.drain(ts, true);
    if (m !== undefined) this.publishTop(m, ts);
  }

  /**
   * Works off every command that has arrived by `ts` without a market event — for venues driven in
   * wall time (paper trading, the exchange emulator), where time passes between data updates.
   */
  advance(ts: TimeMs): void {
    this.drain(ts, true);
  }

  /** End of data: works off commands up to `ts`; bar-model market orders still waiting expire. */
  finish(ts: TimeMs): void {
    this.drain(ts, true);
    for (const m of this.markets.values()) {
      const pending = m.barPending;
      m.barPending = [];
      for (const o of pending) {
        this.intake.settlement.end(o, m, 'expired', 'no candle at or after arrival before the end of the data', ts);
      }
    }
  }

  // --- queries --------------------------------------------------------------------------------

  /** Reference price for valuation: last trade / candle close, else mid of book. */
  mark(symbol: MarketSymbol): number | undefined {
    return this.markets.get(symbol)?.mark();
  }

  /** Event time of the last market event applied to `symbol`; undefined before any (staleness checks). */
  lastMarketTs(symbol: MarketSymbol): TimeMs | undefined {
    const m = this.markets.get(symbol);
    return m === undefined || m.mark() === undefined ? undefined : m.lastTs;
  }

  top(symbol: MarketSymbol): BookTop | undefined {
    const m = this.markets.get(symbol);
    return m?.top(this.venue, m.lastTs);
  }

  /** Cancels that arrived for an unknown or already final order: nothing was emitted for them. */
  ignoredCancels(): readonly CancelOrder[] {
    return this.ignored;
  }

  loadMarkets(): Promise<ReadonlyMap<MarketSymbol, MarketDef>> {
    return Promise.resolve(this.cfg.markets);
  }

  fetchOrder(query: OrderQuery): Promise<OrderSnapshot | undefined> {
    return Promise.resolve(this.lookupNow(query));
  }

  /**
   * fetchOrder's answer, synchronously: recovery lookups in a backtest run in event time, and an
   * answer that came back in a later microtask would land at whatever event the run had reached.
   */
  lookupNow(query: OrderQuery): OrderSnapshot | undefined {
    const { exchangeId, clientId } = query;
    const o = this.findOpen(exchangeId, clientId);
    let snap: OrderSnapshot | undefined;
    if (o !== undefined) snap = this.snapshot(o);
    else {
      const seq = exchangeId !== undefined ? this.seqOf(exchangeId) : clientId !== undefined ? this.store.seqOf(clientId) : undefined;
      snap = seq === undefined ? undefined : this.store.snapshot(seq);
    }
    return snap?.symbol === query.symbol ? snap : undefined;
  }

  /** Every order this venue ever accepted, in acceptance order (the venue's truth, for invariants). */
  *allOrders(): IterableIterator<OrderSnapshot> {
    for (let seq = 1; seq <= this.store.size; seq++) {
      const open = this.findOpen(undefined, this.store.clientIdOf(seq));
      const snap = open !== undefined ? this.snapshot(open) : this.store.snapshot(seq);
      if (snap !== undefined) yield snap;
    }
  }

  fetchOpenOrders(symbol?: MarketSymbol): Promise<OrderSnapshot[]> {
    const out: OrderSnapshot[] = [];
    for (const o of this.open.values()) if (symbol === undefined || o.symbol === symbol) out.push(this.snapshot(o));
    return Promise.resolve(out);
  }

  fetchBalance(): Promise<Balances> {
    return Promise.resolve(this.balances.totals());
  }

  close(): Promise<void> {
    this.closed = true;
    this.events.complete();
    this.tops.complete();
    return DONE;
  }

  // --- internals ------------------------------------------------------------------------------

  /** Works off commands arriving before `until` (or at it, when `inclusive`), each at its arrival. */
  private drain(until: TimeMs, inclusive: boolean): void {
    for (;;) {
      const a = this.queue.nextArrival();
      if (a > until || (a === until && !inclusive)) return;
      this.arrive(this.queue.shift()!);
    }
  }

  private arrive(c: InFlight): void {
    if (c.kind === 'submit') {
      const m = this.markets.get(c.cmd.symbol);
      admitOrder(this.intake, m, c.cmd, c.arrival);
      if (m !== undefined) this.publishTop(m, c.arrival);
      return;
    }
    const o = this.findOpen(c.cmd.exchangeId, c.cmd.clientId);
    if (o === undefined) {
      this.ignored.push(c.cmd); // unknown or already final: the venue says "unknown order"
      return;
    }
    const m = this.markets.get(o.symbol)!;
    if (o.type === 'limit') m.restingFor(o.side).remove(o);
    else m.barPending = m.barPending.filter((p) => p !== o);
    this.intake.settlement.end(o, m, 'canceled', 'canceled on request', c.arrival);
  }

  /** The open order an exchange id (preferred) or client id names, if it is open. */
  private findOpen(exchangeId: string | undefined, clientId: string | undefined): SimOrder | undefined {
    if (exchangeId === undefined) return clientId === undefined ? undefined : this.open.get(clientId);
    const seq = this.seqOf(exchangeId);
    const cid = seq === undefined ? undefined : this.store.clientIdOf(seq);
    const o = cid === undefined ? undefined : this.open.get(cid);
    return o !== undefined && o.seq === seq ? o : undefined;
  }

  private seqOf(exchangeId: string): number | undefined {
    const prefix = `${this.venue}-`;
    if (!exchangeId.startsWith(prefix)) return undefined;
    const seq = Number(exchangeId.slice(prefix.length));
    return Number.isInteger(seq) && seq >= 1 ? seq : undefined;
  }

  private snapshot(o: SimOrder): OrderSnapshot {
    return snapshotOf(o, this.markets.get(o.symbol)!.lots.qty(o.filledLots));
  }

  /** Publishes the top of `m` when best bid, best ask or last changed, and only if someone listens. */
  private publishTop(m: MarketState, ts: TimeMs): void {
    if (this.tops.observed && m.topMoved()) this.tops.next(m.top(this.venue, ts));
  }
}
