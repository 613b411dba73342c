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

function signalCsvFormat(file: string, header: string[], headerLine: number, opts: SignalReadOptions): CsvFormat<Signal> {
  const col = {} as Record<SignalField, number>;
  for (const f of SIGNAL_REQUIRED_FIELDS) col[f] = requireColumn(file, headerLine, header, f);
  for (const f of SIGNAL_OPTIONAL_FIELDS) col[f] = findColumn(header, f);
  const width = header.length;
  const cell = (row: string[], i: number): string | undefined => (i < 0 ? undefined : row[i]);
  const toRaw = (row: string[], line: number): RawSignal => {
    if (row.length !== width) {
      throw DataError.at(file, line, `expected ${width} fields as in the header, got ${row.length}`);
    }
    return {
      timestamp: row[col.timestamp],
      exchange: row[col.exchange],
      symbol: row[col.symbol],
      side: row[col.side],
      quantity: row[col.quantity],
      type: cell(row, col.type),
      price: cell(row, col.price),
      risk: cell(row, col.risk),
      id: cell(row, col.id),
    };
  };
  return signalDecoder(file, idPrefixOf(file), opts, toRaw);
}

/** Signals of a CSV file as a time-ordered batched source. The file is opened on iteration. */
export function signalCsvSource(file: string, opts: SignalReadOptions = {}): EventSource<Signal> {
  return csvSource(
    file,
    (header, headerLine) => signalCsvFormat(file, header, headerLine, opts),
    opts,
    `the file is empty; expected a header row with ${SIGNAL_REQUIRED_FIELDS.join(', ')}`,
  );
}

/** Signals of a CSV file as an Observable (one `next` per signal; the file is read as consumed). */
export function signalsFromCsv(file: string, opts: SignalReadOptions = {}): Observable<Signal> {
  return fromBatches(signalCsvSource(file, opts));
}
