/**
 * The columnar cache of parsed market data files: one Apache Arrow IPC *file* (random-access format,
 * what pyarrow's `ipc.open_file` and pandas' `read_feather` read) per CSV source, holding the source's
 * MarketColumns (columns.ts) as they were parsed and validated. This module locates, checks, reads and
 * writes those files; when they are used is cached-market.ts's business.
 *
 * File: `<cache dir>/<16 hex of sha256(absolute source path)>-<source basename>.arrow`. Columns `ts`,
 * `a`, `b` (Float64), `c`, `d`, `e` (Float64, candles only), `flags` (Uint8), in record batches of up
 * to CACHE_BATCH_ROWS rows. Schema metadata (`tradeflow.*`): format version, the source's absolute
 * path, size, mtime (ns) and inode, the market kind, a note on what the columns mean, and the total row
 * count. The row count is only known at the end; the Arrow file format keeps its schema in the footer,
 * written last (Arrow JS writes none at the start), so it goes there, with no sidecar. Each batch's
 * own metadata holds a CRC-32 of its column bytes.
 *
 * Trust nothing read back: an entry is used only if both magics are there, its footer decodes, every
 * metadata field matches the source's current stat and this format, and the batch blocks lie within
 * the file; then each batch is checked (column types, lengths, CRC) before it is handed on, and the
 * rows must add up to the count. Any failure is a `CacheRejected` — never wrong data.
 *
 * Writing goes to `<final>.<pid>-<random>.tmp` in the same folder, renamed into place only on commit
 * (after the whole CSV was read without error and the source is still as it was stat'ed). There is no
 * fsync: a crash may leave a renamed file whose bytes never reached the disk, which the checks above
 * reject, so the cache is never wrong, only rebuilt.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import {
  AsyncByteQueue,
  Field,
  Float64,
  RecordBatch,
  RecordBatchFileWriter,
  RecordBatchReader,
  Schema,
  Struct,
  Uint8,
  makeData,
  type Data,
} from 'apache-arrow';
import type { MarketEvent } from '../domain/types.ts';
import type { MarketColumns } from '../sources/columns.ts';

/** Bumped whenever the layout or the meaning of a column changes: older files are then rebuilt. */
export const CACHE_FORMAT_VERSION = '1';

/**
 * Rows per record batch in a cache file. Large: reading costs a few awaited reads per batch (measured:
 * 2.4M rows read back in 0.18 s as 8,192-row batches, 0.07 s as 65,536-row ones).
 */
export const CACHE_BATCH_ROWS = 65_536;

const MAGIC = 'ARROW1';
const KEY = {
  version: 'tradeflow.cache_version',
  path: 'tradeflow.source_path',
  size: 'tradeflow.source_size',
  mtime: 'tradeflow.source_mtime_ns',
  ino: 'tradeflow.source_ino',
  kind: 'tradeflow.kind',
  columns: 'tradeflow.columns',
  rows: 'tradeflow.rows',
  crc: 'tradeflow.crc32',
} as const;

/** What each column holds, per kind (schema metadata, for whoever opens the file elsewhere). */
const MEANING: Record<MarketEvent['kind'], string> = {
  level: 'ts=epoch ms, a=price, b=quantity, flags=bit0 ask|bit1 snapshot|bit2 reset',
  trade: 'ts=epoch ms, a=price, b=quantity, flags=taker side (0 none, 1 buy, 2 sell)',
  candle: 'ts=epoch ms (open time), a=open, b=volume, c=high, d=low, e=close',
};

/** Column types as Arrow names them (Uint8 is an Int type, so compare the names). */
const FLOAT64 = String(new Float64());
const UINT8 = String(new Uint8());

const KINDS: ReadonlyArray<MarketEvent['kind']> = ['level', 'trade', 'candle'];

/** A source file as stat'ed: what a cache entry must match. Strings: exact (from a bigint stat). */
export interface SourceStamp {
  /** Absolute path. */
  readonly path: string;
  readonly size: string;
  readonly mtimeNs: string;
  readonly ino: string;
  /** For the "modified just now" rule (cached-market.ts). */
  readonly mtimeMs: number;
}

export async function stampOf(file: string): Promise<SourceStamp> {
  const abs = path.resolve(file);
  const st = await stat(abs, { bigint: true });
  return { path: abs, size: String(st.size), mtimeNs: String(st.mtimeNs), ino: String(st.ino), mtimeMs: Number(st.mtimeMs) };
}

function sameStamp(a: SourceStamp, b: SourceStamp): boolean {
  return a.path === b.path && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ino === b.ino;
}

/** Where the cache entry of `source` lives in `dir`. */
export function cacheFileFor(dir: string, source: string): string {
  const abs = path.resolve(source);
  const hash = createHash('sha256').update(abs).digest('hex').slice(0, 16);
  return path.join(path.resolve(dir), `${hash}-${path.basename(abs)}.arrow`);
}

/** Why a cache entry was not (or not wholly) used. */
export class CacheRejected extends Error {
  override readonly name = 'CacheRejected';
}

function columnNames(kind: MarketEvent['kind']): readonly string[] {
  return kind === 'candle' ? ['ts', 'a', 'b', 'c', 'd', 'e', 'flags'] : ['ts', 'a', 'b', 'flags'];
}

function schemaFor(kind: MarketEvent['kind'], stamp: SourceStamp): Schema {
  const fields = columnNames(kind).map((n) => new Field(n, n === 'flags' ? new Uint8() : new Float64(), false));
  return new Schema(
    fields,
    new Map([
      [KEY.version, CACHE_FORMAT_VERSION],
      [KEY.path, stamp.path],
      [KEY.size, stamp.size],
      [KEY.mtime, stamp.mtimeNs],
      [KEY.ino, stamp.ino],
      [KEY.kind, kind],
      [KEY.columns, MEANING[kind]],
    ]),
  );
}

type Column = Float64Array | Uint8Array;

function columnsOf(c: MarketColumns): Column[] {
  return c.kind === 'candle' ? [c.ts, c.a, c.b, c.c, c.d, c.e, c.flags] : [c.ts, c.a, c.b, c.flags];
}

/** CRC-32 of the first `n` rows of every column, in column order. */
function checksum(cols: readonly Column[], n: number): number {
  let crc = 0;
  for (const x of cols) crc = crc32(new Uint8Array(x.buffer, x.byteOffset, n * x.BYTES_PER_ELEMENT), crc);
  return crc;
}

// ---------------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------------

/** An entry that passed the up-front checks. */
export interface CacheEntry {
  readonly file: string;
  readonly kind: MarketEvent['kind'];
  readonly rows: number;
  /**
   * Its batches, each checked before it is yielded; throws CacheRejected on the first bad one, or at
   * the end when the rows do not add up. Closes the file when done or stopped. Call once.
   */
  batches(): AsyncGenerator<MarketColumns>;
}

const EMPTY = new Float64Array(0);

/**
 * Opens the entry of the source stamped `stamp`, or says why not: reason `absent` when there is none
 * (not a problem), otherwise what was wrong with it.
 */
export async function openCacheEntry(dir: string, stamp: SourceStamp): Promise<{ entry: CacheEntry } | { reason: string }> {
  const file = cacheFileFor(dir, stamp.path);
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    return { reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'absent' : `cannot open: ${(err as Error).message}` };
  }
  try {
    const entry = await checkEntry(file, fh, stamp);
    return { entry };
  } catch (err) {
    await fh.close().catch(() => {});
    return { reason: err instanceof CacheRejected ? err.message : `unreadable: ${(err as Error).message}` };
  }
}

async function checkEntry(file: string, fh: FileHandle, stamp: SourceStamp): Promise<CacheEntry> {
  const { size } = await fh.stat();
  // Leading magic + padding (8), trailing footer length + magic (10): a truncated file fails here.
  if (size < 8 + 10) throw new CacheRejected('truncated');
  const head = Buffer.alloc(6);
  const tail = Buffer.alloc(6);
  await fh.read(head, 0, 6, 0);
  await fh.read(tail, 0, 6, size - 6);
  if (head.toString('latin1') !== MAGIC || tail.toString('latin1') !== MAGIC) throw new CacheRejected('not a complete Arrow file (truncated?)');
  const reader = await RecordBatchReader.from(fh);
  if (!reader.isFile()) throw new CacheRejected('not an Arrow file');
  await reader.open({ autoDestroy: false });
  const meta = reader.schema.metadata;
  const want: Array<[string, string]> = [
    [KEY.version, CACHE_FORMAT_VERSION],
    [KEY.path, stamp.path],
    [KEY.size, stamp.size],
    [KEY.mtime, stamp.mtimeNs],
    [KEY.ino, stamp.ino],
  ];
  for (const [k, v] of want) {
    if (meta.get(k) !== v) throw new CacheRejected(k === KEY.version || k === KEY.path ? `${k} is ${meta.get(k) ?? 'missing'}, not ${v}` : 'the source changed since it was cached');
  }
  const kind = meta.get(KEY.kind) as MarketEvent['kind'] | undefined;
  if (kind === undefined || !KINDS.includes(kind)) throw new CacheRejected(`unknown kind ${kind ?? '(missing)'}`);
  const rows = Number(meta.get(KEY.rows));
  if (!Number.isSafeInteger(rows) || rows <= 0) throw new CacheRejected('no row count (the file was not finished)');
  const names = columnNames(kind);
  const fields = reader.schema.fields;
  if (fields.length !== names.length) throw new CacheRejected('unexpected columns');
  for (let i = 0; i < names.length; i++) {
    const f = fields[i]!;
    const type = names[i] === 'flags' ? UINT8 : FLOAT64;
    if (f.name !== names[i] || String(f.type) !== type) throw new CacheRejected(`column ${i} is ${f.name}: ${String(f.type)}`);
  }
  // Block offsets and lengths come from the footer: check them before anything is read from them.
  const footer = reader.footer!;
  const n = footer.numRecordBatches;
  if (n === 0 || footer.numDictionaries !== 0) throw new CacheRejected('unexpected batch layout');
  for (let i = 0; i < n; i++) {
    const b = footer.getRecordBatch(i);
    if (!b || b.offset < 8 || b.offset + b.metaDataLength + Number(b.bodyLength) > size) throw new CacheRejected(`batch ${i} lies outside the file`);
  }
  return { file, kind, rows, batches: () => readBatches(file, fh, reader, kind, rows, n) };
}

async function* readBatches(
  file: string,
  fh: FileHandle,
  reader: AsyncIterable<RecordBatch>,
  kind: MarketEvent['kind'],
  rows: number,
  count: number,
): AsyncGenerator<MarketColumns> {
  try {
    let seen = 0;
    let batches = 0;
    for await (const rb of reader) {
      batches++;
      const cols = toColumns(rb, kind, batches);
      seen += cols.n;
      if (seen > rows) throw new CacheRejected(`${file}: more rows than the ${rows} recorded`);
      yield cols;
    }
    if (seen !== rows || batches !== count) throw new CacheRejected(`${file}: ${seen} rows in ${batches} batches, expected ${rows} in ${count}`);
  } finally {
    await fh.close().catch(() => {});
  }
}

function column<A extends Column>(rb: RecordBatch, i: number, ctor: new (n: number) => A, n: number, at: number): A {
  const chunks = rb.getChildAt(i)?.data as ReadonlyArray<Data> | undefined;
  const d = chunks?.length === 1 ? chunks[0]! : undefined;
  const v: unknown = d?.values;
  if (d === undefined || d.nullCount !== 0 || !(v instanceof ctor) || (v as A).length < n) throw new CacheRejected(`batch ${at}: column ${i} is malformed`);
  return (v as A).length === n ? (v as A) : ((v as A).subarray(0, n) as A);
}

/** A record batch as MarketColumns, or CacheRejected. */
function toColumns(rb: RecordBatch, kind: MarketEvent['kind'], at: number): MarketColumns {
  const n = rb.numRows;
  if (!(n > 0)) throw new CacheRejected(`batch ${at} is empty`);
  const candle = kind === 'candle';
  const ts = column(rb, 0, Float64Array, n, at);
  const a = column(rb, 1, Float64Array, n, at);
  const b = column(rb, 2, Float64Array, n, at);
  const c = candle ? column(rb, 3, Float64Array, n, at) : EMPTY;
  const d = candle ? column(rb, 4, Float64Array, n, at) : EMPTY;
  const e = candle ? column(rb, 5, Float64Array, n, at) : EMPTY;
  const flags = column(rb, candle ? 6 : 3, Uint8Array, n, at);
  const cols: MarketColumns = { t: 'market', kind, n, ts, a, b, c, d, e, flags };
  if (rb.metadata.get(KEY.crc) !== String(checksum(columnsOf(cols), n))) throw new CacheRejected(`batch ${at}: checksum mismatch`);
  return cols;
}

// ---------------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------------

/** The writer's byte sink: keeps what Arrow encodes until we write it out ourselves (with backpressure). */
class PendingBytes extends AsyncByteQueue {
  chunks: Uint8Array[] = [];

  // The writer hands it Uint8Arrays only (its `_write` converts every chunk before the sink sees it).
  override write(value: Parameters<AsyncByteQueue['write']>[0]): void {
    if (!(value instanceof Uint8Array)) throw new TypeError('expected bytes');
    if (value.byteLength > 0) this.chunks.push(value);
  }

  take(): Uint8Array[] {
    const c = this.chunks;
    this.chunks = [];
    return c;
  }
}

/**
 * A cache entry being written: `add` every batch of the source in order, then `commit` (renames it
 * into place) or `abort` (removes the temp file). Batches are copied into CACHE_BATCH_ROWS-row chunks;
 * at most one chunk's write is in flight, so memory stays at about two chunks.
 */
export class CacheWriter {
  private kind: MarketEvent['kind'] | undefined;
  private schema: Schema | undefined;
  private readonly writer = new RecordBatchFileWriter();
  private readonly sink = new PendingBytes();
  private chunk: Column[] = [];
  /** The chunk whose write is in flight, reused once it is written (fresh pages cost page faults). */
  private writing: Column[] | undefined;
  private fill = 0;
  private rows = 0;
  private inFlight: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly tmp: string,
    private readonly fh: FileHandle,
    private readonly stamp: SourceStamp,
  ) {}

  /** Starts the entry of the source stamped `stamp` in `dir` (created if need be). */
  static async create(dir: string, stamp: SourceStamp): Promise<CacheWriter> {
    await mkdir(dir, { recursive: true });
    await sweepTempFiles(dir);
    const file = cacheFileFor(dir, stamp.path);
    const tmp = `${file}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
    const fh = await open(tmp, 'wx');
    return new CacheWriter(file, tmp, fh, stamp);
  }

  /** Copies `cols` in (the caller keeps them). A different kind than the first batch's is an error. */
  async add(cols: MarketColumns): Promise<void> {
    if (this.kind === undefined) {
      this.kind = cols.kind;
      this.schema = schemaFor(cols.kind, this.stamp);
      this.writer.reset(this.sink, this.schema);
      this.chunk = this.allocChunk();
    } else if (cols.kind !== this.kind) throw new Error(`mixed market kinds (${this.kind}, ${cols.kind})`);
    const src = columnsOf(cols);
    for (let from = 0; from < cols.n; ) {
      const take = Math.min(cols.n - from, CACHE_BATCH_ROWS - this.fill);
      for (let k = 0; k < src.length; k++) this.chunk[k]!.set(src[k]!.subarray(from, from + take), this.fill);
      this.fill += take;
      from += take;
      if (this.fill === CACHE_BATCH_ROWS) await this.flush();
    }
  }

  /**
   * Writes the rest and the footer (with the row count), closes, and renames the file into place if
   * the source is still as stat'ed when reading began. False (and nothing left behind) otherwise.
   */
  async commit(): Promise<boolean> {
    try {
      if (this.kind === undefined) throw new Error('no rows');
      if (this.fill > 0) await this.flush();
      await this.inFlight;
      // The footer carries the schema: the row count, known only now, goes in with it.
      this.schema!.metadata.set(KEY.rows, String(this.rows));
      this.writer.close();
      await this.fh.writev(this.sink.take());
      await this.fh.close();
      this.closed = true;
      if (!sameStamp(await stampOf(this.stamp.path), this.stamp)) throw new Error('the source changed while it was read');
      await rename(this.tmp, this.file);
      return true;
    } catch {
      await this.abort();
      return false;
    }
  }

  /** Leaves nothing behind. */
  async abort(): Promise<void> {
    await this.inFlight.catch(() => {});
    if (!this.closed) {
      this.closed = true;
      await this.fh.close().catch(() => {});
    }
    await unlink(this.tmp).catch(() => {});
  }

  private allocChunk(): Column[] {
    return columnNames(this.kind!).map((n) => (n === 'flags' ? new Uint8Array(CACHE_BATCH_ROWS) : new Float64Array(CACHE_BATCH_ROWS)));
  }

  private async flush(): Promise<void> {
    const n = this.fill;
    const cols = this.chunk.map((x) => x.subarray(0, n));
    const fields = this.schema!.fields;
    const children = cols.map((x, i) =>
      x instanceof Uint8Array ? makeData({ type: fields[i]!.type as Uint8, length: n, nullCount: 0, data: x }) : makeData({ type: fields[i]!.type as Float64, length: n, nullCount: 0, data: x }),
    );
    const data = makeData({ type: new Struct(fields), length: n, nullCount: 0, children });
    this.writer.write(new RecordBatch(this.schema!, data, new Map([[KEY.crc, String(checksum(cols, n))]])));
    this.rows += n;
    // One write in flight: the next chunk is filled (in the previous one's arrays) while this one goes to disk.
    await this.inFlight;
    const done = this.writing;
    this.writing = this.chunk;
    this.chunk = done ?? this.allocChunk();
    this.fill = 0;
    const write = this.fh.writev(this.sink.take());
    // Its failure (disk full) surfaces when it is next awaited; until then it must not count as unhandled.
    write.catch(() => {});
    this.inFlight = write;
  }
}

/** Removes temp files of writers whose process is gone (killed mid-write). */
async function sweepTempFiles(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /\.arrow\.(\d+)-[0-9a-f]+\.tmp$/.exec(name);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    await unlink(path.join(dir, name)).catch(() => {});
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
