/**
 * L2 book rows → BookLevelEvent. Header `timestamp,type,side,price,quantity` in any order; `type` is
 * snapshot|delta, `side` bid|ask, quantity 0 deletes a level.
 *
 * `reset` marks the first row of each snapshot run — a snapshot row that follows a delta row, or a
 * snapshot row with a new timestamp, or the file's first snapshot row — so the book is cleared once
 * before each snapshot is applied. The run state advances only when a row is accepted (in `accept`),
 * so a skipped bad row cannot split or merge snapshots.
 */
import { DataError } from '../core/errors.ts';
import type { BookLevelEvent } from '../domain/types.ts';
import { requireColumn } from '../sources/csv-rows.ts';
import type { CsvFormat } from '../sources/decode.ts';
import type { Mutable } from './mutable.ts';
import { expectNonNegative, expectOneOf, expectPositive, expectTimestamp } from '../sources/fields.ts';

const TYPES = ['snapshot', 'delta'] as const;
const BOOK_SIDES = ['bid', 'ask'] as const;

export function bookFormat(
  file: string,
  headerLine: number,
  header: string[],
  venue: string,
  symbol: string,
  reuse = false,
): CsvFormat<BookLevelEvent> {
  const tsCol = requireColumn(file, headerLine, header, 'timestamp');
  const typeCol = requireColumn(file, headerLine, header, 'type');
  const sideCol = requireColumn(file, headerLine, header, 'side');
  const priceCol = requireColumn(file, headerLine, header, 'price');
  const qtyCol = requireColumn(file, headerLine, header, 'quantity');
  const width = header.length;
  // The last accepted row: was it a snapshot row, and its ts.
  let prevSnapshot = false;
  let prevTs = NaN;
  const scratch: Mutable<BookLevelEvent> = { kind: 'level', ts: 0, venue, symbol, side: 'bid', price: 0, quantity: 0, snapshot: false, reset: false };
  return {
    tsField: 'timestamp',
    decode: (row, line) => {
      if (row.length !== width) throw DataError.at(file, line, `expected ${width} fields as in the header, got ${row.length}`);
      const ts = expectTimestamp(row[tsCol], file, line, 'timestamp');
      const snapshot = expectOneOf(row[typeCol], TYPES, file, line, 'type') === 'snapshot';
      const side = expectOneOf(row[sideCol], BOOK_SIDES, file, line, 'side');
      const price = expectPositive(row[priceCol], file, line, 'price');
      const quantity = expectNonNegative(row[qtyCol], file, line, 'quantity');
      const reset = snapshot && (!prevSnapshot || ts !== prevTs);
      if (!reuse) return { kind: 'level', ts, venue, symbol, side, price, quantity, snapshot, reset };
      // One event overwritten row after row (see ReadOptions.reuseEvents).
      const ev = scratch;
      ev.ts = ts;
      ev.side = side;
      ev.price = price;
      ev.quantity = quantity;
      ev.snapshot = snapshot;
      ev.reset = reset;
      return ev;
    },
    accept: (ev) => {
      prevSnapshot = ev.snapshot;
      prevTs = ev.ts;
    },
  };
}
