/**
 * The streaming model shared by every input: a source is a time-ordered async iterable of *batches*.
 *
 * Why batches: an `await` costs far more than the work done per record (csv-parse is ~2 µs/row, an
 * await per record adds a microtask turn each). Handing records over in arrays of ~1–4k keeps the
 * per-record path synchronous and leaves one await per batch.
 *
 * Contract: `ts` ascends (non-strictly) within a batch and across batches; batches are never empty
 * (consumers may rely on `batch[0]`), though tolerant consumers (mergeByTime) skip empty ones anyway.
 */
import type { MarketEvent, Signal } from '../domain/types.ts';

/** Anything stamped with event time (epoch ms). */
export interface Timed {
  readonly ts: number;
}

export type EventSource<T extends Timed> = AsyncIterable<T[]>;

/** Everything that flows through a run's event-time merge. */
export type Event = Signal | MarketEvent;

/** Default batch size for file readers: large enough to amortise the await, small enough for cache. */
export const DEFAULT_BATCH_SIZE = 2048;

/** Callback for rows skipped under `skipBadRows`. `reason` already names the field when there is one. */
export type BadRowHandler = (r: { file: string; line: number; reason: string; field?: string }) => void;

/** Options shared by every file reader. */
export interface ReadOptions {
  /** Skip a row that fails validation (and report it to `onBadRow`) instead of failing the run. */
  readonly skipBadRows?: boolean;
  readonly onBadRow?: BadRowHandler;
  /** Upper bound on records per batch; default {@link DEFAULT_BATCH_SIZE}. */
  readonly batchSize?: number;
  /**
   * Decoders may return one object, overwritten row after row, instead of a new event per row: only
   * for a consumer that copies each event's fields before the next is read (see `decodeEach`).
   */
  readonly reuseEvents?: boolean;
}

/**
 * An in-memory source, for tests and for callers that already hold their events. Slices `items`
 * into batches of `batchSize`; the items must already be in time order.
 */
export async function* fromArray<T extends Timed>(items: readonly T[], batchSize = DEFAULT_BATCH_SIZE): EventSource<T> {
  for (let i = 0; i < items.length; i += batchSize) yield items.slice(i, i + batchSize);
}
