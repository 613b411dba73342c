import { describe, expect, it } from 'vitest';
import { computeBreakdowns, loadDanfo } from '../../src/reports/breakdowns.ts';
import { fillStatsOf } from '../../src/reports/fill-stats.ts';
import { HAND_FILLS, genFills, makeFill } from './fixtures.ts';

const HAND = fillStatsOf(HAND_FILLS);

describe('computeBreakdowns', () => {
  it('per (venue, symbol) over the hand fills matches the hand sums', async () => {
    const { perSymbol } = await computeBreakdowns(HAND);
    expect(Object.keys(perSymbol).sort()).toEqual(['binance', 'upbit']);
    const btc = perSymbol.binance!['BTC/USDT']!;
    expect(btc.fills).toBe(3);
    expect(btc.buy_volume).toBeCloseTo(0.5, 12);
    expect(btc.sell_volume).toBeCloseTo(0.5, 12);
    expect(btc.notional).toBeCloseTo(20000 + 8200 + 11700, 6);
    expect(btc.fees).toEqual({ USDT: expect.closeTo(39.9, 9) as number });
    expect(btc.realized_pnl).toBeCloseTo(-100, 9);
    expect(perSymbol.binance!['ETH/USDT']!.fees).toEqual({ BNB: expect.closeTo(0.0079, 12) as number });
    expect(perSymbol.upbit!['BTC/KRW']).toMatchObject({ fills: 2, notional: 11_100_000, realized_pnl: 100_000 });
  });

  it('per venue keys amounts by asset so BTC and ETH volumes are not added together', async () => {
    const { perVenue } = await computeBreakdowns(HAND);
    const b = perVenue.binance!;
    expect(b.fills).toBe(5);
    expect(b.buy_volume).toEqual({ BTC: 0.5, ETH: 2 });
    expect(b.sell_volume.BTC).toBeCloseTo(0.5, 12);
    expect(b.notional.USDT).toBeCloseTo(47800, 6);
    expect(b.fees.USDT).toBeCloseTo(39.9, 9);
    expect(b.fees.BNB).toBeCloseTo(0.0079, 12);
    expect(b.realized_pnl.USDT).toBeCloseTo(-200, 9);
    expect(perVenue.upbit).toMatchObject({ fills: 2, fees: { KRW: 5550 }, realized_pnl: { KRW: 100_000 } });
  });

  it('when there are no fills then both breakdowns are empty (danfojs cannot group an empty frame)', async () => {
    expect(await computeBreakdowns(fillStatsOf([]))).toEqual({ perVenue: {}, perSymbol: {} });
  });

  it('when a venue or asset name looks like a number then it stays a string key', async () => {
    const { perVenue, perSymbol } = await computeBreakdowns(
      fillStatsOf([makeFill({ venue: '123', symbol: '1INCH/USDT', price: 0.5, quantity: 10, side: 'sell', feeAsset: '1INCH' })]),
    );
    expect(Object.keys(perVenue)).toEqual(['123']);
    expect(perVenue['123']!.sell_volume).toEqual({ '1INCH': 10 });
    expect(Object.keys(perSymbol['123']!)).toEqual(['1INCH/USDT']);
  });

  it('keeps double precision although danfojs labels the dtype float32', async () => {
    const { perSymbol } = await computeBreakdowns(
      fillStatsOf([makeFill({ price: 1e8, quantity: 1 }), makeFill({ price: 1e-8, quantity: 1 })]),
    );
    expect(perSymbol.binance!['BTC/USDT']!.notional).toBe(1e8 + 1e-8);
  });

  it('imports danfojs as a namespace under Node ESM', async () => {
    const dfd = await loadDanfo();
    expect(typeof dfd.DataFrame).toBe('function');
    expect(await loadDanfo(), 'loaded once').toBe(dfd);
  });

  it('a market that charged fees in two assets lists both, per symbol and per venue', async () => {
    const { perSymbol, perVenue } = await computeBreakdowns(
      fillStatsOf([
        makeFill({ price: 100, quantity: 1, fee: 10n ** 17n, feeAsset: 'USDT' }),
        makeFill({ price: 100, quantity: 1, fee: 10n ** 15n, feeAsset: 'BNB' }),
        makeFill({ symbol: 'ETH/USDT', price: 10, quantity: 1, fee: 10n ** 15n, feeAsset: 'BNB' }),
      ]),
    );
    expect(perSymbol.binance!['BTC/USDT']!.fees).toEqual({ USDT: 0.1, BNB: 0.001 });
    expect(perVenue.binance!.fees).toEqual({ USDT: 0.1, BNB: 0.002 });
    expect(perVenue.binance!.fills).toBe(3);
  });

  it('the frame has one row per market whatever the number of fills', async () => {
    const stats = fillStatsOf(genFills(30_000));
    expect(stats.markets).toHaveLength(3);
    const { perSymbol, perVenue } = await computeBreakdowns(stats);
    expect(perSymbol.binance!['BTC/USDT']!.fills).toBe(10_000);
    expect(perVenue.binance!.fills).toBe(20_000);
  });
});
