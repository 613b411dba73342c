import { describe, expect, it } from 'vitest';
import { checkOrderLimits, decimalsOf, roundAmount, roundPrice, snapToStep, tickAt } from '../../src/domain/precision.ts';
import { loadMarketCatalog } from '../../src/config/market-catalog.ts';

const catalog = loadMarketCatalog();
const btcUsdt = catalog.get('binance')!.get('BTC/USDT')!;
const btcKrw = catalog.get('upbit')!.get('BTC/KRW')!;
const usdtKrw = catalog.get('upbit')!.get('USDT/KRW')!;

describe('precision', () => {
  it('when a step is given then its decimals are counted', () => {
    expect(decimalsOf(0.01)).toBe(2);
    expect(decimalsOf(0.5)).toBe(1);
    expect(decimalsOf(1000)).toBe(0);
    expect(decimalsOf(1e-8)).toBe(8);
    expect(() => decimalsOf(0)).toThrow();
  });

  it('when a value is on the grid then float noise never moves it', () => {
    expect(snapToStep(0.29, 0.01, 'down')).toBe(0.29);
    expect(snapToStep(0.29, 0.01, 'up')).toBe(0.29);
    expect(snapToStep(1.005, 0.01, 'down')).toBe(1);
    expect(snapToStep(1.005, 0.01, 'up')).toBe(1.01);
  });

  it('when an Upbit KRW price is rounded then the tick table applies', () => {
    expect(tickAt(btcKrw, 159_523_000)).toBe(1000);
    expect(roundPrice(btcKrw, 159_523_456, 'down')).toBe(159_523_000);
    expect(roundPrice(btcKrw, 159_523_456, 'up')).toBe(159_524_000);
    expect(tickAt(btcKrw, 7_777)).toBe(5);
    expect(tickAt(usdtKrw, 1_380.3)).toBe(0.5);
    expect(roundPrice(usdtKrw, 1_380.3, 'nearest')).toBe(1_380.5);
  });

  it('when an amount is below the lot step then it truncates', () => {
    expect(roundAmount(btcUsdt, 0.123456789)).toBe(0.12345);
    expect(roundAmount(btcUsdt, 0.000009)).toBe(0);
  });

  it('when an order is under the minimum notional then the violation is MIN_NOTIONAL', () => {
    expect(checkOrderLimits(btcUsdt, 0.00004, 100_000)?.code).toBe('MIN_NOTIONAL');
    expect(checkOrderLimits(btcUsdt, 0.0001, 100_000)).toBeUndefined();
    expect(checkOrderLimits(btcUsdt, 0.000001, 100_000)?.code).toBe('MIN_AMOUNT');
    expect(checkOrderLimits(btcKrw, 0.00001, 159_000_000)?.code).toBe('MIN_NOTIONAL');
    expect(checkOrderLimits(btcUsdt, -1, 1)?.code).toBe('LOT_SIZE');
  });
});
