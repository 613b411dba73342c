import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChunkedFile, csvField, csvRow, writeChunked } from '../../src/reports/csv-file.ts';
import { TRADE_COLUMNS, ORDER_COLUMNS, orderRow, tradeRow, writeEquityCsv } from '../../src/reports/csv-writers.ts';
import { HAND_FILLS, HAND_ORDERS, largeEquity, series } from './fixtures.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tf-csv-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});


describe('csv quoting', () => {
  it('quotes only fields with commas, quotes or line breaks, doubling inner quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(undefined)).toBe('');
    expect(csvField(0.1)).toBe('0.1');
    expect(csvRow(['a', 1, undefined, 'x,y'])).toBe('a,1,,"x,y"\n');
  });

  it('when the buffer fills several times then the file is the exact concatenation', async () => {
    const path = join(dir, 'chunks.txt');
    const parts = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`);
    writeChunked(path, (append) => parts.forEach(append), { chunkBytes: 100, fsync: false });
    expect(await readFile(path, 'utf8')).toBe(parts.join(''));
  });

  it('writes full chunks as they fill, before close', async () => {
    const path = join(dir, 'streamed.txt');
    const f = new ChunkedFile(path, { chunkBytes: 100, fsync: false });
    for (let i = 0; i < 50; i++) f.append('0123456789');
    const onDisk = (await readFile(path, 'utf8')).length;
    expect(onDisk, 'everything but the last partial chunk is on disk').toBeGreaterThan(500 - 100);
    expect(onDisk).toBeLessThan(500);
    f.append('tail');
    f.close();
    expect((await readFile(path, 'utf8')).length).toBe(504);
    expect(() => f.append('x'.repeat(200)), 'closed').toThrow(/closed/);
  });

  it('keeps multi-byte text intact across chunk boundaries', async () => {
    const path = join(dir, 'utf8.txt');
    const parts = Array.from({ length: 300 }, (_, i) => `₩${i}\u00e9🚀,`);
    writeChunked(path, (append) => parts.forEach(append), { chunkBytes: 7, fsync: false });
    expect(await readFile(path, 'utf8')).toBe(parts.join(''));
  });

  it('refuses to overwrite an existing file (outputs always go to a fresh directory)', async () => {
    const path = join(dir, 'exists.csv');
    await writeFile(path, 'x');
    expect(() => writeChunked(path, () => undefined)).toThrow(/EEXIST/);
  });
});

describe('report csv files', () => {
  it('trade rows hold exact money and ISO times, in TRADE_COLUMNS order', () => {
    const [header, ...rows] = parse(csvRow(TRADE_COLUMNS) + HAND_FILLS.map(tradeRow).join('')) as string[][];
    expect(header).toEqual([...TRADE_COLUMNS]);
    expect(rows).toHaveLength(HAND_FILLS.length);
    const byCol = (row: string[]) => Object.fromEntries(TRADE_COLUMNS.map((c, i) => [c, row[i]]));
    expect(byCol(rows[1]!)).toMatchObject({
      ts: '2024-01-01T00:02:00.000Z',
      side: 'sell',
      price: '41000',
      quantity: '0.2',
      notional: '8200',
      fee: '8.2',
      realized_pnl: '200',
      position_after: '0.3',
      trade_id: 't2',
      signal_id: '',
    });
    expect(byCol(rows[2]!)).toMatchObject({ fee_asset: 'BNB', liquidity: 'maker', signal_id: 's3' });
  });

  it('order rows round-trip reasons with commas, quotes and line breaks', () => {
    const [header, ...rows] = parse(csvRow(ORDER_COLUMNS) + HAND_ORDERS.map(orderRow).join('')) as string[][];
    expect(header).toEqual([...ORDER_COLUMNS]);
    expect(rows).toHaveLength(HAND_ORDERS.length);
    const reason = ORDER_COLUMNS.indexOf('reason');
    expect(rows.map((r) => r[reason])).toContain('canceled by "risk", limit hit');
    expect(rows.map((r) => r[reason])).toContain('MIN_NOTIONAL\nnotional 3 < 5');
  });

  it('equity.csv has timestamp, equity and the running drawdown', async () => {
    const path = join(dir, 'equity.csv');
    writeEquityCsv(path, series([100, 120, 90, 150]), { fsync: false });
    expect(await readFile(path, 'utf8')).toBe(
      'timestamp,equity,drawdown\n' +
        '2024-01-01T00:00:00.000Z,100,0\n' +
        '2024-01-01T00:01:00.000Z,120,0\n' +
        '2024-01-01T00:02:00.000Z,90,0.25\n' +
        '2024-01-01T00:03:00.000Z,150,0\n',
    );
  });

  it('when timestamps and values differ in length then equity.csv refuses', async () => {
    expect(() => writeEquityCsv(join(dir, 'e.csv'), { ts: [1, 2], equity: [1] })).toThrow(/2 timestamps but 1/);
  });

  it('writes a million equity rows in chunks', async () => {
    const path = join(dir, 'equity.csv');
    const equity = largeEquity(1_000_000);
    const t = performance.now();
    writeEquityCsv(path, equity, { fsync: false });
    const ms = performance.now() - t;
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')).toHaveLength(1_000_002); // header + rows + final empty
    expect(ms, `took ${ms.toFixed(0)} ms`).toBeLessThan(10_000);
  });
});
