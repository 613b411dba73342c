import { describe, expect, it } from 'vitest';
import { mulRate, notionalAtto } from '../../src/domain/money.ts';
import { Harness, UPBIT_BTC_KRW } from './harness.ts';

const MIN = 60_000;

describe('simulated exchange: bar model', () => {
  it('when a market buy arrives between candles then it fills at the next open plus slippage, rounded up to the tick', () => {
    const h = new Harness({ fillModel: 'bar', slippageBps: 10 });
    h.at(0).candle(100, 105, 99, 104, 10);
    const buy = h.at(30_000).submit('buy', 'market', 0.5);
    const sell = h.submit('sell', 'market', 0.5);
    h.at(MIN).candle(110.03, 112, 108, 111, 10);
    const [b] = h.fills(buy);
    const [s] = h.fills(sell);
    expect([b!.price, b!.quantity, b!.ts, b!.liquidity]).toEqual([110.15, 0.5, MIN, 'taker']); // 110.14003 ↑
    expect([s!.price, s!.quantity]).toEqual([109.91, 0.5]); // 109.91997 ↓
    expect(b!.fee).toBe(mulRate(notionalAtto(110.15, 0.5), 0.001));
  });

  it('when the order arrives exactly at a candle open time then it fills at that candle open', () => {
    const h = new Harness({ fillModel: 'bar' });
    h.at(0).candle(100, 105, 99, 104, 10);
    h.at(MIN).candle(110, 112, 108, 111, 10);
    const id = h.submit('buy', 'market', 1);
    h.settle();
    expect(h.fills(id).map((f) => f.price)).toEqual([110]);
  });

  it('when there is no depth limit then a large bar-model order fills in full at one price', () => {
    const h = new Harness({ fillModel: 'bar', balances: { USDT: '1000000' } });
    h.at(0).candle(100, 101, 99, 100, 0.001);
    const id = h.submit('buy', 'market', 5000);
    h.at(MIN).candle(100, 101, 99, 100, 0.001);
    expect(h.fills(id).map((f) => [f.price, f.quantity])).toEqual([[100, 5000]]);
  });

  it('when the data ends before a candle then the waiting market order expires with a reason', async () => {
    const h = new Harness({ fillModel: 'bar' });
    h.at(0).candle(100, 105, 99, 104, 10);
    const id = h.at(10).submit('sell', 'market', 1);
    h.at(20).settle();
    expect(h.of(id).at(-1)).toMatchObject({ kind: 'OrderExpired', reason: expect.stringContaining('no candle') });
    expect(await h.balance('BTC'), 'the reserved base is released').toBe(10n * 10n ** 18n);
  });

  it('when a bar-model limit order is traded through by a later candle then it fills at the limit as maker', () => {
    const h = new Harness({ fillModel: 'bar' });
    h.at(0).candle(100, 105, 99, 104, 10);
    const id = h.submit('sell', 'limit', 1, 106);
    h.settle();
    h.at(10).trade(110, 5); // trades do not fill limits in the bar model
    expect(h.fills(id)).toEqual([]);
    h.at(MIN).candle(104, 107, 103, 106, 10);
    expect(h.fills(id).map((f) => [f.price, f.liquidity])).toEqual([[106, 'maker']]);
  });
});

describe('simulated exchange: synthetic book from candles (book model)', () => {
  it('when a market order meets a candle then it fills around the open, not the close (no look-ahead)', () => {
    const h = new Harness();
    h.at(0).candle(100, 120, 95, 118, 10);
    const buy = h.submit('buy', 'market', 0.5);
    const sell = h.submit('sell', 'market', 0.5);
    h.settle();
    expect(h.fills(buy).map((f) => f.price), 'ask = open × (1 + 5 bps)').toEqual([100.05]);
    expect(h.fills(sell).map((f) => f.price)).toEqual([99.95]);
    expect(h.ex.mark('BTC/USDT'), 'the close only becomes the mark').toBe(118);
  });

  it('when the candle book is walked then each level holds depthFraction × previous volume / levels', () => {
    const h = new Harness({ candleBook: { spreadBps: 10, levels: 5, levelStepBps: 10, depthFraction: 0.5 } });
    h.at(0).candle(100, 101, 99, 100, 10); // first candle: own volume → 1 per level
    expect(h.ex.top('BTC/USDT')).toMatchObject({ bid: 99.95, bidSize: 1, ask: 100.05, askSize: 1 });
    h.at(MIN).candle(200, 201, 199, 200, 1000); // sized from the previous candle's 10, not its own 1000
    const id = h.submit('buy', 'market', 1.5);
    h.settle();
    expect(h.fills(id).map((f) => [f.price, f.quantity])).toEqual([
      [200.1, 1],
      [200.3, 0.5],
    ]);
  });

  it('when the spread is zero then bid and ask are still one tick apart', () => {
    const h = new Harness({ candleBook: { spreadBps: 0, levels: 2, levelStepBps: 0, depthFraction: 1 } });
    h.at(0).candle(100, 101, 99, 100, 10);
    expect(h.ex.top('BTC/USDT')).toMatchObject({ bid: 100, ask: 100.01 });
  });

  it('when an Upbit candle straddles a tick-table boundary then levels snap to the tick of their own price', () => {
    const h = new Harness({ defs: [UPBIT_BTC_KRW], balances: { KRW: '1000000000' } });
    h.at(0).candle(1_000_200, 1_001_000, 999_000, 1_000_500, 10);
    const top = h.ex.top('BTC/KRW')!;
    expect(top.ask).toBe(1_001_000); // 1,000,700.1 → next 1,000 tick
    expect(top.bid).toBe(999_500); // 999,699.9 → 500 tick below 1,000,000
  });
});
