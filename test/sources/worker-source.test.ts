/**
 * Readers in parse workers must be indistinguishable from the in-thread readers: the same events
 * (same fields, same key order), the same DataErrors (message and info), the same skipped rows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.ts';
import type { MarketEvent, Signal } from '../../src/domain/types.ts';
import { marketColumnsInWorker, marketSourceInWorker } from '../../src/market/market-worker.ts';
import { marketSource } from '../../src/market/market-source.ts';
import { signalCsvSource } from '../../src/sources/signal-csv.ts';
import { signalCsvSourceInWorker } from '../../src/sources/signal-worker.ts';
import { useWorker, WORKER_MIN_BYTES } from '../../src/sources/worker-source.ts';
import { dataErrorOf, drain, FIXTURES, tmpFile } from './helpers.ts';

const MARKETS: Array<readonly [string, string]> = [
  ['binance', 'BTC/USDT'],
  ['upbit', 'BTC/KRW'],
];
const VENUES = new Set(['binance', 'upbit', 'kraken']);

/** Both readers of a market file: events as JSON (key order included) or the DataError. */
async function bothMarket(file: string): Promise<[string, string]> {
  const spec = { venue: 'binance', symbol: 'BTC/USDT', file };
  const run = async (src: AsyncIterable<MarketEvent[]>) => {
    try {
      return JSON.stringify(await drain(src));
    } catch (err) {
      if (err instanceof DataError) return `DataError ${err.message} ${JSON.stringify(err.info)}`;
      throw err;
    }
  };
  return [await run(marketSource(spec)), await run(marketSourceInWorker(spec))];
}

interface Bad {
  file: string;
  line: number;
  reason: string;
  field?: string;
}

async function bothSignals(file: string, skipBadRows: boolean): Promise<[string, string]> {
  const run = async (make: (onBadRow: (r: Bad) => void) => AsyncIterable<Signal[]>) => {
    const bad: Bad[] = [];
    try {
      const events = await drain(make((r) => bad.push({ file: r.file, line: r.line, reason: r.reason, field: r.field })));
      return JSON.stringify({ events, bad });
    } catch (err) {
      if (err instanceof DataError) return `DataError ${err.message} ${JSON.stringify(err.info)} ${JSON.stringify(bad)}`;
      throw err;
    }
  };
  const isKnownVenue = (v: string) => VENUES.has(v);
  const inThread = await run((onBadRow) =>
    signalCsvSource(file, {
      skipBadRows,
      onBadRow,
      isKnownVenue,
      isKnownMarket: (v, s) => MARKETS.some(([a, b]) => a === v && b === s),
    }),
  );
  const inWorker = await run((onBadRow) => signalCsvSourceInWorker(file, { skipBadRows, onBadRow, isKnownVenue, markets: MARKETS }));
  return [inThread, inWorker];
}

describe('market data read in a parse worker', () => {
  for (const name of ['book.csv', 'candles.csv', 'trades.csv']) {
    it(`when ${name} is read in a worker then the events equal the in-thread reader's`, async () => {
      const [a, b] = await bothMarket(join(FIXTURES, name));
      expect(JSON.parse(a).length).toBeGreaterThan(0);
      expect(b).toBe(a);
    });
  }

  it('when the file is gzipped, headerless Kraken, or has trades without a side then it still reads the same', async () => {
    const files = [
      tmpFile('w-candles.csv.gz', 'volume,close,low,high,open,open_time\n1.5,101,99,102,100,2023-03-01 00:00:00+00:00\n'),
      tmpFile('w-kraken.csv', '1700000000,100,102,99,101,1.5,7\n1700000060,101,103,100,102,2,8\n'),
      tmpFile('w-trades.csv', 'timestamp,price,amount,buyer_maker\n1000,10,1,True\n1001,11,2,\n1002,12,3,false\n'),
    ];
    for (const f of files) {
      const [a, b] = await bothMarket(f);
      expect(b, f).toBe(a);
    }
  });

  it('when many rows span several column batches then every event arrives in order', async () => {
    const rows = ['timestamp,type,side,price,quantity'];
    for (let i = 0; i < 20_000; i++) rows.push(`${1000 + i},${i < 4 ? 'snapshot' : 'delta'},${i % 2 ? 'ask' : 'bid'},${100 + (i % 7)},${i % 5}`);
    const [a, b] = await bothMarket(tmpFile('w-many.csv', `${rows.join('\n')}\n`));
    expect(JSON.parse(b)).toHaveLength(20_000);
    expect(b).toBe(a);
  });

  const bad: Array<[string, string]> = [
    ['a malformed quantity', 'timestamp,type,side,price,quantity\n1000,delta,bid,100,1\n1001,delta,bid,100,abc\n'],
    ['an out-of-order time', 'timestamp,type,side,price,quantity\n1000,delta,bid,100,1\n999,delta,bid,100,1\n'],
    ['a ragged row', 'timestamp,type,side,price,quantity\n1000,delta,bid,100\n'],
    ['an unknown header', 'a,b,c\n1,2,3\n'],
    ['nothing in it', ''],
    ['a broken quote', 'timestamp,type,side,price,quantity\n1000,"delta,bid,100,1\n'],
  ];
  for (const [what, content] of bad) {
    it(`when the file has ${what} then the worker fails with the in-thread DataError, word for word`, async () => {
      const [a, b] = await bothMarket(tmpFile('w-bad.csv', content));
      expect(a).toMatch(/^DataError /);
      expect(b).toBe(a);
    });
  }

  it('when the file is missing then the error names it as the in-thread reader does', async () => {
    const missing = join(FIXTURES, 'no-such-file.csv');
    const [a, b] = await bothMarket(missing);
    expect(a).toMatch(/file not found/);
    expect(b).toBe(a);
  });

  it('when the consumer stops after the first batch then the source ends cleanly', async () => {
    const rows = ['timestamp,type,side,price,quantity'];
    for (let i = 0; i < 50_000; i++) rows.push(`${1000 + i},delta,bid,100,1`);
    const file = tmpFile('w-stop.csv', `${rows.join('\n')}\n`);
    let n = 0;
    for await (const cols of marketColumnsInWorker({ venue: 'binance', symbol: 'BTC/USDT', file })) {
      n += cols.n;
      break;
    }
    expect(n).toBeGreaterThan(0);
    // The pool goes on serving: a second read of the same file is complete.
    const again = await drain(marketSourceInWorker({ venue: 'binance', symbol: 'BTC/USDT', file }));
    expect(again).toHaveLength(50_000);
  });

  it('when several files are read at once then each gets all of its own events', async () => {
    const files = [0, 1, 2, 3].map((k) => {
      const rows = ['timestamp,price,quantity,side'];
      for (let i = 0; i < 9_000; i++) rows.push(`${k * 1_000_000 + i},${10 + k},${1 + (i % 3)},buy`);
      return tmpFile(`w-par-${k}.csv`, `${rows.join('\n')}\n`);
    });
    const out = await Promise.all(files.map((file) => drain(marketSourceInWorker({ venue: 'binance', symbol: 'BTC/USDT', file }))));
    for (const [k, events] of out.entries()) {
      expect(events).toHaveLength(9_000);
      expect(events.every((e) => e.kind === 'trade' && e.price === 10 + k)).toBe(true);
    }
  });
});

describe('signals read in a parse worker', () => {
  it('when the fixture is read in a worker then the signals equal the in-thread reader\'s', async () => {
    const [a, b] = await bothSignals(join(FIXTURES, 'signals.csv'), false);
    expect(b).toBe(a);
  });

  const HEADER = 'timestamp,exchange,symbol,side,quantity,type,price,risk,id';
  const rows = [
    '2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.5,market,,0.1,a1',
    '2025-01-01T00:00:01Z,upbit,BTC/KRW,sell,0.25,limit,100000000,,',
    '2025-01-01T00:00:02Z,kraken,BTC/USD,buy,1,market,,,k1', // a ccxt venue with no market
    '2025-01-01T00:00:03Z,nosuchvenue,BTC/USDT,buy,1,market,,,n1', // not a venue at all
    '2025-01-01T00:00:04Z,binance,ETH/USDT,buy,1,market,,,e1', // a venue with markets, not this one
    '2025-01-01T00:00:05Z,binance,BTC/USDT,buy,-1,market,,,q1',
    '2025-01-01T00:00:06Z,binance,BTC/USDT,buy,1,market,,,a1', // duplicate id
    '2024-12-31T00:00:00Z,binance,BTC/USDT,buy,1,market,,,t1', // out of order
    '2025-01-01T00:00:07Z,kraken,not a symbol,buy,1,market,,,k2',
    '2025-01-01T00:00:08Z,binance,BTC/USDT,sell,2,market,5,0.5,"quoted,id"',
    '2025-01-01T00:00:09Z,upbit,BTC/KRW,buy,3,market,,,',
  ];
  const file = () => tmpFile('w-signals.csv', `${HEADER}\n${rows.join('\n')}\n`);

  it('when rows are bad and skipped then the signals and every bad row (file, line, reason, field) match', async () => {
    const [a, b] = await bothSignals(file(), true);
    const parsed = JSON.parse(a) as { events: Signal[]; bad: Bad[] };
    expect(parsed.events.map((s) => s.id)).toEqual(['a1', 'w-signals.csv:3', 'quoted,id', 'w-signals.csv:12']);
    expect(parsed.bad.map((r) => r.line)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    // A venue with no market: "unknown market" when it is a ccxt id, "unknown venue" when it is not.
    expect(parsed.bad[0]!.reason).toMatch(/unknown market/);
    expect(parsed.bad[1]!.reason).toMatch(/unknown venue/);
    expect(b).toBe(a);
  });

  // Rows bad on their own or after the first two (the duplicate id, the out-of-order time).
  for (const bad of [3, 4, 5, 6, 7, 8, 9]) {
    it(`when the data row ${bad} of the list comes third and the run stops then the worker's DataError is the in-thread one`, async () => {
      const f = tmpFile(`w-stop-${bad}.csv`, `${HEADER}\n${[...rows.slice(0, 2), rows[bad - 1]!].join('\n')}\n`);
      const [a, b] = await bothSignals(f, false);
      expect(a).toMatch(/^DataError /);
      expect(b).toBe(a);
    });
  }

  it('when the file is empty then the message is the in-thread one', async () => {
    const [a, b] = await bothSignals(tmpFile('w-empty.csv', ''), false);
    expect(a).toMatch(/the file is empty/);
    expect(b).toBe(a);
  });
});

describe('choosing where a file is read', () => {
  it('when the mode is auto then only big files go to a worker', () => {
    const small = tmpFile('w-small.csv', 'timestamp,price,quantity\n1,2,3\n');
    expect(useWorker(small, 'auto')).toBe(false);
    expect(useWorker(small, 'worker')).toBe(true);
    expect(useWorker(join(FIXTURES, 'no-such-file.csv'), 'auto'), 'a missing file fails in-thread').toBe(false);
    expect(WORKER_MIN_BYTES).toBeGreaterThan(readFileSync(join(FIXTURES, 'book.csv')).length);
  });
});
