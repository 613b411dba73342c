/**
 * The leg state machine alone (src/arb/legs.ts): driven by order updates as the executor would feed
 * them, it must never resend an unknown leg, correct only once every order is final, and end with
 * the imbalance closed or reported.
 */
import { describe, expect, it } from 'vitest';
import { ArbLegs, type ArbSpec, type LegOrder, type OrderUpdate } from '../../src/arb/legs.ts';
import { toAtto } from '../../src/domain/money.ts';
import type { OrderStatus } from '../../src/domain/types.ts';
import { market } from './helpers.ts';

const binance = market('binance', 'BTC/USDT');
const upbit = market('upbit', 'BTC/KRW');

function spec(over: Partial<ArbSpec> = {}): ArbSpec {
  return { id: 'a1', ts: 0, buy: binance, sell: upbit, size: 0.02, policy: 'hedge', buyPrice: 100_000, sellPrice: 141_400_000, ...over };
}

/** Places every order the machine asks for under ids c1, c2, … and returns them. */
class Harness {
  private n = 0;
  readonly placed: LegOrder[] = [];
  constructor(readonly legs: ArbLegs) {}
  place(orders: LegOrder[]): LegOrder[] {
    for (const o of orders) {
      this.legs.placed(o, `c${++this.n}`);
      this.placed.push(o);
    }
    return orders;
  }
  start(): LegOrder[] {
    return this.place(this.legs.start(0));
  }
  update(o: LegOrder, status: OrderStatus, filled = 0, ts = 1): LegOrder[] {
    const price = o.market === binance ? 100_000 : 141_400_000;
    const u: OrderUpdate = { status, filled: toAtto(filled), notional: toAtto(filled * price), fees: 0n, ts, ...(status === 'rejected' ? { reason: 'rejected' } : {}) };
    return this.place(this.legs.onOrder(o.clientId!, u));
  }
}

describe('arbitrage leg state machine', () => {
  it('when both legs fill then it is complete with no correction and no residual', () => {
    const h = new Harness(new ArbLegs(spec()));
    const [buy, sell] = h.start();
    expect([buy!.side, sell!.side]).toEqual(['buy', 'sell']);
    expect(h.legs.phase).toBe('sending');
    expect(h.update(buy!, 'open')).toEqual([]);
    expect(h.legs.phase, 'still waiting for the sell ack').toBe('sending');
    expect(h.update(sell!, 'open')).toEqual([]);
    expect(h.legs.phase).toBe('open');
    expect(h.update(buy!, 'filled', 0.02)).toEqual([]);
    expect(h.update(sell!, 'filled', 0.02)).toEqual([]);
    expect(h.legs.outcome).toBe('complete');
    expect(h.legs.residual()).toBeUndefined();
    expect(h.placed).toHaveLength(2);
  });

  it('when the sell leg is rejected and the policy is hedge then the missing sell goes to the sell venue with a new order', () => {
    const h = new Harness(new ArbLegs(spec()));
    const [buy, sell] = h.start();
    expect(h.update(sell!, 'rejected')).toEqual([]);
    expect(h.legs.phase, 'nothing corrective while the buy leg is live').toBe('sending');
    const [hedge] = h.update(buy!, 'filled', 0.02);
    expect(hedge).toMatchObject({ role: 'hedge', attempt: 1, venue: 'upbit', side: 'sell', quantity: 0.02 });
    expect(hedge!.clientId, 'a new client id, not the failed leg’s').toBe('c3');
    expect(h.legs.phase).toBe('hedging');
    h.update(hedge!, 'filled', 0.02);
    expect(h.legs.outcome).toBe('hedged');
    expect(h.legs.imbalance()).toBe(0n);
    expect(h.legs.baseByVenue()).toEqual(new Map([['binance', toAtto(0.02)], ['upbit', -toAtto(0.02)]]));
  });

  it('when the sell leg is rejected and the policy is unwind then the bought base is sold back on the buy venue', () => {
    const h = new Harness(new ArbLegs(spec({ policy: 'unwind' })));
    const [buy, sell] = h.start();
    h.update(sell!, 'rejected');
    const [unwind] = h.update(buy!, 'filled', 0.02);
    expect(unwind).toMatchObject({ role: 'unwind', venue: 'binance', side: 'sell', quantity: 0.02 });
    h.update(unwind!, 'filled', 0.02);
    expect(h.legs.outcome).toBe('unwound');
    expect(h.legs.baseByVenue().get('binance')).toBe(0n);
  });

  it('when the buy leg is rejected under unwind then the sold base is bought back on the sell venue', () => {
    const h = new Harness(new ArbLegs(spec({ policy: 'unwind' })));
    const [buy, sell] = h.start();
    h.update(buy!, 'rejected');
    const [unwind] = h.update(sell!, 'filled', 0.02);
    expect(unwind).toMatchObject({ role: 'unwind', venue: 'upbit', side: 'buy', quantity: 0.02 });
  });

  it('when the policy is report then the imbalance is left and reported on the venue that holds it', () => {
    const h = new Harness(new ArbLegs(spec({ policy: 'report' })));
    const [buy, sell] = h.start();
    h.update(sell!, 'rejected');
    expect(h.update(buy!, 'filled', 0.02)).toEqual([]);
    expect(h.legs.outcome).toBe('reported');
    expect(h.legs.residual()).toMatchObject({ asset: 'BTC', quantity: 0.02, venue: 'binance' });
  });

  it('when a leg is unknown then nothing is resent or corrected until it is resolved; resolved filled it is complete', () => {
    const h = new Harness(new ArbLegs(spec()));
    const [buy, sell] = h.start();
    expect(h.update(sell!, 'unknown')).toEqual([]);
    expect(h.update(buy!, 'filled', 0.02), 'the other leg filled, but the unknown one may have too').toEqual([]);
    expect(h.legs.phase).toBe('resolving');
    expect(h.update(sell!, 'filled', 0.02)).toEqual([]);
    expect(h.legs.outcome).toBe('complete');
    expect(h.placed, 'exactly two orders ever').toHaveLength(2);
  });

  it('when an unknown leg is proven absent then the hedge goes out under a new client id', () => {
    const h = new Harness(new ArbLegs(spec()));
    const [buy, sell] = h.start();
    h.update(sell!, 'unknown');
    h.update(buy!, 'filled', 0.02);
    const [hedge] = h.update(sell!, 'rejected');
    expect(hedge).toMatchObject({ role: 'hedge', venue: 'upbit', side: 'sell', quantity: 0.02 });
    expect(hedge!.clientId).not.toBe(sell!.clientId);
  });

  it('when the sell leg fills partly then only the rest is hedged', () => {
    const h = new Harness(new ArbLegs(spec()));
    const [buy, sell] = h.start();
    h.update(buy!, 'filled', 0.02);
    expect(h.update(sell!, 'partially_filled', 0.01), 'partly filled and still live: wait').toEqual([]);
    const [hedge] = h.update(sell!, 'canceled', 0.01);
    expect(hedge).toMatchObject({ venue: 'upbit', side: 'sell', quantity: 0.01 });
    h.update(hedge!, 'filled', 0.01);
    expect(h.legs.outcome).toBe('hedged');
  });

  it('when corrections keep failing then it stops after max_corrections and reports the residual', () => {
    const h = new Harness(new ArbLegs(spec({ maxCorrections: 2 })));
    const [buy, sell] = h.start();
    h.update(sell!, 'rejected');
    const [h1] = h.update(buy!, 'filled', 0.02);
    const [h2] = h.update(h1!, 'rejected');
    expect(h2).toMatchObject({ attempt: 2 });
    expect(h.update(h2!, 'rejected')).toEqual([]);
    expect(h.legs.outcome).toBe('reported');
    expect(h.legs.note).toMatch(/after 2 corrective/);
    expect(h.legs.residual()?.quantity).toBe(0.02);
  });

  it('when the imbalance is below the venue minimum then it is reported as dust, not traded', () => {
    const h = new Harness(new ArbLegs(spec()));
    const [buy, sell] = h.start();
    h.update(buy!, 'filled', 0.02);
    // 0.02 − 0.01998 = 0.00002 BTC ≈ 2,800 KRW: below Upbit's 5,000 KRW minimum.
    expect(h.update(sell!, 'canceled', 0.01998)).toEqual([]);
    expect(h.legs.outcome).toBe('reported');
    expect(h.legs.note).toMatch(/too small to correct/);
    expect(h.legs.residual()?.quantity).toBeCloseTo(0.00002, 12);
  });

  it('when sequential then the first leg goes alone and the second follows for what the first filled', () => {
    const h = new Harness(new ArbLegs(spec({ sequential: true, first: 'sell' })));
    const first = h.start();
    expect(first.map((o) => o.role)).toEqual(['sell']);
    const [second] = h.update(first[0]!, 'canceled', 0.0134567);
    // Binance's lot step is 1e-5: the second leg is what filled, rounded down to it.
    expect(second).toMatchObject({ role: 'buy', venue: 'binance', quantity: 0.01345 });
    h.update(second!, 'filled', 0.01345);
    // 0.0000067 BTC left: dust below Binance's minimum amount (1e-5), reported.
    expect(h.legs.outcome).toBe('reported');
  });

  it('when sequential and the first leg fills nothing then the second is never sent', () => {
    const h = new Harness(new ArbLegs(spec({ sequential: true, first: 'buy' })));
    const [buy] = h.start();
    expect(h.update(buy!, 'rejected')).toEqual([]);
    expect(h.legs.outcome).toBe('nothing_filled');
    expect(h.placed).toHaveLength(1);
    expect(h.legs.sellLeg.clientId).toBeUndefined();
  });

  it('when a leg was refused before sending then it counts as failed with nothing filled', () => {
    const h = new Harness(new ArbLegs(spec()));
    const [buy, sell] = h.start();
    h.update(buy!, 'filled', 0.02);
    const [hedge] = h.place(h.legs.refused(sell!, 'max_position', 2));
    expect(hedge).toMatchObject({ role: 'hedge', side: 'sell' });
  });

  it('when news arrives after it is done then nothing changes', () => {
    const h = new Harness(new ArbLegs(spec()));
    const [buy, sell] = h.start();
    h.update(buy!, 'filled', 0.02);
    h.update(sell!, 'filled', 0.02);
    expect(h.update(sell!, 'filled', 0.02)).toEqual([]);
    expect(h.legs.outcome).toBe('complete');
  });
});
