/**
 * Paper trading: live public order books (through ccxt, no keys) drive the same matching engine the
 * backtest uses, in wall time. Orders never leave the process; balances come from the scenario.
 */
import { Subject, type Observable } from 'rxjs';
import type { Clock } from '../../core/clock.ts';
import type { BookSnapshot, BookTop, CancelOrder, MarketDef, MarketSymbol, OrderEvent, OrderSnapshot, SubmitOrder, VenueId } from '../../domain/types.ts';
import { SimulatedExchange } from '../../sim/simulated-exchange.ts';
import type { SimulatedVenueConfig } from '../../sim/venue-config.ts';
import type { Balances, ExchangeDriver, OrderQuery } from '../exchange-driver.ts';
import { BookPoller, type OrderBookSource } from './book-poller.ts';

export interface PaperExchangeOptions {
  readonly sim: Omit<SimulatedVenueConfig, 'fillModel'>;
  readonly source: OrderBookSource;
  readonly clock: Clock;
  readonly pollIntervalMs: number;
  readonly depth?: number;
  readonly onFeedError?: (symbol: MarketSymbol, err: unknown) => void;
}

export class PaperExchange implements ExchangeDriver {
  readonly venue: VenueId;
  readonly events$: Observable<OrderEvent>;
  readonly book$: Observable<BookTop>;
  readonly depth$: Observable<BookSnapshot>;
  private readonly books$ = new Subject<BookSnapshot>();
  private readonly sim: SimulatedExchange;
  private readonly poller: BookPoller;
  private readonly lastBookTs = new Map<MarketSymbol, number>();

  constructor(private readonly opts: PaperExchangeOptions) {
    this.venue = opts.sim.venue;
    this.sim = new SimulatedExchange({ ...opts.sim, fillModel: 'book' }, opts.clock);
    this.events$ = this.sim.events$;
    this.book$ = this.sim.book$;
    this.depth$ = this.books$.asObservable();
    this.poller = new BookPoller({
      venue: this.venue,
      symbols: [...opts.sim.markets.keys()],
      source: opts.source,
      clock: opts.clock,
      intervalMs: opts.pollIntervalMs,
      ...(opts.depth !== undefined ? { depth: opts.depth } : {}),
      onBook: (symbol, rows, changedAt) => {
        for (const r of rows) this.sim.onMarket(r);
        this.sim.advance(opts.clock.now());
        this.lastBookTs.set(symbol, changedAt);
        // The venue's book as polled (our own fills' consumption is the matching engine's business).
        this.books$.next({ venue: this.venue, symbol, ts: changedAt, rows });
      },
      ...(opts.onFeedError ? { onError: opts.onFeedError } : {}),
    });
  }

  /** Starts the live feed; resolves after the first poll so orders never meet an empty book. */
  async start(): Promise<void> {
    await this.poller.pollOnce();
    this.poller.start();
  }

  /** When each symbol's book last changed (for staleness checks: a book served unchanged is not fresh). */
  lastUpdate(symbol: MarketSymbol): number | undefined {
    return this.lastBookTs.get(symbol);
  }

  mark(symbol: MarketSymbol): number | undefined {
    return this.sim.mark(symbol);
  }

  async loadMarkets(): Promise<ReadonlyMap<MarketSymbol, MarketDef>> {
    return this.opts.sim.markets;
  }

  async submit(order: SubmitOrder): Promise<void> {
    await this.sim.submit(order);
    this.sim.advance(this.opts.clock.now());
  }

  async cancel(cmd: CancelOrder): Promise<void> {
    await this.sim.cancel(cmd);
    this.sim.advance(this.opts.clock.now());
  }

  fetchOrder(query: OrderQuery): Promise<OrderSnapshot | undefined> {
    return this.sim.fetchOrder(query);
  }

  /** Every order the paper venue accepted (the truth a failure report checks against). */
  allOrders(): IterableIterator<OrderSnapshot> {
    return this.sim.allOrders();
  }

  fetchOpenOrders(symbol?: MarketSymbol): Promise<OrderSnapshot[]> {
    return this.sim.fetchOpenOrders(symbol);
  }

  fetchBalance(): Promise<Balances> {
    return this.sim.fetchBalance();
  }

  async close(): Promise<void> {
    this.poller.stop();
    this.books$.complete();
    await this.sim.close();
  }
}
