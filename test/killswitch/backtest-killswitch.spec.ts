/**
 * The kill switch in real backtests (scenario → plan → engine → reports): control rows, stale books,
 * the error-rate trip. Event time only, so each run is the same every time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatConsoleSummary } from '../../src/reports/index.ts';
import { readCsv, readJson, runBacktestCli, tmpDir } from '../engine/helpers.ts';

const T0 = Date.UTC(2025, 0, 1);
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

/** An L2 book of BTC/USDT (bid 999, ask 1000, deep) as a snapshot at each of `seconds`. */
function bookFile(dir: string, seconds: number[]): string {
  const rows = ['timestamp,type,side,price,quantity'];
  for (const s of seconds) rows.push(`${iso(s)},snapshot,bid,999,50`, `${iso(s)},snapshot,ask,1000,50`);
  const f = path.join(dir, 'book.csv');
  writeFileSync(f, `${rows.join('\n')}\n`);
  return f;
}

/** Like bookFile, but the book falls to bid 799 / ask 800 from `dropAt` seconds on. */
function fallingBook(dir: string, seconds: number[], dropAt: number): string {
  const rows = ['timestamp,type,side,price,quantity'];
  for (const s of seconds) {
    const [bid, ask] = s >= dropAt ? [799, 800] : [999, 1000];
    rows.push(`${iso(s)},snapshot,bid,${bid},500`, `${iso(s)},snapshot,ask,${ask},500`);
  }
  const f = path.join(dir, 'book.csv');
  writeFileSync(f, `${rows.join('\n')}\n`);
  return f;
}

function signalFile(dir: string, rows: string[]): string {
  const f = path.join(dir, 'signals.csv');
  writeFileSync(f, `timestamp,exchange,symbol,side,quantity,type,price,id\n${rows.join('\n')}\n`);
  return f;
}

function scenario(dir: string, signals: string, book: string, risk: string): string {
  const f = path.join(dir, 'scenario.yaml');
  writeFileSync(
    f,
    [
      'name: ks',
      `signals: ${signals}`,
      `markets: [{ venue: binance, symbol: BTC/USDT, file: ${book} }]`,
      'venues: { binance: { balances: { USDT: 100000 } } }',
      'equity_interval_ms: 10000',
      `risk: ${risk}`,
    ].join('\n'),
  );
  return f;
}

const EVERY_10S = Array.from({ length: 13 }, (_, i) => i * 10);

const envBefore = process.env.TRADEFLOW_PARSE_THREADS;
afterEach(() => {
  if (envBefore === undefined) delete process.env.TRADEFLOW_PARSE_THREADS;
  else process.env.TRADEFLOW_PARSE_THREADS = envBefore;
});

describe('kill switch in backtests', () => {
  const controlRows = [
    `${iso(5)},binance,BTC/USDT,buy,0.01,market,,b1`,
    `${iso(15)},,,halt,,,,h1`,
    `${iso(25)},binance,BTC/USDT,buy,0.01,market,,b2`,
    `${iso(35)},,,resume,,,,r1`,
    `${iso(45)},binance,BTC/USDT,buy,0.01,market,,b3`,
  ];

  it('when control rows halt then resume then orders before and after go out, the one between is refused, and the history is reported', async () => {
    const dir = tmpDir('tf-ks-');
    const out = path.join(dir, 'out');
    const f = scenario(dir, signalFile(dir, controlRows), bookFile(dir, EVERY_10S), '{}');
    process.env.TRADEFLOW_PARSE_THREADS = 'main';
    const { summary } = await runBacktestCli(f, { out });
    const orders = readCsv(path.join(out, 'orders.csv'));
    expect(orders.map((o) => [o.signal_id, o.status])).toEqual([
      ['b1', 'filled'],
      ['b3', 'filled'],
    ]);
    expect(summary.refused_signals.by_rule).toEqual({ halted: 1 });
    const json = readJson(path.join(out, 'summary.json'));
    expect(json.risk).toEqual({
      state: 'active',
      history: [
        { from: 'active', to: 'halted', reason: `halt: control signal h1 (${path.join(dir, 'signals.csv')}:3)`, ts: T0 + 15_000, iso: iso(15) },
        { from: 'halted', to: 'active', reason: `resume: control signal r1 (${path.join(dir, 'signals.csv')}:5)`, ts: T0 + 35_000, iso: iso(35) },
      ],
    });
    // Backwards compatible: the last change is still in risk_state.
    expect(json.risk_state).toEqual({ state: 'active', reason: json.risk.history[1].reason, ts: iso(35) });
    const text = formatConsoleSummary(summary);
    expect(text).toMatch(/risk +active {2}\(2 changes\)\n +2025-01-01T00:00:15\.000Z active → halted: halt: control signal h1/);
    expect(text).toMatch(/refused +1 {2}\(halted 1\)/);
  });

  it('when the signals are parsed in a worker thread then the run is byte-identical (control rows cross as columns)', async () => {
    const dir = tmpDir('tf-ks-');
    const f = scenario(dir, signalFile(dir, controlRows), bookFile(dir, EVERY_10S), '{}');
    process.env.TRADEFLOW_PARSE_THREADS = 'main';
    await runBacktestCli(f, { out: path.join(dir, 'main') });
    process.env.TRADEFLOW_PARSE_THREADS = 'worker';
    await runBacktestCli(f, { out: path.join(dir, 'worker') });
    for (const file of ['summary.json', 'orders.csv', 'trades.csv']) {
      expect(readFileSync(path.join(dir, 'worker', file), 'utf8'), file).toBe(readFileSync(path.join(dir, 'main', file), 'utf8'));
    }
  });

  it('when the book is older than max_book_age_ms at a signal then it is refused as stale_book, a fresh one passes', async () => {
    const dir = tmpDir('tf-ks-');
    const out = path.join(dir, 'out');
    // Books at 0 s and 60 s only: a signal at 5 s sees a 5 s old book, one at 40 s a 40 s old one.
    const signals = signalFile(dir, [`${iso(5)},binance,BTC/USDT,buy,0.01,market,,fresh`, `${iso(40)},binance,BTC/USDT,buy,0.01,market,,stale`, `${iso(65)},binance,BTC/USDT,sell,0.01,market,,fresh2`]);
    const f = scenario(dir, signals, bookFile(dir, [0, 60, 70]), '{ max_book_age_ms: 30000 }');
    const { result, summary } = await runBacktestCli(f, { out });
    expect(summary.refused_signals.by_rule).toEqual({ stale_book: 1 });
    expect(result.refused[0]).toMatchObject({ signalId: 'stale', rule: 'stale_book', reason: 'market data for binance BTC/USDT is 40000 ms old, above the limit 30000 ms' });
    expect(readCsv(path.join(out, 'orders.csv')).map((o) => o.signal_id)).toEqual(['fresh', 'fresh2']);
  });

  it('when no book age limit is set then a backtest trades on old data (off by default in backtests)', async () => {
    const dir = tmpDir('tf-ks-');
    const signals = signalFile(dir, [`${iso(40)},binance,BTC/USDT,buy,0.01,market,,old`]);
    const f = scenario(dir, signals, bookFile(dir, [0, 60]), '{}');
    const { summary } = await runBacktestCli(f, { out: path.join(dir, 'out') });
    expect(summary.refused_signals.count).toBe(0);
    expect(summary.orders.filled).toBe(1);
  });

  it('when the venue rejects more than max_errors orders within the window then the run halts and later orders are refused', async () => {
    const dir = tmpDir('tf-ks-');
    const out = path.join(dir, 'out');
    // A limit buy of 1000 BTC at 1000 USDT needs far more than the 100000 USDT balance: the simulated
    // venue rejects it (insufficient funds) when it arrives.
    const signals = signalFile(dir, [
      `${iso(5)},binance,BTC/USDT,buy,1000,limit,1000,big1`,
      `${iso(15)},binance,BTC/USDT,buy,1000,limit,1000,big2`,
      `${iso(25)},binance,BTC/USDT,buy,0.01,market,,small`,
    ]);
    const f = scenario(dir, signals, bookFile(dir, EVERY_10S), '{ max_errors: 1, error_window_ms: 60000 }');
    const { summary } = await runBacktestCli(f, { out });
    expect(summary.orders.rejected).toBe(2);
    expect(summary.refused_signals.by_rule).toEqual({ halted: 1 });
    const json = readJson(path.join(out, 'summary.json'));
    expect(json.risk.state).toBe('halted');
    expect(json.risk.history).toHaveLength(1);
    expect(json.risk.history[0].reason).toMatch(/^max_errors: 2 errors within 60000 ms exceeded the limit 1 \(last: OrderRejected binance BTC\/USDT /);
    // Event time: the venue rejected the second order when it arrived (latency 0: at its signal's time).
    expect(json.risk.history[0].iso).toBe(iso(15));
  });

  it('when only one rejection falls in the window then nothing trips', async () => {
    const dir = tmpDir('tf-ks-');
    const signals = signalFile(dir, [`${iso(5)},binance,BTC/USDT,buy,1000,limit,1000,big1`, `${iso(25)},binance,BTC/USDT,buy,0.01,market,,small`]);
    const f = scenario(dir, signals, bookFile(dir, EVERY_10S), '{ max_errors: 1 }');
    const { summary } = await runBacktestCli(f, { out: path.join(dir, 'out') });
    expect(summary.refused_signals.count).toBe(0);
    expect(summary.orders.filled).toBe(1);
    expect(summary.risk?.history).toEqual([]);
  });

  for (const [field, rule] of [
    ['max_drawdown', 'max_drawdown: drawdown'],
    ['max_daily_loss', 'max_daily_loss: loss'],
  ] as const) {
    it(`when equity falls past ${field} then the run halts at that sample in event time, and later orders are refused`, async () => {
      const dir = tmpDir('tf-ks-');
      const out = path.join(dir, 'out');
      // 50 BTC bought at 1000 (less fees); the book falls ~20% at 60 s: equity falls about 10%.
      const signals = signalFile(dir, [`${iso(5)},binance,BTC/USDT,buy,50,market,,in`, `${iso(95)},binance,BTC/USDT,buy,0.01,market,,after`]);
      const f = scenario(dir, signals, fallingBook(dir, EVERY_10S, 60), `{ ${field}: 0.09 }`);
      const { summary } = await runBacktestCli(f, { out });
      expect(summary.refused_signals.by_rule).toEqual({ halted: 1 });
      const h = readJson(path.join(out, 'summary.json')).risk.history;
      expect(h).toHaveLength(1);
      expect(h[0].iso).toBe(iso(60));
      expect(h[0].reason).toMatch(new RegExp(`^${rule} 10\\.\\d\\d% .*exceeded the limit 9\\.00%`));
    });
  }
});
