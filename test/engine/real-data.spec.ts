import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatAtto, mulRate, parseAtto } from '../../src/domain/money.ts';
import { SHARED, readCsv, readJson, runBacktestCli, tmpDir } from './helpers.ts';

const binance5m = path.join(SHARED, 'kimchi-premium-arbitrage/data/historical/training/binance_BTC_USDT_20250824_082608.csv');

describe.skipIf(!existsSync(binance5m))('backtest on real Binance BTC/USDT 5-minute candles (../shared/data)', () => {
  it('when market signals run under the bar model then each fills at the next candle open with a 0.1% fee', async () => {
    const rows = readFileSync(binance5m, 'utf8').trim().split('\n').slice(1);
    const opens = new Map<number, string>();
    for (const r of rows) {
      const [ts, open] = r.split(',');
      opens.set(Date.parse(`${ts!.replace(' ', 'T')}Z`), open!);
    }
    // A signal 90 s into every 500th bar, alternating sides: it must fill at the following bar's open.
    const dir = tmpDir();
    const signals = path.join(dir, 'signals.csv');
    const lines = ['timestamp,exchange,symbol,side,quantity,id'];
    const times = [...opens.keys()];
    for (let i = 10, k = 0; i < times.length - 1; i += 500, k++) {
      lines.push(`${times[i]! + 90_000},binance,BTC/USDT,${k % 2 === 0 ? 'buy' : 'sell'},0.01,r${k}`);
    }
    writeFileSync(signals, `${lines.join('\n')}\n`);
    const out = path.join(dir, 'out');
    await runBacktestCli(undefined, {
      signals,
      market: [`binance:BTC/USDT=${binance5m}`],
      'fill-model': 'bar',
      balance: ['binance:USDT=100000'],
      out,
    });
    const trades = readCsv(path.join(out, 'trades.csv'));
    expect(trades.length).toBe(lines.length - 1);
    for (const t of trades) {
      const fillTs = Date.parse(t.ts!);
      expect(fillTs % 300_000, 'fills happen at a bar open').toBe(0);
      expect(parseAtto(t.price!)).toBe(parseAtto(opens.get(fillTs)!));
      expect(t.fee).toBe(formatAtto(mulRate(parseAtto(t.notional!), 0.001)));
    }
    const summary = readJson(path.join(out, 'summary.json'));
    expect(summary.orders.filled).toBe(trades.length);
    expect(summary.events_processed).toBe(rows.length + trades.length);
  });
});
