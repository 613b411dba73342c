/**
 * The two shipped arbitrage scenarios on real two-venue data (data/arb, sliced from ../shared/data):
 * Binance BTC/USDT against Upbit BTC/KRW (5-minute bars), and Binance.US against Kraken BTC/USDC
 * (1-minute bars across the March 2023 USDC de-peg). Each is run as `tradeflow backtest` runs it and
 * its arbitrage.json is checked against the raw files and against the run's other reports.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ArbitrageReport } from '../../src/engine/arb-report.ts';
import { REPO } from '../engine/helpers.ts';
import { runArb, type ArbRun } from './exec-helpers.ts';

const scenario = (name: string) => path.join(REPO, 'scenarios', name);
const gz = (f: string) => gunzipSync(readFileSync(path.join(REPO, 'data/arb', f))).toString('utf8').trim().split('\n');

/** Per-trade and whole-run checks both scenarios share. */
function commonChecks(r: ArbRun, file: string): void {
  const a = r.arb;
  const sc = parse(readFileSync(file, 'utf8')) as { venues: Record<string, { balances: Record<string, number> }>; arbitrage: { threshold_bps: number } };
  expect(a.trades.length).toBeGreaterThan(0);
  for (const t of a.trades) {
    expect(t.outcome, t.id).toBe('complete');
    expect(t.expected.netBps, `${t.id} was taken above the threshold`).toBeGreaterThanOrEqual(sc.arbitrage.threshold_bps);
    // The legs meet the book the edge was priced on (synthetic bar books; both orders arrive before
    // the next bar), so execution adds nothing: no slippage, realized = expected.
    expect(t.realized.buySlippageBps).toBe(0);
    expect(t.realized.sellSlippageBps).toBe(0);
    expect(Math.abs(t.realized.netBps! - t.expected.netBps), t.id).toBeLessThan(1e-6);
    expect(t.realized.bought).toBe(t.size);
    expect(t.realized.sold).toBe(t.size);
  }
  // P&L: the venues sum to the total, and the total is the trades'.
  const venues = Object.values(a.pnl.byVenue).reduce((x, y) => x + y, 0);
  expect(venues).toBeCloseTo(a.pnl.total, 3);
  expect(a.trades.reduce((x, t) => x + t.pnl, 0)).toBeCloseTo(a.pnl.total, 3);
  expect(a.residual.byAsset).toEqual({});
  // Drift is final − initial: the summary's final balances against the scenario's starting ones.
  for (const [venue, assets] of Object.entries(a.inventory.drift)) {
    for (const [asset, d] of Object.entries(assets)) {
      const initial = sc.venues[venue]?.balances[asset] ?? 0;
      const final = Number(r.summary.balances[venue][asset] ?? 0);
      expect(Number(d), `${venue} ${asset}`).toBeCloseTo(final - initial, 6);
    }
  }
  // Every base unit bought on one venue was sold on the other: a transfer restores it.
  const base = a.inventory.transfers.filter((t) => t.asset === 'BTC');
  expect(base).toHaveLength(1);
  expect(Number(base[0]!.amount)).toBeCloseTo(Math.abs(Number(Object.values(a.inventory.drift)[0]!.BTC)), 12);
  // Candidates: seen = taken + skipped, per source.
  const d = a.opportunities.fromDetector;
  expect(d.taken + Object.values(d.skipped).reduce((x, y) => x + y, 0)).toBe(d.seen);
  expect(d.taken).toBe(a.trades.length);
}

describe('arbitrage scenario: Binance BTC/USDT vs Upbit BTC/KRW (5-minute bars, 2025-07-30 → 08-10)', () => {
  const file = scenario('arb-kimchi.yaml');
  let r: ArbRun;
  beforeAll(async () => {
    r = await runArb(file);
  }, 60_000);

  it('when run then every trade is complete with its expected edge, and P&L and drift add up', () => {
    commonChecks(r, file);
    // Each trade's P&L is its edge on its buy notional in USDT (KRW at the rate file's value).
    for (const t of r.arb.trades) {
      const buyUsdt = t.buy.venue === 'binance' ? t.expected.buyPrice * t.size : (t.expected.buyPrice * t.size) / t.expected.rate;
      expect(t.pnl, t.id).toBeCloseTo((t.expected.netBps / 1e4) * buyUsdt, 4);
    }
  });

  it('when Upbit jumps over its last hour (2025-07-30 19:00–19:15) then the arbitrage buys on Binance and sells on Upbit, as the raw bars say', () => {
    const up = new Map(gz('upbit-btckrw-5m.csv.gz').slice(1).map((l) => [l.slice(0, 19), Number(l.split(',')[1])]));
    const bn = new Map(gz('binance-btcusdt-5m.csv.gz').slice(1).map((l) => [l.slice(0, 19), Number(l.split(',')[1])]));
    const rates = readFileSync(path.join(REPO, 'data/arb/usdt-krw-implied-1h.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const rateAt = (t: number) => Number(rates.filter(([ts]) => Date.parse(ts!) <= t).at(-1)![1]);
    const spike = r.arb.trades.filter((t) => t.detected >= '2025-07-30T19:00' && t.detected <= '2025-07-30T19:15:00.000Z');
    expect(spike.length).toBeGreaterThanOrEqual(3);
    for (const t of spike) {
      expect([t.buy.venue, t.sell.venue]).toEqual(['binance', 'upbit']);
      const key = t.detected.slice(0, 19).replace('T', ' ');
      // The premium of the raw opens over the rate known then, less both taker fees (0.10% + 0.05%):
      // the edge up to the synthetic books' half-spreads and depth.
      const raw = 1e4 * (up.get(key)! / rateAt(Date.parse(t.detected)) / bn.get(key)! - 1);
      expect(raw - 15, t.id).toBeGreaterThan(t.expected.netBps);
      expect(raw - 15 - t.expected.netBps, `${t.id}: spread and depth cost a few bps`).toBeLessThan(6);
    }
  });

  it('when the premium is sampled then it is the raw opens over the rate file, at each 5-minute bar', () => {
    const up = new Map(gz('upbit-btckrw-5m.csv.gz').slice(1).map((l) => [Date.parse(l.slice(0, 19).replace(' ', 'T') + 'Z'), Number(l.split(',')[1])]));
    const bn = new Map(gz('binance-btcusdt-5m.csv.gz').slice(1).map((l) => [Date.parse(l.slice(0, 19).replace(' ', 'T') + 'Z'), Number(l.split(',')[1])]));
    const rates = readFileSync(path.join(REPO, 'data/arb/usdt-krw-implied-1h.csv'), 'utf8').trim().split('\n').slice(1).map((l) => [Date.parse(l.split(',')[0]!), Number(l.split(',')[1])] as const);
    const p = r.arb.premium[0]!;
    expect(p.samples).toBeGreaterThan(500);
    // At a bar we traded, our own fills took levels off the book (as the venue's book would show).
    const traded = new Set(r.arb.trades.map((t) => Date.parse(t.detected)));
    let checked = 0;
    for (const [ts, bps] of p.points) {
      // A sample at grid time g sees the bars at ≤ g; on the 5-minute grid that is the bar at g.
      if (!up.has(ts) || !bn.has(ts) || traded.has(ts)) continue;
      const rate = rates.filter(([t]) => t <= ts).at(-1)?.[1];
      if (rate === undefined) continue;
      // The synthetic mids sit within a tick of the opens: within 0.1 bps.
      expect(bps, new Date(ts).toISOString()).toBeCloseTo(1e4 * (up.get(ts)! / rate / bn.get(ts)! - 1), 0);
      checked++;
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('when run twice then arbitrage.json is identical', async () => {
    const again = await runArb(file);
    expect(again.arb).toEqual(r.arb);
  }, 60_000);
});

describe('arbitrage scenario: Binance.US vs Kraken BTC/USDC (1-minute bars, 2023-03-10 18:00 → 03-12 18:00)', () => {
  const file = scenario('arb-usdc.yaml');
  let r: ArbRun;
  let a: ArbitrageReport;
  beforeAll(async () => {
    r = await runArb(file);
    a = r.arb;
  }, 60_000);

  it('when run then every trade is complete with its expected edge, and P&L and drift add up', () => {
    commonChecks(r, file);
    // Both quote USDC: each trade's P&L is its edge on its buy notional.
    for (const t of a.trades) expect(t.pnl, t.id).toBeCloseTo((t.expected.netBps / 1e4) * t.expected.buyPrice * t.size, 4);
  });

  it('when USDC de-pegs then trades cluster in it, and each buys where BTC/USDC was cheaper by more than the fees', () => {
    const depeg = a.trades.filter((t) => t.detected >= '2023-03-11' && t.detected < '2023-03-12');
    expect(depeg.length / a.trades.length).toBeGreaterThan(0.5);
    for (const t of a.trades) {
      // Binance.US charges nothing (scenario), Kraken 0.40%: the gross edge must pay for Kraken's fee.
      expect(t.expected.grossBps, t.id).toBeGreaterThan(40 + 20);
      expect(t.expected.sellPrice).toBeGreaterThan(t.expected.buyPrice * 1.006);
    }
    // Kraken's fee as charged: 0.40% of each fill's notional.
    for (const o of r.orders.filter((x) => x.venue === 'kraken' && Number(x.filled) > 0)) {
      expect(Number(o.fees) / (Number(o.filled) * Number(o.avg_price))).toBeCloseTo(0.004, 6);
    }
  });

  it('when Kraken has no bar for a while or Binance.US a zero-volume one then the detector skips them as stale or empty, not trades', () => {
    const s = a.opportunities.detector.skipped;
    expect(s.stale_book, 'Kraken writes only minutes with trades').toBeGreaterThan(100);
    expect(s.no_book, 'after a zero-volume Binance.US minute the synthetic book is empty').toBeGreaterThan(100);
  });

  it('when inventory runs out then the size shrinks and the arbitrage stops at no_inventory, with the balances never negative', () => {
    expect(a.opportunities.detector.skipped.no_inventory).toBeGreaterThan(0);
    for (const assets of Object.values(a.inventory.final)) for (const v of Object.values(assets)) expect(Number(v)).toBeGreaterThanOrEqual(0);
  });
});
