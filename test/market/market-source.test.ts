import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BookLevelEvent, CandleEvent, MarketEvent } from '../../src/domain/types.ts';
import { marketSource } from '../../src/market/market-source.ts';
import { dataErrorOf, drain, FIXTURES, tmpFile } from '../sources/helpers.ts';

const read = (file: string, venue = 'binance', symbol = 'BTC/USDT') => drain(marketSource({ venue, symbol, file }));
const fails = (file: string) => dataErrorOf(marketSource({ venue: 'binance', symbol: 'BTC/USDT', file }));
const CANDLE_HEADER = 'timestamp,open,high,low,close,volume';

describe('marketSource: candles', () => {
  it('when a candle file is read then events are tagged with venue and symbol', async () => {
    const events = await read(join(FIXTURES, 'candles.csv'), 'upbit', 'BTC/KRW');
    expect(events).toHaveLength(3);
    expect(events[0]).toEqual({ kind: 'candle', ts: Date.UTC(2025, 4, 25, 23, 30), venue: 'upbit', symbol: 'BTC/KRW', open: 108642.56, high: 108772.73, low: 108590.91, close: 108726.01, volume: 53.08696 });
    expect((events[2] as CandleEvent).volume).toBe(0);
  });

  it('when the header says open_time, columns are shuffled and the file is gzipped then it reads the same', async () => {
    const file = tmpFile('c.csv.gz', 'volume,close,low,high,open,open_time\n1.5,101,99,102,100,2023-03-01 00:00:00+00:00\n');
    expect(await read(file)).toEqual([{ kind: 'candle', ts: Date.UTC(2023, 2, 1), venue: 'binance', symbol: 'BTC/USDT', open: 100, high: 102, low: 99, close: 101, volume: 1.5 }]);
  });

  const bad: Array<[string, string, string, RegExp]> = [
    ['high below close', '1000,100,100.5,99,101,1', 'high', /expected high ≥ max\(open, close\) = 101, got 100\.5/],
    ['low above open', '1000,100,102,100.5,101,1', 'low', /expected low ≤ min\(open, close\) = 100, got 100\.5/],
    ['a negative volume', '1000,100,102,99,101,-1', 'volume', /expected a number ≥ 0, got "-1"/],
    ['a non-number open', '1000,abc,102,99,101,1', 'open', /expected a positive number, got "abc"/],
    ['an infinite close', '1000,100,102,99,Infinity,1', 'close', /expected a positive number, got "Infinity"/],
    ['a bad timestamp', '2023-13-01 00:00:00,100,102,99,101,1', 'timestamp', /expected an ISO 8601 time/],
    ['a time before the previous row', '1,100,102,99,101,1', 'timestamp', /out of time order: 1970-01-01T00:00:00\.001Z is before .* on line 2/],
  ];
  for (const [what, row, field, reason] of bad) {
    it(`when a candle has ${what} then the error names file, line 3 and field "${field}"`, async () => {
      const file = tmpFile('bad-candles.csv', `${CANDLE_HEADER}\n1000,100,102,99,101,1\n${row}\n`);
      const err = await fails(file);
      expect(err.message).toMatch(new RegExp(`bad-candles\\.csv:3: field "${field}": `));
      expect(err.message).toMatch(reason);
    });
  }

  it('when skipBadRows is set then bad candles are counted and skipped', async () => {
    const file = tmpFile('skip.csv', `${CANDLE_HEADER}\n1000,100,102,99,101,1\n2000,100,99,99,101,1\n3000,x,1,1,1,1\n4000,100,102,99,101,1\n`);
    const bad: number[] = [];
    const events = await drain(marketSource({ venue: 'v', symbol: 'A/B', file }, { skipBadRows: true, onBadRow: (r) => bad.push(r.line) }));
    expect(events.map((e) => e.ts)).toEqual([1000, 4000]);
    expect(bad).toEqual([3, 4]);
  });

  it('when Kraken OHLCVT rows have no header then epoch seconds become milliseconds and row 1 is data', async () => {
    const file = tmpFile('XBTUSDC_1.csv', '1677628800,23151.53,23151.53,23150.0,23150.0,0.02125883,2\n1677628860,23148.36,23148.36,23148.36,23148.36,0.00491792,1\n');
    const events = await read(file);
    expect(events.map((e) => e.ts)).toEqual([1677628800000, 1677628860000]);
    expect(events[0]).toMatchObject({ kind: 'candle', open: 23151.53, low: 23150, volume: 0.02125883 });
  });
});

describe('marketSource: trades', () => {
  it('when a trade file is read then side is optional and extra columns are ignored', async () => {
    const events = await read(join(FIXTURES, 'trades.csv'));
    expect(events.map((e) => (e.kind === 'trade' ? [e.ts, e.price, e.quantity, e.side] : e.kind))).toEqual([
      [Date.UTC(2021, 0, 8, 0, 0, 0, 278), 39432.48, 0.000263, 'sell'],
      [1610064000310, 39439.44, 0.004376, 'buy'],
      [1610064000310, 39439.44, 0.5, undefined],
    ]);
  });

  it('when a trade has a bad side or zero quantity then the error names line and field', async () => {
    const bad = tmpFile('t.csv', 'timestamp,price,quantity,side\n1,10,1,buy\n2,10,1,up\n');
    expect((await fails(bad)).message).toMatch(/t\.csv:3: field "side": expected "buy" or "sell", got "up"/);
    const zero = tmpFile('t0.csv', 'timestamp,price,amount\n1,10,0\n');
    expect((await fails(zero)).message).toMatch(/t0\.csv:2: field "amount": expected a positive number, got "0"/);
  });
});

describe('marketSource: L2 book', () => {
  it('when snapshot and delta rows are read then reset marks the first row of each snapshot run', async () => {
    const events = (await read(join(FIXTURES, 'book.csv'))) as BookLevelEvent[];
    expect(events.map((e) => [e.ts, e.side, e.price, e.quantity, e.snapshot, e.reset])).toEqual([
      [1000, 'bid', 99, 1, true, true],
      [1000, 'ask', 101, 2, true, false],
      [1005, 'bid', 99, 0, false, false],
      [1005, 'bid', 98.5, 3, false, false],
      [1010, 'bid', 99.5, 1, true, true],
      [1010, 'ask', 100.5, 1, true, false],
      [1020, 'bid', 99.4, 1, true, true],
      [1020, 'ask', 100.6, 4, false, false],
    ]);
  });

  it('when a skipped bad row sits inside a snapshot run then the run is not split', async () => {
    const file = tmpFile('b.csv', 'timestamp,type,side,price,quantity\n1,snapshot,bid,9,1\n1,snapshot,bid,x,1\n1,snapshot,ask,11,1\n');
    const events = (await drain(marketSource({ venue: 'v', symbol: 'A/B', file }, { skipBadRows: true }))) as BookLevelEvent[];
    expect(events.map((e) => e.reset)).toEqual([true, false]);
  });

  it('when a level has a bad type, side or negative quantity then the error names line and field', async () => {
    const cases: Array<[string, string]> = [
      ['1,full,bid,9,1', 'type'],
      ['1,delta,buy,9,1', 'side'],
      ['1,delta,bid,9,-1', 'quantity'],
    ];
    for (const [row, field] of cases) {
      const file = tmpFile('lvl.csv', `timestamp,type,side,price,quantity\n${row}\n`);
      expect((await fails(file)).message).toMatch(new RegExp(`lvl\\.csv:2: field "${field}": expected`));
    }
  });
});

describe('marketSource: files and headers', () => {
  it('when the header matches no format then the error lists the formats', async () => {
    const err = await fails(tmpFile('what.csv', 'a,b,c\n1,2,3\n'));
    expect(err.message).toMatch(/what\.csv:1: unrecognised market data: expected a header of candles .*got "a,b,c"/);
  });

  it('when a candle header lacks volume then the error names the column', async () => {
    const err = await fails(tmpFile('nov.csv', 'timestamp,open,high,low,close\n1,1,1,1,1\n'));
    expect(err.message).toMatch(/nov\.csv:1: field "volume": required column is missing from the header/);
  });

  it('when the file is missing or empty then the error names it', async () => {
    expect((await fails('/no/such/candles.csv')).message).toBe('/no/such/candles.csv: file not found');
    expect((await fails(tmpFile('e.csv', ''))).message).toMatch(/e\.csv:1: the file is empty/);
  });

  it('when a .gz file is corrupt then the error names the file', async () => {
    const file = tmpFile('broken.csv', 'not gzip at all');
    const gz = `${file}.gz`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(gz, readFileSync(file));
    expect((await fails(gz)).message).toMatch(/broken\.csv\.gz: cannot read: .*header/);
  });

  it('when a 200k-row L2 file is streamed then no batch exceeds the batch size', async () => {
    const rows = ['timestamp,type,side,price,quantity'];
    for (let i = 0; i < 200_000; i++) rows.push(`${1_700_000_000_000 + (i >> 4)},delta,${i & 1 ? 'bid' : 'ask'},${100 + (i % 50) / 10},${i % 9}`);
    const file = tmpFile('big-book.csv', rows.join('\n'));
    let n = 0;
    let maxBatch = 0;
    let last: MarketEvent | undefined;
    for await (const b of marketSource({ venue: 'v', symbol: 'A/B', file }, { batchSize: 1500 })) {
      n += b.length;
      maxBatch = Math.max(maxBatch, b.length);
      last = b[b.length - 1];
    }
    expect(n).toBe(200_000);
    expect(maxBatch).toBe(1500);
    expect(last?.ts).toBe(1_700_000_000_000 + (199_999 >> 4));
  });
});
