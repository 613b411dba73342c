/**
 * Real ccxt 4.5 upbit calls over HTTP against the emulator on 127.0.0.1: markets, book, ticker, market
 * buys by cost and sells by volume, limit orders with an identifier, partial fill, cancel, lookups by
 * uuid and identifier, balances, rejections by error name, JWT authentication.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import ccxt, { type Exchange } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMarketCatalog } from '../../src/config/market-catalog.ts';
import type { RunningEmulator } from '../../src/emulator/emulator.ts';
import type { BalanceView, EmulatorOrderView } from '../../src/emulator/introspection.ts';
import { asset, book, ccxtFor, emulator, getJson, KEY, rejection, SECRET } from './helpers.ts';

const SYM = 'BTC/KRW';
let emu: RunningEmulator;
let ex: Exchange;
const none = undefined as unknown as string;

beforeEach(async () => {
  emu = await emulator({ venue: 'upbit', balances: { KRW: 10_000_000, BTC: '0.1' } });
  emu.state.applyMarket(book('upbit', SYM, [[139_990_000, 0.5], [139_980_000, 1]], [[140_010_000, 0.002], [140_020_000, 0.003], [140_030_000, 1]]));
  ex = ccxtFor('upbit', emu.url);
  await ex.loadMarkets();
});
afterEach(async () => {
  await emu.close();
});

/** An Upbit JWT made by hand, to replay it. */
function jwt(payload: Record<string, string>): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(payload)}`;
  return `${head}.${createHmac('sha256', SECRET).update(head).digest('base64url')}`;
}

describe('upbit emulator through ccxt', () => {
  it('serves our markets; orders/chance carries their minimums and fees', async () => {
    const defs = loadMarketCatalog().get('upbit')!;
    expect(Object.keys(ex.markets ?? {}).sort()).toEqual([...defs.keys()].sort() as string[]);
    for (const def of defs.values()) expect(ex.market(def.symbol).id).toBe(def.id);
    // ccxt's upbit parseMarket fixes precision at 1e-8 and has no limits: the venue's market list has neither.
    expect(ex.market(SYM).precision).toEqual({ price: 1e-8, amount: 1e-8 });
    const m = await ex.fetchMarket(SYM);
    expect(m.limits.cost?.min).toBe(5000);
    expect([m.maker, m.taker]).toEqual([0.0005, 0.0005]);
  });

  it('serves the order book and ticker', async () => {
    const ob = await ex.fetchOrderBook(SYM, 2);
    expect(ob.bids).toEqual([[139_990_000, 0.5], [139_980_000, 1]]);
    expect(ob.asks).toEqual([[140_010_000, 0.002], [140_020_000, 0.003]]);
    expect((await ex.fetchTicker(SYM)).last).toBe(140_000_000);
  });

  it('buys by cost: answered "wait" before matching, then ends "cancel" with the unspent remainder', async () => {
    const o = await ex.createMarketBuyOrderWithCost(SYM, 100_000, { clientOrderId: 'cost-1' });
    expect(o).toMatchObject({ type: 'market', side: 'buy', status: 'open', filled: 0, cost: 100_000, clientOrderId: 'cost-1' });
    const f = await ex.fetchOrder(o.id!);
    // 100,000 KRW at 140,010,000 buys 71,423 lots of 1e-8 for 99,999.3423 KRW; the rest is canceled.
    expect(f).toMatchObject({ status: 'canceled', filled: 0.00071423, cost: 99_999.3423, average: 140_010_000 });
    expect(f.trades).toHaveLength(1);
    expect(f.fee?.cost).toBeCloseTo(49.99967115, 9);
    const bal = await ex.fetchBalance();
    expect(asset(bal, 'KRW').total).toBeCloseTo(10_000_000 - 99_999.3423 - 49.99967115, 6);
    expect(asset(bal, 'BTC').total).toBeCloseTo(0.10071423, 10);
    const viaParam = await ex.createOrder(SYM, 'market', 'buy', none as unknown as number, undefined, { cost: 50_000 });
    expect((await ex.fetchOrder(viaParam.id!)).filled).toBeGreaterThan(0);
  });

  it('sells by volume at market', async () => {
    const o = await ex.createOrder(SYM, 'market', 'sell', 0.001, undefined, { clientOrderId: 'sell-1' });
    expect(o.status).toBe('open'); // accepted view
    const f = await ex.fetchOrder(o.id!);
    expect(f).toMatchObject({ status: 'closed', filled: 0.001, cost: 139_990, clientOrderId: 'sell-1' });
    expect(asset(await ex.fetchBalance(), 'KRW').total).toBeCloseTo(10_000_000 + 139_990 - 69.995, 6);
  });

  it('rests a limit with an identifier, finds it by uuid and identifier, cancels it', async () => {
    const o = await ex.createOrder(SYM, 'limit', 'buy', 0.01, 139_000_000, { clientOrderId: 'lim-1' });
    expect(o).toMatchObject({ status: 'open', price: 139_000_000, amount: 0.01, clientOrderId: 'lim-1' });
    expect((await ex.fetchOrder(o.id!)).clientOrderId).toBe('lim-1');
    expect((await ex.fetchOrder(none, undefined, { identifier: 'lim-1' })).id).toBe(o.id);
    expect((await ex.fetchOpenOrders(SYM)).map((x) => x.id)).toEqual([o.id]);
    expect((await ex.fetchOrderBook(SYM, 5)).bids).toContainEqual([139_000_000, 0.01]);
    expect(asset(await ex.fetchBalance(), 'KRW').used).toBe(1_390_695); // 1,390,000 + 695 fee reserved
    const c = await ex.cancelOrder(o.id!);
    expect(c.status).toBe('open'); // Upbit answers a cancel with the order as it was: still "wait"
    expect((await ex.fetchOrder(o.id!)).status).toBe('canceled');
    expect(await ex.fetchOpenOrders(SYM)).toEqual([]);
    expect(asset(await ex.fetchBalance(), 'KRW').used).toBe(0);
    await rejection(ex.cancelOrder(o.id!), ccxt.OrderNotFound);
    await rejection(ex.fetchOrder(randomUUID()), ccxt.OrderNotFound);
    expect((await ex.fetchCanceledOrders(SYM)).map((x) => x.id)).toEqual([o.id]);
  });

  it('fills a resting limit partly when the book crosses it, keeps the filled part on cancel', async () => {
    const o = await ex.createOrder(SYM, 'limit', 'buy', 0.005, 140_000_000, { clientOrderId: 'part-1' });
    emu.state.applyMarket(book('upbit', SYM, [[139_990_000, 0.5]], [[139_995_000, 0.002], [140_030_000, 1]]));
    const p = await ex.fetchOrder(o.id!);
    expect(p).toMatchObject({ status: 'open', filled: 0.002, remaining: 0.003, cost: 280_000 });
    await ex.cancelOrder(o.id!);
    const c = await ex.fetchOrder(o.id!);
    expect(c).toMatchObject({ status: 'canceled', filled: 0.002 });
    const bal = await ex.fetchBalance();
    expect(asset(bal, 'BTC').total).toBe(0.102);
    expect(asset(bal, 'KRW').total).toBe(10_000_000 - 280_000 - 140);
  });

  it('rejects with the venue error names; an identifier is burnt even by a failed order', async () => {
    const funds = await rejection(ex.createOrder(SYM, 'limit', 'buy', 1, 139_000_000, { clientOrderId: 'once' }), ccxt.InsufficientFunds);
    expect(funds.message).toContain('insufficient_funds_bid');
    const reuse = await rejection(ex.createOrder(SYM, 'limit', 'buy', 0.001, 139_000_000, { clientOrderId: 'once' }), ccxt.ExchangeError);
    expect(reuse.message).toContain('identifier');
    await ex.createOrder(SYM, 'limit', 'buy', 0.001, 139_000_000, { clientOrderId: 'ok-1' });
    await rejection(ex.createOrder(SYM, 'limit', 'buy', 0.001, 139_000_000, { clientOrderId: 'ok-1' }), ccxt.ExchangeError);
    expect((await rejection(ex.createOrder(SYM, 'market', 'sell', 1), ccxt.InsufficientFunds)).message).toContain('insufficient_funds_ask');
    expect((await rejection(ex.createOrder(SYM, 'limit', 'buy', 0.00001, 139_000_000), ccxt.ExchangeError)).message).toContain('under_min_total_bid');
    expect((await rejection(ex.createMarketBuyOrderWithCost(SYM, 1000), ccxt.ExchangeError)).message).toContain('under_min_total_bid');
    expect((await rejection(ex.createOrder(SYM, 'limit', 'buy', 0.001, 139_000_500), ccxt.ExchangeError)).message).toContain('invalid_price_bid');
    const orders = await getJson<EmulatorOrderView[]>(`${emu.url}/__emulator/orders`);
    expect(orders.map((o) => o.clientOrderId)).toEqual(['ok-1']);
    const balances = await getJson<Record<string, BalanceView>>(`${emu.url}/__emulator/balances`);
    expect(Number(balances.KRW!.total)).toBe(asset(await ex.fetchBalance(), 'KRW').total);
  });

  it('refuses a bad JWT signature, an unknown access key and a replayed nonce', async () => {
    const badSig = ccxtFor('upbit', emu.url, { apiKey: KEY, secret: 'wrong-secret' });
    expect((await rejection(badSig.fetchBalance(), ccxt.AuthenticationError)).message).toContain('jwt_verification');
    const badKey = ccxtFor('upbit', emu.url, { apiKey: 'who', secret: SECRET });
    expect((await rejection(badKey.fetchBalance(), ccxt.AuthenticationError)).message).toContain('invalid_access_key');
    const token = jwt({ access_key: KEY, nonce: randomUUID() });
    const first = await fetch(`${emu.url}/v1/accounts`, { headers: { authorization: `Bearer ${token}` } });
    expect(first.status).toBe(200);
    const again = await fetch(`${emu.url}/v1/accounts`, { headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ error: { name: 'nonce_used' } });
    // A query signed for one set of parameters does not authorise another.
    const query = 'market=KRW-BTC';
    const hash = createHash('sha512').update('market=KRW-ETH').digest('hex');
    const t2 = jwt({ access_key: KEY, nonce: randomUUID(), query_hash: hash, query_hash_alg: 'SHA512' });
    const tampered = await fetch(`${emu.url}/v1/orders/chance?${query}`, { headers: { authorization: `Bearer ${t2}` } });
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toMatchObject({ error: { name: 'invalid_query_payload' } });
  });
});
