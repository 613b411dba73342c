/**
 * The live driver: a real venue through ccxt. Commands go out as ccxt calls; what comes back — and
 * what polling learns later — comes out of `events$` as order events, classified per RELIABILITY.md:
 *  - submit never throws for a venue outcome: accepted/filled, rejected (final), transient (resent
 *    with the SAME client id after a backoff, bounded), duplicate (the venue has it: adopted), unknown
 *    (OrderStatusUnknown — resolved by a client-id lookup, never by resending);
 *  - open orders are polled every `pollIntervalMs` (only while there are some); fills are emitted once
 *    per venue trade id (see order-tracker.ts);
 *  - ccxt's rate limiter is on, its retries are off for order calls (`maxRetriesOnFailure: 0` per call);
 *  - every message is stripped of the exchange's credentials before it is emitted or thrown.
 */
import type { Exchange, Order } from 'ccxt';
import { OrderNotFound } from 'ccxt';
import { Subject, type Observable } from 'rxjs';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../../core/clock.ts';
import { crashPoint } from '../../core/crash-points.ts';
import { describeError } from '../../core/errors.ts';
import type { BookSnapshot, BookTop, CancelOrder, MarketDef, MarketSymbol, OrderEvent, OrderSnapshot, SubmitOrder, VenueId } from '../../domain/types.ts';
import type { AdoptedOrder, Balances, ExchangeDriver, OrderQuery, SubmitMeta, WarmUpReport } from '../exchange-driver.ts';
import { BookTops } from './book-tops.ts';
import { balancesFromCcxt, lookupParams, orderParams, orderSnapshotFromCcxt, type CcxtOrderCall } from './ccxt-mapper.ts';
import { CcxtProbe, type CallRecord } from './ccxt-probe.ts';
import type { ErrorClass } from './error-classifier.ts';
import { loadLiveMarkets, placeholderMarket } from './live-markets.ts';
import { OrderTracker, type TrackedOrder } from './order-tracker.ts';
import { OrderSync } from './order-sync.ts';
import { OrderWatcher } from './order-watcher.ts';
import { PollLoop } from './poll-loop.ts';
import { VenueClient } from './venue-client.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './venue-guard.ts';
import { orderCalls } from './rate-limiter.ts';
import { DryRunStop, dryRun } from './dry-run.ts';
import { warmUpOrders } from './warm-up-orders.ts';

export interface LiveExchangeOptions {
  readonly venue: VenueId;
  /** Constructed and configured by the caller (keys, URLs); see create-exchange.ts. */
  readonly exchange: Exchange;
  readonly clock: Clock;
  /** How often open orders are polled. */
  readonly pollIntervalMs: number;
  /** The caller's definitions; they fill what ccxt does not report (Upbit's KRW tick table, minimums). */
  readonly markets?: ReadonlyMap<MarketSymbol, MarketDef>;
  readonly bookIntervalMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** How long an order we asked to cancel must stay unseen before it is taken as canceled (default 5 s). */
  readonly absentAfterMs?: number;
  /** Use ccxt.pro's watchOrders/watchMyTrades on top of polling, where offered. Off by default. */
  readonly useWebsocket?: boolean;
  /** Problems that produce no order event (a failed poll, a cancel that could not be sent). */
  readonly onError?: (what: string, cls: ErrorClass) => void;
  /** For tests: how the driver waits between attempts. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export class LiveExchange implements ExchangeDriver {
  readonly venue: VenueId;
  readonly events$: Observable<OrderEvent>;
  readonly book$: Observable<BookTop>;
  readonly depth$: Observable<BookSnapshot>;
  private readonly events = new Subject<OrderEvent>();
  private readonly tops = new Subject<BookTop>();
  private readonly books$ = new Subject<BookSnapshot>();
  private readonly lastTop = new Map<MarketSymbol, BookTop>();
  private readonly venueClient: VenueClient;
  private readonly tracker: OrderTracker;
  private readonly books: BookTops;
  private readonly watcher: OrderWatcher | undefined;
  private readonly lat: number[] = [];
  private markets: Promise<Map<MarketSymbol, MarketDef>> | undefined;
  private readonly poller: PollLoop;
  private readonly sync: OrderSync;
  private closed = false;

  constructor(private readonly opts: LiveExchangeOptions) {
    this.venue = opts.venue;
    const client = (this.venueClient = new VenueClient({
      venue: opts.venue,
      exchange: opts.exchange,
      clock: opts.clock,
      retry: { ...DEFAULT_RETRY, ...opts.retry },
      ...(opts.onError ? { onError: opts.onError } : {}),
      ...(opts.sleep ? { sleep: opts.sleep } : {}),
    }));
    this.tracker = new OrderTracker({
      emit: (e) => this.events.next(e),
      now: () => opts.clock.now(),
      ...(opts.absentAfterMs !== undefined ? { minNotFoundMs: opts.absentAfterMs } : {}),
    });
    this.poller = new PollLoop(opts.pollIntervalMs, () => this.pollOpenOrders(), () => this.tracker.open().length > 0);
    this.sync = new OrderSync(client, this.tracker, opts.clock, () => this.poller.kick());
    this.events$ = this.events.asObservable();
    this.book$ = this.tops.asObservable();
    this.depth$ = this.books$.asObservable();
    this.books = new BookTops({
      venue: this.venue,
      clock: opts.clock,
      intervalMs: opts.bookIntervalMs ?? opts.pollIntervalMs,
      source: { fetchOrderBook: (s, limit) => client.call('fetch', `fetchOrderBook ${s}`, (ex) => ex.fetchOrderBook(s, limit)) },
      onTop: (t) => {
        this.lastTop.set(t.symbol, t);
        this.tops.next(t);
      },
      onBook: (b) => this.books$.next(b),
      onError: (s, err) => client.report(`book ${s}`, err),
    });
    this.watcher = opts.useWebsocket
      ? OrderWatcher.start(opts.exchange, {
          onOrder: (o) => void this.sync.pushed(o),
          onTrades: (ts) => this.sync.pushedTrades(ts),
          onError: (err) => client.report('watch', err),
        })
      : undefined;
  }

  loadMarkets(): Promise<ReadonlyMap<MarketSymbol, MarketDef>> {
    this.markets ??= this.venueClient.call('fetch', 'loadMarkets', (ex) => loadLiveMarkets(this.venue, ex, this.opts.markets));
    return this.markets.catch((err) => {
      this.markets = undefined; // try again next time
      throw err;
    });
  }

  /** Starts polling the top of book of `symbols` onto `book$`. */
  watchSymbols(symbols: readonly MarketSymbol[]): void {
    if (!this.closed) this.books.watch(symbols);
  }

  /** In-process latency of each first send, in ms: submit() called → HTTP request handed to ccxt's transport. */
  latencies(): number[] {
    return [...this.lat];
  }

  async submit(cmd: SubmitOrder, meta?: SubmitMeta): Promise<void> {
    // Latency runs from the signal reaching the engine (risk gate, order, journal fsync included) when
    // the engine says when that was; else from this call.
    const startedAt = meta?.signalAt ?? performance.now();
    const client = this.venueClient;
    const markets = await this.loadMarkets().catch((err: Error) => err);
    const market = markets instanceof Error ? undefined : markets.get(cmd.symbol);
    const o = this.tracker.track(cmd, market ?? placeholderMarket(this.venue, cmd.symbol));
    if (markets instanceof Error) return this.tracker.rejected(o, `not sent, markets unavailable: ${markets.message}`, 'NO_MARKETS');
    if (!market) return this.tracker.rejected(o, `${this.venue} does not list ${cmd.symbol}`, 'BAD_SYMBOL');
    let call: CcxtOrderCall;
    try {
      call = await this.orderCall(cmd, market);
    } catch (err) {
      return this.tracker.rejected(o, client.redact(describeError(err)), String((err as { info?: { code?: unknown } }).info?.code ?? 'INVALID_ORDER'));
    }
    for (let attempt = 1; ; attempt++) {
      const rec = CcxtProbe.record(startedAt);
      try {
        const order = await this.createOrder(cmd.clientId, call, rec);
        this.noteLatency(rec, attempt);
        crashPoint('after-send');
        return this.sync.take(o, order);
      } catch (err) {
        this.noteLatency(rec, attempt);
        const cls = client.classify(err, 'submit', rec);
        if (cls.kind === 'rejected') return this.tracker.rejected(o, cls.reason, cls.code);
        if (cls.kind === 'unknown') return this.tracker.unknown(o, cls.reason);
        if (cls.kind === 'duplicate') return this.sync.adopt(o, cls.reason);
        // Transient: the venue did not take it, so the same client id may go again.
        const wait = client.guard.delay(cls, attempt);
        if (!client.guard.mayRetry(attempt, wait)) return this.tracker.rejected(o, `not placed after ${attempt} attempt(s): ${cls.reason}`, cls.code);
        if (cls.resyncClock) await client.resyncClock();
        await client.wait(wait);
      }
    }
  }

  /**
   * Warms the order path before the first signal: `calls` dry-run placements (dry-run.ts) through the
   * very code `submit` runs — order parameters, ccxt's createOrder, request signing — stopped before
   * the transport, so nothing is sent, journaled or charged to the rate limit. Market and limit, buy
   * and sell, for each of `symbols`, at the last known top of book. Bounded by `maxMs` as well.
   */
  async warmUp(symbols: readonly MarketSymbol[], opts: { readonly calls: number; readonly maxMs?: number }): Promise<WarmUpReport> {
    const markets = await this.loadMarkets();
    const samples = symbols.flatMap((s) => {
      const market = markets.get(s);
      return market ? warmUpOrders(this.venue, market, this.lastTop.get(s)) : [];
    });
    const t0 = performance.now();
    const deadline = t0 + (opts.maxMs ?? 3_000);
    let calls = 0;
    let problem: string | undefined;
    while (samples.length > 0 && calls < opts.calls && performance.now() < deadline) {
      const { cmd, market } = samples[calls % samples.length]!;
      calls++;
      // A call that ends anywhere but at the transport would warm something else: stop and say why.
      try {
        await dryRun(async () => this.createOrder(cmd.clientId, await this.orderCall(cmd, market), CcxtProbe.record()));
        problem = 'a dry-run placement returned without reaching the transport';
        break;
      } catch (err) {
        if (!(err instanceof DryRunStop)) {
          problem = this.venueClient.redact(describeError(err));
          break;
        }
      }
    }
    return { calls, ms: performance.now() - t0, ...(problem !== undefined ? { problem } : {}) };
  }

  async cancel(cmd: CancelOrder): Promise<void> {
    const client = this.venueClient;
    const o = this.tracker.get(cmd.clientId) ?? (await this.trackForeign(cmd));
    if (!o) return client.report(`cancel ${cmd.clientId}`, new Error('the venue does not know this order'), 'cancel');
    o.cancelRequested = true;
    const id = cmd.exchangeId ?? o.exchangeId;
    const params = { ...(id ? {} : lookupParams(this.venue, cmd.clientId)), maxRetriesOnFailure: 0 };
    for (let attempt = 1; ; attempt++) {
      const rec = CcxtProbe.record();
      try {
        const res = await orderCalls.run(true, () => client.attempt(`cancelOrder ${cmd.clientId}`, rec, (ex) => ex.cancelOrder(id as string, cmd.symbol, params)));
        // Upbit answers before the cancel is done (state "wait"): the poller sees it through.
        return this.sync.take(o, res);
      } catch (err) {
        if (err instanceof OrderNotFound) {
          // Rule 5: gone means canceled OR filled — ask which.
          const order = await client.fetchOrder(cmd.symbol, { exchangeId: id, clientId: cmd.clientId }).catch(() => undefined);
          if (order) return this.sync.take(o, order);
          // Not proof of absence (rule 2): the poller keeps looking, and resolves it if it stays unseen.
          this.tracker.notFound(o);
          return this.poller.kick();
        }
        const cls = client.classify(err, 'cancel', rec);
        const wait = client.guard.delay(cls, attempt);
        if (cls.kind !== 'transient' || !client.guard.mayRetry(attempt, wait)) return this.opts.onError?.(`cancel ${cmd.clientId}`, cls);
        await client.wait(wait);
      }
    }
  }

  /**
   * The venue's view of one order; undefined when it does not know it. For an order of ours, whatever
   * the lookup shows that was not emitted yet (fills, the end) is emitted too: a recovery lookup of an
   * `unknown` order resolves it through `events$` like any other update.
   */
  async fetchOrder(query: OrderQuery): Promise<OrderSnapshot | undefined> {
    const order = await this.venueClient.fetchOrder(query.symbol, query);
    if (!order) return undefined;
    const snap = orderSnapshotFromCcxt(this.venue, order, { ...query, ts: this.opts.clock.now() });
    const o = this.tracker.get(snap.clientId ?? query.clientId);
    if (o && !o.final) await this.sync.take(o, order);
    return snap;
  }

  async fetchOpenOrders(symbol?: MarketSymbol): Promise<OrderSnapshot[]> {
    const orders = await this.venueClient.call('fetch', 'fetchOpenOrders', (ex) => ex.fetchOpenOrders(symbol));
    return orders.map((o) => orderSnapshotFromCcxt(this.venue, o, { ts: this.opts.clock.now() }));
  }

  async fetchBalance(): Promise<Balances> {
    const b = await this.venueClient.call('fetch', 'fetchBalance', (ex) => ex.fetchBalance());
    return balancesFromCcxt(b, (id) => this.opts.exchange.safeCurrencyCode(id) ?? id);
  }

  async adopt(order: AdoptedOrder): Promise<void> {
    const { cmd } = order;
    const market = (await this.loadMarkets().catch(() => undefined))?.get(cmd.symbol) ?? placeholderMarket(this.venue, cmd.symbol);
    this.tracker.adopt(cmd, market, order.exchangeId, order.fills);
  }

  forget(clientId: string): void {
    this.tracker.forget(clientId);
  }

  /** Polls every open order once, now (the timer does this every `pollIntervalMs` while any is open). */
  async pollOpenOrders(): Promise<void> {
    if (this.venueClient.guard.banRemaining() > 0) return;
    await Promise.all(this.tracker.open().map((o) => this.sync.refresh(o)));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.poller.stop();
    this.books.stop();
    await this.watcher?.stop();
    this.events.complete();
    this.tops.complete();
    this.books$.complete();
  }

  // -------------------------------------------------------------------------------------------

  /** The ccxt call for `cmd`; a market buy by cost asks for a reference price first (venue-client.ts). */
  private async orderCall(cmd: SubmitOrder, market: MarketDef): Promise<CcxtOrderCall> {
    const client = this.venueClient;
    return orderParams(this.venue, cmd, { market, referencePrice: await client.referencePrice(cmd, this.lastTop.get(cmd.symbol)), marketBuyByCost: client.marketBuyByCost() });
  }

  /** One createOrder, marked as an order call (rate-limiter.ts) and probed on the wire. */
  private createOrder(clientId: string, call: CcxtOrderCall, rec: CallRecord): Promise<Order> {
    return orderCalls.run(true, () =>
      this.venueClient.attempt(`createOrder ${clientId}`, rec, (ex) => ex.createOrder(call.symbol, call.type, call.side, call.amount, call.price, { ...call.params })),
    );
  }

  /** Starts tracking an order this driver did not submit (found at the venue), so that a cancel of it reports back. */
  private async trackForeign(cmd: CancelOrder): Promise<TrackedOrder | undefined> {
    const order = await this.venueClient.fetchOrder(cmd.symbol, { exchangeId: cmd.exchangeId, clientId: cmd.clientId }).catch(() => undefined);
    if (!order) return undefined;
    const snap = orderSnapshotFromCcxt(this.venue, order, { clientId: cmd.clientId, symbol: cmd.symbol, ts: this.opts.clock.now() });
    const market = (await this.loadMarkets().catch(() => undefined))?.get(cmd.symbol) ?? placeholderMarket(this.venue, cmd.symbol);
    const o = this.tracker.track({ ...snap, clientId: cmd.clientId }, market);
    o.exchangeId = snap.exchangeId;
    o.accepted = true; // known to the venue; its ack is not ours to invent
    return o;
  }

  private noteLatency(rec: CallRecord, attempt: number): void {
    if (attempt === 1 && rec.sentAt !== undefined) this.lat.push(rec.sentAt - rec.startedAt);
  }
}
