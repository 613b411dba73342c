/**
 * A small two-venue arbitrage backtest for the execution tests: Binance BTC/USDT against Upbit BTC/KRW
 * on synthetic L2 snapshots (one per second per venue), with Upbit priced `premiumBps` over Binance at
 * a fixed 1,400 KRW per USDT (a rate file). Reports are read back from the run's folder.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { backtestCommand, type BacktestHooks } from '../../src/engine/backtest-command.ts';
import type { ArbitrageReport } from '../../src/engine/arb-report.ts';
import type { SubmitOrder } from '../../src/domain/types.ts';
import type { FailureReport } from '../../src/faults/failure-report.ts';
import { quietIO, readCsv, tmpDir } from '../engine/helpers.ts';

export const T0 = Date.UTC(2025, 7, 24, 6, 0, 0);
export const RATE = 1400;

export interface SynthOptions {
  readonly seconds?: number;
  readonly premiumBps?: number | ((second: number) => number);
  /** Binance best ask (USDT). */
  readonly price?: number;
  /** Size per level (BTC). */
  readonly levelSize?: number;
  /** Size per Upbit level (default levelSize). */
  readonly upbitLevelSize?: number;
}

/** L2 snapshot files for both venues, and the rate file. */
export function synthData(dir: string, o: SynthOptions = {}): { binance: string; upbit: string; rate: string } {
  const seconds = o.seconds ?? 60;
  const p = o.price ?? 100_000;
  const q = o.levelSize ?? 0.05;
  const premium = o.premiumBps ?? 100;
  const bn = ['timestamp,type,side,price,quantity'];
  const up = ['timestamp,type,side,price,quantity'];
  for (let s = 0; s < seconds; s++) {
    const t = T0 + s * 1000;
    // Binance: asks from p up by 1 USDT, bids from p − 1 down; five levels a side.
    for (let k = 0; k < 5; k++) bn.push(`${t},snapshot,bid,${(p - 1 - k).toFixed(2)},${q}`);
    for (let k = 0; k < 5; k++) bn.push(`${t},snapshot,ask,${(p + k).toFixed(2)},${q}`);
    // Upbit, 300 ms later: bids around p × 1,400 × (1 + premium), 1,000 KRW ticks.
    const prem = 1 + (typeof premium === 'number' ? premium : premium(s)) / 1e4;
    const u = Math.round((p * RATE * prem) / 1000) * 1000;
    const uq = o.upbitLevelSize ?? q;
    for (let k = 0; k < 5; k++) up.push(`${t + 300},snapshot,bid,${u - 1000 * k},${uq}`);
    for (let k = 0; k < 5; k++) up.push(`${t + 300},snapshot,ask,${u + 1000 * (k + 1)},${uq}`);
  }
  const files = { binance: path.join(dir, 'binance-l2.csv'), upbit: path.join(dir, 'upbit-l2.csv'), rate: path.join(dir, 'usdt-krw.csv') };
  writeFileSync(files.binance, bn.join('\n') + '\n');
  writeFileSync(files.upbit, up.join('\n') + '\n');
  writeFileSync(files.rate, `timestamp,rate\n${new Date(T0 - 3_600_000).toISOString()},${RATE}\n`);
  return files;
}

export interface ArbRun {
  readonly out: string;
  readonly arb: ArbitrageReport;
  readonly failures: FailureReport | undefined;
  readonly orders: Record<string, string>[];
  readonly summary: any;
}

/** A scenario object (JSON) for the synthetic data, with `extra` merged over the arbitrage block and the top level. */
export function synthScenario(dir: string, files: ReturnType<typeof synthData>, over: { arbitrage?: Record<string, unknown>; faults?: unknown[]; top?: Record<string, unknown>; signals?: string } = {}): string {
  const sc = {
    name: 'arb-synth',
    seed: 1,
    quote_currency: 'USDT',
    ...(over.signals ? { signals: over.signals } : {}),
    markets: [
      { venue: 'binance', symbol: 'BTC/USDT', file: files.binance },
      { venue: 'upbit', symbol: 'BTC/KRW', file: files.upbit },
    ],
    venues: {
      binance: { latency_ms: 50, balances: { USDT: 10_000, BTC: 0 } },
      upbit: { latency_ms: 80, balances: { KRW: 0, BTC: 0.1 } },
    },
    fx: { KRW: 1 / RATE },
    arbitrage: {
      reference_quote: 'USDT',
      pairs: [{ a: 'binance:BTC/USDT', b: 'upbit:BTC/KRW' }],
      conversions: [{ file: files.rate, base: 'USDT', quote: 'KRW' }],
      threshold_bps: 20,
      size: 0.02,
      max_book_age_ms: 5000,
      max_rate_age_ms: 86_400_000,
      policy: 'hedge',
      cooldown_ms: 3_600_000,
      ...over.arbitrage,
    },
    ...(over.faults ? { faults: { seed: 3, compare_without: false, schedule: over.faults } } : {}),
    ...over.top,
  };
  const file = path.join(dir, `scenario-${Math.random().toString(36).slice(2, 8)}.json`);
  writeFileSync(file, JSON.stringify(sc, null, 2));
  return file;
}

/** Runs a scenario file as `tradeflow backtest` does; a broken invariant does not throw here (the report is returned). */
export async function runArb(scenario: string, hooks: BacktestHooks = {}, out = path.join(tmpDir('tf-arb-'), 'out')): Promise<ArbRun> {
  let error: unknown;
  try {
    await backtestCommand(scenario, { out }, quietIO(), hooks);
  } catch (err) {
    error = err;
  }
  const read = (f: string) => JSON.parse(readFileSync(path.join(out, f), 'utf8'));
  let arb: ArbitrageReport;
  try {
    arb = read('arbitrage.json') as ArbitrageReport;
  } catch {
    throw error ?? new Error('no arbitrage.json');
  }
  let failures: FailureReport | undefined;
  try {
    failures = read('failures.json') as FailureReport;
  } catch {
    failures = undefined;
  }
  if (error && !failures) throw error;
  return { out, arb, failures, orders: readCsv(path.join(out, 'orders.csv')), summary: read('summary.json') };
}

/** Records every submit the engine makes to each venue (outside fault injection: what tradeflow sent). */
export function submitRecorder(): { hooks: BacktestHooks; submits: SubmitOrder[] } {
  const submits: SubmitOrder[] = [];
  const hooks: BacktestHooks = {
    wrapDriver: (d) =>
      new Proxy(d, {
        get(target, prop, receiver) {
          if (prop === 'submit') {
            return (cmd: SubmitOrder) => {
              submits.push(cmd);
              return target.submit(cmd);
            };
          }
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      }),
  };
  return { hooks, submits };
}

export { tmpDir };
