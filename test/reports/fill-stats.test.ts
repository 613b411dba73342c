import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAtto, toAtto } from '../../src/domain/money.ts';
import type { FillRecord } from '../../src/domain/run-result.ts';
import { FillStatsAccumulator, fillStatsOf } from '../../src/reports/fill-stats.ts';
import { splitSymbol } from '../../src/reports/metrics.ts';
import { HAND_FILLS, makeFill } from './fixtures.ts';

const fmt = (m: ReadonlyMap<string, bigint>) => Object.fromEntries([...m].map(([k, v]) => [k, formatAtto(v)]));

describe('FillStatsAccumulator', () => {
  it('over the hand fills holds the hand sums, exactly', () => {
    const s = fillStatsOf(HAND_FILLS);
    expect(s).toMatchObject({ count: 7, closing: 4, wins: 2 });
    expect(fmt(s.fees)).toEqual({ USDT: '39.9', BNB: '0.0079', KRW: '5550' });
    expect(fmt(s.turnover)).toEqual({ USDT: '47800', KRW: '11100000' });
    expect(fmt(s.grossProfit)).toEqual({ USDT: '200', KRW: '100000' });
    expect(fmt(s.grossLoss), 'KRW listed with 0: it was traded').toEqual({ USDT: '400', KRW: '0' });
    expect(s.markets.map((m) => `${m.venue} ${m.symbol} ${m.fills}`)).toEqual([
      'binance BTC/USDT 3',
      'binance ETH/USDT 2',
      'upbit BTC/KRW 2',
    ]);
    const btc = s.markets[0]!;
    expect(formatAtto(btc.buyVolume)).toBe('0.5');
    expect(formatAtto(btc.sellVolume)).toBe('0.5');
    expect(formatAtto(btc.notional)).toBe('39900');
    expect(formatAtto(btc.realizedPnl)).toBe('-100');
    expect(fmt(s.markets[1]!.fees)).toEqual({ BNB: '0.0079' });
  });

  it('a snapshot does not change when more fills are added', () => {
    const acc = new FillStatsAccumulator();
    acc.add(HAND_FILLS[0]!);
    const before = acc.snapshot();
    for (const f of HAND_FILLS.slice(1)) acc.add(f);
    expect(before.count).toBe(1);
    expect(before.markets).toHaveLength(1);
    expect(fmt(before.markets[0]!.fees)).toEqual({ USDT: '20' });
    expect(fmt(before.fees)).toEqual({ USDT: '20' });
  });

  it('equals a plain reduction over the fills, whatever their order and markets', () => {
    const fillArb = fc.record({
      venue: fc.constantFrom('binance', 'upbit'),
      symbol: fc.constantFrom('BTC/USDT', 'ETH/USDT', 'BTC/KRW', 'ETH/BTC:BTC'),
      side: fc.constantFrom('buy' as const, 'sell' as const),
      quantity: fc.integer({ min: 1, max: 10_000_000 }).map((n) => n / 1e6),
      fee: fc.bigInt({ min: 0n, max: 10n ** 20n }),
      feeAsset: fc.constantFrom('USDT', 'BNB', 'KRW'),
      realizedPnl: fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }),
    });
    fc.assert(
      fc.property(fc.array(fillArb, { maxLength: 60 }), (rows) => {
        const fills: FillRecord[] = rows.map((r) => makeFill({ price: 3, ...r }));
        const s = fillStatsOf(fills);
        const sum = (pick: (f: FillRecord) => bigint, keep: (f: FillRecord) => boolean = () => true) =>
          fills.filter(keep).reduce((acc, f) => acc + pick(f), 0n);
        const quote = (f: FillRecord) => splitSymbol(f.symbol).quote;
        expect(s.count).toBe(fills.length);
        expect(s.closing).toBe(fills.filter((f) => f.realizedPnl !== 0n).length);
        expect(s.wins).toBe(fills.filter((f) => f.realizedPnl > 0n).length);
        for (const q of new Set(fills.map(quote))) {
          expect(s.turnover.get(q)).toBe(sum((f) => f.notional, (f) => quote(f) === q));
          expect(s.grossProfit.get(q)).toBe(sum((f) => f.realizedPnl, (f) => quote(f) === q && f.realizedPnl > 0n));
          expect(s.grossLoss.get(q)).toBe(-sum((f) => f.realizedPnl, (f) => quote(f) === q && f.realizedPnl < 0n));
        }
        for (const a of new Set(fills.map((f) => f.feeAsset))) {
          expect(s.fees.get(a)).toBe(sum((f) => f.fee, (f) => f.feeAsset === a));
        }
        for (const m of s.markets) {
          const mine = (f: FillRecord) => f.venue === m.venue && f.symbol === m.symbol;
          expect(m.fills).toBe(fills.filter(mine).length);
          expect(m.buyVolume).toBe(sum((f) => toAtto(f.quantity), (f) => mine(f) && f.side === 'buy'));
          expect(m.sellVolume).toBe(sum((f) => toAtto(f.quantity), (f) => mine(f) && f.side === 'sell'));
          expect(m.realizedPnl).toBe(sum((f) => f.realizedPnl, mine));
        }
        expect(s.markets.reduce((n, m) => n + m.fills, 0)).toBe(fills.length);
      }),
    );
  });
});
