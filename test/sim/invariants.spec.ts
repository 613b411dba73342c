import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mulRate, notionalAtto, toAtto } from '../../src/domain/money.ts';
import { nextStatus } from '../../src/domain/order-state.ts';
import type { Asset, Atto, OrderEvent, OrderStatus } from '../../src/domain/types.ts';
import { Harness, atto } from './harness.ts';
import { FEES, PROFILES, actionArb, replay, type Profile } from './scenario.ts';

/** Checks that every order's events form a legal path of the order state machine, ending final or open. */
function assertLegalLifecycles(events: readonly OrderEvent[], quantities: ReadonlyMap<string, number>): void {
  const status = new Map<string, OrderStatus>();
  const filled = new Map<string, Atto>();
  for (const e of events) {
    const from = status.get(e.clientId) ?? 'submitting';
    let transition: Parameters<typeof nextStatus>[1];
    if (e.kind === 'OrderAccepted') transition = 'accept';
    else if (e.kind === 'OrderFilled') {
      const total = (filled.get(e.clientId) ?? 0n) + toAtto(e.quantity);
      filled.set(e.clientId, total);
      transition = total === toAtto(quantities.get(e.clientId)!) ? 'fill_full' : 'fill_partial';
    } else if (e.kind === 'OrderCanceled') transition = 'cancel';
    else if (e.kind === 'OrderExpired') transition = 'expire';
    else if (e.kind === 'OrderRejected') transition = 'reject';
    else transition = 'lose_track';
    // The venue never reports anything after a final state (those edges exist for remote races only).
    expect(['filled', 'canceled', 'expired', 'rejected'], `${e.clientId}: ${e.kind} after ${from}`).not.toContain(from);
    status.set(e.clientId, nextStatus(from, transition, e.clientId));
  }
}

async function checkScenario(p: Profile, fees: { maker: number; taker: number }, latencyMs: number, balances: Record<string, string>, actions: Parameters<typeof replay>[2]): Promise<void> {
  const h = new Harness({ defs: [p.def], fees, latencyMs, balances });
  await replay(h, p, actions, async () => {
    for (const [asset, v] of await h.ex.fetchBalance()) expect(v, `${asset} went negative`).toBeGreaterThanOrEqual(0n);
  });

  // Final balance per asset = initial + Σ signed fills − Σ fees, to the atto.
  const expected = new Map<Asset, Atto>(Object.entries(balances).map(([a, v]) => [a, atto(v)]));
  const add = (asset: Asset, v: Atto) => expected.set(asset, (expected.get(asset) ?? 0n) + v);
  for (const e of h.events) {
    if (e.kind !== 'OrderFilled') continue;
    expect(e.notional, 'notional is exact').toBe(notionalAtto(e.price, e.quantity));
    expect(e.fee, 'fee is mulRate of the notional').toBe(mulRate(e.notional, e.liquidity === 'maker' ? fees.maker : fees.taker));
    const base = toAtto(e.quantity);
    add(p.def.base, e.side === 'buy' ? base : -base);
    add(p.def.quote, (e.side === 'buy' ? -e.notional : e.notional) - e.fee);
  }
  const actual = await h.ex.fetchBalance();
  for (const [asset, v] of expected) expect(actual.get(asset) ?? 0n, asset).toBe(v);
  for (const v of actual.values()) expect(v).toBeGreaterThanOrEqual(0n);

  const quantities = new Map<string, number>();
  for (const e of h.events) if (!quantities.has(e.clientId)) quantities.set(e.clientId, (await h.order(e.clientId))?.quantity ?? 0);
  assertLegalLifecycles(h.events, quantities);
}

describe('simulated exchange: invariants', () => {
  for (const p of PROFILES) {
    it(`when random data and orders run on ${p.def.venue} ${p.def.symbol} then balances reconcile exactly and never go negative`, async () => {
      await fc.assert(
        fc.asyncProperty(FEES, fc.constantFrom(0, 7), p.balances, fc.array(actionArb(p), { minLength: 10, maxLength: 80, size: 'max' }), (fees, latency, balances, actions) =>
          checkScenario(p, fees, latency, balances, actions),
        ),
        { numRuns: 150, seed: 20240601 },
      );
    });
  }

  it('when the same sequence runs twice then the event lists are identical', async () => {
    const p = PROFILES[0]!;
    const [actions] = fc.sample(fc.array(actionArb(p), { minLength: 300, maxLength: 300 }), { numRuns: 1, seed: 7 });
    const run = async () => {
      const h = new Harness({ defs: [p.def], latencyMs: 7, balances: { BTC: '3', USDT: '2000' } });
      await replay(h, p, actions!);
      return { events: h.events, balances: await h.ex.fetchBalance() };
    };
    const a = await run();
    const b = await run();
    expect(a.events.length, 'the scenario does something').toBeGreaterThan(50);
    expect(a.events.some((e) => e.kind === 'OrderFilled')).toBe(true);
    expect(b).toEqual(a);
  });
});
