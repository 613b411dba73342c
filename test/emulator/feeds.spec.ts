/**
 * The emulator's books: market files replayed in wall time (speed factor), and the seeded random walk.
 * A resting limit order fills when the replayed or walked book crosses it, through real ccxt calls.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMarketCatalog } from '../../src/config/market-catalog.ts';
import { isOnStep, tickAt } from '../../src/domain/precision.ts';
import type { RunningEmulator } from '../../src/emulator/emulator.ts';
import { walker } from '../../src/emulator/feeds/random-walk.ts';
import { ccxtFor, emulator, eventually } from './helpers.ts';

let emu: RunningEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const iso = (s: number) => new Date(Date.UTC(2025, 5, 1) + s * 1000).toISOString();

describe('replayed market files', () => {
  it('replays an L2 file in wall time; a resting limit fills partly, then fully, as the book crosses it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tf-emu-'));
    const file = path.join(dir, 'book.csv');
    const rows = [
      [0, 'bid', 59_990, 1], [0, 'ask', 60_010, 1],
      [30, 'bid', 59_900, 1], [30, 'ask', 59_950, 0.001], [30, 'ask', 60_010, 1],
      [60, 'bid', 59_900, 1], [60, 'ask', 59_940, 1],
    ];
    writeFileSync(file, ['timestamp,type,side,price,quantity', ...rows.map(([s, side, p, q]) => `${iso(s as number)},snapshot,${side},${p},${q}`)].join('\n'));
    // 30 s of data per 2 s of wall time.
    emu = await emulator({ venue: 'binance', balances: { USDT: 10_000 }, replay: [{ symbol: 'BTC/USDT', file }], speed: 15 });
    const ex = ccxtFor('binance', emu.url);
    const o = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.002, 59_960, { clientOrderId: 'replay-1' });
    expect(o.status).toBe('open');
    const partial = await eventually(async () => {
      const f = await ex.fetchOrder(o.id!, 'BTC/USDT');
      return f.filled! > 0 ? f : undefined;
    });
    expect(partial).toMatchObject({ status: 'open', filled: 0.001 });
    const done = await eventually(async () => {
      const f = await ex.fetchOrder(o.id!, 'BTC/USDT');
      return f.status === 'closed' ? f : undefined;
    });
    expect(done).toMatchObject({ filled: 0.002, average: 59_960 });
    await emu.feedDone;
    // What our order took stays taken until the data sets the level again (src/sim/README.md).
    expect((await ex.fetchOrderBook('BTC/USDT')).asks[0]).toEqual([59_940, 0.999]);
  });

  it('replays a candle file fast; the ticker ends at the last close, the book around the last open', async () => {
    emu = await emulator({ venue: 'binance', replay: [{ symbol: 'BTC/USDT', file: 'data/sample/binance-btcusdt-1m.csv' }], speed: 2_000_000 });
    await emu.feedDone;
    const t = await ccxtFor('binance', emu.url).fetchTicker('BTC/USDT');
    expect(t.last).toBe(99_741.09);
    // The engine synthesizes a candle's book around its open (the close is the candle's future).
    expect(t.bid).toBeLessThan(99_795.2);
    expect(t.ask).toBeGreaterThan(99_795.2);
  });
});

describe('seeded random walk', () => {
  it('is a pure function of the seed and stays on the tick and lot grids (Upbit KRW table included)', () => {
    const def = loadMarketCatalog().get('upbit')!.get('BTC/KRW')!;
    const run = (seed: number) => {
      const next = walker(def, 140_000_000, seed);
      return Array.from({ length: 50 }, () => next());
    };
    const a = run(7);
    expect(run(7)).toEqual(a);
    expect(run(8)).not.toEqual(a);
    for (const snap of a) {
      const bids = snap.filter((r) => r.side === 'bid').map((r) => r.price);
      const asks = snap.filter((r) => r.side === 'ask').map((r) => r.price);
      expect(Math.max(...bids)).toBeLessThan(Math.min(...asks));
      expect(new Set(bids).size).toBe(bids.length);
      for (const r of snap) {
        expect(isOnStep(r.price, tickAt(def, r.price))).toBe(true);
        expect(r.quantity).toBeGreaterThan(0);
      }
      expect(snap[0]!.reset).toBe(true);
    }
  });

  it('fills a resting limit order when the walk crosses it', async () => {
    emu = await emulator({
      venue: 'upbit',
      balances: { KRW: 100_000_000 },
      walk: [{ symbol: 'BTC/KRW', startPrice: 140_000_000 }],
      walkOptions: { intervalMs: 10, volatilityBps: 10 },
      seed: 3,
    });
    const ex = ccxtFor('upbit', emu.url);
    const bid = (await ex.fetchOrderBook('BTC/KRW')).bids[0]![0]!;
    const o = await ex.createOrder('BTC/KRW', 'limit', 'buy', 0.0001, bid, { clientOrderId: 'walk-1' });
    const done = await eventually(async () => {
      const f = await ex.fetchOrder(o.id!);
      return f.status === 'closed' ? f : undefined;
    }, 15_000);
    expect(done).toMatchObject({ filled: 0.0001, average: bid });
  });
});
