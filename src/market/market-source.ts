/**
 * `marketSource` — a historical market data file as a time-ordered batched source of MarketEvents
 * tagged with the venue and symbol it is declared for. The reader is chosen from the file itself:
 *
 * | first row                                                  | format                    |
 * |------------------------------------------------------------|---------------------------|
 * | has `timestamp`/`open_time`, `open`, `high`, `low`, `close` | candles (`volume` needed) |
 * | has `timestamp`, `type`, `side`, `price`, `quantity`        | L2 book levels            |
 * | has `timestamp`, `price`, `quantity`/`amount`               | trades                    |
 * | 7 numbers, no header                                        | Kraken OHLCVT (epoch s)   |
 * | file ends in `.json` / `.json.gz`                          | freqtrade JSON array      |
 *
 * `.gz` files are decompressed on the fly.
 */
import { DataError } from '../core/errors.ts';
import type { MarketEvent } from '../domain/types.ts';
import { findColumn } from '../sources/csv-rows.ts';
import { csvEach, csvSource, type CsvFormat } from '../sources/decode.ts';
import type { EventSource, ReadOptions } from '../sources/event-source.ts';
import { toNumber } from '../sources/fields.ts';
import { bookFormat } from './book.ts';
import { candleColumnsFromHeader, candleFormat, KRAKEN_OHLCVT } from './candles.ts';
import { jsonArraySource } from './json-arrays.ts';
import { tradeFormat } from './trades.ts';

export interface MarketSpec {
  readonly venue: string;
  readonly symbol: string;
  readonly file: string;
}

export type MarketFormat = 'candles' | 'trades' | 'book' | 'kraken-ohlcvt';

const EXPECTED_HEADERS =
  'expected a header of candles (timestamp,open,high,low,close,volume), trades (timestamp,price,quantity[,side]) ' +
  'or L2 book levels (timestamp,type,side,price,quantity), or headerless Kraken OHLCVT rows (7 numbers)';

function has(header: string[], ...names: string[]): boolean {
  return names.every((n) => findColumn(header, n) >= 0);
}

/** Which CSV format a file's first row announces (normalised header cells and the raw row). */
export function detectMarketFormat(header: string[], raw: string[]): MarketFormat | undefined {
  if (raw.length === KRAKEN_OHLCVT.width && raw.every((v) => Number.isFinite(toNumber(v)))) return 'kraken-ohlcvt';
  const hasTs = has(header, 'timestamp') || has(header, 'open_time');
  if (hasTs && has(header, 'open', 'high', 'low', 'close')) return 'candles';
  if (!has(header, 'timestamp') || !has(header, 'price')) return undefined;
  if (has(header, 'type', 'side', 'quantity')) return 'book';
  if (has(header, 'quantity') || has(header, 'amount')) return 'trades';
  return undefined;
}

function formatFor(spec: MarketSpec, header: string[], headerLine: number, raw: string[], reuse: boolean): CsvFormat<MarketEvent> {
  const { file, venue, symbol } = spec;
  switch (detectMarketFormat(header, raw)) {
    case 'kraken-ohlcvt':
      return candleFormat(file, venue, symbol, KRAKEN_OHLCVT, reuse);
    case 'candles':
      return candleFormat(file, venue, symbol, candleColumnsFromHeader(file, headerLine, header), reuse);
    case 'book':
      return bookFormat(file, headerLine, header, venue, symbol, reuse);
    case 'trades':
      return tradeFormat(file, headerLine, header, venue, symbol, reuse);
    case undefined:
      throw DataError.at(file, headerLine, `unrecognised market data: ${EXPECTED_HEADERS}; got "${raw.join(',').slice(0, 200)}"`);
  }
}

/** A market data file as a batched source; the file is opened when iteration starts. */
export function marketSource(spec: MarketSpec, opts: ReadOptions = {}): EventSource<MarketEvent> {
  if (/\.json(\.gz)?$/i.test(spec.file)) return jsonArraySource(spec.file, spec.venue, spec.symbol, opts);
  return csvSource<MarketEvent>(
    spec.file,
    (header, headerLine, raw) => formatFor(spec, header, headerLine, raw, opts.reuseEvents === true),
    opts,
    `the file is empty; ${EXPECTED_HEADERS}`,
  );
}

/**
 * A CSV market data file event by event (see `csvEach`): `each` gets every event as it is decoded
 * and must be done with it when it returns (with `reuseEvents`, it is the same object every time).
 * Yields once per batch of rows read.
 */
export function marketEach(spec: MarketSpec, opts: ReadOptions, each: (ev: MarketEvent) => void): AsyncGenerator<void> {
  return csvEach<MarketEvent>(
    spec.file,
    (header, headerLine, raw) => formatFor(spec, header, headerLine, raw, opts.reuseEvents === true),
    opts,
    `the file is empty; ${EXPECTED_HEADERS}`,
    each,
  );
}
