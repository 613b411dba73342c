/**
 * Fault hooks through real ccxt calls: each fault produces the error class RELIABILITY.md expects, and
 * the introspection endpoint tells whether the order really reached the venue — the fact a client
 * facing an "unknown" outcome must find out by client id.
 */
import ccxt, { type Exchange } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/emulator.ts';
import { faultsByOrderSeq, ruleFaults } from '../../src/emulator/faults.ts';
import type { EmulatorOrderView } from '../../src/emulator/introspection.ts';
import { book, ccxtFor, emulator, getJson, rejection } from './helpers.ts';

const SYM = 'BTC/USDT';
let emu: RunningEmulator;
let ex: Exchange;

const orders = () => getJson<EmulatorOrderView[]>(`${emu.url}/__emulator/orders`);
const place = (cid: string) => ex.createOrder(SYM, 'limit', 'buy', 0.001, 59_000, { clientOrderId: cid });

beforeEach(async () => {
  emu = await emulator({ venue: 'binance', balances: { USDT: 10_000 } });
  emu.state.applyMarket(book('binance', SYM, [[59_990, 1]], [[60_010, 1]]));
  ex = ccxtFor('binance', emu.url, undefined, { timeout: 400 });
  await ex.loadMarkets();
});
afterEach(async () => {
  await emu.close();
});

describe('emulator fault hooks', () => {
  it('error(status, body) refuses the N-th order request before the venue sees it', async () => {
    emu.state.setFaultPlan(faultsByOrderSeq({ 2: { type: 'error', status: 503, body: { code: -1008, msg: 'Server is currently overloaded with other requests. Please try again in a few minutes.' } } }));
    await place('f-1');
    await rejection(place('f-2'), ccxt.OperationFailed);
    await place('f-3');
    expect((await orders()).map((o) => o.clientOrderId)).toEqual(['f-1', 'f-3']);
  });

  it('timeout-after-accept: the client times out, the order exists and is found by client id', async () => {
    emu.state.setFaultPlan(faultsByOrderSeq({ 1: { type: 'timeout-after-accept' } }));
    await rejection(place('t-1'), ccxt.RequestTimeout);
    expect((await orders()).map((o) => [o.clientOrderId, o.status])).toEqual([['t-1', 'open']]);
    expect((await ex.fetchOrder('', SYM, { clientOrderId: 't-1' })).status).toBe('open');
  });

  it('timeout-before-accept: the client times out and nothing reached the venue', async () => {
    emu.state.setFaultPlan(faultsByOrderSeq({ 1: { type: 'timeout-before-accept' } }));
    await rejection(place('t-2'), ccxt.RequestTimeout);
    expect(await orders()).toEqual([]);
    await rejection(ex.fetchOrder('', SYM, { clientOrderId: 't-2' }), ccxt.OrderNotFound);
  });

  it('error-after-accept: Binance -1007 (execution status unknown) while the order was placed', async () => {
    const body = { code: -1007, msg: 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.' };
    emu.state.setFaultPlan(faultsByOrderSeq({ 1: { type: 'error-after-accept', status: 408, body } }));
    await rejection(place('u-1'), ccxt.RequestTimeout);
    expect((await orders()).map((o) => o.clientOrderId)).toEqual(['u-1']);
  });

  it('reset-after-accept: the connection drops after the order was placed', async () => {
    emu.state.setFaultPlan(faultsByOrderSeq({ 1: { type: 'reset-after-accept' } }));
    await rejection(place('r-1'), ccxt.NetworkError);
    expect((await orders()).map((o) => o.clientOrderId)).toEqual(['r-1']);
  });

  it('rules: 429 with Retry-After on market data, a delay on cancels; other requests pass', async () => {
    emu.state.setFaultPlan(
      ruleFaults([
        { when: (r) => r.kind === 'market', action: { type: 'error', status: 429, body: { code: -1003, msg: 'Too many requests.' }, headers: { 'retry-after': '1' } }, times: 1 },
        { when: (r) => r.kind === 'order.cancel', action: { type: 'delay', ms: 150 } },
      ]),
    );
    await rejection(ex.fetchOrderBook(SYM), ccxt.DDoSProtection);
    expect((await ex.fetchOrderBook(SYM)).bids[0]).toEqual([59_990, 1]);
    const o = await place('d-1');
    const t0 = Date.now();
    expect((await ex.cancelOrder(o.id!, SYM)).status).toBe('canceled');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('upbit: a 5xx after accept leaves an order the client finds by identifier', async () => {
    const up = await emulator({ venue: 'upbit', balances: { KRW: 10_000_000 } });
    try {
      up.state.applyMarket(book('upbit', 'BTC/KRW', [[139_990_000, 1]], [[140_010_000, 1]]));
      up.state.setFaultPlan(faultsByOrderSeq({ 1: { type: 'error-after-accept', status: 500, body: { error: { name: 'server_error', message: 'oops' } } } }));
      const u = ccxtFor('upbit', up.url);
      await rejection(u.createOrder('BTC/KRW', 'limit', 'buy', 0.001, 139_000_000, { clientOrderId: 'x-1' }), ccxt.ExchangeError);
      const found = await u.fetchOrder(undefined as unknown as string, undefined, { identifier: 'x-1' });
      expect(found.status).toBe('open');
    } finally {
      await up.close();
    }
  });
});
