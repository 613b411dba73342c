/**
 * One benchmark case, run in its own process so its peak RSS is its own. Prints one JSON line.
 *   bars N      N one-minute candles, N/100 signals, bar fill model, CSV → reports
 *   book S      S × (5M L2 updates over binance BTC/USDT + upbit BTC/KRW, 1M signals), book model
 *   floor-book S  csv-parse alone over the same files as `book S`
 * `bars` and `book` run with the market data cache off (`--no-cache`): they measure CSV parsing.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { backtestCommand } from '../src/engine/backtest-command.ts';
import { countCsvRows } from '../src/sources/csv-rows.ts';
import { DATA_DIR, bookFile, candlesFile, signalsFile } from './generate.ts';

const DAY = 86_400_000;
const [kind = 'bars', arg = '1'] = process.argv.slice(2);

async function bookInputs(scale: number) {
  const updates = Math.round(2_500_000 * scale);
  const binance = await bookFile('binance-btcusdt', updates, 4_000_000, 0.01, 11, DAY);
  const upbit = await bookFile('upbit-btckrw', updates, 55_000, 1000, 12, DAY);
  const signals = await signalsFile(
    'book',
    Math.round(1_000_000 * scale),
    [
      { venue: 'binance', symbol: 'BTC/USDT', qty: '0.001' },
      { venue: 'upbit', symbol: 'BTC/KRW', qty: '0.001' },
    ],
    DAY,
    13,
  );
  return { binance, upbit, signals, rows: updates * 2 + Math.round(1_000_000 * scale) };
}

const io = {
  out: () => {},
  err: (t: string) => process.stderr.write(`${t}\n`),
  progress: false,
  cwd: process.cwd(),
  isVenue: (id: string) => ['binance', 'upbit'].includes(id),
  version: 'bench',
  argv: [],
};

async function main(): Promise<Record<string, unknown>> {
  if (kind === 'bars') {
    const n = Number(arg);
    const candles = await candlesFile(n);
    const signals = await signalsFile('bars', Math.round(n / 100), [{ venue: 'binance', symbol: 'BTC/USDT', qty: '0.01' }], n * 60_000, 7);
    const t0 = performance.now();
    const { result } = await backtestCommand(
      undefined,
      {
        signals,
        market: [`binance:BTC/USDT=${candles}`],
        'fill-model': 'bar',
        'fee-bps': 10,
        balance: ['binance:USDT=1000000000', 'binance:BTC=100000'],
        // Measures CSV parsing (against the csv-parse floor): never from the market data cache.
        cache: false,
        out: path.join(DATA_DIR, `out-bars-${n}`),
      },
      io,
    );
    const wall = (performance.now() - t0) / 1000;
    return { case: 'bars', bars: n, signals: Math.round(n / 100), fills: result.fillStats.count, wall_s: wall, bars_per_s: n / wall };
  }
  if (kind === 'book') {
    const scale = Number(arg);
    const f = await bookInputs(scale);
    const t0 = performance.now();
    const { result } = await backtestCommand(
      undefined,
      {
        signals: f.signals,
        market: [`binance:BTC/USDT=${f.binance}`, `upbit:BTC/KRW=${f.upbit}`],
        'fill-model': 'book',
        balance: ['binance:USDT=1000000000', 'binance:BTC=100000', 'upbit:KRW=1000000000000', 'upbit:BTC=100000'],
        quote: 'KRW',
        cache: false,
        out: path.join(DATA_DIR, `out-book-${scale}`),
      },
      io,
    );
    const wall = (performance.now() - t0) / 1000;
    return { case: 'book', scale, rows: f.rows, fills: result.fillStats.count, wall_s: wall, events_per_s: f.rows / wall };
  }
  if (kind === 'floor-book') {
    const f = await bookInputs(Number(arg));
    const t0 = performance.now();
    let rows = 0;
    for (const file of [f.signals, f.binance, f.upbit]) rows += await countCsvRows(file);
    const wall = (performance.now() - t0) / 1000;
    return { case: 'csv-parse floor (book files)', scale: Number(arg), rows, wall_s: wall, rows_per_s: rows / wall };
  }
  throw new Error(`unknown case ${kind}`);
}

const fig = await main();
fig.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify(fig)}\n`);
