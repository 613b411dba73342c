/**
 * Issue 4's venue-level faults on Binance, through real ccxt 4.5 over HTTP: lookups that lag an
 * accepted order, trades dropped from or repeated in `myTrades` while the order counts them, an order
 * the venue cancels after a partial fill, and market data that freezes while the engine trades on.
 */
import ccxt, { type Exchange } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/emulator.ts';
import { faultPlanFromSpecs, parseFaultSpec } from '../../src/emulator/fault-spec.ts';
import type { BalanceView } from '../../src/emulator/introspection.ts';
import { book, ccxtFor, emulator, eventually, faultLog, getJson, rejection, venueOrders } from './helpers.ts';

const SYM = 'BTC/USDT';
let emu: RunningEmulator;
let ex: Exchange;

const faults = (...specs: string[]) => emu.state.setFaultPlan(faultPlanFromSpecs(specs.map(parseFaultSpec), 1));
const byCid = (cid: string) => ex.fetchOrder('', SYM, { clientOrderId: cid });
/** The book moves through 59,995: a resting buy at 60,000 takes 0.002 there. */
const cross = () => emu.state.applyMarket(book('binance', SYM, [[59_990, 1]], [[59_995, 0.002], [60_030, 1]]));

beforeEach(async () => {
  emu = await emulator({ venue: 'binance', balances: { USDT: 10_000, BTC: '0.1' } });
  emu.state.applyMarket(book('binance', SYM, [[59_990, 1]], [[60_010, 0.002], [60_020, 0.003], [60_030, 1]]));
  ex = ccxtFor('binance', emu.url);
  await ex.loadMarkets();
});
afterEach(async () => {
  await emu.close();
});

describe('binance: not-found-lag', () => {
  it('answers OrderNotFound to the next K lookups (by client id or id), keeps it out of open orders, then finds it', async () => {
    faults('not-found-lag@1,lookups=3');
    const o = await ex.createOrder(SYM, 'limit', 'buy', 0.001, 59_000, { clientOrderId: 'lag-1' });
    expect(o.status).toBe('open'); // the POST itself is answered normally
    expect(await ex.fetchOpenOrders(SYM)).toEqual([]);
    await rejection(byCid('lag-1'), ccxt.OrderNotFound);
    await rejection(ex.fetchOrder(o.id!, SYM), ccxt.OrderNotFound);
    await rejection(byCid('lag-1'), ccxt.OrderNotFound);
    expect((await byCid('lag-1')).id).toBe(o.id);
    expect((await ex.fetchOpenOrders(SYM)).map((x) => x.id)).toEqual([o.id]);
    expect((await venueOrders(emu.url)).map((v) => v.clientOrderId)).toEqual(['lag-1']); // it was there all along
    const log = await faultLog(emu.url);
    expect(log.map((f) => [f.kind, f.trigger, f.orderId])).toEqual([
      ['not-found-lag', true, o.id],
      ['not-found-lag', false, o.id],
      ['not-found-lag', false, o.id],
      ['not-found-lag', false, o.id],
    ]);
    expect(log[1]!.effect).toContain('2 more');
  });

  it('lags for T ms with ms=', async () => {
    faults('not-found-lag@1,ms=300');
    const o = await ex.createOrder(SYM, 'limit', 'buy', 0.001, 59_000, { clientOrderId: 'lag-2' });
    await rejection(byCid('lag-2'), ccxt.OrderNotFound);
    await rejection(byCid('lag-2'), ccxt.OrderNotFound);
    const found = await eventually(async () => byCid('lag-2').catch(() => undefined), 2000);
    expect(found.id).toBe(o.id);
  });

  it('a cancel still reaches a lagging order (it goes to the matching engine)', async () => {
    faults('not-found-lag@1,lookups=5');
    const o = await ex.createOrder(SYM, 'limit', 'buy', 0.001, 59_000, { clientOrderId: 'lag-3' });
    expect((await ex.cancelOrder(o.id!, SYM)).status).toBe('canceled');
  });
});

describe('binance: drop-event and repeat-event', () => {
  it('drop-event: the fill shows in executedQty but not in myTrades, then it appears', async () => {
    faults('drop-event@1');
    const o = await ex.createOrder(SYM, 'limit', 'buy', 0.005, 60_000, { clientOrderId: 'drop-1' });
    cross();
    expect(await byCid('drop-1')).toMatchObject({ status: 'open', filled: 0.002 });
    expect(await ex.fetchMyTrades(SYM)).toEqual([]);
    const later = await ex.fetchMyTrades(SYM);
    expect(later.map((t) => [t.order, t.amount, t.price])).toEqual([[o.id, 0.002, 60_000]]); // a resting order fills at its own price
    expect((await faultLog(emu.url)).map((f) => [f.kind, f.trigger, f.requestKind])).toEqual([
      ['drop-event', true, 'order.create'],
      ['drop-event', false, 'trades'],
    ]);
  });

  it('drop-event with ms= withholds trades for T ms after each fill', async () => {
    faults('drop-event@1,ms=300');
    await ex.createOrder(SYM, 'market', 'buy', 0.001, undefined, { clientOrderId: 'drop-2' });
    expect(await ex.fetchMyTrades(SYM)).toEqual([]);
    expect(await ex.fetchMyTrades(SYM)).toEqual([]);
    const t = await eventually(async () => ((await ex.fetchMyTrades(SYM)).length > 0 ? ex.fetchMyTrades(SYM) : undefined), 2000);
    expect(t).toHaveLength(1);
  });

  it('repeat-event: each trade of the order is listed twice with the same id, once', async () => {
    faults('repeat-event@1');
    const o = await ex.createOrder(SYM, 'market', 'buy', 0.004, undefined, { clientOrderId: 'rep-1' });
    expect(o.trades).toHaveLength(2); // the POST answer is untouched
    const twice = await ex.fetchMyTrades(SYM);
    expect(twice.map((t) => t.id)).toEqual([o.trades[0]!.id, o.trades[0]!.id, o.trades[1]!.id, o.trades[1]!.id]);
    expect(new Set(twice.map((t) => t.id)).size).toBe(2);
    expect(await ex.fetchMyTrades(SYM)).toHaveLength(2);
  });
});

describe('binance: partial-then-cancel', () => {
  it('a marketable order fills half, then the venue cancels the rest: CANCELED with executedQty > 0', async () => {
    faults('partial-then-cancel@1');
    const o = await ex.createOrder(SYM, 'market', 'buy', 0.004, undefined, { clientOrderId: 'ptc-1' });
    expect(o).toMatchObject({ status: 'canceled', filled: 0.002, remaining: 0.002, amount: 0.004 });
    expect((await byCid('ptc-1')).status).toBe('canceled');
    const [v] = await venueOrders(emu.url);
    expect(v).toMatchObject({ clientOrderId: 'ptc-1', status: 'canceled', filled: '0.002' });
  });

  it('a resting order fills part when the book crosses it, then ends canceled with the part kept; nothing stays locked', async () => {
    faults('partial-then-cancel@1,fill=0.4');
    await ex.createOrder(SYM, 'limit', 'buy', 0.005, 60_000, { clientOrderId: 'ptc-2' });
    expect((await byCid('ptc-2')).status).toBe('open');
    cross();
    expect(await byCid('ptc-2')).toMatchObject({ status: 'canceled', filled: 0.002, amount: 0.005 });
    const bal = await getJson<Record<string, BalanceView>>(`${emu.url}/__emulator/balances`);
    expect(bal.USDT!.locked).toBe('0');
    expect(bal.BTC!.total).toBe('0.102');
    expect((await faultLog(emu.url))[0]!.effect).toContain('once 0.002 has filled');
  });
});

describe('binance: stream-silence', () => {
  it('freezes depth, tickers and their timestamps for T ms while the engine trades on the live book', async () => {
    const before = await ex.fetchOrderBook(SYM);
    faults('stream-silence@1,ms=600');
    await ex.createOrder(SYM, 'limit', 'buy', 0.001, 59_000, { clientOrderId: 'ss-1' });
    emu.state.applyMarket(book('binance', SYM, [[61_000, 1]], [[61_010, 1]]));
    const t1 = await ex.fetchTicker(SYM);
    await new Promise((r) => setTimeout(r, 50));
    const frozen = await ex.fetchOrderBook(SYM);
    const t2 = await ex.fetchTicker(SYM);
    expect(frozen.nonce).toBe(before.nonce);
    expect(frozen.bids[0]).toEqual([59_990, 1]);
    expect(frozen.bids).not.toContainEqual([59_000, 0.001]); // placed after the stream went quiet
    expect(t2.timestamp).toBe(t1.timestamp);
    expect([t2.bid, t2.ask]).toEqual([59_990, 60_010]);
    // The venue itself is live: a market sell fills at the real 61,000 bid.
    const sold = await ex.createOrder(SYM, 'market', 'sell', 0.001);
    expect(sold.average).toBe(61_000);
    const thawed = await eventually(async () => {
      const ob = await ex.fetchOrderBook(SYM);
      return ob.bids[0]![0] === 61_000 ? ob : undefined;
    }, 3000);
    expect(thawed.nonce).toBeGreaterThan(before.nonce!);
    expect((await ex.fetchTicker(SYM)).timestamp).toBeGreaterThan(t1.timestamp!);
  });
});
