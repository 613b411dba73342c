/**
 * End to end: LiveExchange → real ccxt (HTTP, signing, parsing) → the project's emulator on 127.0.0.1,
 * for Binance and Upbit. Market and limit orders, a partial fill, cancel, lookup by client id, balances,
 * a refused order and a bad signature — and, across all of it, the key and secret never said aloud.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WallClock } from '../../../src/core/clock.ts';
import { VenueRejectedError } from '../../../src/core/errors.ts';
import { loadMarketCatalog } from '../../../src/config/market-catalog.ts';
import { createCcxtExchange } from '../../../src/drivers/live/create-exchange.ts';
import type { ErrorClass } from '../../../src/drivers/live/error-classifier.ts';
import { LiveExchange } from '../../../src/drivers/live/live-exchange.ts';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/emulator.ts';
import { ruleFaults, type FaultAction } from '../../../src/emulator/faults.ts';
import { parseAtto } from '../../../src/domain/money.ts';
import type { MarketEvent, OrderEvent, OrderFilled, SubmitOrder } from '../../../src/domain/types.ts';
import { API_KEY, SECRET } from './helpers.ts';

interface VenueCase {
  readonly venue: 'binance' | 'upbit';
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly bid: number;
  readonly ask: number;
  /** A resting buy price below the bid, on the venue's tick grid. */
  readonly restPrice: number;
  readonly balances: Record<string, string>;
  readonly qty: number;
}

const CASES: VenueCase[] = [
  { venue: 'binance', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', bid: 39_990, ask: 40_010, restPrice: 39_000, balances: { USDT: '100000', BTC: '1' }, qty: 0.01 },
  { venue: 'upbit', symbol: 'BTC/KRW', base: 'BTC', quote: 'KRW', bid: 49_990_000, ask: 50_010_000, restPrice: 49_000_000, balances: { KRW: '100000000', BTC: '1' }, qty: 0.01 },
];

const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));

describe.each(CASES)('LiveExchange on the $venue emulator', (c) => {
  let emu: RunningEmulator;
  let driver: LiveExchange;
  let exchange: ReturnType<typeof createCcxtExchange>;
  const events: OrderEvent[] = [];
  const errors: Array<{ what: string; cls: ErrorClass }> = [];
  let seq = 0;
  const nextId = () => `tfit-${c.venue}-${++seq}`;
  const now = () => Date.now();
  const level = (side: 'bid' | 'ask', price: number, quantity: number, reset = false): MarketEvent => ({ kind: 'level', ts: now(), venue: c.venue, symbol: c.symbol, side, price, quantity, snapshot: true, reset });
  const order = (over: Partial<SubmitOrder>): SubmitOrder => ({ clientId: nextId(), venue: c.venue, symbol: c.symbol, side: 'buy', type: 'limit', quantity: c.qty, ts: now(), ...over });
  const of = (clientId: string) => events.filter((e) => e.clientId === clientId);
  const waitFor = (clientId: string, kind: OrderEvent['kind']) => expect.poll(() => of(clientId).map((e) => e.kind), { timeout: 5_000, interval: 20 }).toContain(kind);

  beforeAll(async () => {
    emu = await startEmulator({ venue: c.venue, port: 0, apiKey: API_KEY, secret: SECRET, balances: c.balances });
    emu.state.applyMarket([level('bid', c.bid, 2, true), level('ask', c.ask, 2)]);
    exchange = createCcxtExchange(c.venue, { baseUrl: emu.url, apiKey: API_KEY, secret: SECRET });
    driver = new LiveExchange({
      venue: c.venue,
      exchange,
      clock: new WallClock(),
      pollIntervalMs: 20,
      markets: loadMarketCatalog().get(c.venue)!, // Upbit's KRW tick table comes from here
      onError: (what, cls) => errors.push({ what, cls }),
    });
    driver.events$.subscribe((e) => events.push(e));
    await driver.loadMarkets();
  });

  afterAll(async () => {
    if (process.env.DEBUG_LIVE) console.log(c.venue, json(events), json(errors), driver.latencies());
    await driver?.close();
    await emu?.close();
    // Whatever happened above, no event or reported problem carried a credential.
    expect(json({ events, errors })).not.toContain(SECRET);
    expect(json({ events, errors })).not.toContain(API_KEY);
  });

  it('when markets load, then precision and limits come from the venue (and Upbit’s tick table from the catalog)', async () => {
    const m = (await driver.loadMarkets()).get(c.symbol)!;
    expect(m).toMatchObject({ venue: c.venue, symbol: c.symbol, base: c.base, quote: c.quote });
    if (c.venue === 'upbit') expect(m.tickTable?.length).toBeGreaterThan(0);
  });

  it('when the order path is warmed, then the emulator sees no order request and holds no order', async () => {
    let orderRequests = 0;
    emu.state.setFaultPlan(ruleFaults([{ when: (r) => r.kind === 'order.create' && ++orderRequests < 0, action: { type: 'error', status: 500, body: '' }, times: 1 }]));
    const before = emu.state.orders().length;
    const r = await driver.warmUp([c.symbol], { calls: 100 });
    emu.state.setFaultPlan(undefined);
    expect(r).toMatchObject({ calls: 100 });
    expect(r.problem).toBeUndefined();
    expect(orderRequests).toBe(0);
    expect(emu.state.orders()).toHaveLength(before);
  });

  it('when a market buy is sent, then it is accepted and filled at the ask, and the balance moves by exactly the fills', async () => {
    const before = await driver.fetchBalance();
    const cmd = order({ type: 'market' });
    await driver.submit(cmd);
    await expect.poll(() => of(cmd.clientId).filter((e) => e.kind === 'OrderFilled').length, { timeout: 5_000 }).toBeGreaterThan(0);
    const fills = of(cmd.clientId).filter((e): e is OrderFilled => e.kind === 'OrderFilled');
    expect(of(cmd.clientId)[0]?.kind).toBe('OrderAccepted');
    expect(fills.every((f) => f.price === c.ask && f.side === 'buy')).toBe(true);
    const got = fills.reduce((s, f) => s + parseAtto(String(f.quantity)), 0n);
    const after = await driver.fetchBalance();
    const feeInBase = fills.filter((f) => f.feeAsset === c.base).reduce((s, f) => s + f.fee, 0n);
    expect((after.get(c.base) ?? 0n) - (before.get(c.base) ?? 0n)).toBe(got - feeInBase);
    const spent = fills.reduce((s, f) => s + f.notional + (f.feeAsset === c.quote ? f.fee : 0n), 0n);
    expect((before.get(c.quote) ?? 0n) - (after.get(c.quote) ?? 0n)).toBe(spent);
    expect(emu.state.orders().filter((o) => o.clientOrderId === cmd.clientId)).toHaveLength(1);
  });

  it('when a limit order rests and the market trades through part of it, then polling emits the partial fill; a cancel keeps it', async () => {
    const cmd = order({ price: c.restPrice, quantity: 0.02 });
    await driver.submit(cmd);
    await waitFor(cmd.clientId, 'OrderAccepted');
    emu.state.applyMarket([{ kind: 'trade', ts: now(), venue: c.venue, symbol: c.symbol, price: c.restPrice - (c.venue === 'upbit' ? 1000 : 1), quantity: 0.005, side: 'sell' }]);
    await waitFor(cmd.clientId, 'OrderFilled');
    const snap = await driver.fetchOrder({ symbol: c.symbol, clientId: cmd.clientId });
    expect(snap).toMatchObject({ clientId: cmd.clientId, status: 'partially_filled', filled: 0.005, quantity: 0.02, price: c.restPrice });
    await driver.cancel({ clientId: cmd.clientId, venue: c.venue, symbol: c.symbol, ts: now() });
    await waitFor(cmd.clientId, 'OrderCanceled');
    expect(of(cmd.clientId).map((e) => e.kind)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderCanceled']);
    expect(await driver.fetchOrder({ symbol: c.symbol, clientId: cmd.clientId })).toMatchObject({ status: 'canceled', filled: 0.005 });
  });

  it('when an order is looked up by client id or exchange id, then both find it; an unknown id finds nothing', async () => {
    const cmd = order({ price: c.restPrice });
    await driver.submit(cmd);
    await waitFor(cmd.clientId, 'OrderAccepted');
    const byClient = await driver.fetchOrder({ symbol: c.symbol, clientId: cmd.clientId });
    const byExchange = await driver.fetchOrder({ symbol: c.symbol, exchangeId: byClient!.exchangeId });
    expect(byExchange).toMatchObject({ exchangeId: byClient!.exchangeId, status: 'open' });
    expect((await driver.fetchOpenOrders(c.symbol)).map((o) => o.exchangeId)).toContain(byClient!.exchangeId);
    expect(await driver.fetchOrder({ symbol: c.symbol, clientId: 'tfit-never-sent' })).toBeUndefined();
    await driver.cancel({ clientId: cmd.clientId, venue: c.venue, symbol: c.symbol, ts: now() });
    await waitFor(cmd.clientId, 'OrderCanceled');
  });

  it('when the balance cannot cover an order, then it is rejected once, with the venue’s reason', async () => {
    const cmd = order({ price: c.restPrice, quantity: 100 });
    await driver.submit(cmd);
    expect(of(cmd.clientId)).toMatchObject([{ kind: 'OrderRejected', reason: expect.stringMatching(/InsufficientFunds/) }]);
    expect(emu.state.orders().filter((o) => o.clientOrderId === cmd.clientId).every((o) => o.status === 'rejected')).toBe(true);
  });

  it('when the request is signed with the wrong secret, then the order is rejected as an authentication failure and nothing leaks', async () => {
    const wrong = createCcxtExchange(c.venue, { baseUrl: emu.url, apiKey: API_KEY, secret: `${SECRET}-wrong` });
    const bad = new LiveExchange({ venue: c.venue, exchange: wrong, clock: new WallClock(), pollIntervalMs: 20, markets: loadMarketCatalog().get(c.venue)! });
    const seen: OrderEvent[] = [];
    bad.events$.subscribe((e) => seen.push(e));
    try {
      const cmd = order({ price: c.restPrice });
      await bad.submit(cmd);
      expect(seen).toMatchObject([{ kind: 'OrderRejected', reason: expect.stringMatching(/AuthenticationError/) }]);
      const err = await bad.fetchBalance().then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(VenueRejectedError);
      const said = json({ seen, message: err?.message, stack: err?.stack, info: (err as VenueRejectedError).info });
      expect(said).not.toContain(SECRET);
      expect(said).not.toContain(API_KEY);
      expect(emu.state.orders().some((o) => o.clientOrderId === cmd.clientId)).toBe(false);
    } finally {
      await bad.close();
    }
  });

  describe('when the venue misbehaves (an emulator fault on one order request)', () => {
    const rateLimited: FaultAction =
      c.venue === 'binance'
        ? { type: 'error', status: 429, headers: { 'Retry-After': '1' }, body: { code: -1003, msg: 'Too many requests.' } }
        : { type: 'error', status: 429, body: { error: { name: 'too_many_requests', message: 'Too many API requests.' } } };
    const afterAccept503: FaultAction = { type: 'error-after-accept', status: 503, body: c.venue === 'binance' ? 'Service Unavailable' : { error: { name: 'server_error', message: 'Service Unavailable' } } };
    /** Installs `action` on the first order request carrying `clientId`, once. */
    const onOrder = (clientId: string, action: FaultAction) =>
      emu.state.setFaultPlan(ruleFaults([{ when: (r) => r.kind === 'order.create' && r.clientId === clientId, action, times: 1 }]));
    const emulatorCopies = (clientId: string) => emu.state.orders().filter((o) => o.clientOrderId === clientId);

    it('rate limited before acceptance: resent with the same client id, placed exactly once', async () => {
      const cmd = order({ price: c.restPrice });
      onOrder(cmd.clientId, rateLimited);
      const t0 = Date.now();
      await driver.submit(cmd);
      if (c.venue === 'binance') expect(Date.now() - t0, 'Retry-After: 1 honoured').toBeGreaterThanOrEqual(950);
      emu.state.setFaultPlan(undefined);
      expect(of(cmd.clientId).map((e) => e.kind)).toEqual(['OrderAccepted']);
      expect(emulatorCopies(cmd.clientId)).toHaveLength(1);
      await driver.cancel({ clientId: cmd.clientId, venue: c.venue, symbol: c.symbol, ts: now() });
      await waitFor(cmd.clientId, 'OrderCanceled');
    });

    it('5xx after acceptance: OrderStatusUnknown, never resent; a lookup by client id adopts the live order', async () => {
      const cmd = order({ price: c.restPrice });
      onOrder(cmd.clientId, afterAccept503);
      await driver.submit(cmd);
      emu.state.setFaultPlan(undefined);
      expect(of(cmd.clientId).map((e) => e.kind)).toEqual(['OrderStatusUnknown']);
      const snap = await driver.fetchOrder({ symbol: c.symbol, clientId: cmd.clientId });
      expect(snap).toMatchObject({ clientId: cmd.clientId, status: 'open' });
      expect(of(cmd.clientId).map((e) => e.kind)).toEqual(['OrderStatusUnknown', 'OrderAccepted']);
      expect(emulatorCopies(cmd.clientId)).toHaveLength(1);
      await driver.cancel({ clientId: cmd.clientId, venue: c.venue, symbol: c.symbol, ts: now() });
      await waitFor(cmd.clientId, 'OrderCanceled');
    });

    it('timeout after acceptance: OrderStatusUnknown, never resent; the lookup finds the order', async () => {
      const cmd = order({ price: c.restPrice });
      onOrder(cmd.clientId, { type: 'timeout-after-accept' });
      const timeout = exchange.timeout;
      exchange.timeout = 300;
      try {
        await driver.submit(cmd);
      } finally {
        exchange.timeout = timeout;
        emu.state.setFaultPlan(undefined);
      }
      expect(of(cmd.clientId)).toMatchObject([{ kind: 'OrderStatusUnknown', reason: expect.stringMatching(/RequestTimeout/) }]);
      expect(await driver.fetchOrder({ symbol: c.symbol, clientId: cmd.clientId })).toMatchObject({ status: 'open' });
      expect(emulatorCopies(cmd.clientId)).toHaveLength(1);
      await driver.cancel({ clientId: cmd.clientId, venue: c.venue, symbol: c.symbol, ts: now() });
      await waitFor(cmd.clientId, 'OrderCanceled');
    });
  });

  it('when orders were sent, then their in-process latency to the wire was recorded', () => {
    expect(driver.latencies().length).toBeGreaterThan(0);
    expect(driver.latencies().every((ms) => ms >= 0 && ms < 1_000)).toBe(true);
  });
});
