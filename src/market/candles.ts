/**
 * Candle rows → CandleEvent. Two layouts share one decoder:
 * - the project's CSV: header `timestamp|open_time,open,high,low,close,volume` (any order, extra
 *   columns ignored), timestamps in any form `parseTimestamp` accepts;
 * - Kraken's downloadable OHLCVT: no header, `epoch_s,open,high,low,close,volume,trade_count`.
 *
 * Checks: prices positive and finite, high ≥ max(open, close), low ≤ min(open, close), volume ≥ 0.
 */
import { DataError } from '../core/errors.ts';
import type { CandleEvent } from '../domain/types.ts';
import { requireColumn } from '../sources/csv-rows.ts';
import type { CsvFormat } from '../sources/decode.ts';
import type { Mutable } from './mutable.ts';
import { expectNonNegative, expectPositive, expectTimestamp, toNumber } from '../sources/fields.ts';

export interface CandleColumns {
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** Row width every row must have. */
  readonly width: number;
  /** Name of the time column, for messages. */
  readonly tsName: string;
  /** The time column holds epoch seconds (Kraken) instead of a timestamp string. */
  readonly epochSeconds: boolean;
}

/** Validates a candle's shape and returns it; shared with the JSON candle reader. */
export function checkCandle(c: CandleEvent, file: string, line: number | undefined): CandleEvent {
  if (c.high < (c.open > c.close ? c.open : c.close)) {
    throw DataError.at(file, line, `expected high ≥ max(open, close) = ${Math.max(c.open, c.close)}, got ${c.high}`, 'high');
  }
  if (c.low > (c.open < c.close ? c.open : c.close)) {
    throw DataError.at(file, line, `expected low ≤ min(open, close) = ${Math.min(c.open, c.close)}, got ${c.low}`, 'low');
  }
  return c;
}

function expectEpochSeconds(v: string, file: string, line: number, field: string): number {
  const s = toNumber(v);
  if (Number.isInteger(s) && s >= 0) return s * 1000;
  throw DataError.at(file, line, `expected whole epoch seconds, got ${JSON.stringify(v)}`, field);
}

export function candleFormat(file: string, venue: string, symbol: string, c: CandleColumns, reuse = false): CsvFormat<CandleEvent> {
  const { width, tsName, epochSeconds } = c;
  const scratch: Mutable<CandleEvent> = { kind: 'candle', ts: 0, venue, symbol, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  return {
    tsField: tsName,
    headerIsData: epochSeconds,
    decode: (row, line) => {
      if (row.length !== width) throw DataError.at(file, line, `expected ${width} fields, got ${row.length}`);
      const ts = epochSeconds
        ? expectEpochSeconds(row[c.ts]!, file, line, tsName)
        : expectTimestamp(row[c.ts], file, line, tsName);
      const open = expectPositive(row[c.open], file, line, 'open');
      const high = expectPositive(row[c.high], file, line, 'high');
      const low = expectPositive(row[c.low], file, line, 'low');
      const close = expectPositive(row[c.close], file, line, 'close');
      const volume = expectNonNegative(row[c.volume], file, line, 'volume');
      if (!reuse) return checkCandle({ kind: 'candle', ts, venue, symbol, open, high, low, close, volume }, file, line);
      // One event overwritten row after row (see ReadOptions.reuseEvents).
      const ev = scratch;
      ev.ts = ts;
      ev.open = open;
      ev.high = high;
      ev.low = low;
      ev.close = close;
      ev.volume = volume;
      return checkCandle(ev, file, line);
    },
  };
}

/** Candle columns from a (normalised) header. */
export function candleColumnsFromHeader(file: string, headerLine: number, header: string[]): CandleColumns {
  const ts = requireColumn(file, headerLine, header, 'timestamp', 'open_time');
  return {
    ts,
    open: requireColumn(file, headerLine, header, 'open'),
    high: requireColumn(file, headerLine, header, 'high'),
    low: requireColumn(file, headerLine, header, 'low'),
    close: requireColumn(file, headerLine, header, 'close'),
    volume: requireColumn(file, headerLine, header, 'volume'),
    width: header.length,
    tsName: header[ts]!,
    epochSeconds: false,
  };
}

/** Kraken OHLCVT: `epoch_s,open,high,low,close,volume,trade_count`, no header. */
export const KRAKEN_OHLCVT: CandleColumns = {
  ts: 0,
  open: 1,
  high: 2,
  low: 3,
  close: 4,
  volume: 5,
  width: 7,
  tsName: 'epoch_s',
  epochSeconds: true,
};
