/**
 * The one per-row loop every reader runs: decode a raw row, enforce time order, apply a final
 * acceptance check, and either fail on a bad row or (with `skipBadRows`) report and skip it.
 * Keeping it in one place keeps the error wording and the skip semantics identical across readers.
 */
import { DataError } from '../core/errors.ts';
import { csvRowBatches, normaliseHeader, type RowBatch } from './csv-rows.ts';
import { DEFAULT_BATCH_SIZE, type EventSource, type ReadOptions, type Timed } from './event-source.ts';

/** Decodes one raw row; throws a DataError for a bad row; `undefined` means "nothing here" (skip). */
export type RowDecoder<R, T> = (row: R, line: number) => T | undefined;

export interface Decoder<R, T> {
  readonly decode: RowDecoder<R, T>;
  /** Column named in out-of-order errors. */
  readonly tsField: string;
  /**
   * Last check, run after the time-order check passed; may throw (e.g. duplicate id). Method syntax
   * on purpose: a `Decoder<string[], CandleEvent>` must be usable as a `Decoder<…, MarketEvent>`.
   */
  accept?(ev: T, line: number): void;
}

function isoOf(ts: number): string {
  return Number.isFinite(ts) && Math.abs(ts) < 8.64e15 ? new Date(ts).toISOString() : String(ts);
}

/** Runs `decoder` over row batches; yields one output batch per non-empty input batch. */
export async function* decodeRows<R, T extends Timed>(
  file: string,
  batches: AsyncIterable<RowBatch<R>>,
  decoder: Decoder<R, T>,
  opts: ReadOptions = {},
): EventSource<T> {
  let out: T[] = [];
  for await (const _ of decodeEach(file, batches, decoder, opts, (ev) => out.push(ev))) {
    if (out.length > 0) {
      yield out;
      out = [];
    }
  }
}

/**
 * The loop behind `decodeRows`: hands every accepted event to `each` as it is decoded, and yields once
 * per input batch. `each` must be done with the event when it returns: a decoder made with
 * `reuseEvents` returns the same object every time (a consumer that copies the fields out — a parse
 * worker filling columns — then builds no object per row).
 */
export async function* decodeEach<R, T extends Timed>(
  file: string,
  batches: AsyncIterable<RowBatch<R>>,
  decoder: Decoder<R, T>,
  opts: ReadOptions,
  each: (ev: T) => void,
): AsyncGenerator<void> {
  const { decode, tsField, accept } = decoder;
  const skip = opts.skipBadRows === true;
  let lastTs = -Infinity;
  let lastLine = 0;
  for await (const { rows, lines } of batches) {
    for (let i = 0; i < rows.length; i++) {
      const line = lines[i]!;
      try {
        const ev = decode(rows[i]!, line);
        if (ev === undefined) continue;
        if (ev.ts < lastTs) {
          throw DataError.at(
            file,
            line,
            `out of time order: ${isoOf(ev.ts)} is before ${isoOf(lastTs)} on line ${lastLine}; ` +
              'rows must have non-decreasing timestamps',
            tsField,
          );
        }
        if (accept !== undefined) accept(ev, line);
        lastTs = ev.ts;
        lastLine = line;
        each(ev);
      } catch (err) {
        if (!skip || !(err instanceof DataError)) throw err;
        const { reason, field } = err.info as { reason: string; field?: string };
        opts.onBadRow?.({ file, line, reason: field ? `field "${field}": ${reason}` : reason, field });
      }
    }
    yield;
  }
}

/**
 * What a CSV format makes of the first row. `headerIsData` is for headerless formats detected from
 * their first row (Kraken OHLCVT): that row is then decoded like the others.
 */
export interface CsvFormat<T> extends Decoder<string[], T> {
  readonly headerIsData?: boolean;
}

/**
 * A CSV file as an event source: reads row 1, lets `formatFor` pick the decoder from it (the header
 * normalised: trimmed, lower-cased; `raw` as in the file), then decodes the rest. The file is only
 * opened when iteration starts.
 */
export async function* csvSource<T extends Timed>(
  file: string,
  formatFor: (header: string[], headerLine: number, raw: string[]) => CsvFormat<T>,
  opts: ReadOptions = {},
  emptyReason = 'the file is empty; expected a header row',
): EventSource<T> {
  let out: T[] = [];
  for await (const _ of csvEach(file, formatFor, opts, emptyReason, (ev) => out.push(ev))) {
    if (out.length > 0) {
      yield out;
      out = [];
    }
  }
}

/** `csvSource` event by event (see `decodeEach`); yields once per batch of rows read. */
export async function* csvEach<T extends Timed>(
  file: string,
  formatFor: (header: string[], headerLine: number, raw: string[]) => CsvFormat<T>,
  opts: ReadOptions,
  emptyReason: string,
  each: (ev: T) => void,
): AsyncGenerator<void> {
  const batches = csvRowBatches(file, opts.batchSize ?? DEFAULT_BATCH_SIZE);
  try {
    const first = await batches.next();
    if (first.done) throw DataError.at(file, 1, emptyReason);
    const { rows, lines } = first.value;
    const format = formatFor(normaliseHeader(rows[0]!), lines[0]!, rows[0]!);
    const from = format.headerIsData ? 0 : 1;
    const head: RowBatch = { rows: rows.slice(from), lines: lines.slice(from) };
    yield* decodeEach(file, prepend(head, batches), format, opts, each);
  } finally {
    // Reached on early stop by the consumer too: closes the file through the generator's finally.
    await batches.return(undefined);
  }
}

async function* prepend<B>(head: B, rest: AsyncIterator<B>): AsyncGenerator<B> {
  yield head;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value;
  }
}
