/**
 * Seeded benchmark inputs, written once to bench/.data/ and reused: 1-minute candles, L2 books
 * (snapshot then deltas that keep the book uncrossed), and signal files.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { seededRandom } from '../src/core/random.ts';

export const DATA_DIR = path.resolve(import.meta.dirname, '.data');


/** Writes lines produced by `gen` to `file` through a temp name; skips work when the file exists. */
export async function writeLines(file: string, gen: () => Iterable<string>): Promise<string> {
  if (existsSync(file)) return file;
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const out = createWriteStream(tmp);
  let chunk = '';
  for (const line of gen()) {
    chunk += line + '\n';
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  renameSync(tmp, file);
  return file;
}

export const START = Date.UTC(2024, 0, 1);

export function candlesFile(n: number, seed = 1): Promise<string> {
  return writeLines(path.join(DATA_DIR, `candles-${n}.csv`), function* () {
    const rnd = seededRandom(seed);
    yield 'timestamp,open,high,low,close,volume';
    let p = 4_000_000; // cents
    for (let i = 0; i < n; i++) {
      const o = p;
      p = Math.max(100_000, p + Math.round((rnd() - 0.5) * 4000));
      const h = Math.max(o, p) + Math.round(rnd() * 1000);
      const l = Math.min(o, p) - Math.round(rnd() * 1000);
      yield `${START + i * 60_000},${o / 100},${h / 100},${l / 100},${p / 100},${(rnd() * 10).toFixed(5)}`;
    }
  });
}

/**
 * L2 updates for one market: a 20-level snapshot, then deltas around a random-walk mid. When the mid
 * moves, the level that would cross is deleted first, so the book never crosses.
 */
export function bookFile(name: string, n: number, midTicks: number, tick: number, seed: number, span: number): Promise<string> {
  return writeLines(path.join(DATA_DIR, `book-${name}-${n}.csv`), function* () {
    const rnd = seededRandom(seed);
    const dec = Math.max(0, -Math.floor(Math.log10(tick)));
    const px = (t: number) => (t * tick).toFixed(dec);
    yield 'timestamp,type,side,price,quantity';
    let mid = midTicks;
    for (let k = 1; k <= 20; k++) {
      yield `${START},snapshot,bid,${px(mid - k)},${(rnd() * 2).toFixed(4)}`;
      yield `${START},snapshot,ask,${px(mid + k)},${(rnd() * 2).toFixed(4)}`;
    }
    for (let i = 40; i < n; i++) {
      const ts = START + Math.floor((i * span) / n);
      const r = rnd();
      if (r < 0.05) {
        // Mid moves one tick: remove the level it would cross, then restore depth behind it.
        const up = r < 0.025;
        mid += up ? 1 : -1;
        yield up ? `${ts},delta,ask,${px(mid)},0` : `${ts},delta,bid,${px(mid)},0`;
        i++;
        yield up ? `${ts},delta,bid,${px(mid - 1)},${(rnd() * 2 + 0.01).toFixed(4)}` : `${ts},delta,ask,${px(mid + 1)},${(rnd() * 2 + 0.01).toFixed(4)}`;
        continue;
      }
      const side = rnd() < 0.5 ? 'bid' : 'ask';
      const k = 1 + Math.floor(rnd() * rnd() * 20);
      const qty = rnd() < 0.1 ? '0' : (rnd() * 2 + 0.01).toFixed(4);
      yield `${ts},delta,${side},${px(side === 'bid' ? mid - k : mid + k)},${qty}`;
    }
  });
}

/** Market-order signals spread evenly over `span`, alternating venues and sides at random. */
export function signalsFile(
  name: string,
  n: number,
  markets: ReadonlyArray<{ venue: string; symbol: string; qty: string }>,
  span: number,
  seed: number,
): Promise<string> {
  return writeLines(path.join(DATA_DIR, `signals-${name}-${n}.csv`), function* () {
    const rnd = seededRandom(seed);
    yield 'timestamp,exchange,symbol,side,quantity,type,price,risk,id';
    for (let i = 0; i < n; i++) {
      const m = markets[Math.floor(rnd() * markets.length)]!;
      const side = rnd() < 0.5 ? 'buy' : 'sell';
      yield `${START + Math.floor(((i + 0.5) * span) / n)},${m.venue},${m.symbol},${side},${m.qty},market,,0.1,b${i}`;
    }
  });
}
