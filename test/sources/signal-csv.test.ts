import { join } from 'node:path';
import { firstValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { signalCsvSource, signalsFromCsv } from '../../src/sources/signal-csv.ts';
import type { SignalReadOptions } from '../../src/sources/signal-validate.ts';
import { dataErrorOf, drain, FIXTURES, tmpFile } from './helpers.ts';

const HEADER = 'timestamp,exchange,symbol,side,quantity,type,price,risk,id';
const GOOD = '2025-05-26T00:00:00Z,binance,BTC/USDT,buy,1,market,,,a';

/** A signal file whose line 3 (after the header and one good row) is `bad`. */
function withRow(bad: string, header = HEADER): string {
  return tmpFile('signals.csv', `${header}\n${GOOD}\n${bad}\n`);
}

describe('signalCsvSource', () => {
  it('when the fixture is read then every field is converted and sourced', async () => {
    const file = join(FIXTURES, 'signals.csv');
    const signals = await drain(signalCsvSource(file));
    expect(signals).toEqual([
      { kind: 'order', id: 's1', ts: Date.UTC(2025, 4, 26), venue: 'binance', symbol: 'BTC/USDT', side: 'buy', quantity: 0.5, type: 'market', risk: 0.2, source: { file, line: 2 } },
      { kind: 'order', id: 's2', ts: Date.UTC(2025, 4, 26, 0, 5), venue: 'upbit', symbol: 'BTC/KRW', side: 'sell', quantity: 0.25, type: 'limit', price: 150000000, source: { file, line: 3 } },
      { kind: 'order', id: 'signals.csv:4', ts: Date.UTC(2025, 4, 26, 0, 10), venue: 'binance', symbol: 'ETH/USDT', side: 'buy', quantity: 2, type: 'market', source: { file, line: 4 } },
      { kind: 'order', id: 's4', ts: Date.UTC(2025, 4, 26, 0, 10, 0, 250), venue: 'binance', symbol: 'BTC/USDT', side: 'sell', quantity: 0.5, type: 'market', price: 108000, risk: 1, source: { file, line: 5 } },
    ]);
  });

  it('when read as an Observable then it emits the same signals and completes', async () => {
    const signals = await firstValueFrom(signalsFromCsv(join(FIXTURES, 'signals.csv')).pipe(toArray()));
    expect(signals.map((s) => s.id)).toEqual(['s1', 's2', 'signals.csv:4', 's4']);
  });

  it('when columns come in another order with CRLF, blank lines and a multi-line quoted cell then lines are physical', async () => {
    const file = tmpFile(
      'crlf.csv',
      'note,quantity,side,symbol,exchange,timestamp\r\n' +
        '"two\r\nlines",1,buy,BTC/USDT,binance,1000\r\n' +
        '\r\n' +
        'x,2,sell,BTC/USDT,binance,2000\r\n',
    );
    const signals = await drain(signalCsvSource(file));
    expect(signals.map((s) => [s.source?.line, s.kind === 'order' ? s.quantity : undefined, s.id])).toEqual([
      [2, 1, 'crlf.csv:2'],
      [5, 2, 'crlf.csv:5'],
    ]);
  });

  it('when the file is gzipped then it is read transparently', async () => {
    const file = tmpFile('signals.csv.gz', `${HEADER}\n${GOOD}\n`);
    const signals = await drain(signalCsvSource(file));
    expect(signals).toHaveLength(1);
    expect(signals[0]!.id).toBe('a');
  });

  const bad: Array<[string, string, string, RegExp, SignalReadOptions?]> = [
    ['a malformed quantity', '2025-05-26T00:01:00Z,binance,BTC/USDT,buy,1.2.3,market,,,b', 'quantity', /expected a positive number, got "1\.2\.3"/],
    ['a NaN quantity', '2025-05-26T00:01:00Z,binance,BTC/USDT,buy,NaN,market,,,b', 'quantity', /expected a positive number, got "NaN"/],
    ['a negative quantity', '2025-05-26T00:01:00Z,binance,BTC/USDT,buy,-3,market,,,b', 'quantity', /expected a positive number, got "-3"/],
    ['an empty quantity', '2025-05-26T00:01:00Z,binance,BTC/USDT,buy,,market,,,b', 'quantity', /expected a positive number, got ""/],
    ['a bad side', '2025-05-26T00:01:00Z,binance,BTC/USDT,hold,1,market,,,b', 'side', /expected "buy" or "sell", got "hold"/],
    ['a bad type', '2025-05-26T00:01:00Z,binance,BTC/USDT,buy,1,stop,,,b', 'type', /expected "market" or "limit", got "stop"/],
    ['a limit without price', '2025-05-26T00:01:00Z,binance,BTC/USDT,buy,1,limit,,,b', 'price', /limit order needs a price/],
    ['a zero limit price', '2025-05-26T00:01:00Z,binance,BTC/USDT,buy,1,limit,0,,b', 'price', /expected a positive number, got "0"/],
    ['a risk above 1', '2025-05-26T00:01:00Z,binance,BTC/USDT,buy,1,market,,1.5,b', 'risk', /expected a number from 0 to 1, got "1\.5"/],
    ['a bad timestamp', 'yesterday,binance,BTC/USDT,buy,1,market,,,b', 'timestamp', /expected an ISO 8601 time.*got "yesterday"/],
    ['an impossible date', '2025-02-30 00:00:00,binance,BTC/USDT,buy,1,market,,,b', 'timestamp', /got "2025-02-30 00:00:00"/],
    ['a non-ccxt exchange id', '2025-05-26T00:01:00Z,Binance US,BTC/USDT,buy,1,market,,,b', 'exchange', /expected a ccxt exchange id/],
    ['a non-unified symbol', '2025-05-26T00:01:00Z,binance,BTCUSDT,buy,1,market,,,b', 'symbol', /expected a ccxt unified symbol like "BTC\/USDT", got "BTCUSDT"/],
    ['a duplicate id', '2025-05-26T00:01:00Z,binance,BTC/USDT,buy,1,market,,,a', 'id', /expected a unique id, got "a" already used on line 2/],
    ['an out-of-order timestamp', '2025-05-25T23:59:59Z,binance,BTC/USDT,buy,1,market,,,b', 'timestamp', /out of time order: 2025-05-25T23:59:59\.000Z is before 2025-05-26T00:00:00\.000Z on line 2/],
    ['an unknown venue', '2025-05-26T00:01:00Z,kraken,BTC/USDT,buy,1,market,,,b', 'exchange', /unknown venue "kraken"/, { isKnownVenue: (v) => v === 'binance' }],
    ['an unknown market', '2025-05-26T00:01:00Z,binance,DOGE/USDT,buy,1,market,,,b', 'symbol', /expected a market listed on "binance", got unknown market "DOGE\/USDT"/, { isKnownMarket: (_v, s) => s === 'BTC/USDT' }],
  ];

  for (const [what, row, field, reason, opts] of bad) {
    it(`when a row has ${what} then the error names file, line 3 and field "${field}"`, async () => {
      const file = withRow(row);
      const err = await dataErrorOf(signalCsvSource(file, opts));
      expect(err.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: field "${field}": `));
      expect(err.message).toMatch(reason);
      expect(err.info).toMatchObject({ file, line: 3, field });
    });
  }

  it('when a row has the wrong number of fields then the error names its line and both counts', async () => {
    const err = await dataErrorOf(signalCsvSource(withRow('2025-05-26T00:01:00Z,binance,BTC/USDT')));
    expect(err.message).toMatch(/signals\.csv:3: expected 9 fields as in the header, got 3$/);
  });

  it('when a required column is missing then the error names the column on line 1', async () => {
    const file = withRow(GOOD, 'timestamp,exchange,symbol,side,qty,id');
    const err = await dataErrorOf(signalCsvSource(file));
    expect(err.message).toContain('signals.csv:1: field "quantity": required column is missing');
    expect(err.message).toContain('the header has: timestamp, exchange, symbol, side, qty, id');
  });

  it('when a quote is never closed then the error names the file and says the CSV is malformed', async () => {
    const err = await dataErrorOf(signalCsvSource(withRow('2025-05-26T00:01:00Z,binance,"BTC/USDT,buy,1,,,,b')));
    expect(err.message).toMatch(/signals\.csv:\d+: malformed CSV: Quote Not Closed/);
  });

  it('when the file does not exist then the error names it', async () => {
    const err = await dataErrorOf(signalCsvSource('/nonexistent/dir/signals.csv'));
    expect(err.message).toBe('/nonexistent/dir/signals.csv: file not found');
  });

  it('when the file is empty then the error asks for a header', async () => {
    const err = await dataErrorOf(signalCsvSource(tmpFile('empty.csv', '')));
    expect(err.message).toMatch(/empty\.csv:1: the file is empty; expected a header row with timestamp, exchange/);
  });

  it('when skipBadRows is set then bad rows are reported with line and reason and good rows still come', async () => {
    const file = tmpFile(
      'mixed.csv',
      [HEADER, GOOD, '2025-05-26T00:01:00Z,binance,BTC/USDT,buy,-1,market,,,b', '2025-05-25T00:00:00Z,binance,BTC/USDT,buy,1,market,,,c',
        '2025-05-26T00:02:00Z,binance,BTC/USDT,buy,1,market,,,a', '2025-05-26T00:03:00Z,binance,BTC/USDT,sell,2,market,,,d'].join('\n'),
    );
    const bad: Array<{ line: number; reason: string; field?: string }> = [];
    const signals = await drain(signalCsvSource(file, { skipBadRows: true, onBadRow: (r) => bad.push(r) }));
    expect(signals.map((s) => s.id)).toEqual(['a', 'd']);
    expect(bad.map((b) => [b.line, b.field])).toEqual([[3, 'quantity'], [4, 'timestamp'], [5, 'id']]);
    expect(bad[0]!.reason).toBe('field "quantity": expected a positive number, got "-1"');
  });

  it('when a 200k-row file is streamed then batches stay bounded and every line number is right', async () => {
    const rows: string[] = [HEADER];
    const t0 = Date.UTC(2025, 0, 1);
    for (let i = 0; i < 200_000; i++) rows.push(`${t0 + i * 1000},binance,BTC/USDT,${i % 2 ? 'sell' : 'buy'},${1 + (i % 7)},,,,`);
    const file = tmpFile('big.csv', rows.join('\n'));
    let count = 0;
    let maxBatch = 0;
    let linesOk = true;
    for await (const batch of signalCsvSource(file, { batchSize: 1000 })) {
      maxBatch = Math.max(maxBatch, batch.length);
      for (const s of batch) linesOk &&= s.source?.line === count++ + 2;
    }
    expect(count).toBe(200_000);
    expect(maxBatch).toBe(1000);
    expect(linesOk).toBe(true);
  });
});
