import { describe, expect, it } from 'vitest';
import { tickAt } from '../../src/domain/precision.ts';
import type { MarketDef, OrderRejected } from '../../src/domain/types.ts';
import { BINANCE_BTC_USDT, Harness, UPBIT_BTC_KRW, UPBIT_USDT_KRW } from './harness.ts';

const rejection = (h: Harness, id: string): Pick<OrderRejected, 'code'> | string => {
  const e = h.of(id)[0];
  return e?.kind === 'OrderRejected' ? { code: e.code } : (e?.kind ?? 'nothing');
};

function binance(): Harness {
  const h = new Harness({ defs: [BINANCE_BTC_USDT], balances: { BTC: '1', USDT: '10000' } });
  h.at(1000).book([[99.99, 10]], [[100.01, 10]]);
  return h;
}

function upbit(defs: MarketDef[] = [UPBIT_BTC_KRW, UPBIT_USDT_KRW]): Harness {
  return new Harness({ defs, balances: { BTC: '1', USDT: '1000', KRW: '100000000' } });
}

describe('simulated exchange: venue filters on arrival', () => {
  it('when the price is off the tick then the order is rejected with PRICE_FILTER', () => {
    const h = binance();
    const id = h.submit('buy', 'limit', 0.1, 100.005);
    const ok = h.submit('buy', 'limit', 0.1, 100.01);
    h.settle();
    expect(rejection(h, id)).toEqual({ code: 'PRICE_FILTER' });
    expect(rejection(h, ok)).toBe('OrderAccepted');
  });

  it('when the amount is not a whole number of lots then the order is rejected with LOT_SIZE', () => {
    const h = binance();
    const odd = h.submit('buy', 'limit', 0.000015, 100);
    const zero = h.submit('buy', 'market', 0);
    const noisy = h.submit('buy', 'limit', 0.1 + 0.2, 100); // 0.30000000000000004 is 30000 lots
    h.settle();
    expect(rejection(h, odd)).toEqual({ code: 'LOT_SIZE' });
    expect(rejection(h, zero)).toEqual({ code: 'LOT_SIZE' });
    expect(rejection(h, noisy)).toBe('OrderAccepted');
  });

  it('when the notional is under the minimum then the order is rejected with MIN_NOTIONAL, market orders priced at the mark', () => {
    const h = binance();
    const limit = h.submit('buy', 'limit', 0.00004, 100);
    const market = h.submit('sell', 'market', 0.00004);
    const enough = h.submit('sell', 'market', 0.06); // 6 USDT at the mid
    h.settle();
    expect(rejection(h, limit)).toEqual({ code: 'MIN_NOTIONAL' });
    expect(rejection(h, market)).toEqual({ code: 'MIN_NOTIONAL' });
    expect(rejection(h, enough)).toBe('OrderAccepted');
  });

  it('when the amount is under the minimum then the order is rejected with MIN_AMOUNT', () => {
    const def: MarketDef = { ...BINANCE_BTC_USDT, limits: { amount: { min: 0.001 } } };
    const h = new Harness({ defs: [def] });
    h.at(1000).book([[99, 1]], [[101, 1]]);
    const id = h.submit('buy', 'limit', 0.0005, 100);
    h.settle();
    expect(rejection(h, id)).toEqual({ code: 'MIN_AMOUNT' });
  });

  it('when the symbol is unknown then the order is rejected with BAD_SYMBOL', () => {
    const h = binance();
    const id = h.submit('buy', 'market', 1, undefined, 'DOGE/USDT');
    h.settle();
    expect(h.of(id)).toMatchObject([{ kind: 'OrderRejected', code: 'BAD_SYMBOL', symbol: 'DOGE/USDT' }]);
  });

  it('when funds are short then the order is rejected with INSUFFICIENT_FUNDS', () => {
    const h = binance();
    const buy = h.submit('buy', 'limit', 100, 100); // 10,000 + fee > 10,000 USDT
    const sell = h.submit('sell', 'limit', 2, 100); // 1 BTC held
    h.settle();
    expect(rejection(h, buy)).toEqual({ code: 'INSUFFICIENT_FUNDS' });
    expect(rejection(h, sell)).toEqual({ code: 'INSUFFICIENT_FUNDS' });
  });

  it('when a market buy cannot pay for one lot at the best ask then it is rejected', () => {
    const h = new Harness({ balances: { USDT: '0.001' } });
    h.at(1000).book([], [[100, 1]]);
    const id = h.submit('buy', 'market', 1); // one lot costs 0.001 + 0.000001 fee
    h.settle();
    expect(rejection(h, id)).toEqual({ code: 'INSUFFICIENT_FUNDS' });
  });

  it('when an open order already uses the client id then the new one is rejected as a duplicate', () => {
    const h = binance();
    const id = h.submit('buy', 'limit', 0.1, 99);
    h.settle();
    void h.ex.submit({ clientId: id, venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: 0.1, price: 98, ts: 1000 });
    h.settle();
    expect(h.of(id).map((e) => e.kind)).toEqual(['OrderAccepted', 'OrderRejected']);
    expect(h.of(id)[1]).toMatchObject({ code: 'DUPLICATE_CLIENT_ID' });
  });

  it('when BTC/KRW trades at 159,523,000 then the Upbit tick is 1,000 KRW', () => {
    const h = upbit();
    expect(tickAt(UPBIT_BTC_KRW, 159_523_000)).toBe(1000);
    const on = h.submit('buy', 'limit', 0.001, 159_523_000);
    const off = h.submit('buy', 'limit', 0.001, 159_523_500);
    h.settle();
    expect(rejection(h, on)).toBe('OrderAccepted');
    expect(rejection(h, off)).toEqual({ code: 'PRICE_FILTER' });
  });

  it('when USDT/KRW trades at 1,380 then the tick is 0.5 KRW from its own table', () => {
    const h = upbit();
    expect(tickAt(UPBIT_USDT_KRW, 1_380)).toBe(0.5);
    const half = h.submit('buy', 'limit', 10, 1_380.5, 'USDT/KRW');
    const tenth = h.submit('buy', 'limit', 10, 1_380.3, 'USDT/KRW');
    h.settle();
    expect(rejection(h, half)).toBe('OrderAccepted');
    expect(rejection(h, tenth)).toEqual({ code: 'PRICE_FILTER' });
  });

  it('when an Upbit order is under 5,000 KRW then it is rejected with MIN_NOTIONAL', () => {
    const h = upbit();
    const small = h.submit('buy', 'limit', 0.00003, 159_523_000); // 4,785.69 KRW
    const big = h.submit('buy', 'limit', 0.00004, 159_523_000); // 6,380.92 KRW
    h.settle();
    expect(rejection(h, small)).toEqual({ code: 'MIN_NOTIONAL' });
    expect(rejection(h, big)).toBe('OrderAccepted');
  });
});
