/**
 * The live driver's side of the wire: every ccxt call goes through here, so that each one is refused
 * during a ban, observed by the probe (status, headers, send time), classified, and stripped of
 * credentials before anything leaves. Order decisions live in live-exchange.ts; this file only talks.
 */
import type { Exchange, Order, Trade } from 'ccxt';
import { OrderNotFound } from 'ccxt';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../../core/clock.ts';
import { DriverTransientError, TradeflowError, VenueRejectedError } from '../../core/errors.ts';
import type { BookTop, MarketSymbol, SubmitOrder, VenueId } from '../../domain/types.ts';
import { lookupParams } from './ccxt-mapper.ts';
import { CcxtProbe, type CallRecord } from './ccxt-probe.ts';
import { classifyError, type ErrorClass, type VenueOperation } from './error-classifier.ts';
import { installRateLimiter } from './rate-limiter.ts';
import { exchangeSecrets, makeRedactor, type Redactor } from './redact.ts';
import { VenueGuard, type RetryPolicy } from './venue-guard.ts';

export interface VenueClientOptions {
  readonly venue: VenueId;
  readonly exchange: Exchange;
  readonly clock: Clock;
  readonly retry: RetryPolicy;
  readonly onError?: (what: string, cls: ErrorClass) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

export class VenueClient {
  readonly venue: VenueId;
  readonly ex: Exchange;
  readonly guard: VenueGuard;
  readonly redact: Redactor;
  /** Where missing fills can be looked up: a per-order trade endpoint, the account's trades, or only the order itself. */
  readonly tradeSource: 'orderTrades' | 'myTrades' | 'orderOnly';
  private readonly probe: CcxtProbe;

  constructor(private readonly opts: VenueClientOptions) {
    this.venue = opts.venue;
    this.ex = opts.exchange;
    this.ex.enableRateLimit = true; // ccxt paces every call, ours included...
    installRateLimiter(this.ex); // ...with idle time credited (see rate-limiter.ts)
    this.probe = CcxtProbe.of(this.ex);
    this.redact = makeRedactor(exchangeSecrets(this.ex));
    this.guard = new VenueGuard(this.venue, opts.clock, opts.retry);
    const has = this.ex.has as Record<string, unknown>;
    this.tradeSource = has.fetchOrderTrades === true ? 'orderTrades' : has.fetchMyTrades === true ? 'myTrades' : 'orderOnly';
  }

  /** Runs one ccxt call under `rec` (refused while banned); the raw error is the caller's to classify. */
  attempt<T>(what: string, rec: CallRecord, fn: (ex: Exchange) => Promise<T>): Promise<T> {
    return this.probe.run(rec, async () => {
      this.guard.assertOpen(what);
      return fn(this.ex);
    });
  }

  /** One call that is not an order placement: failures come back classified and redacted. */
  async call<T>(op: VenueOperation, what: string, fn: (ex: Exchange) => Promise<T>): Promise<T> {
    const rec = CcxtProbe.record();
    try {
      if (op === 'fetch') this.guard.assertQuiet(what);
      return await this.attempt(what, rec, fn);
    } catch (err) {
      if (err instanceof OrderNotFound) throw new OrderNotFound(this.redact(err.message));
      const cls = this.classify(err, op, rec);
      const info = { venue: this.venue, operation: op, kind: cls.kind, code: cls.code, retryAfterMs: cls.retryAfterMs };
      // No `cause`: the original error's message is not redacted.
      const msg = `${this.venue} ${what}: ${cls.reason}`;
      throw cls.kind === 'rejected' ? new VenueRejectedError(msg, info) : new DriverTransientError(msg, info);
    }
  }

  /** What to do about `err`, with the reason already redacted; a ban it reveals is remembered. */
  classify(err: unknown, operation: VenueOperation, rec: CallRecord): ErrorClass {
    if (err instanceof TradeflowError) {
      // Ours (refused during a ban, or an already classified call): keep its verdict.
      const kind = err instanceof VenueRejectedError ? 'rejected' : ((err.info.kind as ErrorClass['kind'] | undefined) ?? 'transient');
      const code = err.info.code === undefined ? undefined : String(err.info.code);
      const retryAfterMs = typeof err.info.retryAfterMs === 'number' ? err.info.retryAfterMs : undefined;
      return { kind, reason: this.redact(err.message), ...(code !== undefined ? { code } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    const cls = classifyError(err, {
      venue: this.venue,
      operation,
      now: this.opts.clock.now(),
      ...(rec.status !== undefined ? { httpStatus: rec.status } : {}),
      ...(rec.headers ? { headers: rec.headers } : {}),
      ...(rec.body !== undefined ? { body: rec.body } : {}),
    });
    this.guard.note(cls);
    return { ...cls, reason: this.redact(cls.reason) };
  }

  /** A problem no order event can carry (a failed poll, a cancel that could not be sent). */
  report(what: string, err: unknown, op: VenueOperation = 'fetch'): void {
    this.opts.onError?.(what, this.classify(err, op, CcxtProbe.record()));
  }

  /** One order by exchange id or, without one, by our client id; undefined when the venue does not know it. */
  async fetchOrder(symbol: MarketSymbol, q: { exchangeId?: string | undefined; clientId?: string | undefined }): Promise<Order | undefined> {
    try {
      return await this.call('fetch', 'fetchOrder', (ex) =>
        q.exchangeId ? ex.fetchOrder(q.exchangeId, symbol) : ex.fetchOrder(undefined as unknown as string, symbol, lookupParams(this.venue, q.clientId ?? '')),
      );
    } catch (err) {
      if (err instanceof OrderNotFound) return undefined;
      throw err;
    }
  }

  /** The trades of one order, from whichever endpoint the venue has (never for `orderOnly` venues). */
  async fetchTrades(symbol: MarketSymbol, exchangeId: string, since: number): Promise<Trade[]> {
    if (this.tradeSource === 'orderTrades') return this.call('fetch', 'fetchOrderTrades', (ex) => ex.fetchOrderTrades(exchangeId, symbol));
    const trades = await this.call('fetch', 'fetchMyTrades', (ex) => ex.fetchMyTrades(symbol, since));
    return trades.filter((t) => String(t.order) === exchangeId);
  }

  /** After a timestamp refusal (Binance -1021): measure the venue's clock offset; ccxt signs with it. */
  async resyncClock(): Promise<void> {
    const ex = this.ex as unknown as { loadTimeDifference?: () => Promise<unknown> };
    if (typeof ex.loadTimeDifference !== 'function') return;
    await this.call('fetch', 'loadTimeDifference', () => ex.loadTimeDifference!()).catch((err) => this.report('clock resync', err));
  }

  /**
   * A price to size a market buy by cost: the command's, else the last polled ask, else the venue's
   * best ask now, else its last trade. The ask, because that is where a market buy starts to fill.
   */
  async referencePrice(cmd: SubmitOrder, top: BookTop | undefined): Promise<number | undefined> {
    if (cmd.type !== 'market' || cmd.side !== 'buy' || !this.marketBuyByCost()) return undefined;
    const known = cmd.price ?? top?.ask;
    if (known !== undefined) return known;
    const book = await this.call('fetch', `fetchOrderBook ${cmd.symbol}`, (ex) => ex.fetchOrderBook(cmd.symbol)).catch(() => undefined);
    const ask = book?.asks[0]?.[0];
    if (typeof ask === 'number' && ask > 0) return ask;
    const t = await this.call('fetch', `fetchTicker ${cmd.symbol}`, (ex) => ex.fetchTicker(cmd.symbol)).catch(() => undefined);
    return t?.ask ?? t?.last ?? t?.close ?? top?.last ?? undefined;
  }

  /** Market buys on this venue are sized by cost (Upbit; any exchange ccxt marks as needing a price). */
  marketBuyByCost(): boolean {
    return this.venue === 'upbit' || (this.ex.options as Record<string, unknown> | undefined)?.createMarketBuyOrderRequiresPrice === true;
  }

  wait(ms: number): Promise<void> {
    return this.opts.sleep ? this.opts.sleep(ms) : sleep(ms).then(() => undefined);
  }
}
