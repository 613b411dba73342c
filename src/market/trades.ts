/**
 * Trade rows → TradeEvent. Header `timestamp,price,quantity[,side]` in any order (`amount` is taken
 * for `quantity`, as freqtrade and ccxt name it). `side` is the taker side, buy|sell, optional; when
 * absent, a `buyer_maker` column (True/False, Binance and nautilus exports) gives it: a buyer that
 * was the maker means the taker sold.
 */
import { DataError } from '../core/errors.ts';
import { Sides, type TradeEvent } from '../domain/types.ts';
import { findColumn, requireColumn } from '../sources/csv-rows.ts';
import type { CsvFormat } from '../sources/decode.ts';
import type { Mutable } from './mutable.ts';
import { describeValue, expectOneOf, expectPositive, expectTimestamp } from '../sources/fields.ts';

function sideFromBuyerMaker(v: string | undefined, file: string, line: number): 'buy' | 'sell' | undefined {
  if (v === undefined || v === '') return undefined;
  const s = v.toLowerCase();
  if (s === 'true' || s === '1') return 'sell';
  if (s === 'false' || s === '0') return 'buy';
  throw DataError.at(file, line, `expected True or False, got ${describeValue(v)}`, 'buyer_maker');
}

export function tradeFormat(
  file: string,
  headerLine: number,
  header: string[],
  venue: string,
  symbol: string,
  reuse = false,
): CsvFormat<TradeEvent> {
  const tsCol = requireColumn(file, headerLine, header, 'timestamp');
  const priceCol = requireColumn(file, headerLine, header, 'price');
  const qtyCol = requireColumn(file, headerLine, header, 'quantity', 'amount');
  const sideCol = findColumn(header, 'side');
  const makerCol = sideCol < 0 ? findColumn(header, 'buyer_maker', 'is_buyer_maker') : -1;
  const width = header.length;
  const qtyName = header[qtyCol]!;
  const scratch: Mutable<TradeEvent> = { kind: 'trade', ts: 0, venue, symbol, price: 0, quantity: 0, side: undefined };
  return {
    tsField: 'timestamp',
    decode: (row, line) => {
      if (row.length !== width) throw DataError.at(file, line, `expected ${width} fields as in the header, got ${row.length}`);
      const ts = expectTimestamp(row[tsCol], file, line, 'timestamp');
      const price = expectPositive(row[priceCol], file, line, 'price');
      const quantity = expectPositive(row[qtyCol], file, line, qtyName);
      let side: 'buy' | 'sell' | undefined;
      if (sideCol >= 0) {
        const v = row[sideCol];
        side = v === '' ? undefined : expectOneOf(v, Sides, file, line, 'side');
      } else if (makerCol >= 0) side = sideFromBuyerMaker(row[makerCol], file, line);
      if (!reuse) return { kind: 'trade', ts, venue, symbol, price, quantity, side };
      // One event overwritten row after row (see ReadOptions.reuseEvents).
      const ev = scratch;
      ev.ts = ts;
      ev.price = price;
      ev.quantity = quantity;
      ev.side = side;
      return ev;
    },
  };
}
