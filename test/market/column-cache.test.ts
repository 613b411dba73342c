/**
 * The columnar cache of market data files (src/market/column-cache.ts, cached-market.ts): written on a
 * first read, used on the next, rebuilt when the source changed or the entry is damaged, never left
 * behind by a failed read, and always giving the rows the CSV gives.
 */
import { appendFileSync, existsSync, openSync, readdirSync, readSync, statSync, truncateSync, utimesSync, writeFileSync, writeSync, closeSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.ts';
import type { MarketEvent } from '../../src/domain/types.ts';
import { cachedMarketColumns, cacheStats, resetCacheStats } from '../../src/market/cached-market.ts';
import { CACHE_BATCH_ROWS, cacheFileFor } from '../../src/market/column-cache.ts';
import { marketSource } from '../../src/market/market-source.ts';
import { unpackMarket } from '../../src/sources/columns.ts';
import type { ThreadMode } from '../../src/sources/worker-source.ts';
import { drain } from '../sources/helpers.ts';

const T0 = Date.UTC(2024, 0, 1);
const spec = (file: string) => ({ venue: 'binance', symbol: 'BTC/USDT', file });

function tmp(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes a source file with an mtime an hour ago (files modified just now are not cached). */
function source(name: string, lines: string[], dir = tmp('tf-cache-src-')): string {
  const file = path.join(dir, name);
  const text = `${lines.join('\n')}\n`;
  writeFileSync(file, name.endsWith('.gz') ? gzipSync(text) : text);
  backdate(file, 3600);
  return file;
}

function backdate(file: string, secondsAgo: number): void {
  const t = Date.now() / 1000 - secondsAgo;
  utimesSync(file, t, t);
}

function candles(n: number): string[] {
  const out = ['timestamp,open,high,low,close,volume'];
  for (let i = 0; i < n; i++) out.push(`${T0 + i * 60_000},${100 + i},${102 + i},${99 + i},${101 + i},${(i % 7) * 0.5}`);
  return out;
}

function trades(n: number): string[] {
  const out = ['timestamp,price,quantity,side'];
  for (let i = 0; i < n; i++) out.push(`${T0 + i * 10},${(50_000 + (i % 13)).toFixed(2)},${(0.001 * (1 + (i % 5))).toFixed(3)},${['buy', 'sell', ''][i % 3]}`);
  return out;
}

/** Two snapshot runs (each clears the book: `reset`), deltas on both sides between and after. */
function book(): string[] {
  const out = ['timestamp,type,side,price,quantity'];
  for (let k = 1; k <= 3; k++) out.push(`${T0},snapshot,bid,${100 - k},1.5`, `${T0},snapshot,ask,${100 + k},1.5`);
  for (let i = 1; i <= 40; i++) out.push(`${T0 + i},delta,${i % 2 ? 'bid' : 'ask'},${i % 2 ? 99 - (i % 3) : 101 + (i % 3)},${i % 5 === 0 ? 0 : (i % 4) + 0.25}`);
  for (let k = 1; k <= 2; k++) out.push(`${T0 + 100},snapshot,bid,${98 - k},2`, `${T0 + 100},snapshot,ask,${102 + k},2`);
  out.push(`${T0 + 101},delta,ask,103,0`);
  return out;
}

/** Every event of `file` through the cache in `dir`. */
async function viaCache(file: string, dir: string, threads: ThreadMode = 'main', notes: string[] = []): Promise<MarketEvent[]> {
  const out: MarketEvent[] = [];
  for await (const c of cachedMarketColumns(spec(file), { dir, threads, onNote: (m) => notes.push(m) })) out.push(...unpackMarket(c, 'binance', 'BTC/USDT'));
  return out;
}

const viaCsv = (file: string) => drain(marketSource(spec(file)));

beforeEach(() => resetCacheStats());

describe('column cache: written, then used', () => {
  const cases: Array<[string, () => string, ThreadMode]> = [
    ['a candle file', () => source('candles.csv', candles(500)), 'main'],
    ['a trade file (parsed in a worker)', () => source('trades.csv', trades(3000)), 'worker'],
    ['an L2 file with asks, snapshots and resets', () => source('book.csv', book()), 'main'],
    ['a gzipped L2 file', () => source('book.csv.gz', book()), 'main'],
  ];
  for (const [what, make, threads] of cases) {
    it(`when ${what} is read twice then the second read comes from the cache and both equal the CSV`, async () => {
      const file = make();
      const dir = tmp('tf-cache-');
      const csv = await viaCsv(file);
      const cold = await viaCache(file, dir, threads);
      expect(cacheStats()).toEqual({ hits: 0, misses: 1, rejected: 0, written: 1 });
      expect(existsSync(cacheFileFor(dir, file))).toBe(true);
      const warm = await viaCache(file, dir, threads);
      expect(cacheStats()).toEqual({ hits: 1, misses: 1, rejected: 0, written: 1 });
      expect(cold).toEqual(csv);
      expect(warm).toEqual(csv);
      expect(warm.length).toBeGreaterThan(0);
    });
  }

  it('when L2 levels come from the cache then ask, snapshot and reset flags are those of the CSV', async () => {
    const file = source('book.csv', book());
    const dir = tmp('tf-cache-');
    await viaCache(file, dir);
    const warm = (await viaCache(file, dir)) as Array<Extract<MarketEvent, { kind: 'level' }>>;
    expect(cacheStats().hits).toBe(1);
    expect(warm.filter((e) => e.reset).map((e) => e.ts)).toEqual([T0, T0 + 100]);
    expect(warm.filter((e) => e.snapshot)).toHaveLength(10);
    expect(warm.filter((e) => e.side === 'ask').length).toBeGreaterThan(20);
    expect(warm.at(-1)).toMatchObject({ ts: T0 + 101, side: 'ask', price: 103, quantity: 0, snapshot: false, reset: false });
  });

  it('when the cache file is opened as Arrow then its metadata names the source and counts the rows', async () => {
    const file = source('candles.csv', candles(10));
    const dir = tmp('tf-cache-');
    await viaCache(file, dir);
    const { RecordBatchReader } = await import('apache-arrow');
    const { readFileSync } = await import('node:fs');
    const table = RecordBatchReader.from(readFileSync(cacheFileFor(dir, file)));
    table.open();
    const meta = table.schema.metadata;
    expect(meta.get('tradeflow.source_path')).toBe(file);
    expect(meta.get('tradeflow.source_size')).toBe(String(statSync(file).size));
    expect(meta.get('tradeflow.kind')).toBe('candle');
    expect(meta.get('tradeflow.rows')).toBe('10');
    expect(table.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual(['ts:Float64', 'a:Float64', 'b:Float64', 'c:Float64', 'd:Float64', 'e:Float64', 'flags:Uint8']);
  });
});

describe('column cache: invalidation', () => {
  it('when the source grows (same mtime and inode) then the entry is not used and the new row is read', async () => {
    const file = source('trades.csv', trades(100));
    const dir = tmp('tf-cache-');
    await viaCache(file, dir);
    const { mtime } = statSync(file);
    appendFileSync(file, `${T0 + 5000},50000.00,0.5,buy\n`);
    utimesSync(file, mtime, mtime);
    const notes: string[] = [];
    const events = await viaCache(file, dir, 'main', notes);
    expect(events).toHaveLength(101);
    expect(events).toEqual(await viaCsv(file));
    expect(cacheStats()).toMatchObject({ hits: 0, misses: 2, rejected: 1, written: 2 });
    expect(notes.join('\n')).toMatch(/source changed/);
    await viaCache(file, dir);
    expect(cacheStats().hits).toBe(1);
  });

  it('when only the mtime of the source changes then the entry is not used and is rebuilt', async () => {
    const file = source('candles.csv', candles(50));
    const dir = tmp('tf-cache-');
    await viaCache(file, dir);
    backdate(file, 7200);
    expect(await viaCache(file, dir)).toEqual(await viaCsv(file));
    expect(cacheStats()).toMatchObject({ hits: 0, rejected: 1, written: 2 });
  });

  it('when the source was modified a moment ago then it is read from the CSV and not cached', async () => {
    const file = source('candles.csv', candles(50));
    writeFileSync(file, `${candles(50).join('\n')}\n`);
    const dir = tmp('tf-cache-');
    expect(await viaCache(file, dir)).toEqual(await viaCsv(file));
    expect(cacheStats().written).toBe(0);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});

describe('column cache: damaged entries', () => {
  /** Enough rows for two batches in the cache file. */
  const BIG = CACHE_BATCH_ROWS + 4000;

  it('when the cache file is truncated then it is ignored, the rows equal the CSV and the entry is rebuilt', async () => {
    const file = source('trades.csv', trades(2000));
    const dir = tmp('tf-cache-');
    await viaCache(file, dir);
    const entry = cacheFileFor(dir, file);
    truncateSync(entry, Math.floor(statSync(entry).size / 2));
    const notes: string[] = [];
    expect(await viaCache(file, dir, 'main', notes)).toEqual(await viaCsv(file));
    expect(notes.join('\n')).toMatch(/not used \(not a complete Arrow file/);
    expect(cacheStats()).toMatchObject({ hits: 0, rejected: 1, written: 2 });
    await viaCache(file, dir);
    expect(cacheStats().hits).toBe(1);
  });

  const flip = (file: string, at: number) => {
    const fd = openSync(file, 'r+');
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    b[0] = b[0]! ^ 0x55;
    writeSync(fd, b, 0, 1, at);
    closeSync(fd);
  };

  it('when a byte of the second batch is damaged then the first batch is used, the CSV goes on from there, and the rows equal the CSV', async () => {
    const file = source('trades.csv', trades(BIG));
    const dir = tmp('tf-cache-');
    const csv = await viaCsv(file);
    await viaCache(file, dir);
    const entry = cacheFileFor(dir, file);
    // The second batch (4,000 rows, ~100 kB) ends just before the footer (< 2 kB).
    flip(entry, statSync(entry).size - 30_000);
    const notes: string[] = [];
    const events = await viaCache(file, dir, 'main', notes);
    expect(events).toHaveLength(BIG);
    expect(events).toEqual(csv);
    expect(notes.join('\n')).toMatch(new RegExp(`batch 2: checksum mismatch; reading the CSV from row ${CACHE_BATCH_ROWS + 1}`));
    expect(cacheStats()).toMatchObject({ hits: 0, rejected: 1, written: 2 });
    expect(await viaCache(file, dir)).toEqual(csv);
    expect(cacheStats().hits).toBe(1);
  });

  it('when a byte of the first batch is damaged then nothing from the entry is used and the rows equal the CSV', async () => {
    const file = source('candles.csv', candles(300));
    const dir = tmp('tf-cache-');
    await viaCache(file, dir);
    flip(cacheFileFor(dir, file), 2000);
    const notes: string[] = [];
    expect(await viaCache(file, dir, 'main', notes)).toEqual(await viaCsv(file));
    expect(notes.join('\n')).toMatch(/batch 1: checksum mismatch; reading the CSV from row 1\b/);
  });
});

describe('column cache: nothing half-written', () => {
  it('when the CSV has a bad row then the read fails with its DataError and no cache file is left', async () => {
    const lines = trades(20_000);
    lines[15_000] = `${T0 + 15_000 * 10},abc,0.1,buy`;
    const file = source('bad.csv', lines);
    const dir = tmp('tf-cache-');
    const err = await viaCache(file, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toMatch(/bad\.csv:15001: field "price"/);
    expect(readdirSync(dir)).toEqual([]);
    expect(cacheStats().written).toBe(0);
  });

  it('when the reader stops early then no cache file is left', async () => {
    const file = source('trades.csv', trades(30_000));
    const dir = tmp('tf-cache-');
    for await (const _ of cachedMarketColumns(spec(file), { dir, threads: 'main' })) break;
    expect(readdirSync(dir)).toEqual([]);
  });

  it("when a writer's temp file is left by a process that is gone then the next write removes it", async () => {
    const file = source('candles.csv', candles(20));
    const dir = tmp('tf-cache-');
    // A pid that is not running (pids are below 2^22 on Linux).
    const stale = `${cacheFileFor(dir, file)}.4194304-abcdef.tmp`;
    writeFileSync(stale, 'half');
    await viaCache(file, dir);
    expect(readdirSync(dir)).toEqual([path.basename(cacheFileFor(dir, file))]);
  });
});
