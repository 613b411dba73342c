/**
 * CSV files as batches of raw rows (arrays of strings) with their physical line numbers.
 *
 * csv-parse is used as a stream with rows as arrays and no `cast` (see DESIGN.md: `columns: true` and
 * `cast` are several times slower). Line numbers: csv-parse keeps a running `info.lines`, but rows
 * read from its stream arrive later, when `info` has moved on; `info: true` snapshots it per row and
 * halves throughput. So `LineParser` intercepts `push()` — csv-parse calls it synchronously as each
 * record completes, while `info` is exact — and hands rows downstream in batches, one stream object
 * per batch instead of one per row.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CsvError, Parser, type Options } from 'csv-parse';
import { DataError, describeError } from '../core/errors.ts';
import { DEFAULT_BATCH_SIZE } from './event-source.ts';

/** Rows and their 1-based physical line numbers (the line each row starts on), index-aligned. */
export interface RowBatch<R = string[]> {
  readonly rows: R[];
  readonly lines: number[];
}

/**
 * The parse options every reader uses, and `countCsvRows` too so the floor is a fair one.
 * Ragged rows are let through (`relax_column_count`) so a reader can report them as bad rows with
 * file, line and field count instead of csv-parse aborting the whole file.
 */
export const CSV_OPTIONS: Options = { bom: true, skip_empty_lines: true, relax_column_count: true };

/** Opens a file as a byte stream, un-gzipping `.gz`; a missing file is a DataError naming it. */
export async function openInput(file: string): Promise<Readable> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : `cannot open file: ${describeError(err)}`;
    throw DataError.at(file, undefined, why);
  }
  // 256 KiB reads: fewer chunk hand-offs than the 64 KiB default, measurably faster on big files.
  const raw = handle.createReadStream({ highWaterMark: 1 << 18 });
  if (!file.endsWith('.gz')) return raw;
  return pipeline(raw, createGunzip(), () => {});
}

/** Line breaks inside a record's fields (CRLF, LF or a lone CR each count once). */
function lineBreaks(record: string[]): number {
  let n = 0;
  for (const f of record) {
    for (let i = 0; i < f.length; i++) {
      const c = f.charCodeAt(i);
      if (c === 10 || (c === 13 && f.charCodeAt(i + 1) !== 10)) n++;
    }
  }
  return n;
}

class LineParser extends Parser {
  private rows: string[][] = [];
  private lines: number[] = [];
  // Our own count of the previous record's end line, and csv-parse's counters at that point. A
  // record starts right after the previous one plus the empty lines skipped in between. We do not
  // take csv-parse's `info.lines` as the end line: it counts a CRLF inside a quoted cell twice.
  private prevEnd = 0;
  private prevInfoLines = 0;
  private prevEmpty = 0;

  constructor(private readonly batchSize: number) {
    // A couple of batches buffered is enough; the default (16 objects) would hold 16 batches.
    super({ ...CSV_OPTIONS, readableHighWaterMark: 2 } as Options);
  }

  override push(record: unknown): boolean {
    if (record === null) {
      if (this.rows.length > 0) super.push({ rows: this.rows, lines: this.lines });
      return super.push(null);
    }
    const info = this.info;
    const skipped = info.empty_lines - this.prevEmpty;
    const start = this.prevEnd + 1 + skipped;
    this.lines.push(start);
    this.rows.push(record as string[]);
    // Only a record spanning several lines pays for counting its line breaks.
    this.prevEnd = info.lines - this.prevInfoLines > 1 + skipped ? start + lineBreaks(record as string[]) : start;
    this.prevInfoLines = info.lines;
    this.prevEmpty = info.empty_lines;
    if (this.rows.length < this.batchSize) return true;
    const batch: RowBatch = { rows: this.rows, lines: this.lines };
    this.rows = [];
    this.lines = [];
    return super.push(batch);
  }
}

/**
 * Streams `file` as row batches (header included: it is just row 1 here). Errors from the parser
 * or gunzip become DataErrors naming the file (and line, when csv-parse knows it).
 */
export async function* csvRowBatches(file: string, batchSize = DEFAULT_BATCH_SIZE): AsyncGenerator<RowBatch> {
  const input = await openInput(file);
  const parser = new LineParser(batchSize);
  // pipeline() destroys every stage when one fails or when the consumer stops early (return()).
  pipeline(input, parser, () => {});
  try {
    for await (const batch of parser) yield batch as RowBatch;
  } catch (err) {
    throw toDataError(file, err);
  }
}

function toDataError(file: string, err: unknown): unknown {
  if (err instanceof DataError) return err;
  if (err instanceof CsvError) {
    const line = (err as CsvError & { lines?: number }).lines;
    return DataError.at(file, typeof line === 'number' ? line : undefined, `malformed CSV: ${err.message}`);
  }
  return new DataError(`${file}: cannot read: ${describeError(err)}`, { file }, { cause: err });
}

/**
 * The "csv-parse alone" floor for benchmarks: parses `file` with the same options as the readers,
 * rows as arrays, `Number()` on every field, through csv-parse's ordinary stream interface.
 * Returns the number of records parsed, the header row included.
 */
export async function countCsvRows(file: string): Promise<number> {
  const input = await openInput(file);
  const parser = new Parser(CSV_OPTIONS);
  let rows = 0;
  let sink = 0;
  await new Promise<void>((resolve, reject) => {
    parser.on('readable', () => {
      let rec: string[] | null;
      while ((rec = parser.read() as string[] | null) !== null) {
        rows++;
        for (let i = 0; i < rec.length; i++) sink += Number(rec[i]) || 0;
      }
    });
    parser.on('end', resolve);
    pipeline(input, parser, (err) => (err ? reject(toDataError(file, err)) : undefined));
  });
  // Keep the conversions observable so they cannot be optimised away.
  if (sink === -1) console.log(basename(file));
  return rows;
}

/** Header cells normalised for matching: trimmed, lower-cased. */
export function normaliseHeader(header: readonly string[]): string[] {
  return header.map((h) => h.trim().toLowerCase());
}

/** Index of the first of `names` present in the (normalised) header, or -1. */
export function findColumn(header: readonly string[], ...names: string[]): number {
  for (const n of names) {
    const i = header.indexOf(n);
    if (i >= 0) return i;
  }
  return -1;
}

/** Like `findColumn`, but a missing column is a DataError on the header line naming the column. */
export function requireColumn(file: string, headerLine: number, header: readonly string[], ...names: string[]): number {
  const i = findColumn(header, ...names);
  if (i >= 0) return i;
  const alt = names.length > 1 ? ` (or ${names.slice(1).map((n) => `"${n}"`).join(', ')})` : '';
  throw DataError.at(
    file,
    headerLine,
    `required column is missing from the header${alt}; the header has: ${header.join(', ')}`,
    names[0],
  );
}
