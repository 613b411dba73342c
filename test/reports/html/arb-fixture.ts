/**
 * A small arbitrage.json for the page tests: Binance BTC/USDT against Upbit BTC/KRW, four arbitrages
 * (one complete, one hedged with a residual, one that filled nothing, one from a signal row finished
 * after a crash), one still in flight, a short premium series, and a helper that writes a minimal run
 * folder around it. The signal id is hostile markup.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ArbTradeReport, ArbitrageReport } from '../../../src/engine/arb-report.ts';
import type { ArbitrageFile } from '../../../src/reports/html/arb-view.ts';

export const EVIL_SIGNAL = `<script>alert("sig")</script>`;
/** 2025-08-01T00:00:00.000Z */
export const ARB_T0 = Date.UTC(2025, 7, 1);

const iso = (ms: number) => new Date(ARB_T0 + ms).toISOString();

function trade(over: Partial<ArbTradeReport> & Pick<ArbTradeReport, 'id' | 'outcome' | 'pnl'>): ArbTradeReport {
  return {
    source: 'detector',
    detected: iso(60_000),
    started: iso(60_000),
    done: iso(60_150),
    buy: { venue: 'binance', symbol: 'BTC/USDT' },
    sell: { venue: 'upbit', symbol: 'BTC/KRW' },
    size: 0.05,
    expected: { buyPrice: 118_000, sellPrice: 163_900_000, grossBps: 35.5, netBps: 15.25, rate: 1388.9 },
    realized: { bought: 0.05, sold: 0.05, buyPrice: 118_011.8, sellPrice: 163_883_610, netBps: 12.75, buySlippageBps: 1, sellSlippageBps: 1.5 },
    phase: 'done',
    orders: [],
    ...over,
  };
}

export function arbFixture(trades?: readonly ArbTradeReport[]): ArbitrageReport {
  return {
    referenceQuote: 'USDT',
    policy: 'hedge',
    sequential: false,
    thresholdBps: 10,
    opportunities: {
      detector: { evaluations: 3200, emitted: 45, skipped: { below_threshold: 2911, stale_rate: 184, no_rate: 46, stale_book: 8, no_inventory: 4, no_book: 2, size_below_minimum: 0 } },
      fromDetector: { seen: 32, taken: 4, skipped: { below_threshold: 16, no_inventory: 12 } },
      fromSignals: { seen: 2, taken: 1, skipped: { stale_signal: 1 } },
    },
    outcomes: { complete: 1, hedged: 1, nothing_filled: 1, in_flight: 1 },
    pnl: { byVenue: { binance: 389.381731, upbit: -177.915737 }, total: 211.465994, basePrice: { BTC: 118134.14 } },
    residual: { byAsset: { BTC: 0.00123 }, items: [{ id: 'arb-2', asset: 'BTC', quantity: 0.00123, venue: 'upbit', reason: 'dust below the minimum' }] },
    inventory: {
      initial: { binance: { BTC: '0.2', USDT: '20000' }, upbit: { BTC: '0.2', KRW: '28000000' } },
      final: { binance: { BTC: '0.14236', USDT: '27198.6335607083' }, upbit: { BTC: '0.25764', KRW: '18309168.25889604' } },
      drift: { binance: { BTC: '-0.05764', USDT: '7198.6335607083' }, upbit: { BTC: '0.05764', KRW: '-9690831.74110396' } },
      transfers: [{ asset: 'BTC', from: 'upbit', to: 'binance', amount: '0.05764' }],
      conversions: [
        { venue: 'upbit', asset: 'KRW', amount: '-9690831.74110396', valueRef: -7073.466603 },
        { venue: 'binance', asset: 'USDT', amount: '7198.6335607083', valueRef: 7198.633561 },
      ],
    },
    premium: [
      {
        a: 'binance:BTC/USDT',
        b: 'upbit:BTC/KRW',
        samples: 6,
        minBps: -4.5,
        maxBps: 31.25,
        meanBps: 12.5,
        points: [0, 1, 2, 3, 4, 5].map((i): [number, number] => [ARB_T0 + i * 300_000, [3, -4.5, 10, 31.25, 22, 13.25][i]!]),
      },
    ],
    trades: trades ?? [
      trade({ id: 'arb-1', outcome: 'complete', pnl: 7.5 }),
      trade({
        id: 'arb-2',
        detected: iso(600_000),
        outcome: 'hedged',
        note: 'sell leg partial; hedged on binance',
        realized: { bought: 0.05, sold: 0.04877, buyPrice: 118_020, sellPrice: 163_850_000, netBps: -3.5, buySlippageBps: 1.69, sellSlippageBps: 3.05 },
        residual: { asset: 'BTC', quantity: 0.00123, venue: 'upbit' },
        pnl: -1.25,
      }),
      trade({ id: 'arb-3', detected: iso(900_000), outcome: 'nothing_filled', realized: { bought: 0, sold: 0 }, pnl: 0 }),
      trade({ id: 'arb-4', source: 'signal', signalId: EVIL_SIGNAL, recovered: true, detected: iso(1_200_000), outcome: 'complete', pnl: 3.2 }),
      trade({ id: 'arb-5', detected: iso(1_500_000), outcome: 'in_flight', phase: 'open', realized: { bought: 0.05, sold: 0 }, pnl: 0 }),
    ],
  };
}

export { trade as arbTrade };

/** The engine's report is what the page reads: this assignment stops compiling when the two drift apart. */
export const FIXTURE_AS_FILE: ArbitrageFile = arbFixture();

/**
 * A minimal run folder (summary.json, equity.csv, trades.csv) in `dir`, with `arbitrage` written as
 * arbitrage.json when given (a string is written as is).
 */
export function writeRunDir(dir: string, arbitrage?: ArbitrageReport | string): string {
  mkdirSync(dir, { recursive: true });
  const summary = { scenario: 'arb-fixture', mode: 'backtest', seed: 7, quote_currency: 'USDT', start: iso(0), end: iso(1_800_000), fills: 0 };
  writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary));
  const equity = [0, 1, 2, 3].map((i) => `${iso(i * 600_000)},${40_000 + i},0`);
  writeFileSync(path.join(dir, 'equity.csv'), ['timestamp,equity,drawdown', ...equity, ''].join('\n'));
  writeFileSync(path.join(dir, 'trades.csv'), 'ts,venue,symbol,side,price,quantity\n');
  if (arbitrage !== undefined) {
    writeFileSync(path.join(dir, 'arbitrage.json'), typeof arbitrage === 'string' ? arbitrage : `${JSON.stringify(arbitrage, null, 2)}\n`);
  }
  return dir;
}

/** A table of the page by its id: header cells and body rows, as text (entities decoded). */
export function htmlTable(html: string, id: string): { head: string[]; rows: string[][] } {
  const m = new RegExp(`<table id="${id}"><thead>(.*?)</thead><tbody>(.*?)</tbody></table>`, 's').exec(html);
  if (m === null) throw new Error(`no table #${id} in the page`);
  const cells = (row: string) => [...row.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((c) => decode(c[1]!));
  const rows = [...m[2]!.matchAll(/<tr>(.*?)<\/tr>/gs)].map((r) => cells(r[1]!));
  return { head: cells(m[1]!), rows };
}

/** The rows of a two-column table as a map from the first cell to the second. */
export function tableMap(html: string, id: string): Map<string, string> {
  return new Map(htmlTable(html, id).rows.map((r) => [r[0]!, r[1]!]));
}

/** One `<section id=…>` of the page. */
export function htmlSection(html: string, id: string): string | undefined {
  return new RegExp(`<section id="${id}">.*?</section>`, 's').exec(html)?.[0];
}

/** The chart specs the page embedded for its script. */
export function embeddedCharts(html: string): { id: string; series: { name: string; t: number[]; v: number[] }[] }[] {
  const json = /<script id="tf-data" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1];
  return (JSON.parse(json!) as { charts: { id: string; series: { name: string; t: number[]; v: number[] }[] }[] }).charts;
}

function decode(s: string): string {
  return s.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!);
}
