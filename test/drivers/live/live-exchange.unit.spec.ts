/**
 * LiveExchange against a scripted transport: real ccxt Binance/Upbit objects (URLs at 127.0.0.1), every
 * answer passed through ccxt's own response handling, no network. Each RELIABILITY rule the driver owns
 * has a case here; the end-to-end cases against the emulator are in live-exchange.spec.ts.
 */
import { NetworkError, RequestTimeout, type Exchange } from 'ccxt';
import { afterEach, describe, expect, it } from 'vitest';
import { EventClock } from '../../../src/core/clock.ts';
import type { ErrorClass } from '../../../src/drivers/live/error-classifier.ts';
import { LiveExchange } from '../../../src/drivers/live/live-exchange.ts';
import { parseAtto } from '../../../src/domain/money.ts';
import type { BookSnapshot, BookTop, OrderEvent, SubmitOrder } from '../../../src/domain/types.ts';
import { API_KEY, offlineExchange, scriptTransport, SECRET, type WireReply, type WireRequest } from './helpers.ts';

const T0 = 1_700_000_000_000;

interface Rig {
  readonly driver: LiveExchange;
  readonly events: OrderEvent[];
  readonly wire: WireRequest[];
  readonly waits: number[];
  readonly errors: Array<{ what: string; cls: ErrorClass }>;
  readonly clock: EventClock;
}

const rigs: LiveExchange[] = [];
afterEach(async () => {
  for (const d of rigs.splice(0)) await d.close();
});

function rig(venue: 'binance' | 'upbit', respond: (req: WireRequest, n: number) => WireReply | Promise<WireReply>, ex: Exchange = offlineExchange(venue)): Rig {
  const wire = scriptTransport(ex, respond);
  const clock = new EventClock(T0);
  const waits: number[] = [];
  const errors: Rig['errors'] = [];
  const driver = new LiveExchange({
    venue,
    exchange: ex,
    clock,
    pollIntervalMs: 3_600_000, // the tests poll by hand
    sleep: async (ms) => {
      waits.push(ms);
      clock.advance(clock.now() + ms);
    },
    onError: (what, cls) => errors.push({ what, cls }),
  });
  rigs.push(driver);
  const events: OrderEvent[] = [];
  driver.events$.subscribe((e) => events.push(e));
  return { driver, events, wire, waits, errors, clock };
}

const path = (r: WireRequest) => `${r.method} ${new URL(r.url).pathname}`;
const param = (r: WireRequest, k: string) => new URL(r.url).searchParams.get(k) ?? new URLSearchParams(r.body ?? '').get(k);
const kinds = (events: OrderEvent[]) => events.map((e) => e.kind);

const buy = (over: Partial<SubmitOrder> = {}): SubmitOrder => ({ clientId: 'tf-1', venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: 0.002, price: 40000, ts: T0, ...over });

/** Binance's order body (POST/GET/DELETE /api/v3/order). */
function bOrder(status: string, executedQty: string, extra: Record<string, unknown> = {}) {
  const quote = (Number(executedQty) * 40000).toFixed(8);
  return { symbol: 'BTCUSDT', orderId: 42, orderListId: -1, clientOrderId: 'tf-1', transactTime: T0, time: T0, updateTime: T0 + 1, price: '40000.00', origQty: '0.00200000', executedQty, cummulativeQuoteQty: quote, status, timeInForce: 'GTC', type: 'LIMIT', side: 'BUY', ...extra };
}
const bTrade = (id: number, qty: string) => ({ symbol: 'BTCUSDT', id, orderId: 42, orderListId: -1, price: '40000.00', qty, quoteQty: (Number(qty) * 40000).toFixed(8), commission: '0.00000100', commissionAsset: 'BTC', time: T0 + id, isBuyer: true, isMaker: true, isBestMatch: true });

describe('LiveExchange submit', () => {
  it('when a market order fills in the create response, then it is accepted and filled once, with exact notional', async () => {
    const { driver, events, wire } = rig('binance', () => ({
      body: { ...bOrder('FILLED', '0.00200000', { type: 'MARKET' }), fills: [{ price: '40000.00', qty: '0.00200000', commission: '0.00000200', commissionAsset: 'BTC', tradeId: 7 }] },
    }));
    await driver.submit(buy({ type: 'market', price: undefined }));
    expect(kinds(events)).toEqual(['OrderAccepted', 'OrderFilled']);
    const fill = events[1] as Extract<OrderEvent, { kind: 'OrderFilled' }>;
    expect(fill).toMatchObject({ tradeId: '7', exchangeId: '42', side: 'buy', quantity: 0.002, feeAsset: 'BTC' });
    expect(fill.notional).toBe(parseAtto('80'));
    expect(wire).toHaveLength(1);
    expect(driver.latencies()).toHaveLength(1);
    expect(driver.latencies()[0]).toBeGreaterThanOrEqual(0);
    await driver.pollOpenOrders();
    expect(wire, 'nothing left open: nothing polled').toHaveLength(1);
  });

  it('when a limit order fills in parts, then polling emits each venue trade once and stops when filled', async () => {
    let stage = 0;
    const { driver, events, wire } = rig('binance', (req) => {
      if (path(req) === 'POST /api/v3/order') return { body: bOrder('NEW', '0.00000000') };
      if (path(req) === 'GET /api/v3/order') return { body: stage === 1 ? bOrder('PARTIALLY_FILLED', '0.00050000') : bOrder('FILLED', '0.00200000') };
      if (path(req) === 'GET /api/v3/myTrades') return { body: stage === 1 ? [bTrade(1, '0.00050000')] : [bTrade(1, '0.00050000'), bTrade(2, '0.00150000')] };
      throw new Error(`unexpected ${path(req)}`);
    });
    await driver.submit(buy());
    stage = 1;
    await driver.pollOpenOrders();
    await driver.pollOpenOrders(); // the same snapshot again: nothing new
    stage = 2;
    await driver.pollOpenOrders();
    await driver.pollOpenOrders(); // filled: no longer polled
    expect(kinds(events)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderFilled']);
    expect(events.filter((e) => e.kind === 'OrderFilled').map((e) => (e as { tradeId: string }).tradeId)).toEqual(['1', '2']);
    expect(wire.filter((r) => path(r) === 'GET /api/v3/order')).toHaveLength(3);
    expect(param(wire.find((r) => path(r) === 'GET /api/v3/myTrades')!, 'orderId')).toBe('42');
  });

  it('when the venue rate-limits the order (429, Retry-After), then it waits and resends with the SAME client id', async () => {
    const { driver, events, wire, waits } = rig('binance', (_req, n) =>
      n === 1 ? { status: 429, headers: { 'Retry-After': '2' }, body: { code: -1003, msg: 'Too many requests.' } } : { body: bOrder('NEW', '0.00000000') },
    );
    await driver.submit(buy());
    expect(kinds(events)).toEqual(['OrderAccepted']);
    expect(waits).toEqual([2000]);
    expect(wire.map((r) => param(r, 'newClientOrderId'))).toEqual(['tf-1', 'tf-1']);
  });

  it('when the timestamp is refused (-1021), then the clock offset is measured before the resend', async () => {
    const { driver, events, wire } = rig('binance', (req, n) => {
      if (path(req) === 'GET /api/v3/time') return { body: { serverTime: T0 } };
      return n === 1 ? { status: 400, body: { code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time." } } : { body: bOrder('NEW', '0.00000000') };
    });
    await driver.submit(buy());
    expect(wire.map(path)).toEqual(['POST /api/v3/order', 'GET /api/v3/time', 'POST /api/v3/order']);
    expect(kinds(events)).toEqual(['OrderAccepted']);
  });

  it('when the venue bans the IP (418), then the order is not placed and no traffic goes out until the ban ends', async () => {
    const { driver, events, wire, clock } = rig('binance', () => ({ status: 418, headers: { 'Retry-After': '600' }, body: { code: -1003, msg: 'Way too much request weight used.' } }));
    await driver.submit(buy());
    expect(events).toMatchObject([{ kind: 'OrderRejected', code: 'HTTP_418' }]);
    await driver.submit(buy({ clientId: 'tf-2' }));
    await expect(driver.fetchBalance()).rejects.toThrow(/bans this IP/);
    expect(wire, 'one request, then silence').toHaveLength(1);
    expect(events[1]).toMatchObject({ kind: 'OrderRejected', clientId: 'tf-2', code: 'HTTP_418' });
    clock.advance(T0 + 601_000);
    await expect(driver.fetchBalance()).rejects.toThrow(); // allowed out again (and banned again by the script)
    expect(wire).toHaveLength(2);
  });

  it.each([
    ['a timeout', () => Promise.reject(new RequestTimeout('binance POST http://127.0.0.1:9/api/v3/order request timed out (10000 ms)'))],
    ['a reset after sending', () => Promise.reject(new NetworkError('binance POST http://127.0.0.1:9/api/v3/order fetch failed: other side closed'))],
    ['a 503', () => Promise.resolve({ status: 503, body: 'Service Unavailable' })],
    ['-1007', () => Promise.resolve({ status: 408, body: { code: -1007, msg: 'Timeout waiting for response from backend server.' } })],
  ])('when the outcome is unknown (%s), then OrderStatusUnknown, no resend, and a client-id lookup resolves it through events', async (_n, fail) => {
    let first = true;
    const { driver, events, wire } = rig('binance', async (req) => {
      if (path(req) === 'POST /api/v3/order') {
        if (first) {
          first = false;
          return fail();
        }
        throw new Error('resent!');
      }
      if (path(req) === 'GET /api/v3/order') return { body: bOrder('FILLED', '0.00200000') };
      return { body: [bTrade(9, '0.00200000')] };
    });
    await driver.submit(buy());
    expect(kinds(events)).toEqual(['OrderStatusUnknown']);
    const snap = await driver.fetchOrder({ symbol: 'BTC/USDT', clientId: 'tf-1' });
    expect(snap).toMatchObject({ exchangeId: '42', status: 'filled', clientId: 'tf-1' });
    expect(param(wire[1]!, 'origClientOrderId')).toBe('tf-1');
    expect(kinds(events)).toEqual(['OrderStatusUnknown', 'OrderAccepted', 'OrderFilled']);
    expect(wire.filter((r) => path(r) === 'POST /api/v3/order')).toHaveLength(1);
  });

  it('when Binance says "Duplicate order sent.", then the earlier order is fetched by client id and adopted', async () => {
    const { driver, events, wire } = rig('binance', (req) =>
      path(req) === 'POST /api/v3/order' ? { status: 400, body: { code: -2010, msg: 'Duplicate order sent.' } } : { body: bOrder('NEW', '0.00000000') },
    );
    await driver.submit(buy());
    expect(kinds(events)).toEqual(['OrderAccepted']);
    expect(wire.map(path)).toEqual(['POST /api/v3/order', 'GET /api/v3/order']);
  });

  it('when the venue refuses the order (insufficient balance), then it is rejected once with the reason', async () => {
    const { driver, events, wire } = rig('binance', () => ({ status: 400, body: { code: -2010, msg: 'Account has insufficient balance for requested action.' } }));
    await driver.submit(buy());
    expect(events).toMatchObject([{ kind: 'OrderRejected', clientId: 'tf-1', reason: expect.stringContaining('insufficient balance') }]);
    expect(wire).toHaveLength(1);
  });

  it('when Upbit answers 429 with an error name ccxt does not know, then the status (seen by the probe) makes it transient', async () => {
    const { driver, events, wire } = rig('upbit', (_req, n) =>
      n === 1
        ? { status: 429, body: { error: { name: 'too_many_requests', message: 'Too many API requests.' } } }
        : { body: { uuid: 'u-1', side: 'bid', ord_type: 'limit', price: '50000000', state: 'wait', market: 'KRW-BTC', volume: '0.001', remaining_volume: '0.001', executed_volume: '0', identifier: 'tf-1', created_at: '2024-01-01T00:00:00+09:00', trades_count: 0 } },
    );
    await driver.submit(buy({ venue: 'upbit', symbol: 'BTC/KRW', quantity: 0.001, price: 50_000_000 }));
    expect(kinds(events)).toEqual(['OrderAccepted']);
    expect(wire.map((r) => JSON.parse(r.body!).identifier)).toEqual(['tf-1', 'tf-1']);
  });

  it('when Upbit gives only cumulative quantities, then increments become fills with stable synthesized ids', async () => {
    let executed = '0';
    const { driver, events } = rig('upbit', (req) =>
      req.method === 'POST' || executed === '0'
        ? { body: { uuid: 'u-1', side: 'bid', ord_type: 'limit', price: '50000000', state: 'wait', market: 'KRW-BTC', volume: '0.001', remaining_volume: '0.001', executed_volume: '0', identifier: 'tf-1', created_at: '2024-01-01T00:00:00+09:00' } }
        : { body: { uuid: 'u-1', side: 'bid', ord_type: 'limit', price: '50000000', state: executed === '0.001' ? 'done' : 'wait', market: 'KRW-BTC', volume: '0.001', executed_volume: executed, identifier: 'tf-1', created_at: '2024-01-01T00:00:00+09:00' } },
    );
    await driver.submit(buy({ venue: 'upbit', symbol: 'BTC/KRW', quantity: 0.001, price: 50_000_000 }));
    executed = '0.0004';
    await driver.pollOpenOrders();
    await driver.pollOpenOrders();
    executed = '0.001';
    await driver.pollOpenOrders();
    const fills = events.filter((e) => e.kind === 'OrderFilled') as Array<Extract<OrderEvent, { kind: 'OrderFilled' }>>;
    expect(fills.map((f) => [f.tradeId, f.quantity])).toEqual([
      ['u-1@0.0004', 0.0004],
      ['u-1@0.001', 0.0006],
    ]);
    expect(fills.reduce((s, f) => s + f.notional, 0n)).toBe(parseAtto('50000'));
  });
});

describe('LiveExchange cancel', () => {
  it('when a partly filled order is canceled, then the missing fill comes first and the order ends canceled', async () => {
    const { driver, events } = rig('binance', (req) => {
      if (path(req) === 'POST /api/v3/order') return { body: bOrder('NEW', '0.00000000') };
      if (path(req) === 'DELETE /api/v3/order') return { body: bOrder('CANCELED', '0.00050000') };
      return { body: [bTrade(1, '0.00050000')] };
    });
    await driver.submit(buy());
    await driver.cancel({ clientId: 'tf-1', venue: 'binance', symbol: 'BTC/USDT', ts: T0 });
    expect(kinds(events)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderCanceled']);
  });

  it('when the cancel meets OrderNotFound, then the order is fetched and found filled (rule 5): no cancel event', async () => {
    const { driver, events, wire } = rig('binance', (req) => {
      if (path(req) === 'POST /api/v3/order') return { body: bOrder('NEW', '0.00000000') };
      if (path(req) === 'DELETE /api/v3/order') return { status: 400, body: { code: -2011, msg: 'Unknown order sent.' } };
      if (path(req) === 'GET /api/v3/order') return { body: bOrder('FILLED', '0.00200000') };
      return { body: [bTrade(5, '0.00200000')] };
    });
    await driver.submit(buy());
    await driver.cancel({ clientId: 'tf-1', venue: 'binance', symbol: 'BTC/USDT', ts: T0 });
    expect(kinds(events)).toEqual(['OrderAccepted', 'OrderFilled']);
    expect(wire.map(path)).toContain('GET /api/v3/order');
  });

  it('when neither the cancel nor the lookups find the order, then it is not called canceled until it stays unseen, in enough lookups over enough time (rule 2)', async () => {
    const { driver, events, clock } = rig('binance', (req) => {
      if (path(req) === 'POST /api/v3/order') return { body: bOrder('NEW', '0.00000000') };
      if (path(req) === 'DELETE /api/v3/order') return { status: 400, body: { code: -2011, msg: 'Unknown order sent.' } };
      return { status: 400, body: { code: -2013, msg: 'Order does not exist.' } };
    });
    await driver.submit(buy());
    await driver.cancel({ clientId: 'tf-1', venue: 'binance', symbol: 'BTC/USDT', ts: T0 });
    for (let i = 0; i < 8; i++) await driver.pollOpenOrders();
    expect(kinds(events), 'nine "no such order" answers at once: still watching').toEqual(['OrderAccepted']);
    await driver.pollOpenOrders();
    expect(kinds(events), 'ten answers, but within moments: still watching (a fast poller is no proof)').toEqual(['OrderAccepted']);
    clock.advance(clock.now() + 5_000);
    await driver.pollOpenOrders();
    expect(events.at(-1)).toMatchObject({ kind: 'OrderCanceled', resolution: 'local', reason: expect.stringMatching(/11 lookups over 5\d{3} ms after a cancel: resolved locally/) });
  });

  it('when a cancel times out, then it is retried', async () => {
    let deletes = 0;
    const { driver, events } = rig('binance', (req) => {
      if (path(req) === 'POST /api/v3/order') return { body: bOrder('NEW', '0.00000000') };
      if (++deletes === 1) throw new RequestTimeout('binance DELETE timed out');
      return { body: bOrder('CANCELED', '0.00000000') };
    });
    await driver.submit(buy());
    await driver.cancel({ clientId: 'tf-1', venue: 'binance', symbol: 'BTC/USDT', ts: T0 });
    expect(kinds(events)).toEqual(['OrderAccepted', 'OrderCanceled']);
    expect(deletes).toBe(2);
  });
});

describe('LiveExchange queries and feeds', () => {
  it('when balances are fetched, then totals (free + locked) are exact atto', async () => {
    const { driver } = rig('binance', () => ({ body: { balances: [{ asset: 'USDT', free: '1000.12345678', locked: '10.00000000' }, { asset: 'BTC', free: '0.00000000', locked: '0.00000000' }], updateTime: T0 } }));
    const b = await driver.fetchBalance();
    expect(b.get('USDT')).toBe(parseAtto('1010.12345678'));
    expect(b.has('BTC')).toBe(false);
  });

  it('when symbols are watched, then their best bid and ask arrive on book$', async () => {
    const { driver, errors } = rig('binance', () => ({ body: { lastUpdateId: 1, bids: [['39999.99', '1.5']], asks: [['40000.01', '0.25']] } }));
    const tops: BookTop[] = [];
    driver.book$.subscribe((t) => tops.push(t));
    driver.watchSymbols(['BTC/USDT']);
    await expect.poll(() => tops.length + errors.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(tops[0]).toMatchObject({ venue: 'binance', symbol: 'BTC/USDT', bid: 39999.99, bidSize: 1.5, ask: 40000.01, askSize: 0.25 });
  });

  it('when symbols are watched, then every polled book arrives whole on depth$, best first, the first row resetting the book', async () => {
    const { driver, errors } = rig('binance', () => ({
      body: { lastUpdateId: 1, bids: [['39999.99', '1.5'], ['39999.00', '2']], asks: [['40000.01', '0.25'], ['40001.00', '3'], ['40002.00', '4']] },
    }));
    const books: BookSnapshot[] = [];
    driver.depth$.subscribe((b) => books.push(b));
    driver.watchSymbols(['BTC/USDT']);
    await expect.poll(() => books.length + errors.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(books[0]!.rows.map((r) => [r.side, r.price, r.quantity, r.reset])).toEqual([
      ['bid', 39999.99, 1.5, true],
      ['bid', 39999, 2, false],
      ['ask', 40000.01, 0.25, false],
      ['ask', 40001, 3, false],
      ['ask', 40002, 4, false],
    ]);
  });
});

describe('LiveExchange keeps credentials out of everything it says', () => {
  it('when errors echo the key and the secret, then no event, report or thrown message contains them', async () => {
    const echo = `key=${API_KEY} secret=${SECRET}`;
    const { driver, events, errors } = rig('binance', (req, n) => {
      if (n === 1) return { status: 400, body: { code: -2010, msg: `Account has insufficient balance (${echo})` } };
      if (n === 2) throw new NetworkError(`binance POST ${req.url} fetch failed: ${echo} ECONNRESET`);
      if (n === 3) return { status: 503, body: `upstream said ${echo}` };
      throw new RequestTimeout(`binance ${req.method} ${req.url}?signature=abc123 ${echo}`);
    });
    await driver.submit(buy({ clientId: 'tf-1' }));
    await driver.submit(buy({ clientId: 'tf-2' }));
    await driver.submit(buy({ clientId: 'tf-3' }));
    const thrown: string[] = [];
    await driver.fetchBalance().catch((e: Error) => thrown.push(e.message, String(e.stack), JSON.stringify(e)));
    await driver.cancel({ clientId: 'tf-9', venue: 'binance', symbol: 'BTC/USDT', exchangeId: '1', ts: T0 });
    const said = JSON.stringify({ events, errors, thrown }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    expect(events.length).toBe(3);
    expect(thrown.length).toBeGreaterThan(0);
    expect(said).not.toContain(SECRET);
    expect(said).not.toContain(API_KEY);
    expect(said).not.toContain('abc123');
    expect(said).toContain('***');
  });
});

describe('LiveExchange warm-up', () => {
  it.each([
    ['binance', 'BTC/USDT'],
    ['upbit', 'BTC/KRW'],
  ] as const)('when the %s order path is warmed then every placement is built and signed, none reaches the wire, and the next real order does', async (venue, symbol) => {
    const { driver, wire } = rig(venue, () => ({ body: venue === 'binance' ? bOrder('NEW', '0.00000000') : { uuid: 'u-1', side: 'bid', ord_type: 'limit', price: '50000000', state: 'wait', market: 'KRW-BTC', created_at: '2023-11-14T22:13:20+09:00', volume: '0.001', remaining_volume: '0.001', executed_volume: '0', trades_count: 0, identifier: 'tf-1' } }));
    const r = await driver.warmUp([symbol], { calls: 40 });
    expect(r.problem).toBeUndefined();
    expect(r.calls).toBe(40);
    expect(wire, 'a dry run never reaches the transport').toHaveLength(0);
    await driver.submit(buy({ venue, symbol, ...(venue === 'upbit' ? { quantity: 0.001, price: 50_000_000 } : {}) }));
    expect(wire).toHaveLength(1);
    expect(param(wire[0]!, venue === 'binance' ? 'newClientOrderId' : 'identifier') ?? JSON.parse(wire[0]!.body ?? '{}').identifier).toBe('tf-1');
  });

  it('when a placement fails before the transport (no credentials) then the warm-up stops at once and says why', async () => {
    const { driver, wire } = rig('binance', () => ({ body: {} }), offlineExchange('binance', false));
    const r = await driver.warmUp(['BTC/USDT'], { calls: 40 });
    expect(r.calls).toBe(1);
    expect(r.problem).toMatch(/apiKey|credential/i);
    expect(wire).toHaveLength(0);
  });
});
