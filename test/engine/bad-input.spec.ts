import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, tmpDir } from './helpers.ts';

const dir = tmpDir('tf-bad-');
const candles = path.join(REPO, 'data/sample/binance-btcusdt-1m.csv');
const HEADER = 'timestamp,exchange,symbol,side,quantity,type,price,risk,id';

function signals(name: string, rows: string[]): string {
  const f = path.join(dir, name);
  writeFileSync(f, [HEADER, ...rows].join('\n') + '\n');
  return f;
}

/** Runs the real CLI; every case must exit non-zero with a clear message and write nothing. */
function cli(args: string[]): { code: number | null; stderr: string; out: string } {
  const out = path.join(tmpDir('tf-bad-out-'), 'report');
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin/tradeflow.js'), 'backtest', ...args, '--out', out], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, CI: '1' },
  });
  expect(existsSync(out), 'nothing is written for a failed run').toBe(false);
  expect(existsSync(path.dirname(out)) ? readdirSync(path.dirname(out)) : [], 'no temp folder left').toEqual([]);
  return { code: r.status, stderr: r.stderr, out };
}

const ok = '2025-06-01T03:02:00Z,binance,BTC/USDT,buy,0.01,market,,0.1,a';
const market = ['--market', `binance:BTC/USDT=${candles}`, '--balance', 'binance:USDT=10000'];

describe('bad input stops the run with a message naming file, line and field', () => {
  it('when a row is malformed then the file and line are named', () => {
    const f = signals('malformed.csv', [ok, '2025-06-01T03:03:00Z,binance,BTC/USDT,buy,abc,market,,0.1,b']);
    const r = cli(['--signals', f, ...market]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/malformed\.csv:3: field "quantity"/);
  });

  it('when the venue is not a ccxt exchange id then the row says so', () => {
    const f = signals('venue.csv', ['2025-06-01T03:02:00Z,binanse,BTC/USDT,buy,0.01,market,,0.1,a']);
    const r = cli(['--signals', f, ...market]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/venue\.csv:2: field "exchange".*binanse/);
  });

  it('when a signal names a market with no data then the row says so', () => {
    const f = signals('nodata.csv', ['2025-06-01T03:02:00Z,binance,ETH/USDT,buy,0.01,market,,0.1,a']);
    const r = cli(['--signals', f, ...market]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nodata\.csv:2: field "symbol".*ETH\/USDT/);
  });

  it('when a quantity is NaN or negative then the field is named', () => {
    for (const q of ['NaN', '-0.5']) {
      const f = signals(`qty${q}.csv`, [`2025-06-01T03:02:00Z,binance,BTC/USDT,buy,${q},market,,0.1,a`]);
      const r = cli(['--signals', f, ...market]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/:2: field "quantity"/);
    }
  });

  it('when --skip-bad-rows is given then bad rows are counted instead', () => {
    const f = signals('skip.csv', [ok, '2025-06-01T03:03:00Z,binance,BTC/USDT,buy,abc,market,,0.1,b']);
    const out = path.join(tmpDir(), 'r');
    const r = spawnSync(process.execPath, [path.join(REPO, 'bin/tradeflow.js'), 'backtest', '--signals', f, ...market, '--skip-bad-rows', '--out', out], {
      encoding: 'utf8',
      env: { ...process.env, CI: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.bad_rows.count).toBe(1);
    expect(summary.bad_rows.rows[0]).toMatchObject({ line: 3 });
  });

  it('when a file is missing then it is named', () => {
    const r = cli(['--signals', path.join(dir, 'nope.csv'), ...market]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/field "signals": file not found: .*nope\.csv/);
  });

  it('when the scenario YAML is bad then file and position are named', () => {
    const f = path.join(dir, 'bad.yaml');
    writeFileSync(f, 'name: [unclosed\n');
    const r = cli([f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: invalid YAML/);
  });

  it('when a scenario field is wrong then the field is named', () => {
    const f = path.join(dir, 'field.yaml');
    writeFileSync(f, `markets: [{ venue: binance, symbol: BTC/USDT, file: ${candles} }]\nfill_model: candle\n`);
    const r = cli([f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/field\.yaml: field "fill_model"/);
  });
});
