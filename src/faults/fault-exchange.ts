/**
 * A driver that wraps another (the simulated exchange in backtests, the paper exchange in paper runs)
 * and makes it fail the way venues fail, per the scenario's fault schedule — so the same recovery code
 * that faces a real venue is rehearsed against a strategy's own run. What each fault looks like from
 * the engine's side is what the live driver would report for the real thing:
 *  - timeout before/after accept, 5xx after accept, -1007: `OrderStatusUnknown`; the venue has the
 *    order (or not) and tells only a lookup — events of a taken order are held back until one comes;
 *  - reject: `OrderRejected` with the venue's code, nothing sent;
 *  - rate limit, IP ban, clock skew, latency spike: the request waits (Retry-After, the ban, the time
 *    resync, the spike) and goes out once, with the same client id — or, past the longest wait the
 *    live driver sits out, is rejected unsent;
 *  - partial then cancel: part fills, then the venue cancels the rest;
 *  - dropped fill: the push is lost; the poll that finds it comes `poll_ms` later;
 *  - duplicated fill: the same trade is reported twice (the registry drops the second).
 * Every fault is written to the FaultLog with how it was detected and what was done.
 */
import { Subject, type Observable, type Subscription } from 'rxjs';
import type { Scheduler } from '../core/clock.ts';
import { roundAmount } from '../domain/precision.ts';
import type { BookSnapshot, BookTop, CancelOrder, MarketDef, MarketSymbol, OrderEvent, OrderSnapshot, SubmitOrder, VenueId } from '../domain/types.ts';
import type { AdoptedOrder, Balances, ExchangeDriver, OrderQuery, SubmitMeta, WarmUpReport } from '../drivers/exchange-driver.ts';
import type { FaultLog, FaultRecord } from './fault-log.ts';
import type { ActiveWindow, FaultEntry, FaultSchedule } from './fault-schedule.ts';

/** The longest wait (ban, Retry-After) the live driver sits out before giving an order up (venue-guard's maxWaitMs). */
export const MAX_WAIT_MS = 30_000;

type Inner = ExchangeDriver & { lookupNow?(q: OrderQuery): OrderSnapshot | undefined; allOrders?(): Iterable<OrderSnapshot> };

interface Partial_ {
  readonly rec: FaultRecord;
  readonly reduced: number;
  filled: number;
  done: boolean;
}

export class FaultInjectingExchange implements ExchangeDriver {
  readonly venue: VenueId;
  readonly events$: Observable<OrderEvent>;
  readonly book$: Observable<BookTop>;
  readonly depth$?: Observable<BookSnapshot>;
  private readonly out = new Subject<OrderEvent>();
  private readonly sub: Subscription;
  /** Orders whose events are held until a lookup asks for them (the answer to the submit was lost). */
  private readonly muted = new Map<string, { rec: FaultRecord; held: OrderEvent[] }>();
  private readonly dropNext = new Map<string, { rec: FaultRecord; pollMs: number }>();
  private readonly repeatNext = new Map<string, FaultRecord>();
  private readonly partial = new Map<string, Partial_ & { readonly quantity: number }>();
  /** Window faults already in the log (a window is logged once, its delayed orders touch it). */
  private readonly windowRecords = new Map<ActiveWindow, FaultRecord>();

  constructor(
    private readonly inner: Inner,
    private readonly schedule: FaultSchedule,
    private readonly log: FaultLog,
    private readonly scheduler: Scheduler,
    private readonly markets: ReadonlyMap<MarketSymbol, MarketDef>,
  ) {
    this.venue = inner.venue;
    this.events$ = this.out.asObservable();
    this.book$ = inner.book$;
    if (inner.depth$) this.depth$ = inner.depth$;
    this.sub = inner.events$.subscribe({ next: (ev) => this.fromVenue(ev), complete: () => this.out.complete(), error: (e: unknown) => this.out.error(e) });
  }

  loadMarkets(): Promise<ReadonlyMap<MarketSymbol, MarketDef>> {
    return this.inner.loadMarkets();
  }

  async submit(cmd: SubmitOrder, meta?: SubmitMeta): Promise<void> {
    const now = this.scheduler.now();
    const { fault, opened } = this.schedule.onOrderRequest({ venue: cmd.venue, symbol: cmd.symbol, ts: now });
    for (const w of opened) this.windowRecord(w);
    // Waits the request meets before it reaches the venue, each with its fault.
    let delay = 0;
    for (const w of this.schedule.activeWindows('ip-ban', cmd.venue, cmd.symbol, now)) {
      const rec = this.windowRecord(w);
      this.log.touch(rec, cmd.clientId, undefined, now);
      const left = w.end - now;
      if (left > MAX_WAIT_MS) {
        this.log.note(rec, { action: `order not placed: the ban outlasts the longest wait (${MAX_WAIT_MS} ms)` });
        this.emit({ kind: 'OrderRejected', ...this.base(cmd, now), code: 'HTTP_418', reason: `not placed: the venue bans this IP until ${new Date(w.end).toISOString()} (injected)` });
        return;
      }
      delay = Math.max(delay, left);
    }
    for (const w of this.schedule.activeWindows('rate-limit', cmd.venue, cmd.symbol, now)) {
      this.log.touch(this.windowRecord(w), cmd.clientId, undefined, now);
      // Refused with 429 until the window passes, resent after each Retry-After with the same client id.
      const retry = w.entry.retryAfterMs;
      delay = Math.max(delay, Math.ceil((w.end - now) / retry) * retry);
    }
    for (const w of this.schedule.activeWindows('latency-spike', cmd.venue, cmd.symbol, now)) {
      this.log.touch(this.windowRecord(w), cmd.clientId, undefined, now);
      delay += w.entry.latencyMs;
    }
    let sent = cmd;
    if (fault) {
      const handled = this.orderFault(fault, cmd, now);
      if (handled === 'stop') return;
      if (handled === 'resync') delay += fault.latencyMs;
      if (typeof handled === 'object') sent = handled;
    }
    if (delay > 0) this.scheduler.after(delay, () => void this.inner.submit(sent));
    else await this.inner.submit(sent, meta);
  }

  async cancel(cmd: CancelOrder): Promise<void> {
    const now = this.scheduler.now();
    let delay = 0;
    for (const w of this.schedule.activeWindows('ip-ban', cmd.venue, cmd.symbol, now)) delay = Math.max(delay, w.end - now);
    for (const w of this.schedule.activeWindows('latency-spike', cmd.venue, cmd.symbol, now)) delay += w.entry.latencyMs;
    if (delay > 0) this.scheduler.after(delay, () => void this.inner.cancel(cmd));
    else await this.inner.cancel(cmd);
  }

  async fetchOrder(query: OrderQuery): Promise<OrderSnapshot | undefined> {
    this.release(query.clientId);
    return this.asVenueShows(await this.inner.fetchOrder(query));
  }

  /** A lookup answered at once (event-time recovery in backtests); see SimulatedExchange.lookupNow. */
  lookupNow(query: OrderQuery): OrderSnapshot | undefined {
    this.release(query.clientId);
    return this.asVenueShows(this.inner.lookupNow?.(query));
  }

  async fetchOpenOrders(symbol?: MarketSymbol): Promise<OrderSnapshot[]> {
    return (await this.inner.fetchOpenOrders(symbol)).map((s) => this.asVenueShows(s)!);
  }

  /** Every order the venue accepted, as the venue shows it (the truth the invariants are checked against). */
  *allOrders(): IterableIterator<OrderSnapshot> {
    for (const s of this.inner.allOrders?.() ?? []) yield this.asVenueShows(s)!;
  }

  /**
   * An order as the faulty venue shows it: one split by partial-then-cancel is the original order,
   * canceled with its filled part (the wrapped venue only ever saw the part).
   */
  private asVenueShows(s: OrderSnapshot | undefined): OrderSnapshot | undefined {
    const p = s?.clientId !== undefined ? this.partial.get(s.clientId) : undefined;
    if (!s || !p) return s;
    return { ...s, quantity: p.quantity, ...(p.done || s.status === 'filled' ? { status: 'canceled' as const } : {}) };
  }

  fetchBalance(): Promise<Balances> {
    return this.inner.fetchBalance();
  }

  adopt(order: AdoptedOrder): Promise<void> {
    return this.inner.adopt?.(order) ?? Promise.resolve();
  }

  warmUp(symbols: readonly MarketSymbol[], opts: { readonly calls: number; readonly maxMs?: number }): Promise<WarmUpReport> {
    return this.inner.warmUp?.(symbols, opts) ?? Promise.resolve({ calls: 0, ms: 0 });
  }

  forget(clientId: string): void {
    this.inner.forget?.(clientId);
  }

  async close(): Promise<void> {
    // Whatever is still held was never asked for: the venue's answer stays lost.
    this.sub.unsubscribe();
    this.out.complete();
    await this.inner.close();
  }

  // -------------------------------------------------------------------------------------------

  /** Plays one order fault; returns 'stop' (not sent), 'resync' (sent after a delay), or the order to send. */
  private orderFault(f: FaultEntry, cmd: SubmitOrder, now: number): 'stop' | 'resync' | SubmitOrder | undefined {
    const at = { ts: now, venue: cmd.venue, symbol: cmd.symbol };
    switch (f.kind) {
      case 'timeout-before-accept':
      case 'timeout-after-accept':
      case 'error-5xx-after-accept':
      case 'unknown-status': {
        const what = f.kind === 'error-5xx-after-accept' ? 'HTTP 502 from the venue' : f.kind === 'unknown-status' ? 'Binance -1007 (execution status unknown)' : 'request timed out';
        const rec = this.log.strike(f, at, { detected: `${what}: submit outcome unknown`, action: 'marked unknown; looked up by client id with backoff, never resent' });
        this.log.touch(rec, cmd.clientId);
        this.emit({ kind: 'OrderStatusUnknown', ...this.base(cmd, now), reason: `${what} (injected)` });
        if (f.kind === 'timeout-before-accept') return 'stop';
        this.muted.set(cmd.clientId, { rec, held: [] });
        return cmd;
      }
      case 'reject':
      case 'leg-failure': {
        const rec = this.log.strike(
          f,
          at,
          f.kind === 'reject'
            ? { detected: 'venue rejected the order (-2010)', action: 'marked rejected with the reason; not retried' }
            : { detected: `arbitrage leg on ${cmd.venue} rejected (-2010)`, action: 'leg marked failed, never resent; the arbitrage hedged, unwound or reported per its policy' },
        );
        this.log.touch(rec, cmd.clientId);
        this.log.note(rec, { outcome: `${cmd.clientId} rejected, not retried` });
        this.emit({ kind: 'OrderRejected', ...this.base(cmd, now), code: '-2010', reason: 'Order rejected by the venue (injected)' });
        return 'stop';
      }
      case 'clock-skew': {
        const rec = this.log.strike(f, at, { detected: 'venue refused the timestamp (-1021)', action: `clock resynced; resent with the same client id after ${f.latencyMs} ms` });
        this.log.touch(rec, cmd.clientId);
        return 'resync';
      }
      case 'partial-then-cancel': {
        const market = this.markets.get(cmd.symbol);
        const reduced = market ? roundAmount(market, cmd.quantity * f.fill) : cmd.quantity * f.fill;
        if (!(reduced > 0)) return undefined; // too small to split: the order goes as it is
        const rec = this.log.strike(f, at, { detected: 'order canceled by the venue after a partial fill', action: 'kept the filled part; order ended canceled' });
        this.log.touch(rec, cmd.clientId);
        this.partial.set(cmd.clientId, { rec, reduced, quantity: cmd.quantity, filled: 0, done: false });
        return { ...cmd, quantity: reduced };
      }
      case 'drop-event': {
        const rec = this.log.strike(f, at, { detected: `fill push lost; the order poll ${f.pollMs} ms later showed more filled than applied`, action: 'applied the missing fill from the poll, once' });
        this.log.touch(rec, cmd.clientId);
        this.dropNext.set(cmd.clientId, { rec, pollMs: f.pollMs });
        return cmd;
      }
      case 'repeat-event': {
        const rec = this.log.strike(f, at, { detected: 'the same trade id reported twice', action: 'second report dropped by trade id' });
        this.log.touch(rec, cmd.clientId);
        this.repeatNext.set(cmd.clientId, rec);
        return cmd;
      }
      default:
        return undefined;
    }
  }

  /** The log record of a window fault, made when the window is first met. */
  private windowRecord(w: ActiveWindow): FaultRecord {
    let rec = this.windowRecords.get(w);
    if (rec) return rec;
    const e = w.entry;
    const how =
      e.kind === 'rate-limit'
        ? { detected: `HTTP 429 with Retry-After ${e.retryAfterMs} ms`, action: 'waited Retry-After and resent with the same client id' }
        : e.kind === 'ip-ban'
          ? { detected: 'HTTP 418: IP banned', action: 'no traffic to the venue until the ban ended; then sent once' }
          : e.kind === 'latency-spike'
            ? { detected: `requests slower by ${e.latencyMs} ms`, action: 'none needed: orders went out late, once' }
            : { detected: e.kind, action: 'none' };
    rec = this.log.strike(e, { ts: w.start, venue: this.venue, ...(e.symbol ? { symbol: e.symbol } : {}) }, { ...how, windowEnd: w.end });
    this.windowRecords.set(w, rec);
    return rec;
  }

  /** A lookup asked about an order whose answer was lost: from now on the venue's events reach us. */
  private release(clientId: string | undefined): void {
    if (clientId === undefined) return;
    const m = this.muted.get(clientId);
    if (!m) return;
    this.muted.delete(clientId);
    for (const ev of m.held) this.fromVenue(ev);
  }

  private fromVenue(ev: OrderEvent): void {
    const m = this.muted.get(ev.clientId);
    if (m) {
      m.held.push(ev);
      return;
    }
    if (ev.kind === 'OrderFilled') {
      const drop = this.dropNext.get(ev.clientId);
      if (drop) {
        this.dropNext.delete(ev.clientId);
        this.log.touch(drop.rec, ev.clientId, ev.tradeId, this.scheduler.now());
        this.scheduler.after(drop.pollMs, () => this.emit(ev));
        return;
      }
      const repeat = this.repeatNext.get(ev.clientId);
      this.emit(ev);
      if (repeat) {
        this.repeatNext.delete(ev.clientId);
        this.emit(ev);
      }
      const p = this.partial.get(ev.clientId);
      if (p && !p.done) {
        p.filled += ev.quantity;
        if (p.filled >= p.reduced * (1 - 1e-12)) {
          p.done = true;
          this.emit({ kind: 'OrderCanceled', clientId: ev.clientId, venue: ev.venue, symbol: ev.symbol, ts: ev.ts, reason: 'canceled by the venue after a partial fill (injected)' });
        }
      }
      return;
    }
    this.emit(ev);
  }

  private base(cmd: SubmitOrder, ts: number) {
    return { clientId: cmd.clientId, venue: cmd.venue, symbol: cmd.symbol, ts };
  }

  private emit(ev: OrderEvent): void {
    this.out.next(ev);
  }
}
