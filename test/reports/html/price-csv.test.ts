import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PriceTrack, priceRecorder, writePricesCsv } from '../../../src/reports/price-csv.ts';
import { tmpDir } from '../../engine/helpers.ts';
import { MINUTE, T0 } from '../fixtures.ts';

describe('PriceTrack', () => {
  it('when_there_is_no_usable_mark_then_nothing_is_recorded', () => {
    const got: [number, number][] = [];
    const track = new PriceTrack('binance', 'BTC/USDT', (ts, p) => got.push([ts, p]));
    for (const p of [undefined, 0, -1, Number.NaN, Infinity]) track.push(T0, p);
    track.push(T0 + 1.7, 100);
    expect(got, 'times in whole ms, as an ISO time reads back').toEqual([[T0 + 1, 100]]);
  });

  it('when_the_sampler_samples_then_every_market_gets_its_mark', () => {
    const got: string[] = [];
    const record = priceRecorder(
      [
        { venue: 'binance', symbol: 'BTC/USDT' },
        { venue: 'upbit', symbol: 'BTC/KRW' },
      ],
      (venue) => (venue === 'binance' ? 40_000 : undefined),
      { priceTrack: (venue, symbol) => new PriceTrack(venue, symbol, (ts, p) => got.push(`${venue} ${symbol} ${ts} ${p}`)) },
    );
    record(T0);
    expect(got).toEqual([`binance BTC/USDT ${T0} 40000`]);
  });
});

describe('writePricesCsv', () => {
  it('when_markets_interleave_then_rows_are_in_time_order_markets_sorted_at_equal_times_and_quoted', () => {
    const dir = tmpDir('tf-prices-');
    const file = path.join(dir, 'prices.csv');
    writePricesCsv(file, [
      { venue: 'upbit', symbol: 'BTC/KRW', t: [T0, T0 + 2 * MINUTE], v: [55_000_000, 55_000_001] },
      { venue: 'a,b', symbol: 'X/Y', t: [T0 + MINUTE], v: [0.5] },
      { venue: 'binance', symbol: 'BTC/USDT', t: [T0, T0 + MINUTE], v: [40_000.5, 40_001] },
    ]);
    expect(readFileSync(file, 'utf8')).toBe(
      [
        'ts,venue,symbol,price',
        '2024-01-01T00:00:00.000Z,binance,BTC/USDT,40000.5',
        '2024-01-01T00:00:00.000Z,upbit,BTC/KRW,55000000',
        '2024-01-01T00:01:00.000Z,"a,b",X/Y,0.5',
        '2024-01-01T00:01:00.000Z,binance,BTC/USDT,40001',
        '2024-01-01T00:02:00.000Z,upbit,BTC/KRW,55000001',
        '',
      ].join('\n'),
    );
    rmSync(dir, { recursive: true, force: true });
  });
});
