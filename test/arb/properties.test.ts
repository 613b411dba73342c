/**
 * Invariants over random books (fast-check, seeded): the fast float decision never disagrees with the
 * exact one, and whatever sizing accepts is on both lot grids, within every limit and above both minimums.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EdgeResult, clearsExact, computeEdge, edgeClears, walkExact } from '../../src/arb/edge.ts';
import { commonStep, sizeOpportunity } from '../../src/arb/sizing.ts';
import { ATTO_PER_UNIT, toAtto } from '../../src/domain/money.ts';
import { checkOrderLimits, isOnStep } from '../../src/domain/precision.ts';
import { asks, bids, divideBy, market, terms } from './helpers.ts';

/** Levels of a side: distinct prices on a 0.01 grid near `mid`, sizes on a 1e-5 grid. */
const side = (mid: number, dir: 1 | -1) =>
  fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 12 }).chain((offs) =>
    fc.tuple(...offs.map((o) => fc.integer({ min: 1, max: 300_000 }).map((s) => [Math.round((mid + dir * o * 0.37) * 100) / 100, s / 1e5] as const))),
  );

describe('edge decision', () => {
  it('when the threshold sits anywhere near the edge then the float-guarded decision equals the exact one', () => {
    fc.assert(
      fc.property(
        side(100_000, 1),
        side(100_050, -1),
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom(0, 0.0005, 0.001, 0.0025),
        fc.constantFrom(0, 0.0005, 0.001),
        fc.double({ min: -1e-9, max: 1e-9, noNaN: true }),
        (a, b, q, fa, fb, nudge) => {
          const A = asks(a);
          const B = bids(b);
          const size = q / 1e5;
          const t = terms(fa, fb);
          const e = new EdgeResult();
          if (!computeEdge(A, B, size, t, e)) return;
          // Thresholds at the float edge and a hair either side (the band the exact path covers).
          for (const thr of [e.netBps, e.netBps + nudge, Math.round(e.netBps * 1e6) / 1e6]) {
            expect(edgeClears(e, A, B, t, thr)).toBe(clearsExact(walkExact(B, size), walkExact(A, size), t, thr));
          }
        },
      ),
      { seed: 6, numRuns: 300 },
    );
  });
});

describe('sizing', () => {
  const binance = market('binance', 'BTC/USDT');
  const upbit = market('upbit', 'BTC/KRW');
  const step = commonStep(binance.precision.amount, upbit.precision.amount);

  it('when sizing accepts then the size is on both lot grids, within every limit, above both minimums and clears', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        side(100_000, -1),
        side(140_700_000 / 1000, 1).map((ls) => ls.map(([p, s]) => [Math.round(p * 1000) * 1000, s] as const)),
        fc.integer({ min: 1, max: 200_000 }),
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 60 }),
        (a, b, sizeLots, usdtCents, btcLots, thr) => {
          const A = asks(a);
          const B = bids(b);
          const t = terms(0.001, 0.0005, undefined, divideBy(1400));
          const limits = { size: sizeLots / 1e5, buyQuote: toAtto(usdtCents / 100), sellBase: toAtto(btcLots / 1e5) };
          const e = new EdgeResult();
          const r = sizeOpportunity(binance, upbit, A, B, t, thr, limits, e);
          if (!r.ok) return;
          accepted++;
          expect(isOnStep(r.size, step)).toBe(true);
          expect(r.size).toBeLessThanOrEqual(limits.size);
          expect(toAtto(r.size) <= limits.sellBase).toBe(true);
          const E = ATTO_PER_UNIT;
          expect(walkExact(A, r.size) * (E + toAtto(0.001)) <= limits.buyQuote * E * E, 'cost with fee within the USDT balance').toBe(true);
          expect(checkOrderLimits(binance, r.size, e.buyVwap)).toBeUndefined();
          expect(checkOrderLimits(upbit, r.size, e.sellVwap)).toBeUndefined();
          expect(e.size).toBe(r.size);
          expect(e.netBps).toBeGreaterThanOrEqual(thr - e.errorBps);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
    expect(accepted, 'the property is not vacuous').toBeGreaterThan(50);
  });
});
