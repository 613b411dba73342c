/**
 * trades.csv, orders.csv and equity.csv. Exact money columns go through `formatAtto`; prices and
 * quantities (already rounded to market precision) through `String(number)`; times are ISO 8601.
 * Column lists are exported so readers and tests refer to one definition; the row functions below
 * must list the fields in the same order.
 */
import type { EquitySeries, FillRecord, OrderRecord } from '../domain/run-result.ts';
import type { Atto } from '../domain/types.ts';
import { ChunkedFile, RowText, csvRow, type ChunkedFileOptions, type RowSink } from './csv-file.ts';
import { drawdownFrom } from './metrics.ts';
import { pointsOf } from './equity-points.ts';
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
  'resolution',
] as const;

export const EQUITY_COLUMNS = ['timestamp', 'equity', 'drawdown'] as const;

/**
 * The trades.csv line of one fill: the only place a trade row is formatted. It runs once per fill, so
 * it writes field by field into `out` (the report file's buffer, on a run) instead of building the
 * line, and fields whose type is a closed set of plain words (side, liquidity) skip the quoting check.
 */
export function writeTradeRow(out: RowSink, f: FillRecord): void {
  out.time(f.ts, 'fill.ts');
  out.comma();
  out.field(f.venue);
  out.comma();
  out.field(f.symbol);
  out.comma();
  out.text(f.side);
  out.comma();
  out.num(f.price);
  out.comma();
  out.num(f.quantity);
  out.comma();
  out.atto(f.notional);
  out.comma();
  out.atto(f.fee);
  out.comma();
  out.field(f.feeAsset);
  out.comma();
  out.text(f.liquidity);
  out.comma();
  out.atto(f.realizedPnl);
  out.comma();
  out.atto(f.positionAfter);
  out.comma();
  out.field(f.clientId);
  out.comma();
  out.field(f.exchangeId);
  out.comma();
  out.field(f.tradeId);
  out.comma();
  out.field(f.signalId);
  out.text('\n');
}

/** The orders.csv line of one order in its final state (the only place one is formatted). */
export function writeOrderRow(out: RowSink, o: OrderRecord): void {
  // Times first: a bad one throws before any of the row is written.
  if (!(Math.abs(o.createdTs) <= 8.64e15)) isoTime(o.createdTs, 'order.createdTs');
  if (!(Math.abs(o.updatedTs) <= 8.64e15)) isoTime(o.updatedTs, 'order.updatedTs');
  out.field(o.clientId);
  out.comma();
  out.field(o.exchangeId);
  out.comma();
  out.field(o.venue);
  out.comma();
  out.field(o.symbol);
  out.comma();
  out.text(o.side);
  out.comma();
  out.text(o.type);
  out.comma();
  out.num(o.quantity);
  out.comma();
  out.num(o.price);
  out.comma();
  out.text(o.status);
  out.comma();
  out.num(o.filled);
  out.comma();
  out.num(o.avgPrice);
  out.comma();
  out.atto(o.fees);
  out.comma();
  out.time(o.createdTs, 'order.createdTs');
  out.comma();
  out.time(o.updatedTs, 'order.updatedTs');
  out.comma();
  out.field(o.signalId);
  out.comma();
  out.field(o.reason);
  out.comma();
  out.field(o.resolution);
  out.text('\n');
}

/** Throws, naming the field, when `ts` is not a time `isoTime` can write. */
function isoTimeCheck(ts: number): void {
  if (!(Math.abs(ts) <= 8.64e15)) isoTime(ts, 'equity.ts');
}

/** The trades.csv line of one fill, as a string. */
export function tradeRow(f: FillRecord): string {
  const row = new RowText();
  writeTradeRow(row, f);
  return row.value;
}

/** The orders.csv line of one order, as a string. */
export function orderRow(o: OrderRecord): string {
  const row = new RowText();
  writeOrderRow(row, o);
  return row.value;
}

/**
 * equity.csv, one point at a time: `timestamp,equity,drawdown`, drawdown against the running peak
 * (same definition as `maxDrawdown`). The recorder streams points into it while a run goes, so the
 * file — a million rows on a minute-sampled year — is not written in one go at the end.
 */
export class EquityCsvWriter {
  private peak = -Infinity;
  private rows = 0;

  constructor(private readonly out: ChunkedFile) {
    out.append(csvRow(EQUITY_COLUMNS));
  }

  /** Points written so far. */
  get count(): number {
    return this.rows;
  }

  /** Writes one point; a non-finite equity is a bug upstream and throws (naming its index). */
  push(ts: number, e: number): void {
    if (!Number.isFinite(e)) throw new RangeError(`equity[${this.rows}] is ${e}`);
    // A bad time throws before any of the row is written.
    isoTimeCheck(ts);
    if (e > this.peak) this.peak = e;
    // Same rounding as summary.json, so the last row equals final_equity exactly.
    const out = this.out;
    out.time(ts, 'equity.ts');
    out.comma();
    out.significant(e);
    out.comma();
    out.significant(drawdownFrom(this.peak, e));
    out.text('\n');
    this.rows++;
  }
}

/** Writes a whole equity series to `path` (see EquityCsvWriter). */
export function writeEquityCsv(path: string, series: EquitySeries, options?: ChunkedFileOptions): void {
  const points = pointsOf(series);
  const f = new ChunkedFile(path, options);
  try {
    const w = new EquityCsvWriter(f);
    for (let i = 0; i < points.count; i++) w.push(points.tsAt(i), points.equityAt(i));
  } catch (err) {
    f.abort();
    throw err;
  }
  f.close();
}
