/**
 * Signal replay from CSV. A header is required; columns may come in any order and unknown columns
 * are ignored. Field rules are in `signal-validate.ts` (shared with the JSON-lines reader).
 */
import type { Observable } from 'rxjs';
import { basename } from 'node:path';
import { DataError } from '../core/errors.ts';
import type { Signal } from '../domain/types.ts';
import { findColumn, requireColumn } from './csv-rows.ts';
import { csvSource, type CsvFormat } from './decode.ts';
import type { EventSource } from './event-source.ts';
import { fromBatches } from './from-batches.ts';
import {
  SIGNAL_OPTIONAL_FIELDS,
  SIGNAL_REQUIRED_FIELDS,
  signalDecoder,
  type RawSignal,
  type SignalField,
  type SignalReadOptions,
} from './signal-validate.ts';

export type { SignalReadOptions } from './signal-validate.ts';

/** A file's default id prefix: its basename without `.gz`, as in `signals.csv:7`. */
export function idPrefixOf(file: string): string {
  return basename(file).replace(/\.gz$/, '');
}

/** The decoder for a signal CSV whose (normalised) header is `header`. */
export function signalCsvFormat(file: string, header: string[], headerLine: number, opts: SignalReadOptions): CsvFormat<Signal> {
  const col = {} as Record<SignalField, number>;
  for (const f of SIGNAL_REQUIRED_FIELDS) col[f] = requireColumn(file, headerLine, header, f);
  for (const f of SIGNAL_OPTIONAL_FIELDS) col[f] = findColumn(header, f);
  const width = header.length;
  const cell = (row: string[], i: number): string | undefined => (i < 0 ? undefined : row[i]);
  // One RawSignal for every row: validation reads it and keeps nothing of it.
  const raw: { -readonly [K in keyof RawSignal]: RawSignal[K] } = {};
  const toRaw = (row: string[], line: number): RawSignal => {
    if (row.length !== width) {
      throw DataError.at(file, line, `expected ${width} fields as in the header, got ${row.length}`);
    }
    raw.timestamp = row[col.timestamp];
    raw.exchange = row[col.exchange];
    raw.symbol = row[col.symbol];
    raw.side = row[col.side];
    raw.quantity = row[col.quantity];
    raw.type = cell(row, col.type);
    raw.price = cell(row, col.price);
    raw.risk = cell(row, col.risk);
    raw.id = cell(row, col.id);
    raw.buy_exchange = cell(row, col.buy_exchange);
    raw.sell_exchange = cell(row, col.sell_exchange);
    raw.sell_symbol = cell(row, col.sell_symbol);
    return raw;
  };
  return signalDecoder(file, idPrefixOf(file), opts, toRaw);
}

/** What an empty signal file is told. */
export const SIGNAL_FILE_EMPTY = `the file is empty; expected a header row with ${SIGNAL_REQUIRED_FIELDS.join(', ')}`;

/** Signals of a CSV file as a time-ordered batched source. The file is opened on iteration. */
export function signalCsvSource(file: string, opts: SignalReadOptions = {}): EventSource<Signal> {
  return csvSource(file, (header, headerLine) => signalCsvFormat(file, header, headerLine, opts), opts, SIGNAL_FILE_EMPTY);
}

/** Signals of a CSV file as an Observable (one `next` per signal; the file is read as consumed). */
export function signalsFromCsv(file: string, opts: SignalReadOptions = {}): Observable<Signal> {
  return fromBatches(signalCsvSource(file, opts));
}
