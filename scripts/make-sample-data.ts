/**
 * Generates the bundled sample data in data/sample/ (synthetic, seeded, reproducible):
 * two days of Binance BTC/USDT and ETH/USDT 1-minute candles from a seeded random walk, and a signal
 * file from a moving-average crossover on them, with a few limit orders and one over-risk signal.
 * Run: node --import tsx scripts/make-sample-data.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../src/core/random.ts';


function gauss(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
}

interface Candle { ts: number; open: number; high: number; low: number; close: number; volume: number }

function candles(seed: number, start: number, startPrice: number, minutes: number, tick: number, vol: number, volume: number): Candle[] {
  const rnd = seededRandom(seed);
  const out: Candle[] = [];
  let price = startPrice;
  const round = (p: number) => Math.round(p / tick) * tick;
  for (let i = 0; i < minutes; i++) {
    const open = price;
    // A slow sine regime so the crossover strategy has trends to catch.
    const drift = 0.00012 * Math.sin(i / 240);
    let hi = open, lo = open, p = open;
    for (let k = 0; k < 4; k++) {
      p *= Math.exp(drift / 4 + (vol / 2) * gauss(rnd));
      hi = Math.max(hi, p);
      lo = Math.min(lo, p);
    }
    price = p;
    const c = { ts: start + i * 60_000, open: round(open), high: round(hi * (1 + 0.0002 * rnd())), low: round(lo * (1 - 0.0002 * rnd())), close: round(p), volume: Number((volume * (0.2 + 2 * rnd())).toFixed(5)) };
    c.high = Math.max(c.high, c.open, c.close);
    c.low = Math.min(c.low, c.open, c.close);
    out.push(c);
  }
  return out;
}

const fmt = (n: number, d: number) => n.toFixed(d);
const iso = (ts: number) => new Date(ts).toISOString().replace('.000Z', 'Z');
const dir = path.resolve(import.meta.dirname, '../data/sample');
const start = Date.UTC(2025, 5, 1);
const btc = candles(7, start, 105_000, 2880, 0.01, 0.0009, 10);
const eth = candles(11, start, 2_600, 2880, 0.01, 0.0011, 300);

function writeCandles(file: string, cs: Candle[]): void {
  const rows = cs.map((c) => [iso(c.ts), fmt(c.open, 2), fmt(c.high, 2), fmt(c.low, 2), fmt(c.close, 2), c.volume].join(','));
  writeFileSync(path.join(dir, file), `timestamp,open,high,low,close,volume\n${rows.join('\n')}\n`);
}
writeCandles('binance-btcusdt-1m.csv', btc);
writeCandles('binance-ethusdt-1m.csv', eth);

// Signals: fast/slow moving-average crossover on closes; a signal is stamped one minute after the
// candle it was computed from (its close is only known then).
const signals: string[] = ['timestamp,exchange,symbol,side,quantity,type,price,risk,id'];
let n = 0;
function crossover(cs: Candle[], symbol: string, qty: string, fast: number, slow: number): void {
  let prev = 0;
  for (let i = slow; i < cs.length - 1; i++) {
    const avg = (k: number) => cs.slice(i - k + 1, i + 1).reduce((s, c) => s + c.close, 0) / k;
    const d = Math.sign(avg(fast) - avg(slow));
    if (prev !== 0 && d !== 0 && d !== prev) {
      const side = d > 0 ? 'buy' : 'sell';
      const ts = cs[i]!.ts + 60_000;
      n++;
      // Every fifth signal is a passive limit order one tenth of a percent inside the close.
      if (n % 5 === 0) {
        const px = cs[i]!.close * (side === 'buy' ? 0.999 : 1.001);
        signals.push([iso(ts), 'binance', symbol, side, qty, 'limit', px.toFixed(2), '0.3', `s${n}`].join(','));
      } else {
        signals.push([iso(ts), 'binance', symbol, side, qty, 'market', '', '0.3', `s${n}`].join(','));
      }
    }
    prev = d === 0 ? prev : d;
  }
}
crossover(btc, 'BTC/USDT', '0.02', 30, 120);
crossover(eth, 'ETH/USDT', '0.5', 30, 120);
// One signal whose own risk score is above the scenario's limit: the report lists it as refused.
signals.push([iso(start + 1000 * 60_000), 'binance', 'BTC/USDT', 'buy', '0.5', 'market', '', '0.95', 'too-risky'].join(','));
const [header, ...rows] = signals;
rows.sort((a, b) => a.localeCompare(b));
writeFileSync(path.join(dir, 'signals.csv'), `${[header, ...rows].join('\n')}\n`);
console.log(`wrote ${btc.length + eth.length} candles and ${rows.length} signals to ${dir}`);
