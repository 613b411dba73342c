/**
 * Where the input files are parsed (this thread or parse workers, see sources/worker-source.ts) must
 * not show in the results: the same run gives byte-identical reports (but run.json) either way, and
 * the same message for bad input. TRADEFLOW_PARSE_THREADS forces the choice.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunFlags } from '../../src/engine/run-options.ts';
import { REPO, runBacktestCli, tmpDir } from './helpers.ts';

const REPORTS = ['trades.csv', 'orders.csv', 'equity.csv', 'summary.json'];
const saved = process.env.TRADEFLOW_PARSE_THREADS;
afterEach(() => {
  if (saved === undefined) delete process.env.TRADEFLOW_PARSE_THREADS;
  else process.env.TRADEFLOW_PARSE_THREADS = saved;
});

async function reportsIn(mode: 'main' | 'worker', scenario: string | undefined, flags: RunFlags): Promise<Record<string, string>> {
  process.env.TRADEFLOW_PARSE_THREADS = mode;
  const out = path.join(tmpDir(`tf-threads-${mode}-`), 'run');
  await runBacktestCli(scenario, { ...flags, out });
  return Object.fromEntries(REPORTS.map((f) => [f, readFileSync(path.join(out, f), 'utf8')]));
}

/** Two venues of L2 books that move, and market signals on both, with a few bad signal rows. */
function bookInputs(): { flags: RunFlags } {
  const dir = tmpDir('tf-threads-in-');
  const book = (name: string, mid: number, tick: number) => {
    const rows = ['timestamp,type,side,price,quantity'];
    const t0 = Date.UTC(2024, 0, 1);
    for (let k = 1; k <= 10; k++) rows.push(`${t0},snapshot,bid,${((mid - k) * tick).toFixed(2)},1.5`, `${t0},snapshot,ask,${((mid + k) * tick).toFixed(2)},1.5`);
    let m = mid;
    for (let i = 0; i < 6000; i++) {
      const ts = t0 + 1000 + i * 10;
      if (i % 50 === 0) {
        m += i % 100 === 0 ? 1 : -1;
        rows.push(`${ts},delta,ask,${(m * tick).toFixed(2)},0`, `${ts},delta,bid,${((m - 1) * tick).toFixed(2)},0.8`);
      } else rows.push(`${ts},delta,${i % 2 ? 'bid' : 'ask'},${((i % 2 ? m - 1 - (i % 5) : m + 1 + (i % 5)) * tick).toFixed(2)},${(0.2 + (i % 7) / 10).toFixed(2)}`);
    }
    const f = path.join(dir, name);
    writeFileSync(f, `${rows.join('\n')}\n`);
    return f;
  };
  const binance = book('binance.csv', 400_000, 0.1);
  const upbit = book('upbit.csv', 55_000, 1000);
  const sig = ['timestamp,exchange,symbol,side,quantity,type,price,risk,id'];
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < 3000; i++) {
    const venue = i % 3 === 0 ? 'upbit' : 'binance';
    const symbol = venue === 'upbit' ? 'BTC/KRW' : 'BTC/USDT';
    sig.push(`${t0 + 1000 + i * 20},${venue},${symbol},${i % 2 ? 'sell' : 'buy'},0.001,market,,0.1,s${i}`);
  }
  sig.splice(100, 0, `${t0 + 2990},binance,BTC/USDT,buy,abc,market,,,bad1`);
  sig.splice(200, 0, `${t0 + 4990},kraken,BTC/USD,buy,1,market,,,bad2`);
  const signals = path.join(dir, 'signals.csv');
  writeFileSync(signals, `${sig.join('\n')}\n`);
  return {
    flags: {
      signals,
      market: [`binance:BTC/USDT=${binance}`, `upbit:BTC/KRW=${upbit}`],
      'fill-model': 'book',
      balance: ['binance:USDT=100000', 'binance:BTC=10', 'upbit:KRW=100000000', 'upbit:BTC=10'],
      quote: 'KRW',
      'skip-bad-rows': true,
    },
  };
}

describe('parse threads do not change results', () => {
  it('when the quickstart runs with its files parsed in workers then every report equals the in-thread run', async () => {
    const scenario = path.join(REPO, 'scenarios/quickstart.yaml');
    const a = await reportsIn('main', scenario, {});
    const b = await reportsIn('worker', scenario, {});
    for (const f of REPORTS) expect(b[f], f).toBe(a[f]);
  });

  it('when two books and signals with bad rows run in workers then every report equals the in-thread run', async () => {
    const { flags } = bookInputs();
    const a = await reportsIn('main', undefined, flags);
    const b = await reportsIn('worker', undefined, flags);
    expect(JSON.parse(a['summary.json']!).fills).toBeGreaterThan(1000);
    expect(JSON.parse(a['summary.json']!).bad_rows.count).toBe(2);
    for (const f of REPORTS) expect(b[f], f).toBe(a[f]);
  });

  it('when the CLI reads a malformed file in a worker then it stops with the same message and exit code', () => {
    const dir = tmpDir('tf-threads-cli-');
    const f = path.join(dir, 'malformed.csv');
    writeFileSync(f, 'timestamp,exchange,symbol,side,quantity,type,price,risk,id\n2025-06-01T03:02:00Z,binance,BTC/USDT,buy,0.01,market,,0.1,a\n2025-06-01T03:03:00Z,binance,BTC/USDT,buy,abc,market,,0.1,b\n');
    const candles = path.join(REPO, 'data/sample/binance-btcusdt-1m.csv');
    const run = (mode: string) =>
      spawnSync(process.execPath, [path.join(REPO, 'bin/tradeflow.js'), 'backtest', '--signals', f, '--market', `binance:BTC/USDT=${candles}`, '--balance', 'binance:USDT=10000', '--out', path.join(dir, `out-${mode}`)], {
        encoding: 'utf8',
        cwd: dir,
        env: { ...process.env, CI: '1', TRADEFLOW_PARSE_THREADS: mode },
      });
    const a = run('main');
    const b = run('worker');
    expect(a.status).toBe(2);
    expect(b.status).toBe(2);
    expect(b.stderr).toBe(a.stderr);
    expect(b.stderr).toMatch(/malformed\.csv:3: field "quantity"/);
  });
});
