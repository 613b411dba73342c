import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { OrderRegistry } from '../../src/domain/order-registry.ts';
import type { OrderEvent, SubmitOrder } from '../../src/domain/types.ts';
import { trackOrders, type TrackedFill } from '../../src/operators/track-orders.ts';

const cmd = (clientId: string): SubmitOrder => ({ clientId, venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: 1, ts: 0 });
const accepted = (clientId: string): OrderEvent => ({ kind: 'OrderAccepted', clientId, venue: 'binance', symbol: 'BTC/USDT', ts: 1, exchangeId: `x-${clientId}` });
const filled = (clientId: string, tradeId: string, quantity = 0.5): OrderEvent => ({
  kind: 'OrderFilled',
  clientId,
  venue: 'binance',
  symbol: 'BTC/USDT',
  ts: 2,
  exchangeId: `x-${clientId}`,
  tradeId,
  side: 'buy',
  price: 100,
  quantity,
  notional: 50n * 10n ** 18n,
  fee: 0n,
  feeAsset: 'USDT',
  liquidity: 'taker',
});

function setup() {
  const orders = new OrderRegistry();
  const foreign: OrderEvent[] = [];
  const out: TrackedFill[] = [];
  const events$ = new Subject<OrderEvent>();
  let error: unknown;
  let completed = false;
  const sub = events$.pipe(trackOrders(orders, (e) => foreign.push(e))).subscribe({
    next: (f) => out.push(f),
    error: (e: unknown) => (error = e),
    complete: () => (completed = true),
  });
  return { orders, foreign, out, events$, sub, state: () => ({ error, completed }) };
}

describe('trackOrders', () => {
  it('when an order is accepted and filled twice then both fills pass, tagged with the order, and a repeat is dropped', () => {
    const t = setup();
    const o = t.orders.create(cmd('a'));
    t.orders.transition(o, 'submit', 0);
    t.events$.next(accepted('a'));
    t.events$.next(filled('a', 't1'));
    t.events$.next(filled('a', 't1'));
    t.events$.next(filled('a', 't2'));
    expect(t.out.map((f) => [f.fill.tradeId, f.order.cmd.clientId])).toEqual([
      ['t1', 'a'],
      ['t2', 'a'],
    ]);
    expect(o.status).toBe('filled');
  });

  it('when an event is for an order this run never made then it goes to onForeign and nothing is emitted', () => {
    const t = setup();
    t.events$.next(filled('stranger', 't9'));
    expect(t.foreign).toHaveLength(1);
    expect(t.out).toHaveLength(0);
  });

  it('when a transition is not allowed then the stream errors with it', () => {
    const t = setup();
    t.orders.create(cmd('b')); // still `new`: a fill is not a transition from there
    t.events$.next(filled('b', 't1'));
    expect(String(t.state().error)).toMatch(/fill/);
  });

  it('when the source completes then so does the stream; after unsubscribe nothing is applied', () => {
    const t = setup();
    const o = t.orders.create(cmd('c'));
    t.orders.transition(o, 'submit', 0);
    t.sub.unsubscribe();
    t.events$.next(accepted('c'));
    expect(o.status).toBe('submitting');
    const u = setup();
    u.events$.complete();
    expect(u.state().completed).toBe(true);
  });
});
