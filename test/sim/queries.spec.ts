import { describe, expect, it } from 'vitest';
import type { BookTop } from '../../src/domain/types.ts';
import { Harness, atto } from './harness.ts';

describe('simulated exchange: queries and streams', () => {
  it('when an order is looked up by client id or exchange id then both give the same snapshot, open or finished', async () => {
    const h = new Harness();
    h.at(1000).book([[99, 1]], [[101, 1]]);
    const resting = h.submit('buy', 'limit', 0.5, 100);
    const done = h.submit('buy', 'market', 0.2);
    h.settle();
    const accepted = h.of(resting)[0]!;
    expect(accepted).toMatchObject({ kind: 'OrderAccepted', exchangeId: 'binance-1' });

    const byClient = await h.order(resting);
    const byExchange = await h.ex.fetchOrder({ symbol: 'BTC/USDT', exchangeId: 'binance-1' });
    expect(byClient).toEqual(byExchange);
    expect(byClient).toMatchObject({ status: 'open', price: 100, quantity: 0.5, filled: 0, side: 'buy', type: 'limit' });

    const finished = await h.ex.fetchOrder({ symbol: 'BTC/USDT', exchangeId: 'binance-2' });
    expect(finished).toEqual({
      clientId: done,
      exchangeId: 'binance-2',
      venue: 'binance',
      symbol: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      quantity: 0.2,
      filled: 0.2,
      status: 'filled',
      ts: 1000,
    });
    expect(await h.order(done)).toEqual(finished);
  });

  it('when the order is unknown or the symbol differs then fetchOrder answers undefined', async () => {
    const h = new Harness();
    h.at(1000).book([[99, 1]], [[101, 1]]);
    const id = h.submit('buy', 'limit', 0.5, 100);
    h.settle();
    expect(await h.order('nope')).toBeUndefined();
    expect(await h.ex.fetchOrder({ symbol: 'BTC/USDT', exchangeId: 'binance-99' })).toBeUndefined();
    expect(await h.ex.fetchOrder({ symbol: 'BTC/USDT', exchangeId: 'upbit-1' })).toBeUndefined();
    expect(await h.ex.fetchOrder({ symbol: 'ETH/USDT', clientId: id })).toBeUndefined();
  });

  it('when orders fill or cancel then they leave fetchOpenOrders', async () => {
    const h = new Harness();
    h.at(1000).book([[99, 1]], [[101, 1]]);
    const a = h.submit('buy', 'limit', 0.5, 100);
    const b = h.submit('sell', 'limit', 0.5, 102);
    const c = h.submit('buy', 'limit', 0.5, 98);
    h.settle();
    h.at(2000).trade(99.5, 1);
    h.cancel(c);
    h.settle();
    expect((await h.ex.fetchOpenOrders()).map((o) => o.clientId)).toEqual([b]);
    expect(await h.ex.fetchOpenOrders('ETH/USDT')).toEqual([]);
    expect((await h.order(a))?.status).toBe('filled');
  });

  it('when the top of book changes then book$ publishes it, and not on changes deeper in the book', () => {
    const h = new Harness();
    const tops: BookTop[] = [];
    h.ex.book$.subscribe((t) => tops.push(t));
    h.at(1000).level('bid', 99, 1);
    h.level('ask', 101, 1);
    h.level('bid', 98, 5); // deeper: no change at the top
    h.level('bid', 99, 2); // size only: not published
    h.at(2000).level('bid', 99.5, 1);
    expect(tops.map((t) => [t.ts, t.bid, t.ask])).toEqual([
      [1000, 99, undefined],
      [1000, 99, 101],
      [2000, 99.5, 101],
    ]);
    expect(tops[1]).toMatchObject({ venue: 'binance', symbol: 'BTC/USDT', bidSize: 1, askSize: 1, last: 100 });
  });

  it('when there are trades or candles then the mark is the last of them, else the mid', () => {
    const h = new Harness();
    expect(h.ex.mark('BTC/USDT')).toBeUndefined();
    h.at(1000).book([[99, 1]], [[101, 1]]);
    expect(h.ex.mark('BTC/USDT')).toBe(100);
    h.trade(100.5, 1);
    expect(h.ex.mark('BTC/USDT')).toBe(100.5);
    expect(h.ex.top('BTC/USDT')).toMatchObject({ last: 100.5, bid: 99, ask: 101 });
  });

  it('when balances are fetched then they are totals per asset, locked funds included', async () => {
    const h = new Harness({ balances: { BTC: '1', USDT: '500' } });
    h.at(1000).book([[99, 1]], [[101, 1]]);
    h.submit('buy', 'limit', 1, 100);
    h.submit('sell', 'limit', 1, 102);
    h.settle();
    const balances = await h.ex.fetchBalance();
    expect(balances.get('BTC')).toBe(atto('1'));
    expect(balances.get('USDT')).toBe(atto('500'));
  });

  it('when the venue is closed then the streams complete and new commands are refused', async () => {
    const h = new Harness();
    let completed = false;
    h.ex.events$.subscribe({ complete: () => (completed = true) });
    await h.ex.close();
    expect(completed).toBe(true);
    await expect(
      h.ex.submit({ clientId: 'x', venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: 1, ts: 0 }),
    ).rejects.toThrow(/after close/);
  });

  it('when a market event of another venue is fed then it is refused as a wiring bug', () => {
    const h = new Harness();
    expect(() => h.ex.onMarket({ kind: 'trade', ts: 1, venue: 'upbit', symbol: 'BTC/USDT', price: 1, quantity: 1 })).toThrow(
      /market event of venue upbit/,
    );
  });

  it('when the config has a bad field then construction fails naming it', () => {
    expect(() => new Harness({ latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => new Harness({ fees: { maker: 0.001, taker: Number.NaN } })).toThrow(/fees.taker/);
  });
});
