import { describe, expect, it } from 'vitest';
import { mulRate, notionalAtto } from '../../src/domain/money.ts';
import { Harness, atto } from './harness.ts';

/** A book with a resting buy of 0.5 @ 100 and a resting sell of 0.5 @ 102 between 99 and 103. */
function withRestingOrders(): { h: Harness; buy: string; sell: string } {
  const h = new Harness();
  h.at(1000).book([[99, 1]], [[103, 1]]);
  const buy = h.submit('buy', 'limit', 0.5, 100);
  const sell = h.submit('sell', 'limit', 0.5, 102);
  h.settle();
  return { h, buy, sell };
}

describe('simulated exchange: limit orders (book model)', () => {
  it('when a limit order does not cross then it rests without a fill', async () => {
    const { h, buy, sell } = withRestingOrders();
    expect(h.kinds(buy)).toEqual(['OrderAccepted']);
    expect(h.kinds(sell)).toEqual(['OrderAccepted']);
    expect((await h.ex.fetchOpenOrders('BTC/USDT')).map((o) => o.clientId)).toEqual([buy, sell]);
    expect(h.ex.top('BTC/USDT'), 'our orders are not in the data book').toMatchObject({ bid: 99, ask: 103 });
  });

  it('when a level update brings the best ask to the limit then the buy fills as maker at its limit up to that quantity', () => {
    const { h, buy } = withRestingOrders();
    h.at(2000).level('ask', 100, 0.2);
    expect(h.fills(buy).map((f) => [f.price, f.quantity, f.liquidity])).toEqual([[100, 0.2, 'maker']]);
    h.at(3000).level('ask', 99.5, 1);
    expect(h.fills(buy).map((f) => [f.price, f.quantity]), 'at its limit, not the better ask').toEqual([
      [100, 0.2],
      [100, 0.3],
    ]);
    expect(h.ex.top('BTC/USDT')?.ask, 'the crossing liquidity we took is gone from the level').toBe(99.5);
    expect(h.ex.top('BTC/USDT')?.askSize).toBeCloseTo(0.7, 12);
  });

  it('when a bid update reaches a resting sell then the sell fills at its limit', () => {
    const { h, sell } = withRestingOrders();
    h.at(2000).level('bid', 102.5, 2);
    expect(h.fills(sell).map((f) => [f.price, f.quantity, f.liquidity])).toEqual([[102, 0.5, 'maker']]);
  });

  it('when a trade prints exactly at the limit then nothing fills (queue position unknown)', () => {
    const { h, buy, sell } = withRestingOrders();
    h.at(2000).trade(100, 5);
    h.trade(102, 5);
    expect(h.fills(buy)).toEqual([]);
    expect(h.fills(sell)).toEqual([]);
  });

  it('when a trade prints through the limit then it fills up to the trade quantity', () => {
    const { h, buy, sell } = withRestingOrders();
    h.at(2000).trade(99.99, 0.1);
    expect(h.fills(buy).map((f) => [f.price, f.quantity])).toEqual([[100, 0.1]]);
    h.trade(102.01, 3);
    expect(h.fills(sell).map((f) => [f.price, f.quantity])).toEqual([[102, 0.5]]);
    expect(h.kinds(sell).at(-1)).toBe('OrderFilled');
  });

  it('when a candle low goes below the limit then the buy fills in full at the limit, or at a gapped open', () => {
    const h = new Harness();
    h.at(0).candle(100.2, 101, 100.2, 100.5, 10);
    const a = h.submit('buy', 'limit', 0.5, 100);
    const b = h.submit('buy', 'limit', 0.5, 99.5);
    h.settle();
    h.at(60_000).candle(100.1, 100.4, 99.9, 100, 10);
    expect(h.fills(a).map((f) => [f.price, f.quantity, f.liquidity])).toEqual([[100, 0.5, 'maker']]);
    expect(h.fills(b), 'low 99.9 is not below 99.5').toEqual([]);
    h.at(120_000).candle(99, 99.2, 98.5, 99, 10);
    expect(h.fills(b).map((f) => [f.price, f.quantity]), 'gap: the open is better than the limit').toEqual([[99, 0.5]]);
  });

  it('when a candle low equals the limit then nothing fills', () => {
    const h = new Harness();
    h.at(0).candle(101, 101, 101, 101, 10);
    const a = h.submit('buy', 'limit', 0.5, 100);
    h.settle();
    h.at(60_000).candle(100.5, 101, 100, 100.5, 10);
    expect(h.fills(a)).toEqual([]);
  });

  it('when a limit order crosses on arrival then the marketable part is taker and the rest fills later as maker', () => {
    const h = new Harness();
    h.at(1000).book([[99, 1]], [[100, 0.3]]);
    const id = h.submit('buy', 'limit', 0.5, 100.5);
    h.settle();
    h.at(2000).trade(100.4, 1);
    const fills = h.fills(id);
    expect(fills.map((f) => [f.price, f.quantity, f.liquidity])).toEqual([
      [100, 0.3, 'taker'],
      [100.5, 0.2, 'maker'],
    ]);
    expect(fills[0]!.fee).toBe(mulRate(notionalAtto(100, 0.3), 0.001));
    expect(fills[1]!.fee).toBe(mulRate(notionalAtto(100.5, 0.2), 0.0005));
    expect(fills[1]!.fee, 'maker fee is half the taker fee here').toBe(atto('0.010050'));
  });

  it('when a limit buy is canceled then its reservation is released for the next order', async () => {
    const h = new Harness({ balances: { USDT: '1000' } });
    h.at(1000).book([[90, 1]], [[110, 1]]);
    const first = h.submit('buy', 'limit', 1, 100);
    h.settle();
    const blocked = h.submit('buy', 'limit', 9, 100);
    h.settle();
    expect(h.of(blocked)[0]).toMatchObject({ kind: 'OrderRejected', code: 'INSUFFICIENT_FUNDS' });
    expect(await h.balance('USDT'), 'fetchBalance is free + locked').toBe(atto('1000'));

    h.at(2000).cancel(first);
    h.settle();
    expect(h.kinds(first)).toEqual(['OrderAccepted', 'OrderCanceled']);
    const next = h.submit('buy', 'limit', 9, 100);
    h.settle();
    expect(h.kinds(next)).toEqual(['OrderAccepted']);
  });

  it('when a partly filled order is canceled then it ends canceled with the filled part kept', async () => {
    const { h, buy } = withRestingOrders();
    h.at(2000).trade(99, 0.2);
    h.cancel(buy);
    h.settle();
    expect(h.kinds(buy)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderCanceled']);
    expect(await h.order(buy)).toMatchObject({ status: 'canceled', filled: 0.2 });
    expect(await h.balance('BTC'), 'started with 10, sold none, bought 0.2').toBe(atto('10.2'));
  });

  it('when a cancel arrives for a filled or unknown order then nothing is emitted and it is recorded', async () => {
    const { h, sell } = withRestingOrders();
    h.at(2000).trade(102.5, 1);
    const before = h.events.length;
    h.cancel(sell);
    h.cancel('nope');
    h.settle();
    expect(h.events.length).toBe(before);
    expect(h.ex.ignoredCancels().map((c) => c.clientId)).toEqual([sell, 'nope']);
    expect(await h.order(sell)).toMatchObject({ status: 'filled', filled: 0.5 });
  });

  it('when several buys rest at one price then the oldest fills first', () => {
    const h = new Harness();
    h.at(1000).book([[99, 1]], [[103, 1]]);
    const first = h.submit('buy', 'limit', 0.5, 100);
    const second = h.submit('buy', 'limit', 0.5, 100);
    const better = h.submit('buy', 'limit', 0.5, 100.5);
    h.settle();
    h.at(2000).trade(99.9, 0.7);
    expect(h.fills(better).map((f) => f.quantity)).toEqual([0.5]);
    expect(h.fills(first).map((f) => f.quantity)).toEqual([0.2]);
    expect(h.fills(second)).toEqual([]);
  });

  it('when per-fill fee rounding adds up over many small fills then the reservation still covers it', async () => {
    // 5e-16 × 0.001 USDT = half an atto: every one-lot fill rounds its fee up to 1 atto, the whole to 5.
    const h = new Harness({ fees: { maker: 5e-16, taker: 5e-16 }, balances: { USDT: '0.02' } });
    h.at(1000).book([[99, 1]], [[101, 1]]);
    const id = h.submit('buy', 'limit', 0.0001, 100);
    h.settle();
    for (let i = 0; i < 10; i++) h.at(2000 + i).trade(99.99, 0.00001);
    const fills = h.fills(id);
    expect(fills.map((f) => f.fee)).toEqual(Array.from({ length: 10 }, () => 1n));
    expect(await h.balance('USDT')).toBe(atto('0.02') - atto('0.01') - 10n);
  });

  it('when an order in the middle of a price queue is canceled then the queue skips it', () => {
    const h = new Harness();
    h.at(1000).book([[99, 1]], [[103, 1]]);
    const [a, b, c] = [h.submit('buy', 'limit', 0.1, 100), h.submit('buy', 'limit', 0.1, 100), h.submit('buy', 'limit', 0.1, 100)];
    h.settle();
    h.at(2000).cancel(b);
    h.settle();
    h.at(3000).trade(99, 0.3);
    expect([h.fills(a).length, h.fills(b).length, h.fills(c).length]).toEqual([1, 0, 1]);
    h.trade(99, 1);
    expect(h.events.length, '3 acks, 1 cancel, 2 fills: nothing left to fill').toBe(6);
  });
});
