/**
 * Parity: one scenario run three ways — backtest on a recorded L2 file, paper and live against the
 * emulator replaying the same file in wall time — must give the same fills.
 *
 * Stated tolerance: side, price, quantity and fee of every fill are identical (tolerance 0). What is
 * allowed to differ, and why: timestamps (wall time vs event time), trade and exchange ids (each venue
 * numbers its own), and nothing else. To make that hold, each signal sits 2 s of data time away from
 * any book change and every book change is a full snapshot, so wall-clock jitter of up to a second at
 * speed 2 cannot move an order into another book, and one order's consumption never meets the next.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.ts';
import { liveCommand } from '../../src/engine/live-command.ts';
import { liveIO, readCsv, runBacktestCli, tmpDir } from './helpers.ts';

const T0 = Date.UTC(2025, 0, 1);
const KEY = 'parity-key';
const SECRET = 'parity-secret';

function writeInputs(dir: string): { book: string; signals: string } {
  const book = ['timestamp,type,side,price,quantity'];
  const mids = [100_000, 100_050, 99_980, 100_120];
  mids.forEach((mid, k) => {
    const ts = T0 + k * 4_000;
    for (let i = 1; i <= 5; i++) {
      book.push(`${ts},snapshot,bid,${(mid - i * 5).toFixed(2)},${(0.01 * i).toFixed(5)}`);
      book.push(`${ts},snapshot,ask,${(mid + i * 5).toFixed(2)},${(0.01 * i).toFixed(5)}`);
    }
  });
  const signals = [
    'timestamp,exchange,symbol,side,quantity,type,id',
    `${T0 + 2_000},binance,BTC/USDT,buy,0.025,market,a`,
    `${T0 + 6_000},binance,BTC/USDT,sell,0.012,market,b`,
    `${T0 + 10_000},binance,BTC/USDT,buy,0.018,market,c`,
    `${T0 + 14_000},binance,BTC/USDT,sell,0.031,market,d`,
  ];
  const files = { book: path.join(dir, 'book.csv'), signals: path.join(dir, 'signals.csv') };
  writeFileSync(files.book, `${book.join('\n')}\n`);
  writeFileSync(files.signals, `${signals.join('\n')}\n`);
  return files;
}

const fillsOf = (out: string) => readCsv(path.join(out, 'trades.csv')).map((t) => [t.side, t.price, t.quantity, t.fee].join(' '));


describe('parity of backtest, paper and live on one recorded book', () => {
  it('when the same signals run three ways then every fill has the same side, price, quantity and fee', async () => {
    const dir = tmpDir('tf-parity-');
    const { book, signals } = writeInputs(dir);
    const balances = ['binance:USDT=10000', 'binance:BTC=1'];

    const bt = path.join(dir, 'backtest');
    await runBacktestCli(undefined, { signals, market: [`binance:BTC/USDT=${book}`], balance: balances, out: bt });
    const expected = fillsOf(bt);
    expect(expected.length, 'each order walks more than one level').toBeGreaterThan(4);

    for (const mode of ['paper', 'live'] as const) {
      const emu = await startEmulator({
        venue: 'binance',
        port: 0,
        apiKey: KEY,
        secret: SECRET,
        balances: { USDT: '10000', BTC: '1' },
        replay: [{ symbol: 'BTC/USDT', file: book }],
        speed: 2,
      });
      try {
        const out = path.join(dir, mode);
        await liveCommand(
          undefined,
          {
            signals,
            market: ['binance:BTC/USDT'],
            balance: balances,
            out,
            speed: 2,
            'poll-ms': 50,
            'exchange-url': [`binance=${emu.url}`],
            ...(mode === 'live' ? { live: true, yes: true } : {}),
          },
          liveIO({ env: mode === 'live' ? { TRADEFLOW_BINANCE_API_KEY: KEY, TRADEFLOW_BINANCE_SECRET: SECRET } : {} }),
        );
        expect(fillsOf(out), `${mode} fills equal the backtest's`).toEqual(expected);
      } finally {
        await emu.close();
      }
    }
  }, 60_000);
});
