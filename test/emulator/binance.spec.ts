/**
 * Real ccxt 4.5 binance calls over HTTP against the emulator on 127.0.0.1: markets, book, ticker,
 * market/limit/quote-sized orders with client ids, partial fill, cancel, lookups by id and client id,
 * balances, trades, the venue's rejections and authentication errors as ccxt classifies them.
 */
import ccxt, { type Exchange } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMarketCatalog } from '../../src/config/market-catalog.ts';
import type { RunningEmulator } from '../../src/emulator/emulator.ts';
import type { BalanceView, EmulatorOrderView } from '../../src/emulator/introspection.ts';
import { asset, book, ccxtFor, emulator, getJson, KEY, rejection, SECRET } from './helpers.ts';

const SYM = 'BTC/USDT';
let emu: RunningEmulator;
let ex: Exchange;

beforeEach(async () => {
  emu = await emulator({ venue: 'binance', balances: { USDT: 10_000, BTC: '0.1' } });
  emu.state.applyMarket(book('binance', SYM, [[59_990, 0.5], [59_980, 1]], [[60_010, 0.002], [60_020, 0.003], [60_030, 1]]));
  ex = ccxtFor('binance', emu.url);
  await ex.loadMarkets();
});
afterEach(async () => {
  await emu.close();
});

describe('binance emulator through ccxt', () => {
  it('serves markets whose precision and limits are our definitions', () => {
    const defs = loadMarketCatalog().get('binance')!;
    expect(Object.keys(ex.markets ?? {}).sort()).toEqual([...defs.keys()].sort() as string[]);
    for (const def of defs.values()) {
      const m = ex.market(def.symbol);
      expect(m.id).toBe(def.id);
      expect(m.spot).toBe(true);
      expect(m.precision.price).toBe(def.precision.price);
      expect(m.precision.amount).toBe(def.precision.amount);
      expect(m.limits.amount?.min).toBe(def.limits.amount?.min ?? def.precision.amount);
      if (def.limits.amount?.max !== undefined) expect(m.limits.amount?.max).toBe(def.limits.amount.max);
      expect(m.limits.cost?.min).toBe(def.limits.cost?.min ?? 0);
    }
  });

  it('serves the order book and ticker of the engine', async () => {
    const ob = await ex.fetchOrderBook(SYM, 2);
    expect(ob.bids).toEqual([[59_990, 0.5], [59_980, 1]]);
    expect(ob.asks).toEqual([[60_010, 0.002], [60_020, 0.003]]);
    const t = await ex.fetchTicker(SYM);
    expect([t.bid, t.ask, t.last]).toEqual([59_990, 60_010, 60_000]);
    expect(await ex.fetchTime()).toBeGreaterThan(Date.now() - 5000);
  });

  it('fills a market order with a client id across levels, in the POST response', async () => {
    const o = await ex.createOrder(SYM, 'market', 'buy', 0.004, undefined, { clientOrderId: 'mkt-1' });
    expect(o).toMatchObject({ clientOrderId: 'mkt-1', status: 'closed', filled: 0.004, remaining: 0, cost: 240.06, average: 60_015 });
    expect(o.trades).toHaveLength(2);
    expect(o.fee).toEqual({ currency: 'USDT', cost: 0.24006 });
    const bal = await ex.fetchBalance();
    expect(asset(bal, 'USDT').total).toBe(9759.69994);
    expect(asset(bal, 'BTC').total).toBe(0.104);
    const trades = await ex.fetchMyTrades(SYM);
    expect(trades.map((t) => [t.order, t.price, t.amount, t.takerOrMaker, t.fee?.cost])).toEqual([
      [o.id, 60_010, 0.002, 'taker', 0.12002],
      [o.id, 60_020, 0.002, 'taker', 0.12004],
    ]);
    // What reached the venue, as the introspection endpoint tells it.
    const orders = await getJson<EmulatorOrderView[]>(`${emu.url}/__emulator/orders`);
    expect(orders).toMatchObject([{ orderId: o.id, clientOrderId: 'mkt-1', status: 'filled', filled: '0.004', cost: '240.06' }]);
    const balances = await getJson<Record<string, BalanceView>>(`${emu.url}/__emulator/balances`);
    expect(balances.USDT).toEqual({ free: '9759.69994', locked: '0', total: '9759.69994' });
  });

  it('sizes a market buy by cost (quoteOrderQty)', async () => {
    const o = await ex.createMarketBuyOrderWithCost(SYM, 100);
    // 100 USDT at 60010 buys 166 lots of 0.00001: 0.00166 BTC for 99.6166 USDT.
    expect(o).toMatchObject({ status: 'closed', filled: 0.00166, cost: 99.6166 });
    expect(o.info.origQuoteOrderQty).toBe('100.00000000');
  });

  it('rests a limit order, finds it by id and client id, shows it in the book, cancels it', async () => {
    const o = await ex.createOrder(SYM, 'limit', 'buy', 0.01, 59_000, { clientOrderId: 'lim-1' });
    expect(o).toMatchObject({ status: 'open', filled: 0, price: 59_000, clientOrderId: 'lim-1' });
    expect((await ex.fetchOrder(o.id!, SYM)).clientOrderId).toBe('lim-1');
    expect((await ex.fetchOrder('', SYM, { clientOrderId: 'lim-1' })).id).toBe(o.id);
    expect((await ex.fetchOpenOrders(SYM)).map((x) => x.id)).toEqual([o.id]);
    expect((await ex.fetchOrderBook(SYM, 5)).bids).toContainEqual([59_000, 0.01]);
    const bal = await ex.fetchBalance();
    expect(asset(bal, 'USDT').used).toBe(590.59); // 590 at the limit + the fee reserved
    const c = await ex.cancelOrder(o.id!, SYM);
    expect(c.status).toBe('canceled');
    expect(c.info.origClientOrderId).toBe('lim-1'); // Binance's cancel answer: clientOrderId is the cancel's own
    expect((await ex.fetchOrder(o.id!, SYM)).status).toBe('canceled');
    expect(await ex.fetchOpenOrders(SYM)).toEqual([]);
    expect(asset(await ex.fetchBalance(), 'USDT').used).toBe(0);
    await rejection(ex.cancelOrder(o.id!, SYM), ccxt.OrderNotFound);
    await rejection(ex.fetchOrder('999', SYM), ccxt.OrderNotFound);
  });

  it('fills a resting limit partly when the book crosses it, and keeps the filled part on cancel', async () => {
    const o = await ex.createOrder(SYM, 'limit', 'buy', 0.005, 60_000, { clientOrderId: 'part-1' });
    expect(o.status).toBe('open');
    emu.state.applyMarket(book('binance', SYM, [[59_990, 0.5]], [[59_995, 0.002], [60_030, 1]]));
    const p = await ex.fetchOrder(o.id!, SYM);
    expect(p).toMatchObject({ status: 'open', filled: 0.002, remaining: 0.003, cost: 120 });
    expect(p.info.status).toBe('PARTIALLY_FILLED');
    const trades = await ex.fetchMyTrades(SYM);
    expect(trades.map((t) => [t.price, t.amount, t.takerOrMaker])).toEqual([[60_000, 0.002, 'maker']]);
    const c = await ex.cancelOrder(o.id!, SYM);
    expect(c).toMatchObject({ status: 'canceled', filled: 0.002 });
    const bal = await ex.fetchBalance();
    expect(asset(bal, 'BTC').total).toBe(0.102);
    expect(asset(bal, 'USDT').total).toBe(10_000 - 120 - 0.12);
    expect(asset(bal, 'USDT').used).toBe(0);
  });

  it('expires the unfilled rest of an IOC limit; lists finished orders', async () => {
    const o = await ex.createOrder(SYM, 'limit', 'buy', 0.01, 60_020, { timeInForce: 'IOC' });
    expect(o).toMatchObject({ status: 'expired', filled: 0.005, timeInForce: 'IOC' });
    expect(asset(await ex.fetchBalance(), 'USDT').used).toBe(0);
    const all = await ex.fetchOrders(SYM);
    expect(all.map((x) => [x.id, x.status, x.filled])).toEqual([[o.id, 'expired', 0.005]]);
  });

  it('rejects a second open order with the same client id: "Duplicate order sent." as InvalidOrder', async () => {
    await ex.createOrder(SYM, 'limit', 'buy', 0.001, 59_000, { clientOrderId: 'dup-1' });
    const err = await rejection(ex.createOrder(SYM, 'limit', 'buy', 0.001, 59_000, { clientOrderId: 'dup-1' }), ccxt.InvalidOrder);
    expect(err.message).toContain('Duplicate order sent.');
    expect(err).not.toBeInstanceOf(ccxt.InsufficientFunds);
    expect((await ex.fetchOpenOrders(SYM)).length).toBe(1);
  });

  it('rejects what the venue rejects, with the errors ccxt classifies', async () => {
    await rejection(ex.createOrder(SYM, 'limit', 'buy', 1, 59_000), ccxt.InsufficientFunds);
    await rejection(ex.createOrder(SYM, 'market', 'buy', 1), ccxt.InsufficientFunds);
    await rejection(ex.createOrder(SYM, 'market', 'sell', 0.2), ccxt.InsufficientFunds);
    const lot = await rejection(ex.createOrder(SYM, 'limit', 'buy', 9001, 50_000), ccxt.InvalidOrder);
    expect(lot.message).toContain('Filter failure: LOT_SIZE');
    // ccxt rounds amounts and prices itself; its implicit API sends them as given.
    const base = { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC' };
    await rejection(ex.privatePostOrder({ ...base, quantity: '0.000015', price: '50000' }), ccxt.InvalidOrder);
    const tick = await rejection(ex.privatePostOrder({ ...base, quantity: '0.001', price: '50000.005' }), ccxt.InvalidOrder);
    expect(tick.message).toContain('PRICE_FILTER');
    const notional = await rejection(ex.createOrder(SYM, 'limit', 'buy', 0.00001, 50_000), ccxt.BadRequest);
    expect(notional.message).toContain('Filter failure: NOTIONAL');
    await rejection(ex.privateGetOrder({ symbol: 'NOSUCH', orderId: 1 }), ccxt.BadSymbol);
    await rejection(ex.privateGetOrder({ symbol: 'BTCUSDT' }), ccxt.BadRequest); // -1102: orderId or origClientOrderId
    expect(await getJson<unknown[]>(`${emu.url}/__emulator/orders`)).toEqual([]);
  });

  it('refuses a bad signature, an unknown key and a stale timestamp', async () => {
    const badSig = ccxtFor('binance', emu.url, { apiKey: KEY, secret: 'not-the-secret' });
    expect((await rejection(badSig.fetchBalance(), ccxt.AuthenticationError)).message).toContain('-1022');
    const badKey = ccxtFor('binance', emu.url, { apiKey: 'someone-else', secret: SECRET });
    expect((await rejection(badKey.fetchBalance(), ccxt.AuthenticationError)).message).toContain('-2015');
    const late = ccxtFor('binance', emu.url);
    late.options.timeDifference = 60_000; // its clock runs a minute behind the venue's
    await rejection(late.fetchBalance(), ccxt.InvalidNonce);
    // Nothing signed with a wrong secret ever reaches the book.
    await rejection(badSig.createOrder(SYM, 'limit', 'buy', 0.001, 59_000), ccxt.AuthenticationError);
    expect(await getJson<unknown[]>(`${emu.url}/__emulator/orders`)).toEqual([]);
  });
});
