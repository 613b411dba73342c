/**
 * Backtests reading market data in parse workers apply it through onLevel/onTrade/onCandle (fields,
 * no event objects); everything else uses onMarket. The two must be the same venue: same order events,
 * same books, same balances, for any data and orders.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventClock } from '../../src/core/clock.ts';
import type { MarketEvent, OrderEvent, Side } from '../../src/domain/types.ts';
import { SimulatedExchange } from '../../src/sim/simulated-exchange.ts';
import { OrderStore } from '../../src/sim/order-store.ts';
import { SimOrder } from '../../src/sim/sim-order.ts';
import { PLAIN_BTC_USDT, atto } from './harness.ts';

type Step =
  | { t: 'level'; side: 'bid' | 'ask'; price: number; qty: number; snapshot: boolean; reset: boolean }
  | { t: 'trade'; price: number; qty: number }
  | { t: 'candle'; open: number; spread: number; close: number; volume: number }
  | { t: 'order'; side: Side; type: 'market' | 'limit'; qty: number; price: number }
  | { t: 'wait'; ms: number };

const price = fc.integer({ min: 9900, max: 10100 }).map((p) => p / 100);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ t: fc.constant('level' as const), side: fc.constantFrom('bid' as const, 'ask' as const), price, qty: fc.constantFrom(0, 0.5, 1, 2.25), snapshot: fc.boolean(), reset: fc.boolean() }),
  fc.record({ t: fc.constant('trade' as const), price, qty: fc.constantFrom(0.1, 1, 3) }),
  fc.record({ t: fc.constant('candle' as const), open: price, spread: fc.integer({ min: 0, max: 50 }).map((x) => x / 100), close: price, volume: fc.constantFrom(0, 1, 5) }),
  fc.record({ t: fc.constant('order' as const), side: fc.constantFrom('buy' as const, 'sell' as const), type: fc.constantFrom('market' as const, 'limit' as const), qty: fc.constantFrom(0.1, 0.5, 1.2), price }),
  fc.record({ t: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 3 }) }),
);

function venue(fillModel: 'book' | 'bar', latencyMs: number) {
  const clock = new EventClock(1000);
  const ex = new SimulatedExchange(
    {
      venue: 'binance',
      markets: new Map([[PLAIN_BTC_USDT.symbol, PLAIN_BTC_USDT]]),
      fees: { maker: 0.0005, taker: 0.001 },
      latencyMs,
      fillModel,
      balances: new Map([
        ['BTC', atto('10')],
        ['USDT', atto('100000')],
      ]),
    },
    clock,
  );
  const events: OrderEvent[] = [];
  ex.events$.subscribe((e) => events.push(e));
  return { clock, ex, events };
}

async function run(steps: Step[], fields: boolean, fillModel: 'book' | 'bar', latencyMs: number) {
  const v = venue(fillModel, latencyMs);
  const S = PLAIN_BTC_USDT.symbol;
  let n = 0;
  for (const s of steps) {
    const ts = v.clock.now();
    let ev: MarketEvent | undefined;
    switch (s.t) {
      case 'wait':
        v.clock.advance(ts + s.ms);
        continue;
      case 'order':
        void v.ex.submit({ clientId: `c${++n}`, venue: 'binance', symbol: S, side: s.side, type: s.type, quantity: s.qty, ...(s.type === 'limit' ? { price: s.price } : {}), ts });
        continue;
      case 'level':
        if (fields) v.ex.onLevel(S, ts, s.side === 'ask', s.price, s.qty, s.snapshot, s.reset);
        else ev = { kind: 'level', ts, venue: 'binance', symbol: S, side: s.side, price: s.price, quantity: s.qty, snapshot: s.snapshot, reset: s.reset };
        break;
      case 'trade':
        if (fields) v.ex.onTrade(S, ts, s.price, s.qty);
        else ev = { kind: 'trade', ts, venue: 'binance', symbol: S, price: s.price, quantity: s.qty };
        break;
      case 'candle': {
        const high = Math.max(s.open, s.close) + s.spread;
        const low = Math.min(s.open, s.close) - s.spread;
        if (fields) v.ex.onCandle(S, ts, s.open, high, low, s.close, s.volume);
        else ev = { kind: 'candle', ts, venue: 'binance', symbol: S, open: s.open, high, low, close: s.close, volume: s.volume };
        break;
      }
    }
    if (ev) v.ex.onMarket(ev);
  }
  v.ex.finish(v.clock.now() + latencyMs);
  return { events: v.events, balances: await v.ex.fetchBalance(), open: await v.ex.fetchOpenOrders(), top: v.ex.top(S), mark: v.ex.mark(S) };
}

describe('simulated venue: the fields path is the event path', () => {
  it('when the same data and orders go in as fields or as events then everything that comes out is the same', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), fc.constantFrom('book' as const, 'bar' as const), fc.constantFrom(0, 2), async (steps, model, latency) => {
        expect(await run(steps, true, model, latency)).toEqual(await run(steps, false, model, latency));
      }),
      { numRuns: 300 },
    );
  });
});

describe('order store: client ids kept compactly', () => {
  it('when ids follow the factory pattern or not then every id comes back exactly and is found by client id', () => {
    const store = new OrderStore('binance');
    const ids = ['tfabc123-1', 'tfabc123-z', 'tfabc123-10', 'tfabc123-01', 'tfabc123-A', 'other-5', 'no-dash-at-all', 'tfabc123-', 'c7', 'tfabc123-zzzzzzzzzz', 'tfabc123-zzzzzzzzzzz', 'tfabc123-1'];
    ids.forEach((clientId, i) => {
      const o = new SimOrder(i + 1, 'binance', { clientId, venue: 'binance', symbol: 'BTC/USDT', side: 'buy', type: 'market', quantity: 1, ts: 0 }, 1, Number.NaN, 0n, 0);
      store.add(o);
    });
    ids.forEach((id, i) => expect(store.clientIdOf(i + 1), id).toBe(id));
    // The latest use of a repeated id wins, as before.
    expect(store.seqOf('tfabc123-1')).toBe(12);
    expect(store.seqOf('tfabc123-01')).toBe(4);
    expect(store.seqOf('tfabc123-zzzzzzzzzzz')).toBe(11);
    expect(store.seqOf('missing')).toBeUndefined();
  });
});
