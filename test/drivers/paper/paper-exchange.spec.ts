import { describe, expect, it } from 'vitest';
import { EventClock } from '../../../src/core/clock.ts';
import { snapshotRows } from '../../../src/drivers/paper/book-poller.ts';
import { PaperExchange } from '../../../src/drivers/paper/paper-exchange.ts';
import { formatAtto, parseAtto } from '../../../src/domain/money.ts';
import type { MarketDef, OrderEvent } from '../../../src/domain/types.ts';

const market: MarketDef = {
  venue: 'binance', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT',
  precision: { price: 0.01, amount: 0.00001 }, limits: { cost: { min: 5 } }, maker: 0.001, taker: 0.001,
};

/** A stand-in for ccxt's fetchOrderBook that serves a scripted sequence of books. */
function scriptedSource(books: Array<{ bids: number[][]; asks: number[][] }>) {
  let i = 0;
  return {
    calls: () => i,
    fetchOrderBook: async () => books[Math.min(i++, books.length - 1)]!,
  };
}

describe('paper exchange', () => {
  it('when a book arrives then it becomes snapshot rows whose first row resets the book', () => {
    const rows = snapshotRows('binance', 'BTC/USDT', 5, { bids: [[100, 1], [99, 2]], asks: [[101, 1]] });
    expect(rows.map((r) => [r.side, r.price, r.quantity, r.reset, r.snapshot])).toEqual([
      ['bid', 100, 1, true, true],
      ['bid', 99, 2, false, true],
      ['ask', 101, 1, false, true],
    ]);
  });

  it('when a market buy is sent then it fills against the live book, and a limit rests until the book crosses it', async () => {
    const clock = new EventClock(1_000);
    const source = scriptedSource([
      { bids: [[100, 1]], asks: [[101, 0.5], [102, 1]] },
      { bids: [[97, 1]], asks: [[98.5, 1]] },
    ]);
    const paper = new PaperExchange({
      sim: { venue: 'binance', markets: new Map([['BTC/USDT', market]]), latencyMs: 0, balances: new Map([['USDT', parseAtto('1000')]]) },
      source,
      clock,
      pollIntervalMs: 60_000,
    });
    const events: OrderEvent[] = [];
    paper.events$.subscribe((e) => events.push(e));
    await paper.start();
    await paper.submit({ clientId: 'm1', venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: 1, ts: 1_000 });
    const fills = events.filter((e) => e.kind === 'OrderFilled');
    expect(fills.map((f) => (f.kind === 'OrderFilled' ? [f.price, f.quantity] : []))).toEqual([[101, 0.5], [102, 0.5]]);

    await paper.submit({ clientId: 'l1', venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: 1, price: 99, ts: 1_000 });
    expect(events.some((e) => e.kind === 'OrderFilled' && e.clientId === 'l1')).toBe(false);
    clock.advance(2_000);
    // @ts-expect-error reaching into the poller to simulate the next tick deterministically
    await paper.poller.pollOnce();
    const l1 = events.filter((e) => e.kind === 'OrderFilled' && e.clientId === 'l1');
    expect(l1.length, 'the ask moved to 98.5, through the 99 limit').toBe(1);
    const bal = await paper.fetchBalance();
    // 1000 − (50.5 + 51) − fees 0.1015 − 99 − fee 0.099
    expect(formatAtto(bal.get('USDT')!)).toBe('799.2995');
    expect(formatAtto(bal.get('BTC')!)).toBe('2');
    await paper.close();
  });
});
