/**
 * Paper and live arbitrage size through the visible depth, not just the top of the book: the drivers
 * publish every polled book whole (`depth$`), and the detector walks it. Two emulators with fixed books
 * whose best levels hold a quarter of the row's size: the arbitrage is taken at the full size, priced
 * at the volume-weighted price of the levels it crosses, and the paper legs fill at those prices.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../src/domain/types.ts';
import type { ArbitrageReport } from '../../src/engine/arb-report.ts';
import { liveCommand } from '../../src/engine/live-command.ts';
import { liveIO } from '../engine/helpers.ts';
import { arbEmulators, arbRunFiles, type ArbEmulators } from './emulator-rig.ts';

let emus: ArbEmulators;

const level = (venue: string, symbol: string, side: 'bid' | 'ask', price: number, quantity: number, reset = false): MarketEvent => ({
  kind: 'level', ts: Date.now(), venue, symbol, side, price, quantity, snapshot: true, reset,
});

beforeAll(async () => {
  emus = await arbEmulators('depth');
  const { binance, upbit } = emus;
  // Binance asks: 0.001 at 100,000, 0.001 at 100,001, then 0.01 at 100,002.
  binance.state.applyMarket([
    level('binance', 'BTC/USDT', 'bid', 99_990, 1, true),
    level('binance', 'BTC/USDT', 'ask', 100_000, 0.001),
    level('binance', 'BTC/USDT', 'ask', 100_001, 0.001),
    level('binance', 'BTC/USDT', 'ask', 100_002, 0.01),
  ]);
  // Upbit bids ~1% over (at 1,400 KRW per USDT): 0.001, 0.001, then 0.01.
  upbit.state.applyMarket([
    level('upbit', 'BTC/KRW', 'bid', 141_400_000, 0.001, true),
    level('upbit', 'BTC/KRW', 'bid', 141_399_000, 0.001),
    level('upbit', 'BTC/KRW', 'bid', 141_398_000, 0.01),
    level('upbit', 'BTC/KRW', 'ask', 141_600_000, 1),
  ]);
});
afterAll(async () => emus?.close());

describe('arbitrage sizing in paper mode', () => {
  it('when the best levels hold less than the size then the arbitrage walks the depth: full size, VWAP prices, legs filled there', async () => {
    const { dir, scenario, signals } = arbRunFiles(
      'tf-arb-depth-',
      ['2025-01-01T00:00:00Z,,,resume,,start,,,', '2025-01-01T00:00:01Z,,BTC/USDT,arb,0.004,deep,binance,upbit,BTC/KRW'],
      { arbitrage: { max_book_age_ms: 60_000, detect: false }, live: { linger_ms: 1000 } },
    );
    const out = path.join(dir, 'out');
    const io = liveIO();
    await liveCommand(scenario, { signals, out, 'exchange-url': [`binance=${emus.binance.url}`, `upbit=${emus.upbit.url}`] }, io);
    const arb = JSON.parse(readFileSync(path.join(out, 'arbitrage.json'), 'utf8')) as ArbitrageReport;
    expect(arb.trades.map((t) => t.id), io.errors.join('\n')).toEqual(['deep']);
    const t = arb.trades[0]!;
    expect(t.size, 'four times what the best levels hold').toBe(0.004);
    expect(t.expected.buyPrice).toBeCloseTo((100_000 * 0.001 + 100_001 * 0.001 + 100_002 * 0.002) / 0.004, 6);
    expect(t.expected.sellPrice).toBeCloseTo((141_400_000 * 0.001 + 141_399_000 * 0.001 + 141_398_000 * 0.002) / 0.004, 3);
    expect(t.outcome).toBe('complete');
    expect(t.realized.buyPrice).toBeCloseTo(t.expected.buyPrice, 6);
    expect(t.realized.sellPrice).toBeCloseTo(t.expected.sellPrice, 3);
  }, 60_000);
});
