import { describe, expect, it } from 'vitest';
import { mulRate, notionalAtto } from '../../src/domain/money.ts';
import { Harness, atto, sum } from './harness.ts';

const ASKS: Array<[number, number]> = [
  [100, 0.5],
  [100.5, 0.3],
  [101, 1],
];

describe('simulated exchange: market orders (book model)', () => {
  it('when a market buy is larger than the best level then it walks the levels at their prices with taker fees', async () => {
    const h = new Harness({ balances: { USDT: '1000' } });
    h.at(1000).book([[99, 1]], ASKS);
    const id = h.submit('buy', 'market', 1);
    h.settle();

    const fills = h.fills(id);
    expect(fills.map((f) => [f.price, f.quantity, f.liquidity])).toEqual([
      [100, 0.5, 'taker'],
      [100.5, 0.3, 'taker'],
      [101, 0.2, 'taker'],
    ]);
    const notional = sum(fills.map((f) => f.notional));
    expect(notional, 'VWAP 100.35 × 1 BTC').toBe(atto('100.35'));
    expect(sum(fills.map((f) => f.fee)), '0.1% of each fill').toBe(atto('0.10035'));
    for (const f of fills) {
      expect(f.notional).toBe(notionalAtto(f.price, f.quantity));
      expect(f.fee).toBe(mulRate(f.notional, 0.001));
      expect(f.feeAsset).toBe('USDT');
    }
    expect(await h.balance('USDT')).toBe(atto('1000') - atto('100.35') - atto('0.10035'));
    expect(await h.balance('BTC')).toBe(atto('1'));
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderFilled', 'OrderFilled']);
  });

  it('when a market sell walks the bids then it receives notional minus fee', async () => {
    const h = new Harness({ balances: { BTC: '1' } });
    h.at(1000).book(
      [
        [99, 0.25],
        [98, 1],
      ],
      [[101, 1]],
    );
    const id = h.submit('sell', 'market', 0.75);
    h.settle();
    expect(h.fills(id).map((f) => [f.price, f.quantity])).toEqual([
      [99, 0.25],
      [98, 0.5],
    ]);
    expect(await h.balance('USDT')).toBe(atto('73.75') - atto('0.07375'));
    expect(await h.balance('BTC')).toBe(atto('0.25'));
  });

  it('when the book runs out then the filled part is kept and the remainder expires', async () => {
    const h = new Harness({ balances: { USDT: '1000' } });
    h.at(1000).book([], ASKS);
    const id = h.submit('buy', 'market', 2);
    h.settle();
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderFilled', 'OrderFilled', 'OrderFilled', 'OrderExpired']);
    expect(h.of(id).at(-1)).toMatchObject({ reason: 'no liquidity for remainder' });
    expect(await h.order(id)).toMatchObject({ status: 'expired', filled: 1.8, quantity: 2 });
    expect(h.ex.top('BTC/USDT')?.ask, 'our consumption emptied the ask side').toBeUndefined();
  });

  it('when a level was consumed then it stays consumed until the data sets it again', () => {
    const h = new Harness();
    h.at(1000).book([], [[100, 1]]);
    const a = h.submit('buy', 'market', 0.6);
    h.settle();
    const b = h.submit('buy', 'market', 0.6);
    h.settle();
    expect(h.fills(a).map((f) => f.quantity)).toEqual([0.6]);
    expect(h.fills(b).map((f) => f.quantity), 'only 0.4 left').toEqual([0.4]);
    h.at(2000).level('ask', 100, 1);
    const c = h.submit('buy', 'market', 0.6);
    h.settle();
    expect(h.fills(c).map((f) => f.quantity), 'the data reset the level').toEqual([0.6]);
  });

  it('when quote runs out mid-walk then the buy fills what it can pay for and the rest expires', async () => {
    const h = new Harness({ balances: { USDT: '50.05' } });
    h.at(1000).book([], [[100, 1]]);
    const id = h.submit('buy', 'market', 1);
    h.settle();
    expect(h.fills(id).map((f) => f.quantity), '50 + 0.05 fee is every last atto').toEqual([0.5]);
    expect(h.of(id).at(-1)).toMatchObject({ kind: 'OrderExpired', reason: 'insufficient funds for remainder' });
    expect(await h.balance('USDT')).toBe(0n);
  });

  it('when a level holds less than one lot then the walk skips it', () => {
    const h = new Harness();
    h.at(1000).book(
      [],
      [
        [100, 0.000004],
        [100.01, 1],
      ],
    );
    const id = h.submit('buy', 'market', 0.1);
    h.settle();
    expect(h.fills(id).map((f) => f.price)).toEqual([100.01]);
  });

  it('when there is no ask at all then the market buy is accepted and expires', () => {
    const h = new Harness();
    h.at(1000).book([[99, 1]], []);
    const id = h.submit('buy', 'market', 0.1);
    h.settle();
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderExpired']);
  });
});
