/**
 * CSV output without a dependency: RFC 4180 quoting, plus a file writer that batches text into
 * ~1 MiB chunks and writes each with a blocking `fs.writeSync`.
 *
 * Blocking on purpose: the engine hands rows over from inside a synchronous RxJS pipeline, where
 * nothing can await. One blocking write per megabyte (a few ms) costs less than the bookkeeping of
 * asynchronous back-pressure, and memory stays at one chunk per file whatever the run's length.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { ATTO_DECIMALS, formatAtto } from '../domain/money.ts';
import { isoTime, isoTimeInto } from './iso-time.ts';
import { significantInto, significantText } from './stable-json.ts';

const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field: quoted (inner quotes doubled) only when it contains a comma, quote or line break. */
export function csvField(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  const s = typeof value === 'number' ? String(value) : value;
  return needsQuotes(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `NEEDS_QUOTES.test(s)`; a character loop is cheaper than the regex for the short ids and names of a row. */
function needsQuotes(s: string): boolean {
  if (s.length > 64) return NEEDS_QUOTES.test(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 44 || c === 34 || c === 10 || c === 13) return true;
  }
  return false;
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

/**
 * Where a CSV row is written field by field: a string (`RowText`) or, on the hot path, straight into a
 * ChunkedFile's buffer, so a row never exists as a string (a row built by concatenation was ~1 KB of
 * short-lived strings, the largest allocation per fill of a run).
 */
export interface RowSink {
  /** Text as is (no quoting): times, enum words, separators. */
  text(s: string): void;
  /** One CSV field, quoted when needed (`csvField`); nothing for undefined. */
  field(s: string | undefined): void;
  /** A number as `String(n)` writes it; nothing for undefined. */
  num(n: number | undefined): void;
  /** The field separator. */
  comma(): void;
  /** An event time as ISO 8601 (`isoTime`); `field` names it if it is not a date. */
  time(ts: number, field: string): void;
  /** An exact amount as `formatAtto` writes it. */
  atto(v: bigint): void;
}

/** A RowSink into a string, for callers that want the row itself. */
export class RowText implements RowSink {
  value = '';
  text(s: string): void {
    this.value += s;
  }
  field(s: string | undefined): void {
    if (s !== undefined) this.value += csvField(s);
  }
  num(n: number | undefined): void {
    if (n !== undefined) this.value += String(n);
  }
  comma(): void {
    this.value += ',';
  }
  time(ts: number, field: string): void {
    this.value += isoTime(ts, field);
  }
  atto(v: bigint): void {
    this.value += formatAtto(v);
  }
}

/** Appends text to a new file in large blocking writes. `close()` to finish, `abort()` on failure. */
export class ChunkedFile implements RowSink {
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

  /**
   * RowSink: encodes short text into the buffer in place, character by character (cheaper than a
   * native `buf.write` call for the few characters of a field); long or non-ASCII text takes `append`.
   */
  text(s: string): void {
    const n = s.length;
    const buf = this.buf;
    let u = this.used;
    if (n > 64 || u + n * 3 > buf.length) {
      this.append(s);
      return;
    }
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) {
        // Room for the worst case was checked above.
        this.used = u + buf.write(s.slice(i), u, 'utf8');
        return;
      }
      buf[u++] = c;
    }
    this.used = u;
  }

  field(s: string | undefined): void {
    if (s === undefined) return;
    const n = s.length;
    const buf = this.buf;
    const start = this.used;
    // One pass: copy while checking; a character that needs quoting (or is not ASCII) sends the field
    // down the general path, which overwrites what was copied.
    if (n <= 64 && start + n <= buf.length) {
      let u = start;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c === 44 || c === 34 || c === 10 || c === 13 || c > 127) break;
        buf[u++] = c;
      }
      if (i === n) {
        this.used = u;
        return;
      }
    }
    if (needsQuotes(s)) this.text(`"${s.replace(/"/g, '""')}"`);
    else this.text(s);
  }

  /** An atto amount as `formatAtto` writes it, digits laid out in place. */
  atto(v: bigint): void {
    if (this.used + 64 > this.buf.length) {
      this.flush();
      if (this.buf.length < 64) {
        this.append(formatAtto(v));
        return;
      }
    }
    const buf = this.buf;
    let u = this.used;
    if (v === 0n) {
      buf[u++] = 48;
      this.used = u;
      return;
    }
    let abs = v;
    if (v < 0n) {
      buf[u++] = 45; // '-'
      abs = -v;
    }
    const digits = abs.toString();
    if (digits.length > 40) {
      // Amounts beyond 10^22 units: rare enough for the string path.
      this.used = u;
      this.text(formatAtto(abs));
      return;
    }
    const n = digits.length;
    const fracStart = n - ATTO_DECIMALS;
    let end = n;
    while (end > fracStart && end > 0 && digits.charCodeAt(end - 1) === 48) end--;
    if (fracStart > 0) {
      for (let i = 0; i < fracStart; i++) buf[u++] = digits.charCodeAt(i);
      if (end > fracStart) {
        buf[u++] = 46; // '.'
        for (let i = fracStart; i < end; i++) buf[u++] = digits.charCodeAt(i);
      }
    } else {
      buf[u++] = 48;
      buf[u++] = 46;
      for (let i = fracStart; i < 0; i++) buf[u++] = 48;
      for (let i = 0; i < end; i++) buf[u++] = digits.charCodeAt(i);
    }
    this.used = u;
  }

  num(n: number | undefined): void {
    if (n !== undefined) this.text(String(n));
  }

  comma(): void {
    if (this.used < this.buf.length) this.buf[this.used++] = 44;
    else this.append(',');
  }

  time(ts: number, field: string): void {
    if (this.used + 27 > this.buf.length) {
      this.flush();
      if (this.buf.length < 27) {
        this.append(isoTime(ts, field));
        return;
      }
    }
    this.used = isoTimeInto(this.buf, this.used, ts, field);
  }

  /** `String(roundSignificant(x))` (see stable-json.ts), written in place. */
  significant(x: number): void {
    if (this.used + 32 > this.buf.length) {
      this.flush();
      if (this.buf.length < 32) {
        this.append(significantText(x));
        return;
      }
    }
    this.used = significantInto(this.buf, this.used, x);
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
