/**
 * The detector on real Upbit BTC/KRW and Binance BTC/USDT data from /work/shared/data (kimchi-premium-
 * arbitrage, see MANIFEST.md §3): the files are turned into the project's L2 CSV format, read back
 * through the project's readers (the real CSV path) and merged in event time, and what the detector
 * reports is checked against a direct computation from the raw files written here in a few lines.
 *
 * There is no USD/KRW series in the data, so the conversion is a rate FILE with one rate for the whole
 * slice; 1,390 KRW per USDT (about where USD/KRW stood in 2025) is an input of these tests, not a claim
 * about the market. The assertions are about what the pipeline computes from it.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseRateCsv } from '../../src/arb/conversion.ts';
import { ArbDetector, type DetectorConfig } from '../../src/arb/detector.ts';
import type { Opportunity } from '../../src/arb/opportunity.ts';
import { parseAtto } from '../../src/domain/money.ts';
import type { MarketEvent } from '../../src/domain/types.ts';
import { marketSource } from '../../src/market/market-source.ts';
import { mergeByTime } from '../../src/sources/merge-by-time.ts';
import { SHARED_DATA } from '../sources/helpers.ts';
import { market } from './helpers.ts';

const KIMCHI = join(SHARED_DATA, 'kimchi-premium-arbitrage/data');
const dir = mkdtempSync(join(tmpdir(), 'tradeflow-arb-'));
const binance = market('binance', 'BTC/USDT');
const upbit = market('upbit', 'BTC/KRW');

interface Snapshot {
  readonly ts: number;
  readonly iso: string;
  readonly bids: Array<[number, number]>;
  readonly asks: Array<[number, number]>;
}

/** The collector's 20-level snapshots (timestamps are UTC without a zone). */
function snapshots(file: string): Snapshot[] {
  return gunzipSync(readFileSync(join(KIMCHI, 'orderbook/20250824', file)))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const j = JSON.parse(l) as { timestamp: string; bids: Array<[number, number]>; asks: Array<[number, number]> };
      return { ts: Date.parse(`${j.timestamp.slice(0, 23)}Z`), iso: j.timestamp, bids: j.bids, asks: j.asks };
    });
}

/** Snapshots as the project's L2 CSV (`timestamp,type,side,price,quantity`), one snapshot run each. */
function l2Csv(name: string, snaps: readonly Snapshot[]): string {
  const rows = ['timestamp,type,side,price,quantity'];
  for (const s of snaps) {
    for (const [p, q] of s.bids) rows.push(`${s.iso},snapshot,bid,${p},${q}`);
    for (const [p, q] of s.asks) rows.push(`${s.iso},snapshot,ask,${p},${q}`);
  }
  const file = join(dir, name);
  writeFileSync(file, `${rows.join('\n')}\n`);
  return file;
}

function rateFile(rate: number, from: string): string {
  const file = join(dir, `usdt-krw-${rate}.csv`);
  writeFileSync(file, `timestamp,rate\n${from},${rate}\n`);
  return file;
}

/** Reads both L2 files through the project's reader, merged in event time, into the detector. */
async function run(files: { binance: string; upbit: string }, rate: number, over: Partial<DetectorConfig>, from = '2025-08-24T00:00:00Z') {
  const rf = rateFile(rate, from);
  const series = parseRateCsv(readFileSync(rf, 'utf8'), rf, 'USDT', 'KRW');
  const out: Opportunity[] = [];
  const det = new ArbDetector(
    {
      pairs: [{ a: { market: binance }, b: { market: upbit } }],
      referenceQuote: 'USDT',
      conversions: [{ kind: 'series', series }],
      thresholdBps: 20,
      size: 0.05,
      maxBookAgeMs: 180_000,
      maxRateAgeMs: 86_400_000,
      ...over,
    },
    { free: () => parseAtto('1000000000000') },
    (o) => out.push(o),
  );
  let last = 0;
  let rows = 0;
  const merged = mergeByTime<MarketEvent>([
    marketSource({ venue: 'binance', symbol: 'BTC/USDT', file: files.binance }),
    marketSource({ venue: 'upbit', symbol: 'BTC/KRW', file: files.upbit }),
  ]);
  for await (const batch of merged) {
    for (const ev of batch) {
      if (ev.kind !== 'level') throw new Error('expected L2 rows');
      det.onEvent(ev);
      last = ev.ts;
      rows++;
    }
  }
  det.finish(last);
  return { det, out, rows };
}

const mid = (s: Snapshot) => (s.bids[0]![0] + s.asks[0]![0]) / 2;
/** The last snapshot at or before t. */
const at = (snaps: readonly Snapshot[], t: number) => snaps.filter((s) => s.ts <= t).at(-1);
/** VWAP walking raw levels to q. */
function vwap(levels: ReadonlyArray<[number, number]>, q: number): number {
  let rem = q;
  let notional = 0;
  for (const [p, s] of levels) {
    const take = Math.min(s, rem);
    notional += p * take;
    rem -= take;
    if (rem <= 1e-12) break;
  }
  return notional / q;
}

describe.skipIf(!existsSync(KIMCHI))('arbitrage on real Upbit BTC/KRW and Binance BTC/USDT books (2025-08-24 06:03–06:05 UTC)', () => {
  const bn = snapshots('binance_BTC_USDT_06.jsonl.gz');
  const up = snapshots('upbit_BTC_KRW_06.jsonl.gz');
  const files = { binance: l2Csv('binance.csv', bn), upbit: l2Csv('upbit.csv', up) };

  it('when the premium is sampled each second then every sample is the direct mid premium of the raw snapshots in force', async () => {
    const { det, rows } = await run(files, 1390, { thresholdBps: 1000 });
    expect(rows).toBe((bn.length + up.length) * 40);
    // Direct: for each whole second from the first row to the last, the latest snapshot of each venue.
    const expected: Array<{ ts: number; bps: number }> = [];
    const first = Math.min(bn[0]!.ts, up[0]!.ts);
    const lastTs = Math.max(bn.at(-1)!.ts, up.at(-1)!.ts);
    for (let g = Math.ceil(first / 1000) * 1000; g <= lastTs; g += 1000) {
      const a = at(bn, g);
      const b = at(up, g);
      if (!a || !b || g - a.ts > 180_000 || g - b.ts > 180_000) continue;
      expected.push({ ts: g, bps: 1e4 * (mid(b) / 1390 / mid(a) - 1) });
    }
    const got = det.premium[0]!.points();
    expect(got.map((p) => p.ts)).toEqual(expected.map((p) => p.ts));
    got.forEach((p, i) => expect(p.bps).toBeCloseTo(expected[i]!.bps, 9));
    // Binance's first snapshot is at 06:05:21.19, the last row at 06:05:50.38: 06:05:22 … 06:05:50.
    expect(got).toHaveLength(29);
    // Sign and size: at 1,390 KRW/USDT Upbit sits 44–46 bps BELOW Binance throughout this slice: the
    // books imply 159,511,500 / 115,279.255 = 1,383.7 KRW per USDT.
    for (const p of got) expect(p.bps).toBeGreaterThan(-46);
    for (const p of got) expect(p.bps).toBeLessThan(-44);
    // And the sign follows the rate: at 1,380 the premium is positive (≈ +27 bps).
    const { det: det2 } = await run(files, 1380, { thresholdBps: 1000 });
    for (const p of det2.premium[0]!.points()) expect(p.bps).toBeCloseTo(1e4 * (159_511_500 / 1380 / 115_279.255 - 1), 6);
    expect(det2.premium[0]!.bpsAt(0)).toBeGreaterThan(26);
  });

  it('when the rate makes Upbit rich then buy-Binance/sell-Upbit opportunities come with the VWAPs of the raw depth', async () => {
    // At 1,370 KRW/USDT the Upbit best bid is worth 159,508,000 / 1,370 = 116,429.2 USDT against the Binance
    // ask 115,279.26: gross ≈ 99.7 bps, net ≈ 84.7 bps after 0.1% + 0.05%.
    const { out, det } = await run(files, 1370, {});
    expect(out.length).toBeGreaterThan(0);
    expect(det.skips.below_threshold, 'the other direction never clears').toBe(out.length);
    for (const o of out) {
      expect(o).toMatchObject({ buyVenue: 'binance', sellVenue: 'upbit', size: 0.05, binding: 'size', rate: 1370 });
      const a = at(bn, o.ts)!;
      const b = at(up, o.ts)!;
      // Upbit's best bid holds ~0.012 BTC: 0.05 walks several levels.
      expect(b.bids[0]![1]).toBeLessThan(0.05);
      expect(o.expectedBuyPrice).toBeCloseTo(vwap(a.asks, 0.05), 6);
      expect(o.expectedSellPrice).toBeCloseTo(vwap(b.bids, 0.05), 2);
      const buyRef = vwap(a.asks, 0.05) * 0.05;
      const sellRef = (vwap(b.bids, 0.05) * 0.05) / 1370;
      expect(o.netEdgeBps).toBeCloseTo((1e4 * (sellRef * 0.9995 - buyRef * 1.001)) / buyRef, 6);
      expect(o.netEdgeBps).toBeGreaterThan(80);
      expect(o.netEdgeBps).toBeLessThan(90);
    }
    // One evaluation per snapshot (40 rows each) once both books exist, not one per row.
    expect(det.counts.evaluations).toBeLessThanOrEqual((bn.length + up.length) * 2);
  });
});

describe.skipIf(!existsSync(KIMCHI))('premium series on real 5-minute closes (Upbit block 2025-05-28 18:10 → 05-29 10:45 UTC)', () => {
  it('when each close is a one-level book then the sampled premium equals the direct computation at every bar', async () => {
    const read = (f: string) =>
      readFileSync(join(KIMCHI, 'historical/training', f), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(','))
        .map(([t, , , , c]) => ({ ts: Date.parse(`${t!.replace(' ', 'T')}Z`), t: t!, close: Number(c) }));
    const upRows = read('upbit_BTC_KRW_20250824_082622.csv').slice(0, 200);
    const lo = upRows[0]!.ts;
    const hi = upRows.at(-1)!.ts;
    const bnRows = read('binance_BTC_USDT_20250824_082608.csv').filter((r) => r.ts >= lo && r.ts <= hi);
    expect(bnRows).toHaveLength(200);
    // A close becomes bid = close, ask = close + one tick (Binance 0.01 USDT, Upbit 1,000 KRW at these prices).
    const csv = (name: string, rows: typeof upRows, tick: number) => {
      const file = join(dir, name);
      writeFileSync(file, ['timestamp,type,side,price,quantity', ...rows.flatMap((r) => [`${r.t},snapshot,bid,${r.close},1`, `${r.t},snapshot,ask,${r.close + tick},1`])].join('\n'));
      return file;
    };
    const files = { binance: csv('bn-5m.csv', bnRows, 0.01), upbit: csv('up-5m.csv', upRows, 1000) };
    const { det } = await run(files, 1390, { thresholdBps: 1000, premiumIntervalMs: 300_000, maxBookAgeMs: 300_000, maxRateAgeMs: 30 * 86_400_000 }, '2025-05-28T00:00:00Z');
    const got = det.premium[0]!.points();
    const direct = upRows.map((u, i) => ({ ts: u.ts, bps: 1e4 * ((u.close + 500) / 1390 / (bnRows[i]!.close + 0.005) - 1) }));
    expect(got.map((p) => p.ts)).toEqual(direct.map((d) => d.ts));
    got.forEach((p, i) => expect(p.bps).toBeCloseTo(direct[i]!.bps, 9));
    // The close-to-close premium over this block at 1,390: from about −8 to +72 bps, mostly positive.
    const bps = got.map((p) => p.bps);
    expect(Math.min(...bps)).toBeCloseTo(-8.2, 0);
    expect(Math.max(...bps)).toBeCloseTo(71.7, 0);
    expect(bps.filter((v) => v > 0).length).toBeGreaterThan(150);
    // Cross-check with MANIFEST §3.2: the implied KRW/USDT (zero-premium rate) lies within 1,341.6–1,423.0.
    for (const v of bps) {
      const implied = 1390 * (1 + v / 1e4);
      expect(implied).toBeGreaterThan(1341.6);
      expect(implied).toBeLessThan(1423.0);
    }
  });
});
