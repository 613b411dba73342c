/**
 * The readers on real exchange data from /work/shared/data (read-only; see its MANIFEST.md for the
 * expected row counts and spans quoted here).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CandleEvent, MarketEvent, TradeEvent } from '../../src/domain/types.ts';
import { marketSource } from '../../src/market/market-source.ts';
import { countCsvRows } from '../../src/sources/csv-rows.ts';
import { SHARED_DATA } from '../sources/helpers.ts';

const data = (p: string) => join(SHARED_DATA, p);
const KIMCHI = 'kimchi-premium-arbitrage/data/historical';
const FREQTRADE = 'freqtrade/tests/testdata';

async function readAll(file: string, venue = 'binance', symbol = 'BTC/USDT'): Promise<{ events: MarketEvent[]; maxBatch: number }> {
  const events: MarketEvent[] = [];
  let maxBatch = 0;
  for await (const b of marketSource({ venue, symbol, file })) {
    maxBatch = Math.max(maxBatch, b.length);
    for (const e of b) events.push(e);
  }
  return { events, maxBatch };
}

const iso = (ts: number | undefined) => (ts === undefined ? undefined : new Date(ts).toISOString());

describe.skipIf(!existsSync(SHARED_DATA))('real data in shared/data', () => {
  it('when the kimchi Binance 5m candles are read then all 25,920 rows come, in bounded batches, spanning the manifest range', async () => {
    const file = data(`${KIMCHI}/training/binance_BTC_USDT_20250824_082608.csv`);
    const { events, maxBatch } = await readAll(file);
    expect(events).toHaveLength(25_920);
    expect(maxBatch).toBeLessThanOrEqual(2048);
    expect(iso(events[0]?.ts)).toBe('2025-05-25T23:30:00.000Z');
    expect(iso(events.at(-1)?.ts)).toBe('2025-08-23T23:25:00.000Z');
    expect(events[0]).toMatchObject({ kind: 'candle', open: 108642.56, high: 108772.73, low: 108590.91, close: 108726.01, volume: 53.08696 });
    // Continuous 5-minute bars.
    expect(events.every((e, i) => i === 0 || e.ts - events[i - 1]!.ts === 300_000)).toBe(true);
    expect(await countCsvRows(file)).toBe(25_921);
  });

  it('when the gzipped kimchi Upbit 1m candles are read then all 105,200 rows come', async () => {
    const { events } = await readAll(data(`${KIMCHI}/full/upbit_BTC_KRW_20250824_181219.csv.gz`), 'upbit', 'BTC/KRW');
    expect(events).toHaveLength(105_200);
    expect(iso(events[0]?.ts)).toBe('2024-08-24T22:28:00.000Z');
    expect(iso(events.at(-1)?.ts)).toBe('2025-08-24T09:12:00.000Z');
  });

  it('when the headerless Kraken OHLCVT file is read then all 56,717 rows come, from 2023-01-01 to 2023-03-31', async () => {
    const { events } = await readAll(data('iaqf_analysis/data/kraken/raw/BTCUSDC_1m_20230301_20230321.csv'), 'kraken', 'BTC/USDC');
    expect(events).toHaveLength(56_717);
    expect(events[0]).toEqual({ kind: 'candle', ts: 1672531200000, venue: 'kraken', symbol: 'BTC/USDC', open: 16535.97, high: 16535.97, low: 16522.66, close: 16522.66, volume: 0.01429883 });
    expect(iso(events.at(-1)?.ts)?.slice(0, 10)).toBe('2023-03-31');
    const inBinanceWindow = events.filter((e) => e.ts >= Date.UTC(2023, 2, 1) && e.ts < Date.UTC(2023, 2, 22));
    expect(inBinanceWindow).toHaveLength(15_719);
  });

  it('when the iaqf Binance.US open_time candles are read then all 30,240 minutes come with no gaps', async () => {
    const { events } = await readAll(data('iaqf_analysis/data/binance/raw/BTCUSDC_1m_20230301_20230321.csv'), 'binanceus', 'BTC/USDC');
    expect(events).toHaveLength(30_240);
    expect(events.every((e, i) => e.ts === Date.UTC(2023, 2, 1) + i * 60_000)).toBe(true);
    expect(events.filter((e) => (e as CandleEvent).volume === 0)).toHaveLength(12_971);
  });

  it('when the nautilus 1m bars with microsecond timestamps are read then all 45,031 rows come', async () => {
    const { events } = await readAll(data('nautilus_trader/tests/test_data/btc-perp-20211231-20220201_1m.csv'));
    expect(events).toHaveLength(45_031);
    expect(iso(events[0]?.ts)).toBe('2021-12-31T23:01:00.000Z');
  });

  it('when freqtrade XRP_ETH-1m.json is read then its 3,560 candles come', async () => {
    const { events, maxBatch } = await readAll(data(`${FREQTRADE}/XRP_ETH-1m.json`), 'binance', 'XRP/ETH');
    expect(events).toHaveLength(3_560);
    expect(maxBatch).toBeLessThanOrEqual(2048);
    expect(events[0]).toEqual({ kind: 'candle', ts: 1570752000000, venue: 'binance', symbol: 'XRP/ETH', open: 0.00141342, high: 0.00141557, low: 0.00141266, close: 0.00141418, volume: 1482 });
    const { events: five } = await readAll(data(`${FREQTRADE}/XRP_ETH-5m.json`), 'binance', 'XRP/ETH');
    expect(five).toHaveLength(712);
  });

  it('when the freqtrade trade tape is aggregated into minutes then it reproduces the 1m candles exactly', async () => {
    const { events: trades } = await readAll(data(`${FREQTRADE}/XRP_ETH-trades.json.gz`), 'binance', 'XRP/ETH');
    expect(trades).toHaveLength(12_477);
    const bars = new Map<number, { open: number; high: number; low: number; close: number; volume: number }>();
    for (const t of trades as TradeEvent[]) {
      const m = t.ts - (t.ts % 60_000);
      const b = bars.get(m);
      if (!b) bars.set(m, { open: t.price, high: t.price, low: t.price, close: t.price, volume: t.quantity });
      else {
        b.high = Math.max(b.high, t.price);
        b.low = Math.min(b.low, t.price);
        b.close = t.price;
        b.volume += t.quantity;
      }
    }
    const { events: candles } = await readAll(data(`${FREQTRADE}/XRP_ETH-1m.json`), 'binance', 'XRP/ETH');
    let matched = 0;
    for (const c of candles as CandleEvent[]) {
      const b = bars.get(c.ts);
      if (!b) continue;
      expect([b.open, b.high, b.low, b.close, Math.round(b.volume * 1e8) / 1e8]).toEqual([c.open, c.high, c.low, c.close, c.volume]);
      matched++;
    }
    expect(matched).toBe(2_469);
  });

  it('when the freqtrade public trades CSV (ms timestamps, amount, side) is read then 527 buys and 473 sells come', async () => {
    const { events } = await readAll(data(`${FREQTRADE}/orderflow/public_trades_list.csv`), 'binance', 'ETH/USDT');
    const sides = (events as TradeEvent[]).map((t) => t.side);
    expect(events).toHaveLength(1_000);
    expect(sides.filter((s) => s === 'buy')).toHaveLength(527);
    expect(sides.filter((s) => s === 'sell')).toHaveLength(473);
  });

  it('when the nautilus trades export with buyer_maker is read then the taker side is derived', async () => {
    const { events } = await readAll(data('derived/nautilus_trader/btcusdt-trades.from-parquet.csv'));
    expect(events).toHaveLength(2_001);
    expect(events.slice(0, 2)).toMatchObject([
      { kind: 'trade', ts: Date.UTC(2021, 0, 8, 0, 0, 0, 278), price: 39432.48, quantity: 0.000263, side: 'sell' },
      { kind: 'trade', ts: Date.UTC(2021, 0, 8, 0, 0, 0, 310), price: 39439.44, quantity: 0.004376, side: 'buy' },
    ]);
  });
});
