/**
 * CSV output without a dependency: RFC 4180 quoting, plus a file writer that batches text into
 * ~1 MiB chunks and writes each with a blocking `fs.writeSync`.
 *
 * Blocking on purpose: the engine hands rows over from inside a synchronous RxJS pipeline, where
 * nothing can await. One blocking write per megabyte (a few ms) costs less than the bookkeeping of
 * asynchronous back-pressure, and memory stays at one chunk per file whatever the run's length.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field: quoted (inner quotes doubled) only when it contains a comma, quote or line break. */
export function csvField(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  const s = typeof value === 'number' ? String(value) : value;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line, `\n`-terminated (the same bytes on every platform). */
export function csvRow(fields: ReadonlyArray<string | number | undefined | null>): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) line += (i === 0 ? '' : ',') + csvField(fields[i]);
  return `${line}\n`;
}

export const DEFAULT_CHUNK_BYTES = 1 << 20;

export interface ChunkedFileOptions {
  /** Write out once about this many bytes are buffered. Default 1 MiB. */
  readonly chunkBytes?: number;
  /** fsync before close, so a rename that publishes the file never publishes an unflushed one. */
  readonly fsync?: boolean;
}

/** Appends text to a new file in large blocking writes. `close()` to finish, `abort()` on failure. */
export class ChunkedFile {
  /**
   * Text is UTF-8-encoded into this buffer as it arrives, not kept as strings: a row is a tree of
   * concatenated strings, and holding a megabyte of them until the write costs ~10× their size in
   * heap and, measured, 3 µs per row of extra GC work. Encoding at once lets them die young.
   */
  private readonly buf: Buffer;
  private used = 0;
  private fd: number | undefined;
  /** Set when a write failed: the file's content is then unknown, so it must not be published. */
  private failure: unknown;
  private readonly fsync: boolean;

  /** Creates the file; fails if it already exists ('wx'), since outputs go to a fresh directory. */
  constructor(
    readonly path: string,
    options: ChunkedFileOptions = {},
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(1, options.chunkBytes ?? DEFAULT_CHUNK_BYTES));
    this.fsync = options.fsync ?? true;
    this.fd = openSync(path, 'wx');
  }

  /** Buffers `text`, first writing the buffer out if `text` might not fit. */
  append(text: string): void {
    // A UTF-16 unit takes at most 3 bytes in UTF-8 (a surrogate pair, 2 units, takes 4).
    const worst = text.length * 3;
    if (this.used + worst > this.buf.length) {
      this.flush();
      if (worst > this.buf.length) {
        this.writeAll(Buffer.from(text, 'utf8'), Buffer.byteLength(text, 'utf8'));
        return;
      }
    }
    this.used += this.buf.write(text, this.used, 'utf8');
  }

  flush(): void {
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    this.writeAll(this.buf, n);
  }

  /** Flushes, fsyncs (if enabled) and closes. Throws the first write error if there was one. */
  close(): void {
    try {
      this.flush();
      if (this.fsync) fsyncSync(this.openFd());
    } catch (err) {
      this.abort();
      throw err;
    }
    const fd = this.openFd();
    this.fd = undefined;
    closeSync(fd); // not swallowed here: on some filesystems a write error only shows at close
  }

  /** Closes without flushing; the caller removes the partial file (the whole temp dir, here). */
  abort(): void {
    this.used = 0;
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // Already failing or discarding: a close error adds nothing the caller can act on.
    }
  }

  private writeAll(bytes: Buffer, length: number): void {
    const fd = this.openFd();
    try {
      // writeSync may write less than asked (signals, some filesystems); loop until all is out.
      for (let off = 0; off < length; ) off += writeSync(fd, bytes, off, length - off);
    } catch (err) {
      this.failure = err;
      throw err;
    }
  }

  private openFd(): number {
    if (this.failure !== undefined) throw this.failure;
    if (this.fd === undefined) throw new Error(`${this.path} is closed`);
    return this.fd;
  }
}

/** Writes a whole file through a ChunkedFile, closing (or aborting) it whatever happens. */
export function writeChunked(path: string, body: (append: (text: string) => void) => void, options: ChunkedFileOptions = {}): void {
  const f = new ChunkedFile(path, options);
  try {
    body((text) => f.append(text));
  } catch (err) {
    f.abort();
    throw err;
  }
  f.close();
}
