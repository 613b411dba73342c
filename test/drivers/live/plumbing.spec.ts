/**
 * The live driver's small parts: exchange construction and URL pointing, the idle-crediting rate
 * limiter, redaction, the order tracker's edge cases, and the optional push streams.
 */
import type { Order, Trade } from 'ccxt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../../src/core/errors.ts';
import { createCcxtExchange, pointCcxtAt } from '../../../src/drivers/live/create-exchange.ts';
import { OrderTracker } from '../../../src/drivers/live/order-tracker.ts';
import { OrderWatcher } from '../../../src/drivers/live/order-watcher.ts';
import { LeakyBucket } from '../../../src/drivers/live/rate-limiter.ts';
import { makeRedactor } from '../../../src/drivers/live/redact.ts';
import type { MarketDef, OrderEvent, SubmitOrder } from '../../../src/domain/types.ts';
import { NOWHERE } from './helpers.ts';

/** Every URL string anywhere under `v`. */
function urlsIn(v: unknown): string[] {
  if (typeof v === 'string') return /^[a-z]+:\/\//.test(v) ? [v] : [];
  if (v && typeof v === 'object') return Object.values(v).flatMap(urlsIn);
  return [];
}

describe('createCcxtExchange', () => {
  it('when a base URL is given, then every API and testnet URL points at it, paths kept', () => {
    const ex = createCcxtExchange('binance', { baseUrl: 'http://127.0.0.1:8080', websocket: true });
    const urls = urlsIn({ api: ex.urls.api, test: (ex.urls as Record<string, unknown>).test });
    expect(urls.length).toBeGreaterThan(20);
    for (const u of urls) expect(u, u).toMatch(/^(http|ws):\/\/127\.0\.0\.1:8080(\/|$)/);
    expect((ex.urls.api as Record<string, string>).private).toBe('http://127.0.0.1:8080/api/v3');
  });

  it('when sandbox and a base URL are both given, then the testnet URLs are overridden too', () => {
    const ex = createCcxtExchange('binance', { sandbox: true, baseUrl: NOWHERE });
    for (const u of urlsIn(ex.urls.api)) expect(u).toMatch(/^http:\/\/127\.0\.0\.1:9\//);
  });

  it('when the options are read back, then the rate limiter is on, ccxt retries are off and markets load spot only', () => {
    const ex = createCcxtExchange('binance', { baseUrl: NOWHERE });
    expect(ex.enableRateLimit).toBe(true);
    expect(ex.options).toMatchObject({ maxRetriesOnFailure: 0, defaultType: 'spot', fetchCurrencies: false, fetchMargins: false, fetchMarkets: { types: ['spot'] } });
  });

  it('when the venue is not a ccxt id, or has no testnet, then a ConfigError names the problem', () => {
    expect(() => createCcxtExchange('nosuchvenue', { baseUrl: NOWHERE })).toThrow(ConfigError);
    expect(() => createCcxtExchange('upbit', { sandbox: true, baseUrl: NOWHERE })).toThrow(/no testnet/);
    expect(() => pointCcxtAt(createCcxtExchange('upbit', { baseUrl: NOWHERE }), 'ftp://x')).toThrow(/http/);
  });
});

describe('LeakyBucket', () => {
  afterEach(() => vi.useRealTimers());

  it('when calls come after an idle spell, then they go at once; a burst beyond the capacity is paced at the refill rate', async () => {
    vi.useFakeTimers();
    let t = 0;
    const bucket = new LeakyBucket(1 / 50, 1, () => t); // 50 ms per token, like Binance in ccxt
    await bucket.take(4); // loadMarkets: 200 ms of debt
    t += 1_000; // idle: ccxt's own bucket would still make the next call wait 200 ms
    const went: number[] = [];
    const calls = [0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2].map((c) => bucket.take(c).then(() => went.push(t)));
    await Promise.resolve();
    expect(went.length, 'balance 1 → five 0.2 calls, plus one at exactly 0').toBe(6);
    t += 10;
    await vi.advanceTimersByTimeAsync(10);
    await Promise.all(calls);
    expect(went).toEqual([1000, 1000, 1000, 1000, 1000, 1000, 1010]);
  });
});

describe('makeRedactor', () => {
  it('masks each secret, signatures and bearer tokens, and ignores strings too short to be keys', () => {
    const r = makeRedactor(['k3y-value', 'sec', undefined, 'k3y-value-longer']);
    expect(r('a k3y-value-longer b k3y-value c sec')).toBe('a *** b *** c sec');
    expect(r('GET /order?x=1&signature=ab12cd&y=2')).toBe('GET /order?x=1&signature=***&y=2');
    expect(r('Authorization: Bearer eyJ.abc.def')).toBe('Authorization: Bearer ***');
  });
});

describe('OrderTracker', () => {
  const market: MarketDef = { venue: 'v', symbol: 'B/Q', base: 'B', quote: 'Q', precision: { price: 0.01, amount: 0.001 }, limits: {} };
  const cmd: SubmitOrder = { clientId: 'c1', venue: 'v', symbol: 'B/Q', side: 'buy', type: 'limit', quantity: 1, price: 10, ts: 0 };
  const snap = (status: string, filled: number, trades: Partial<Trade>[] = [], extra: Partial<Order> = {}) =>
    ({ id: 'x1', status, filled, amount: 1, price: 10, cost: filled * 10, trades, timestamp: 1, info: {}, ...extra }) as unknown as Order;
  const trade = (id: string, amount: number) => ({ id, order: 'x1', amount, price: 10, side: 'buy', timestamp: 2, info: {} }) as unknown as Trade;
  const make = () => {
    const events: OrderEvent[] = [];
    const t = new OrderTracker({ emit: (e) => events.push(e), now: () => 5, maxMissing: 2 });
    return { t, o: t.track(cmd, market), events };
  };

  it('when trades lag the cumulative quantity too long, then the gap becomes one synthesized fill and the order stays cumulative', () => {
    const { t, o, events } = make();
    t.applyOrder(o, snap('open', 0.4, [trade('t1', 0.1)]), true);
    expect(events.map((e) => e.kind)).toEqual(['OrderAccepted', 'OrderFilled']);
    t.applyOrder(o, snap('open', 0.4, [trade('t1', 0.1)]), true); // second look: give up waiting
    expect(o.mode).toBe('cumulative');
    t.applyOrder(o, snap('closed', 1, [trade('t1', 0.1), trade('t2', 0.3), trade('t3', 0.6)]), true);
    const fills = events.filter((e) => e.kind === 'OrderFilled') as Array<Extract<OrderEvent, { kind: 'OrderFilled' }>>;
    expect(fills.map((f) => [f.tradeId, f.quantity])).toEqual([
      ['t1', 0.1],
      ['x1@0.4', 0.3],
      ['x1@1', 0.6],
    ]);
    expect(o.final).toBe(true);
  });

  it('when an older snapshot arrives after a newer fill, then nothing is undone or repeated', () => {
    const { t, o, events } = make();
    t.applyOrder(o, snap('open', 0.5, [trade('t1', 0.5)]), true);
    t.applyOrder(o, snap('open', 0.2, [trade('t1', 0.5)]), true);
    expect(events.filter((e) => e.kind === 'OrderFilled')).toHaveLength(1);
    expect(o.filled).toBe(5n * 10n ** 17n);
  });

  it('when the venue closes an order short of its quantity (a market buy by cost), then it ends expired with the fills kept', () => {
    const { t, o, events } = make();
    t.applyOrder(o, snap('closed', 0.998, [trade('t1', 0.998)]), true);
    expect(events.map((e) => e.kind)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderExpired']);
  });

  it('when a terminal snapshot still misses fills, then the end waits for them', () => {
    const { t, o, events } = make();
    t.applyOrder(o, snap('canceled', 0.3, []), true);
    expect(events.map((e) => e.kind)).toEqual(['OrderAccepted']);
    t.applyTrades(o, [trade('t9', 0.3)]);
    t.applyOrder(o, snap('canceled', 0.3, []), true);
    expect(events.map((e) => e.kind)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderCanceled']);
  });
});

describe('OrderWatcher', () => {
  it('when the exchange offers watchOrders, then pushed orders are delivered until stopped', async () => {
    const pushed = { id: 'x1' } as Order;
    let calls = 0;
    const ex = {
      has: { watchOrders: true },
      watchOrders: () => (calls++ === 0 ? Promise.resolve([pushed]) : new Promise<Order[]>(() => undefined)),
      close: vi.fn(async () => undefined),
    };
    const got: Order[] = [];
    const w = OrderWatcher.start(ex as never, { onOrder: (o) => got.push(o), onTrades: () => undefined, onError: () => undefined })!;
    await vi.waitFor(() => expect(got).toEqual([pushed]));
    await w.stop(); // bounded even though this fake stream ignores close()
    expect(ex.close).toHaveBeenCalled();
  });

  it('when the exchange offers no streams, then there is no watcher (polling only)', () => {
    expect(OrderWatcher.start({ has: {} } as never, { onOrder: () => undefined, onTrades: () => undefined, onError: () => undefined })).toBeUndefined();
  });
});
