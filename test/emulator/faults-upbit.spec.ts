/**
 * Every fault kind on the Upbit dialect through real ccxt 4.5 upbit over HTTP. Upbit has no -1007 and no
 * timestamp in its JWT, documents 429/418 without error names or Retry-After, and ccxt's upbit maps
 * none of those names: a client must judge by HTTP status, which is what these tests pin down.
 */
import ccxt, { type Exchange } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/emulator.ts';
import { faultPlanFromSpecs, parseFaultSpec } from '../../src/emulator/fault-spec.ts';
import { book, ccxtFor, emulator, eventually, faultLog, rejection, venueOrders } from './helpers.ts';

const SYM = 'BTC/KRW';
const none = undefined as unknown as string;
let emu: RunningEmulator;
let ex: Exchange;

const faults = (...specs: string[]) => emu.state.setFaultPlan(faultPlanFromSpecs(specs.map(parseFaultSpec), 1));
const place = (id: string) => ex.createOrder(SYM, 'limit', 'buy', 0.001, 139_000_000, { clientOrderId: id });
const byId = (id: string) => ex.fetchOrder(none, undefined, { identifier: id });
const ids = async () => (await venueOrders(emu.url)).map((o) => o.clientOrderId);
const headers = () => ex.last_response_headers as Record<string, string> | undefined;
/** A resting buy at 140,000,000 takes 0.002 when the book moves through 139,995,000. */
const cross = () => emu.state.applyMarket(book('upbit', SYM, [[139_990_000, 1]], [[139_995_000, 0.002], [140_030_000, 1]]));

beforeEach(async () => {
  emu = await emulator({ venue: 'upbit', balances: { KRW: 10_000_000, BTC: '0.1' } });
  emu.state.applyMarket(book('upbit', SYM, [[139_990_000, 1]], [[140_010_000, 0.002], [140_020_000, 0.003], [140_030_000, 1]]));
  ex = ccxtFor('upbit', emu.url, undefined, { timeout: 400 });
  await ex.loadMarkets();
});
afterEach(async () => {
  await emu.close();
});

describe('upbit: unknown outcomes', () => {
  it('timeout-after-accept / timeout-before-accept: RequestTimeout; the order exists only in the first case', async () => {
    faults('timeout-after-accept@1', 'timeout-before-accept@2');
    await rejection(place('t-1'), ccxt.RequestTimeout);
    await rejection(place('t-2'), ccxt.RequestTimeout);
    expect(await ids()).toEqual(['t-1']);
    expect((await byId('t-1')).status).toBe('open');
    await rejection(byId('t-2'), ccxt.OrderNotFound);
  });

  it('unknown-status: the gateway times out (504 page) → RequestTimeout, order placed', async () => {
    faults('unknown-status@1');
    expect((await rejection(place('u-1'), ccxt.RequestTimeout)).message).toContain('504');
    expect(await ids()).toEqual(['u-1']);
  });

  it('error-5xx-after-accept: 500 server_error → plain ExchangeError; status=503 → ExchangeNotAvailable; both placed', async () => {
    faults('error-5xx-after-accept@1', 'error-5xx-after-accept@2,status=503');
    const e500 = await rejection(place('s-1'), ccxt.ExchangeError);
    expect(e500.constructor).toBe(ccxt.ExchangeError);
    expect(e500.message).toContain('server_error');
    await rejection(place('s-2'), ccxt.ExchangeNotAvailable);
    expect(await ids()).toEqual(['s-1', 's-2']);
  });

  it('duplicate-id: the identifier error while exactly one order with it is live', async () => {
    faults('duplicate-id@1');
    expect((await rejection(place('d-1'), ccxt.ExchangeError)).message).toContain('identifier');
    expect(await ids()).toEqual(['d-1']);
    expect((await byId('d-1')).status).toBe('open');
  });
});

describe('upbit: refusals (not placed)', () => {
  it('rate-limit: 429 too_many_requests with Remaining-Req sec=0 (no Retry-After); only the order group is refused', async () => {
    faults('rate-limit@1,retry-after=1');
    const err = await rejection(place('r-1'), ccxt.ExchangeError);
    expect(err.message).toContain('too_many_requests');
    expect(headers()?.['Remaining-Req']).toBe('group=order; min=1800; sec=0');
    expect(headers()?.['Retry-After']).toBeUndefined();
    await rejection(place('r-1'), ccxt.ExchangeError); // still inside the window
    expect((await ex.fetchOrderBook(SYM)).bids[0]).toEqual([139_990_000, 1]); // other groups answer
    expect(await ids()).toEqual([]);
    await new Promise((r) => setTimeout(r, 1050));
    await place('r-1'); // never reached the venue, so the identifier is still unused
    expect(await ids()).toEqual(['r-1']);
  });

  it('ip-ban: 418 whose message gives the end of the ban; all traffic refused until then', async () => {
    faults('ip-ban@1,retry-after=1');
    const err = await rejection(place('b-1'), ccxt.ExchangeError);
    // ccxt's upbit error carries the body, not the status: a client must keep the status itself.
    expect(err.message).toMatch(/too_many_requests.*\+09:00 이후 \(1초 후\)/);
    expect((await fetch(`${emu.url}/v1/orderbook?markets=KRW-BTC`)).status).toBe(418);
    await rejection(ex.fetchOrderBook(SYM), ccxt.ExchangeError);
    await rejection(ex.fetchBalance(), ccxt.ExchangeError);
    await new Promise((r) => setTimeout(r, 1050));
    await place('b-1');
    expect((await faultLog(emu.url)).map((f) => [f.kind, f.trigger])).toEqual([
      ['ip-ban', true],
      ['ip-ban', false],
      ['ip-ban', false],
      ['ip-ban', false],
    ]);
  });

  it('clock-skew: no effect (the JWT carries no timestamp); the order is placed and the log says why', async () => {
    faults('clock-skew@1');
    await place('c-1');
    expect(await ids()).toEqual(['c-1']);
    const [f] = await faultLog(emu.url);
    expect(f).toMatchObject({ kind: 'clock-skew', executed: true });
    expect(f!.effect).toContain('no effect');
  });
});

describe('upbit: venue-level faults', () => {
  it('not-found-lag: order_not_found (OrderNotFound) for K lookups and out of open orders, then found', async () => {
    faults('not-found-lag@1,lookups=2');
    const o = await place('l-1');
    await rejection(byId('l-1'), ccxt.OrderNotFound);
    expect(await ex.fetchOpenOrders(SYM)).toEqual([]);
    await rejection(ex.fetchOrder(o.id!), ccxt.OrderNotFound);
    expect((await byId('l-1')).id).toBe(o.id);
    expect((await ex.fetchOpenOrders(SYM)).map((x) => x.id)).toEqual([o.id]);
  });

  it('drop-event: executed_volume counts the fill while the order\'s trades leave it out, then list it', async () => {
    faults('drop-event@1');
    await ex.createOrder(SYM, 'limit', 'buy', 0.005, 140_000_000, { clientOrderId: 'e-1' });
    cross();
    const first = await byId('e-1');
    expect(first.filled).toBe(0.002);
    expect(first.trades).toEqual([]);
    const second = await byId('e-1');
    expect(second.trades.map((t) => t.amount)).toEqual([0.002]);
  });

  it('repeat-event: the order\'s trades list the same fill twice (same uuid)', async () => {
    faults('repeat-event@1');
    await ex.createOrder(SYM, 'limit', 'buy', 0.005, 140_000_000, { clientOrderId: 'e-2' });
    cross();
    const o = await byId('e-2');
    expect(o.trades).toHaveLength(2);
    expect(o.trades[0]!.id).toBe(o.trades[1]!.id);
    expect((await byId('e-2')).trades).toHaveLength(1);
  });

  it('partial-then-cancel: state cancel with the filled part kept', async () => {
    faults('partial-then-cancel@1');
    const o = await ex.createOrder(SYM, 'market', 'sell', 0.004, undefined, { clientOrderId: 'p-1' });
    expect(o.status).toBe('open'); // Upbit answers before matching
    expect(await ex.fetchOrder(o.id!)).toMatchObject({ status: 'canceled', filled: 0.002, remaining: 0.002 });
  });

  it('stream-silence: orderbook and ticker keep their timestamps until the silence ends', async () => {
    faults('stream-silence@1,ms=500');
    await place('q-1');
    emu.state.applyMarket(book('upbit', SYM, [[141_000_000, 1]], [[141_010_000, 1]]));
    const a = await ex.fetchOrderBook(SYM);
    await new Promise((r) => setTimeout(r, 30));
    const b = await ex.fetchOrderBook(SYM);
    expect(b.timestamp).toBe(a.timestamp);
    expect(b.bids[0]).toEqual([139_990_000, 1]);
    const t1 = await ex.fetchTicker(SYM);
    await new Promise((r) => setTimeout(r, 30));
    const t2 = await ex.fetchTicker(SYM);
    expect([t2.timestamp, t2.last]).toEqual([t1.timestamp, 140_000_000]);
    const thawed = await eventually(async () => {
      const ob = await ex.fetchOrderBook(SYM);
      return ob.bids[0]![0] === 141_000_000 ? ob : undefined;
    }, 3000);
    expect(thawed.timestamp).toBeGreaterThan(a.timestamp!);
  });
});
