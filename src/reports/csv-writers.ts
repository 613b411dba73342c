/**
 * trades.csv, orders.csv and equity.csv. Exact money columns go through `formatAtto`; prices and
 * quantities (already rounded to market precision) through `String(number)`; times are ISO 8601.
 * Column lists are exported so readers and tests refer to one definition; the row functions below
 * must list the fields in the same order.
 */
import { roundSignificant } from './stable-json.ts';
import type { EquitySeries, FillRecord, OrderRecord } from '../domain/run-result.ts';
import { formatAtto } from '../domain/money.ts';
import type { Atto } from '../domain/types.ts';
import { csvField, csvRow, writeChunked, type ChunkedFileOptions } from './csv-file.ts';
import { drawdownFrom } from './metrics.ts';
import { isoTime } from './iso-time.ts';

export const TRADE_COLUMNS = [
  'ts',
  'venue',
  'symbol',
  'side',
  'price',
  'quantity',
  'notional',
  'fee',
  'fee_asset',
  'liquidity',
  'realized_pnl',
  'position_after',
  'client_id',
  'exchange_id',
  'trade_id',
  'signal_id',
] as const;

export const ORDER_COLUMNS = [
  'client_id',
  'exchange_id',
  'venue',
  'symbol',
  'side',
  'type',
  'quantity',
  'price',
  'status',
  'filled',
  'avg_price',
  'fees',
  'created_ts',
  'updated_ts',
  'signal_id',
  'reason',
] as const;

export const EQUITY_COLUMNS = ['timestamp', 'equity', 'drawdown'] as const;

/**
 * The trades.csv line of one fill: the only place a trade row is formatted. It runs once per fill,
 * so it is built by concatenation (no `csvRow([...])` array), and fields whose type is a closed set
 * of plain words (side, liquidity) skip the quoting check.
 */
export function tradeRow(f: FillRecord): string {
  return (
    `${isoTime(f.ts, 'fill.ts')},${csvField(f.venue)},${csvField(f.symbol)},${f.side},${f.price},${f.quantity},` +
    `${atto(f.notional)},${atto(f.fee)},${csvField(f.feeAsset)},${f.liquidity},${atto(f.realizedPnl)},` +
    `${atto(f.positionAfter)},${csvField(f.clientId)},${csvField(f.exchangeId)},${csvField(f.tradeId)},` +
    `${csvField(f.signalId)}\n`
  );
}

/** The orders.csv line of one order in its final state (the only place one is formatted). */
export function orderRow(o: OrderRecord): string {
  return (
    `${csvField(o.clientId)},${csvField(o.exchangeId)},${csvField(o.venue)},${csvField(o.symbol)},${o.side},` +
    `${o.type},${o.quantity},${o.price ?? ''},${o.status},${o.filled},${o.avgPrice ?? ''},${atto(o.fees)},` +
    `${isoTime(o.createdTs, 'order.createdTs')},${isoTime(o.updatedTs, 'order.updatedTs')},` +
    `${csvField(o.signalId)},${csvField(o.reason)}\n`
  );
}

/** `formatAtto`, short-cut for zero: half of all fills realize no P&L and many leave no position. */
function atto(v: Atto): string {
  return v === 0n ? '0' : formatAtto(v);
}

/**
 * `timestamp,equity,drawdown`, drawdown against the running peak (same definition as `maxDrawdown`).
 * Rows are built as plain strings: this file can have a million of them.
 */
export function writeEquityCsv(path: string, series: EquitySeries, options?: ChunkedFileOptions): void {
  const { ts, equity } = series;
  if (ts.length !== equity.length) {
    throw new RangeError(`equity series has ${ts.length} timestamps but ${equity.length} values`);
  }
  writeChunked(
    path,
    (append) => {
      append(csvRow(EQUITY_COLUMNS));
      let peak = -Infinity;
      for (let i = 0; i < ts.length; i++) {
        const e = equity[i]!;
        if (!Number.isFinite(e)) throw new RangeError(`equity[${i}] is ${e}`);
        if (e > peak) peak = e;
        // Same rounding as summary.json, so the last row equals final_equity exactly.
        append(`${isoTime(ts[i]!, 'equity.ts')},${roundSignificant(e)},${roundSignificant(drawdownFrom(peak, e))}\n`);
      }
    },
    options,
  );
}
