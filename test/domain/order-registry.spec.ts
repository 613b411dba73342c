import { describe, expect, it } from 'vitest';
import { notionalAtto } from '../../src/domain/money.ts';
import { OrderRegistry } from '../../src/domain/order-registry.ts';
import type { OrderRecord } from '../../src/domain/run-result.ts';
import type { OrderFilled, SubmitOrder } from '../../src/domain/types.ts';

const cmd = (clientId: string, quantity = 1): SubmitOrder => ({
  clientId, venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity, ts: 1,
});
const filled = (clientId: string, tradeId: string, quantity: number): OrderFilled => ({
  kind: 'OrderFilled', clientId, venue: 'binance', symbol: 'BTC/USDT', ts: 2, exchangeId: 'x1', tradeId,
  side: 'buy', price: 100, quantity, notional: notionalAtto(100, quantity), fee: 0n, feeAsset: 'USDT', liquidity: 'taker',
});

describe('order registry', () => {
  it('when the same trade id arrives twice then the second is a duplicate and the quantity counts once', () => {
    const r = new OrderRegistry();
    const o = r.create(cmd('a', 2));
    r.transition(o, 'submit', 1);
    expect(r.apply(filled('a', 't1', 1)).duplicate).toBe(false);
    expect(r.apply(filled('a', 't1', 1)).duplicate).toBe(true);
    expect(o.status).toBe('partially_filled');
    expect(r.apply(filled('a', 't2', 1)).order?.status).toBe('filled');
  });

  it('when an order closes then onClosed receives its final record and live count drops', () => {
    const closed: OrderRecord[] = [];
    const r = new OrderRegistry((rec) => closed.push(rec));
    const o = r.create(cmd('a'));
    r.transition(o, 'submit', 1);
    expect(r.liveCount).toBe(1);
    r.apply({ kind: 'OrderAccepted', clientId: 'a', venue: 'binance', symbol: 'BTC/USDT', ts: 2, exchangeId: 'x1' });
    r.apply({ kind: 'OrderCanceled', clientId: 'a', venue: 'binance', symbol: 'BTC/USDT', ts: 3 });
    expect(r.liveCount).toBe(0);
    expect(closed.map((c) => [c.clientId, c.status, c.exchangeId])).toEqual([['a', 'canceled', 'x1']]);
    expect(r.statusCounts().get('canceled')).toBe(1);
  });

  it('when more orders close than are kept then old ones leave memory but stay counted', () => {
    const r = new OrderRegistry(() => {}, 2);
    for (const id of ['a', 'b', 'c']) {
      const o = r.create(cmd(id));
      r.transition(o, 'submit', 1);
      r.apply(filled(id, `t-${id}`, 1));
    }
    expect(r.get('a')).toBeUndefined();
    expect(r.get('c')?.status).toBe('filled');
    expect(r.statusCounts().get('filled')).toBe(3);
  });

  it('when an event names an unknown client id then apply reports no order', () => {
    const r = new OrderRegistry();
    expect(r.apply(filled('zzz', 't', 1)).order).toBeUndefined();
  });

  it('when a client id is reused then create throws', () => {
    const r = new OrderRegistry();
    r.create(cmd('a'));
    expect(() => r.create(cmd('a'))).toThrow(/already used/);
  });

  it('when a local check rejects a new order then it is closed as rejected', () => {
    const closed: OrderRecord[] = [];
    const r = new OrderRegistry((rec) => closed.push(rec));
    r.transition(r.create(cmd('a')), 'reject', 1, 'MIN_NOTIONAL: too small');
    expect(closed[0]?.status).toBe('rejected');
    expect(closed[0]?.reason).toMatch(/MIN_NOTIONAL/);
  });

  it('when an order settled locally as absent is shown by the venue after all, then it is reopened, takes the news, and every count stays consistent', () => {
    const closed: OrderRecord[] = [];
    const r = new OrderRegistry((rec) => closed.push(rec));
    const o = r.create(cmd('a'));
    r.transition(o, 'submit', 1);
    r.apply({ kind: 'OrderStatusUnknown', clientId: 'a', venue: 'binance', symbol: 'BTC/USDT', ts: 2, reason: 'timeout' });
    r.apply({ kind: 'OrderRejected', clientId: 'a', venue: 'binance', symbol: 'BTC/USDT', ts: 3, code: 'ABSENT', reason: 'proven absent', resolution: 'local' });
    expect(r.resolutionCounts().get('local')).toBe(1);
    // The venue was only slow: the order exists and filled.
    r.apply({ kind: 'OrderAccepted', clientId: 'a', venue: 'binance', symbol: 'BTC/USDT', ts: 4, exchangeId: 'x1' });
    expect(o.status).toBe('open');
    r.apply(filled('a', 't1', 1));
    expect(o).toMatchObject({ status: 'filled', resolution: 'lookup' });
    expect(closed.map((c) => c.status)).toEqual(['rejected', 'filled']);
    expect(r.reopened).toBe(1);
    expect(r.statusCounts().get('rejected') ?? 0).toBe(0);
    expect(r.statusCounts().get('filled')).toBe(1);
    expect(r.resolutionCounts().get('local')).toBe(0);
    expect(r.resolutionCounts().get('lookup')).toBe(1);
  });

  it('when an order settled by the venue (not locally) gets impossible news, then it is not reopened', () => {
    const r = new OrderRegistry();
    const o = r.create(cmd('b'));
    r.transition(o, 'submit', 1);
    r.apply({ kind: 'OrderRejected', clientId: 'b', venue: 'binance', symbol: 'BTC/USDT', ts: 2, reason: 'insufficient balance' });
    expect(() => r.apply({ kind: 'OrderAccepted', clientId: 'b', venue: 'binance', symbol: 'BTC/USDT', ts: 3, exchangeId: 'x' })).toThrow(/cannot/);
    expect(r.reopened).toBe(0);
  });
});
