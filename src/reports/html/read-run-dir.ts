/**
 * A finished run folder → ReportData: summary.json parsed, equity.csv, prices.csv and trades.csv
 * streamed (csv-parse, rows as arrays, numbers converted by hand) through a ReportDataBuilder, so a
 * folder of millions of rows is read in fixed memory. failures.json, reconciliation.json and
 * arbitrage.json are read when present.
 *
 * A folder without summary.json, equity.csv or trades.csv is not a run folder: the error names the
 * missing file. prices.csv is optional (folders recorded before runs wrote it): the page says so.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { DataError } from '../../core/errors.ts';
import { ARBITRAGE_FILE, arbitrageView, unreadableArbitrage, type ArbitrageView } from './arb-view.ts';
import { ReportDataBuilder, type ReportData, type ReportLimits, type SideData, type SummaryJson } from './report-data.ts';
import { FAILURES_FILE, RECONCILIATION_FILE, failuresView, keyValueRows, readOptionalJson, type FailuresView, type KeyValueRow } from './side-files.ts';

/** The files a run folder must hold for a page to be drawn from it. */
export const REQUIRED_FILES = ['summary.json', 'equity.csv', 'trades.csv'] as const;

export async function readRunDir(dir: string, limits: ReportLimits = {}): Promise<ReportData> {
  await assertFolder(dir);
  const summary = await readSummary(dir);
  const b = new ReportDataBuilder(limits);
  await readEquityCsv(path.join(dir, 'equity.csv'), dir, b);
  const hasPrices = await readPricesCsv(path.join(dir, 'prices.csv'), b);
  await readTradesCsv(path.join(dir, 'trades.csv'), dir, b);
  return b.build(summary, { hasPrices, ...(await readSideFiles(dir, limits)) });
}

/**
 * failures.json, reconciliation.json and arbitrage.json of a folder, as the page shows them, when
 * present. One unreadable or malformed is shown as such on the page rather than thrown: the run's
 * other reports (and, at publish, the run itself) are not lost over a section of the page.
 */
export async function readSideFiles(dir: string, limits: ReportLimits = {}): Promise<SideData> {
  // Problems name the file, not the folder: the recorder reads these from its temp folder, and the
  // page must be the same as one rebuilt from the published folder.
  const problem = (name: string, err: unknown): string => `${name}: ${err instanceof DataError ? String(err.info.reason) : (err as Error).message}`;
  let failures: FailuresView | undefined;
  try {
    const raw = await readOptionalJson(dir, FAILURES_FILE);
    if (raw !== undefined) failures = failuresView(raw, FAILURES_FILE);
  } catch (err) {
    failures = { faults: [], invariants: [], findings: [], pnlCost: '—', problem: problem(FAILURES_FILE, err) };
  }
  let reconciliation: readonly KeyValueRow[] | undefined;
  try {
    const raw = await readOptionalJson(dir, RECONCILIATION_FILE);
    if (raw !== undefined) reconciliation = keyValueRows(raw);
  } catch (err) {
    reconciliation = [{ key: 'unreadable', value: problem(RECONCILIATION_FILE, err) }];
  }
  let arbitrage: ArbitrageView | undefined;
  try {
    const raw = await readOptionalJson(dir, ARBITRAGE_FILE);
    if (raw !== undefined) arbitrage = arbitrageView(raw, limits.maxPoints);
  } catch (err) {
    arbitrage = unreadableArbitrage(problem(ARBITRAGE_FILE, err));
  }
  return { ...(failures ? { failures } : {}), ...(reconciliation ? { reconciliation } : {}), ...(arbitrage ? { arbitrage } : {}) };
}

async function assertFolder(dir: string): Promise<void> {
  let isDir = false;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch {
    throw DataError.at(dir, undefined, 'no such folder');
  }
  if (!isDir) throw DataError.at(dir, undefined, 'not a folder (name a run folder, e.g. reports/<run-id>)');
}

function missing(dir: string, name: string): DataError {
  const file = path.join(dir, name);
  return DataError.at(file, undefined, `missing: ${dir} is not a complete run folder (it needs ${REQUIRED_FILES.join(', ')})`);
}

async function readSummary(dir: string): Promise<SummaryJson> {
  const raw = await readOptionalJson(dir, 'summary.json');
  if (raw === undefined) throw missing(dir, 'summary.json');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw DataError.at(path.join(dir, 'summary.json'), undefined, 'expected a JSON object');
  }
  return raw as SummaryJson;
}

type RowHandler = (row: readonly string[], line: number) => void;

/**
 * Streams `file`'s rows to `onRow` once its header holds `columns` (handed over as column indexes).
 * Returns false when the file does not exist. Line numbers assume one line per row, which holds for
 * the files runs write. An error thrown by `onRow` stops the read and is rethrown.
 */
async function streamCsv(file: string, columns: readonly string[], onRow: (at: readonly number[]) => RowHandler): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw DataError.at(file, undefined, `cannot open: ${(err as Error).message}`);
  }
  let line = 0;
  let handler: RowHandler | undefined;
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 1024,
    write(row: string[], _enc, done) {
      line++;
      try {
        if (handler === undefined) {
          const at = columns.map((c) => row.indexOf(c));
          const absent = columns.filter((_, i) => at[i]! < 0);
          if (absent.length > 0) throw DataError.at(file, line, `header lacks ${absent.join(', ')} (has ${row.join(', ')})`);
          handler = onRow(at);
        } else {
          handler(row, line);
        }
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
  try {
    await pipeline(handle.createReadStream({ highWaterMark: 1 << 18 }), parse({ bom: true, skip_empty_lines: true, relax_column_count: true }), sink);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw DataError.at(file, line > 0 ? line + 1 : undefined, `cannot parse: ${(err as Error).message}`);
  } finally {
    await handle.close().catch(() => undefined);
  }
  if (handler === undefined) throw DataError.at(file, undefined, 'empty file (no header)');
  return true;
}

/** A time field (ISO 8601, as the run wrote it) in whole ms. */
function timeField(file: string, line: number, name: string, text: string | undefined): number {
  const ts = text === undefined || text === '' ? Number.NaN : Date.parse(text);
  if (!Number.isFinite(ts)) throw DataError.at(file, line, `"${text ?? ''}" is not a time`, name);
  return ts;
}

function numberField(file: string, line: number, name: string, text: string | undefined, positive = false): number {
  const x = text === undefined || text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(x) || (positive && !(x > 0))) throw DataError.at(file, line, `"${text ?? ''}" is not a ${positive ? 'positive ' : ''}number`, name);
  return x;
}

async function readEquityCsv(file: string, dir: string, b: ReportDataBuilder): Promise<void> {
  let prev = Number.NEGATIVE_INFINITY;
  const found = await streamCsv(file, ['timestamp', 'equity', 'drawdown'], ([iTs, iEq, iDd]) => (row, line) => {
    const ts = timeField(file, line, 'timestamp', row[iTs!]);
    if (ts < prev) throw DataError.at(file, line, 'time goes backwards', 'timestamp');
    prev = ts;
    b.equityPoint(ts, numberField(file, line, 'equity', row[iEq!]), numberField(file, line, 'drawdown', row[iDd!]));
  });
  if (!found) throw missing(dir, 'equity.csv');
}

async function readPricesCsv(file: string, b: ReportDataBuilder): Promise<boolean> {
  let prev = Number.NEGATIVE_INFINITY;
  return streamCsv(file, ['ts', 'venue', 'symbol', 'price'], ([iTs, iVenue, iSymbol, iPrice]) => (row, line) => {
    const ts = timeField(file, line, 'ts', row[iTs!]);
    if (ts < prev) throw DataError.at(file, line, 'time goes backwards', 'ts');
    prev = ts;
    b.price(row[iVenue!] ?? '', row[iSymbol!] ?? '', ts, numberField(file, line, 'price', row[iPrice!], true));
  });
}

async function readTradesCsv(file: string, dir: string, b: ReportDataBuilder): Promise<void> {
  const found = await streamCsv(file, ['ts', 'venue', 'symbol', 'side', 'price', 'quantity'], ([iTs, iVenue, iSymbol, iSide, iPrice, iQty]) => (row, line) => {
    const side = row[iSide!];
    if (side !== 'buy' && side !== 'sell') throw DataError.at(file, line, `"${side ?? ''}" is not buy or sell`, 'side');
    b.trade(
      row[iVenue!] ?? '',
      row[iSymbol!] ?? '',
      timeField(file, line, 'ts', row[iTs!]),
      side,
      numberField(file, line, 'price', row[iPrice!], true),
      numberField(file, line, 'quantity', row[iQty!]),
    );
  });
  if (!found) throw missing(dir, 'trades.csv');
}
