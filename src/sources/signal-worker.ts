/**
 * A signal CSV read in a worker thread (see worker-source.ts): the same decoder as `signalCsvSource`,
 * run on another core, with the signals shipped back as columns and rebuilt on the main thread.
 *
 * Functions cannot cross to a worker, so the worker knows the run's markets as data. That decides every
 * row but one kind: a row whose venue has no market is refused either as an unknown venue (not a ccxt
 * id) or as an unknown market (a ccxt id with no data), and only the caller's `isKnownVenue` can tell
 * which. The worker works out both messages and the main thread picks one, so the message is the one
 * `signalCsvSource` gives.
 */
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { DataError } from '../core/errors.ts';
import type { Signal } from '../domain/types.ts';
import { SignalColumnsBuilder, SignalUnpacker, transferList, type SignalColumns } from './columns.ts';
import { csvEach, type CsvFormat } from './decode.ts';
import type { BadRowHandler, EventSource } from './event-source.ts';
import { SIGNAL_FILE_EMPTY, idPrefixOf, signalCsvFormat } from './signal-csv.ts';
import type { SignalReadOptions } from './signal-validate.ts';
import {
  READER_BATCH_SIZE,
  WORKER_BATCH_SIZE,
  fileWeight,
  rebuildError,
  serializeError,
  serveBatches,
  workerBatches,
  type BadRowMessage,
  type SerializedError,
  type WorkerTask,
} from './worker-source.ts';

export interface SignalWorkerOptions {
  readonly skipBadRows?: boolean;
  readonly onBadRow?: BadRowHandler;
  /** As in SignalReadOptions; asked on this thread, and only about venues that have no market. */
  readonly isKnownVenue?: (venue: string) => boolean;
  /** Every market signals may name (`isKnownMarket` is membership in this list). */
  readonly markets: Iterable<readonly [venue: string, symbol: string]>;
}

interface SignalTask extends WorkerTask {
  readonly file: string;
  readonly skipBadRows: boolean;
  readonly markets: Array<readonly [string, string]>;
}

const MODULE = fileURLToPath(import.meta.url);

/** `signalCsvSource(file, …)` parsed in a worker thread. Starts on iteration. */
export function signalCsvSourceInWorker(file: string, opts: SignalWorkerOptions): EventSource<Signal> {
  const { batches, unpacker } = signalColumnsInWorker(file, opts);
  return mapBatches(batches, (cols) => unpacker.unpack(cols));
}

/**
 * The same, as the worker's columnar batches and the unpacker that builds signal `i` of a batch (in
 * batch order: `unpacker.at(cols, i)`).
 */
export function signalColumnsInWorker(file: string, opts: SignalWorkerOptions): { batches: AsyncGenerator<SignalColumns>; unpacker: SignalUnpacker } {
  const task: SignalTask = { module: MODULE, file, skipBadRows: opts.skipBadRows === true, markets: [...opts.markets].map(([v, s]) => [v, s] as const) };
  const venueKnown = (venue: string | undefined) => venue !== undefined && (opts.isKnownVenue === undefined || opts.isKnownVenue(venue));
  const batches = workerBatches<SignalColumns>(task, {
    onBadRow: (r) => {
      const pick = r.alt !== undefined && venueKnown(r.venue) ? r.alt : r;
      opts.onBadRow?.({ file: r.file, line: r.line, reason: pick.reason, field: pick.field });
    },
    error: (e) => rebuildError(e.alt !== undefined && venueKnown(e.venue) ? e.alt : e),
    weight: fileWeight(file),
  });
  return { batches, unpacker: new SignalUnpacker(file, idPrefixOf(file)) };
}

async function* mapBatches<C, T>(batches: AsyncIterable<C>, f: (cols: C) => T[]): AsyncGenerator<T[]> {
  for await (const cols of batches) yield f(cols);
}

/** Worker side (called by the boot script). */
export function runInWorker(task: SignalTask, port: MessagePort): Promise<void> {
  const { file } = task;
  const venues = new Set(task.markets.map(([v]) => v));
  const markets = new Set(task.markets.map(([v, s]) => `${v}\u0000${s}`));
  const bad: BadRowMessage[] = [];
  // The venue with no market met by the row being decoded, and the row's error were it a ccxt id.
  let unknownVenue: string | undefined;
  let deferred: { line: number; venue: string; alt: DataError } | undefined;
  const isKnownMarket = (v: string, s: string) => markets.has(`${v}\u0000${s}`);
  const opts: SignalReadOptions = {
    skipBadRows: task.skipBadRows,
    // Signals are copied into columns as they are decoded: the decoder reuses one object.
    reuseEvents: true,
    batchSize: READER_BATCH_SIZE,
    isKnownMarket,
    isKnownVenue: (v) => {
      if (venues.has(v)) return true;
      unknownVenue = v;
      return false;
    },
    onBadRow: (r) => {
      const d = deferred !== undefined && deferred.line === r.line ? deferred : undefined;
      bad.push({ file: r.file, line: r.line, reason: r.reason, field: r.field, ...(d ? { venue: d.venue, alt: rowReason(d.alt) } : {}) });
    },
  };
  const altOpts: SignalReadOptions = { ...opts, isKnownVenue: () => true };
  const formatFor = (header: string[], headerLine: number): CsvFormat<Signal> => {
    const main = signalCsvFormat(file, header, headerLine, opts);
    const alt = signalCsvFormat(file, header, headerLine, altOpts);
    return {
      tsField: main.tsField,
      decode: (row, line) => {
        unknownVenue = undefined;
        try {
          return main.decode(row, line);
        } catch (err) {
          if (unknownVenue !== undefined && err instanceof DataError && err.info.field === 'exchange') {
            deferred = { line, venue: unknownVenue, alt: altErrorOf(alt, row, line, err) };
          }
          throw err;
        }
      },
      accept: (s, line) => main.accept?.(s, line),
    };
  };
  const takeBad = (): BadRowMessage[] => bad.splice(0, bad.length);
  const describe = (err: unknown): SerializedError => {
    const e = serializeError(err);
    const d = deferred;
    if (d !== undefined && err instanceof DataError && err.info.line === d.line && err.info.field === 'exchange') {
      return { ...e, venue: d.venue, alt: serializeError(d.alt) };
    }
    return e;
  };
  const read = (each: (s: Signal) => void) => csvEach(file, formatFor, opts, SIGNAL_FILE_EMPTY, each);
  return serveBatches(port, read, new SignalColumnsBuilder(idPrefixOf(file), WORKER_BATCH_SIZE), transferList, takeBad, describe);
}

/** The row's error with the venue taken as known: it always has one, since that venue has no market. */
function altErrorOf(alt: CsvFormat<Signal>, row: string[], line: number, fallback: DataError): DataError {
  try {
    alt.decode(row, line);
  } catch (err) {
    if (err instanceof DataError) return err;
  }
  return fallback;
}

/** A DataError as `onBadRow` words it. */
function rowReason(err: DataError): { reason: string; field?: string } {
  const { reason, field } = err.info as { reason: string; field?: string };
  return { reason: field ? `field "${field}": ${reason}` : reason, field };
}
