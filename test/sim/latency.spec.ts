import { describe, expect, it } from 'vitest';
import { Harness } from './harness.ts';

describe('simulated exchange: latency in event time', () => {
  it('when latency is 100 ms then the order meets the book at its arrival, not at its submission', () => {
    const h = new Harness({ latencyMs: 100 });
    h.at(0).book([[99, 1]], [[100, 1]]);
    const id = h.at(1000).submit('buy', 'market', 0.1); // arrives at 1100
    h.at(1050).book([[101, 1]], [[102, 1]]);
    expect(h.of(id), 'nothing happens before arrival').toEqual([]);
    h.at(1200).book([[104, 1]], [[105, 1]]);
    const fills = h.fills(id);
    expect(fills.map((f) => f.price), 'the book of 1050 was the book at 1100').toEqual([102]);
    expect(fills[0]!.ts).toBe(1100);
    expect(h.of(id)[0]).toMatchObject({ kind: 'OrderAccepted', ts: 1100 });
  });

  it('when a market event is stamped exactly at the arrival time then it is applied before the order', () => {
    const h = new Harness({ latencyMs: 100 });
    h.at(0).book([[99, 1]], [[100, 1]]);
    const id = h.at(1000).submit('buy', 'market', 0.1);
    h.at(1100).book([[102, 1]], [[103, 1]]);
    h.settle();
    expect(h.fills(id).map((f) => f.price)).toEqual([103]);
  });

  it('when latency is 0 then an order submitted at T is handled right after the market events at T', () => {
    const h = new Harness();
    h.at(1000).book(
      [[99, 1]],
      [
        [100, 1],
        [101, 1],
      ],
    );
    const id = h.submit('buy', 'market', 0.1);
    expect(h.of(id), 'not inside submit: more events at T may follow').toEqual([]);
    h.level('ask', 100, 0); // still T = 1000: applied first, then the order
    expect(h.fills(id).map((f) => [f.price, f.ts])).toEqual([[101, 1000]]);
  });

  it('when a cancel is slower than the fill then the fill wins and the cancel is ignored', () => {
    const h = new Harness({ latencyMs: 50 });
    h.at(0).book([[99, 1]], [[101, 1]]);
    const id = h.submit('buy', 'limit', 0.5, 100); // arrives at 50
    h.at(60).cancel(id); // arrives at 110
    h.at(100).trade(99.5, 1);
    h.at(200).level('bid', 98, 1);
    expect(h.kinds(id)).toEqual(['OrderAccepted', 'OrderFilled']);
    expect(h.ex.ignoredCancels().map((c) => c.clientId)).toEqual([id]);
  });

  it('when commands are issued in order then they arrive in order (FIFO at equal arrival)', () => {
    const h = new Harness({ latencyMs: 10 });
    h.at(0).book([[99, 1]], [[100, 0.5]]);
    const a = h.submit('buy', 'market', 0.4);
    const b = h.submit('buy', 'market', 0.4);
    h.at(20).level('bid', 98, 1);
    expect(h.fills(a).map((f) => f.quantity)).toEqual([0.4]);
    expect(h.fills(b).map((f) => f.quantity), 'the first took most of the level').toEqual([0.1]);
  });
});
