/**
 * Random trading scenarios for property tests: level updates, trades, candles, orders and cancels
 * around a fixed mid, replayed on a Harness.
 */
import fc from 'fast-check';
import type { MarketDef } from '../../src/domain/types.ts';
import { Harness, PLAIN_BTC_USDT, UPBIT_BTC_KRW } from './harness.ts';

export interface Profile {
  readonly def: MarketDef;
  readonly mid: number;
  /** Price distance of one `off` step (a multiple of the tick). */
  readonly step: number;
  /** Lot size. */
  readonly lot: number;
  readonly maxLots: number;
  readonly balances: fc.Arbitrary<Record<string, string>>;
}

export const PROFILES: readonly Profile[] = [
  {
    def: PLAIN_BTC_USDT,
    mid: 100,
    step: 0.05,
    lot: 0.00001,
    maxLots: 200_000,
    balances: fc.record({ BTC: fc.constantFrom('0', '0.5', '3', '3'), USDT: fc.constantFrom('0', '37.12345', '2000', '2000') }),
  },
  {
    def: { ...UPBIT_BTC_KRW, limits: {} },
    mid: 159_523_000,
    step: 1000,
    lot: 1e-8,
    maxLots: 2_000_000,
    balances: fc.record({ BTC: fc.constantFrom('0', '0.01', '0.05', '0.05'), KRW: fc.constantFrom('0', '1234567.89', '5000000', '5000000') }),
  },
];

export type Action =
  | { kind: 'level'; side: 'bid' | 'ask'; off: number; lots: number }
  | { kind: 'trade'; off: number; lots: number }
  | { kind: 'candle'; off: number; range: number; lots: number }
  | { kind: 'submit'; side: 'buy' | 'sell'; type: 'market' | 'limit'; off: number; lots: number }
  | { kind: 'cancel'; which: number }
  | { kind: 'advance'; dt: number };

export function actionArb(p: Profile): fc.Arbitrary<Action> {
  const lots = fc.integer({ min: 0, max: p.maxLots });
  const off = fc.integer({ min: -12, max: 12 });
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('level' as const), side: fc.constantFrom('bid' as const, 'ask' as const), off: fc.integer({ min: 0, max: 12 }), lots }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('trade' as const), off, lots }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('candle' as const), off, range: fc.integer({ min: 0, max: 8 }), lots }) },
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('submit' as const),
        side: fc.constantFrom('buy' as const, 'sell' as const),
        type: fc.constantFrom('market' as const, 'limit' as const),
        off,
        lots: fc.integer({ min: 1, max: p.maxLots }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), which: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), dt: fc.integer({ min: 1, max: 40 }) }) },
  );
}

export const FEES = fc.constantFrom(
  { maker: 0, taker: 0 },
  { maker: 0.0005, taker: 0.001 },
  { maker: 0.00037, taker: 0.00123 }, // odd rates: fee rounding happens
  { maker: 0.002, taker: 0.00075 }, // maker above taker
);

/** Replays `actions` on `h`, then flushes. The price of `off` is mid + off × step. */
export async function replay(h: Harness, p: Profile, actions: readonly Action[], each?: () => Promise<void>): Promise<string[]> {
  const ids: string[] = [];
  const px = (off: number): number => p.mid + off * p.step;
  const qty = (lots: number): number => Math.round(lots) * p.lot;
  let t = 1000;
  for (const a of actions) {
    switch (a.kind) {
      case 'level':
        h.level(a.side, a.side === 'bid' ? px(-1 - a.off) : px(1 + a.off), Number(qty(a.lots).toFixed(8)));
        break;
      case 'trade':
        h.trade(px(a.off), Number(qty(a.lots).toFixed(8)));
        break;
      case 'candle': {
        const o = px(a.off);
        h.candle(o, o + a.range * p.step, o - a.range * p.step, px(a.off + 1), Number(qty(a.lots).toFixed(8)));
        break;
      }
      case 'submit':
        ids.push(h.submit(a.side, a.type, Number(qty(a.lots).toFixed(8)), a.type === 'limit' ? px(a.off) : undefined));
        break;
      case 'cancel':
        if (ids.length > 0) h.cancel(ids[a.which % ids.length]!);
        break;
      case 'advance':
        t += a.dt;
        h.at(t);
        break;
    }
    if (each) await each();
  }
  h.at(t + 1000).settle();
  return ids;
}
