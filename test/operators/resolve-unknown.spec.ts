import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { EventScheduler } from '../../src/core/clock.ts';
import type { ExchangeDriver, OrderQuery } from '../../src/drivers/exchange-driver.ts';
import { OrderRegistry } from '../../src/domain/order-registry.ts';
import type { OrderEvent, OrderSnapshot, SubmitOrder } from '../../src/domain/types.ts';
import { UnknownResolver } from '../../src/operators/resolve-unknown.ts';

const cmd: SubmitOrder = { clientId: 'tf1-1', venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: 1, price: 100, ts: 0 };
const snapshot: OrderSnapshot = { clientId: 'tf1-1', exchangeId: 'x9', venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'limit', quantity: 1, price: 100, filled: 0, status: 'open', ts: 0 };

/** A driver whose lookups answer from `answers` in turn (the last one repeats) and are logged with their time. */
function fakeDriver(answers: ('absent' | 'found' | 'error')[], clock: EventScheduler) {
  const lookups: { at: number; q: OrderQuery }[] = [];
  const forgotten: string[] = [];
  let i = 0;
  const driver = {
    venue: 'binance',
    events$: new Subject<OrderEvent>(),
    fetchOrder: async (q: OrderQuery) => {
      lookups.push({ at: clock.now(), q });
      const a = answers[Math.min(i++, answers.length - 1)];
      if (a === 'error') throw new Error('ECONNRESET');
      return a === 'found' ? snapshot : undefined;
    },
    forget: (id: string) => forgotten.push(id),
  } as unknown as ExchangeDriver;
  return { driver, lookups, forgotten };
}

function setup(answers: ('absent' | 'found' | 'error')[], accepted = false) {
  const clock = new EventScheduler(0);
  const orders = new OrderRegistry();
  const order = orders.create(cmd);
  orders.transition(order, 'submit', 0);
  if (accepted) orders.apply({ kind: 'OrderAccepted', clientId: cmd.clientId, venue: 'binance', symbol: 'BTC/USDT', ts: 0, exchangeId: 'x9' });
  orders.apply({ kind: 'OrderStatusUnknown', clientId: cmd.clientId, venue: 'binance', symbol: 'BTC/USDT', ts: 0, reason: 'timeout' });
  const { driver, lookups, forgotten } = fakeDriver(answers, clock);
  const emitted: OrderEvent[] = [];
  const gaveUp: string[] = [];
  const resolver = new UnknownResolver({
    orders,
    driver: () => driver,
    emit: (ev) => {
      emitted.push(ev);
      orders.apply(ev);
    },
    scheduler: clock,
    policy: { firstDelayMs: 100, maxDelayMs: 800, lookups: 3, minAbsentMs: 1000, giveUpMs: 5000 },
    onGiveUp: (_o, why) => gaveUp.push(why),
  });
  resolver.watch(order);
  /** Runs event time forward in steps, letting each lookup's promise settle. */
  const runFor = async (ms: number) => {
    for (let t = 0; t <= ms; t += 50) {
      clock.runDue(t);
      await new Promise((r) => setImmediate(r));
    }
  };
  return { order, orders, emitted, lookups, forgotten, gaveUp, resolver, runFor };
}

describe('UnknownResolver (rule 2)', () => {
  it('when the venue shows the order after two "not found" answers, then it is adopted by lookup and never settled locally', async () => {
    const s = setup(['absent', 'absent', 'found']);
    await s.runFor(3000);
    expect(s.lookups.map((l) => l.at)).toEqual([100, 300, 700]); // backoff 100, 200, 400
    expect(s.lookups[0]!.q).toMatchObject({ clientId: 'tf1-1', symbol: 'BTC/USDT' });
    expect(s.emitted).toMatchObject([{ kind: 'OrderAccepted', exchangeId: 'x9' }]);
    expect(s.order).toMatchObject({ status: 'open', resolution: 'lookup' });
    expect(s.resolver.pendingCount).toBe(0);
  });

  it('when the lookups keep finding nothing, then absence needs both the count and the time span, and is settled as a local rejection', async () => {
    const s = setup(['absent']);
    await s.runFor(6000);
    // Three "absent" answers arrive by t=700, but not before 1000 ms have passed: a fourth at 1500 settles it.
    expect(s.lookups.map((l) => l.at)).toEqual([100, 300, 700, 1500]);
    expect(s.emitted).toHaveLength(1);
    expect(s.emitted[0]).toMatchObject({ kind: 'OrderRejected', code: 'ABSENT', resolution: 'local' });
    expect(s.order).toMatchObject({ status: 'rejected', resolution: 'local' });
    expect(s.forgotten).toEqual(['tf1-1']);
  });

  it('when an order the venue once acknowledged is no longer found, then it ends canceled (locally), not rejected', async () => {
    const s = setup(['absent'], true);
    await s.runFor(6000);
    expect(s.emitted[0]).toMatchObject({ kind: 'OrderCanceled', resolution: 'local' });
    expect(s.order.status).toBe('canceled');
  });

  it('when lookups fail without an answer, then they never count as absence, and after giveUpMs the order is left unknown', async () => {
    const s = setup(['error']);
    await s.runFor(9000);
    expect(s.emitted).toEqual([]);
    expect(s.order.status).toBe('unknown');
    expect(s.gaveUp).toHaveLength(1);
    expect(s.lookups.at(-1)!.at).toBeGreaterThanOrEqual(5000);
  });

  it('when the order is settled by other news meanwhile (a poll, a push), then the resolver stops looking', async () => {
    const s = setup(['absent']);
    await s.runFor(150); // one lookup
    s.orders.apply({ kind: 'OrderAccepted', clientId: 'tf1-1', venue: 'binance', symbol: 'BTC/USDT', ts: 150, exchangeId: 'x9' });
    await s.runFor(6000);
    expect(s.lookups).toHaveLength(1);
    expect(s.emitted).toEqual([]);
  });
});
