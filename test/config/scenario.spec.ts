import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { planFromInputs } from '../../src/engine/backtest-command.ts';
import { parseBalanceFlag, parseMarketFlag } from '../../src/engine/run-options.ts';

const io = { cwd: process.cwd(), isVenue: (v: string) => ['binance', 'upbit', 'kraken'].includes(v) };
const dir = mkdtempSync(path.join(os.tmpdir(), 'tf-scn-'));
const candles = path.join(dir, 'c.csv');
writeFileSync(candles, 'timestamp,open,high,low,close,volume\n2025-01-01T00:00:00Z,1,1,1,1,1\n');
const signals = path.join(dir, 's.csv');
writeFileSync(signals, 'timestamp,exchange,symbol,side,quantity\n');

function scenario(text: string): string {
  const f = path.join(dir, `s${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, text);
  return f;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('scenario loading', () => {
  it('when the YAML is malformed then the error names file, line and column', () => {
    const f = scenario('name: x\nmarkets: [\n  - foo: : bar\n');
    expect(errorOf(() => planFromInputs(f, {}, io)).message).toMatch(new RegExp(`${path.basename(f)}:\\d+:\\d+: invalid YAML`));
  });

  it('when a field has the wrong type then the error names the dotted field', () => {
    const f = scenario(`markets: [{ venue: binance, symbol: BTC/USDT, file: ${candles} }]\nrisk: { max_drawdown: 2 }\n`);
    expect(errorOf(() => planFromInputs(f, {}, io)).message).toMatch(/field "risk.max_drawdown"/);
  });

  it('when a field is unknown then it is named, never ignored', () => {
    const f = scenario(`markets: [{ venue: binance, symbol: BTC/USDT, file: ${candles} }]\nfil_model: bar\n`);
    expect(errorOf(() => planFromInputs(f, {}, io)).message).toMatch(/unknown field\(s\) "fil_model"/);
  });

  it('when a venue is not a ccxt exchange id then the error says so', () => {
    const f = scenario(`markets: [{ venue: binanse, symbol: BTC/USDT, file: ${candles} }]\n`);
    expect(errorOf(() => planFromInputs(f, {}, io)).message).toMatch(/field "markets.0.venue": "binanse" is not a ccxt exchange id/);
  });

  it('when a data file is missing then the field and path are named', () => {
    const f = scenario('markets: [{ venue: binance, symbol: BTC/USDT, file: nowhere.csv }]\n');
    expect(errorOf(() => planFromInputs(f, {}, io)).message).toMatch(/field "markets.0.file": file not found: .*nowhere.csv/);
  });

  it('when the scenario file does not exist then the error names it', () => {
    expect(errorOf(() => planFromInputs(path.join(dir, 'missing.yaml'), {}, io)).message).toMatch(/missing.yaml: cannot read scenario file \(no such file\)/);
  });

  it('when flags override a scenario then they win field by field', () => {
    const f = scenario(`markets: [{ venue: binance, symbol: BTC/USDT, file: ${candles} }]\nlatency_ms: 5\nvenues: { binance: { balances: { USDT: 100 } } }\n`);
    const plan = planFromInputs(f, { 'latency-ms': 9, balance: ['binance:BTC=1.5'], 'fee-bps': 7.5 }, io);
    const v = plan.venues.get('binance')!;
    expect(v.latencyMs).toBe(9);
    expect(v.balances.get('USDT')).toBe(100n * 10n ** 18n);
    expect(v.balances.get('BTC')).toBe(15n * 10n ** 17n);
    expect(v.fees).toEqual({ maker: 0.00075, taker: 0.00075 });
  });

  it('when a run is built from flags alone then it needs no scenario file', () => {
    const plan = planFromInputs(undefined, { signals, market: [`binance:BTC/USDT=${candles}`], 'fill-model': 'bar', seed: 3 }, io);
    expect(plan.fillModel).toBe('bar');
    expect(plan.seed).toBe(3);
    expect(plan.quoteCurrency).toBe('USDT');
    expect(plan.signalsFile).toBe(signals);
  });

  it('when the same inputs are planned twice then the run id is the same', () => {
    const a = planFromInputs(undefined, { signals, market: [`binance:BTC/USDT=${candles}`] }, io);
    const b = planFromInputs(undefined, { signals, market: [`binance:BTC/USDT=${candles}`] }, io);
    const c = planFromInputs(undefined, { signals, market: [`binance:BTC/USDT=${candles}`], seed: 9 }, io);
    expect(a.runId).toBe(b.runId);
    expect(c.runId).not.toBe(a.runId);
  });

  it('when a repeatable flag is malformed then its expected form is shown', () => {
    expect(() => parseMarketFlag('binance-BTC/USDT')).toThrow(/expected VENUE:SYMBOL=FILE/);
    expect(() => parseBalanceFlag('binance:USDT=-5')).toThrow(/expected VENUE:ASSET=AMOUNT/);
    expect(parseBalanceFlag('upbit:krw=5000000')).toEqual({ venue: 'upbit', asset: 'KRW', amount: '5000000' });
  });
});
