/**
 * A CSV market data file as MarketColumns through the columnar cache (column-cache.ts): from its cache
 * entry when there is a valid one, else parsed from the CSV (in a worker or here, see market-columns.ts)
 * while a new entry is written alongside.
 *
 * Entries are read on this thread: reading one is a few awaited file reads and a CRC per 65,536 rows,
 * ~0.03 s of this thread's time per million rows, less than a worker's start (~0.1 s) and its message
 * per batch would cost.
 *
 * An entry that fails a check part-way (a bad batch, a short file) is dropped without a word to the
 * consumer: the rows already handed on are skipped in the CSV, which goes on from there (and rebuilds
 * the entry). `onNote` hears why, so the CLI can print it; the run's results never depend on it.
 *
 * Only files read in full and without error are cached: a DataError in the CSV, or a consumer that
 * stops early, leaves no entry. (Market files are read fail-fast, never under `skipBadRows`, so there is
 * no skipped-row report that a cached file would lose.) Nor is a file modified in the last
 * RECENT_MTIME_MS: file times are only as fine as the kernel's clock tick, so a rewrite of the same
 * size right after we stat'ed it could keep its mtime; once a file has been quiet that long, a later
 * change shows.
 */
import type { MarketColumns } from '../sources/columns.ts';
import type { ThreadMode } from '../sources/worker-source.ts';
import type { CacheWriter, SourceStamp } from './column-cache.ts';
import { marketColumns } from './market-columns.ts';
import type { MarketSpec } from './market-source.ts';

export interface MarketCacheOptions {
  /** The cache folder (created when first written). */
  readonly dir: string;
  /** Where a CSV that must be parsed is parsed (see worker-source.ts). */
  readonly threads?: ThreadMode;
  /** Why an existing entry was not used or a new one not written (for a warning line). */
  readonly onNote?: (message: string) => void;
}

/** A file modified more recently than this is read from its CSV and not cached (see the comment). */
export const RECENT_MTIME_MS = 2_000;

/** Counters since the process started (or `resetCacheStats`): how the cache served. */
export interface CacheStats {
  /** Files read wholly from their cache entry. */
  hits: number;
  /** Files parsed from CSV (no entry, or one that failed a check). */
  misses: number;
  /** Entries that failed a check (before or while being read). */
  rejected: number;
  /** Entries written. */
  written: number;
}

const stats: CacheStats = { hits: 0, misses: 0, rejected: 0, written: 0 };

export function cacheStats(): Readonly<CacheStats> {
  return { ...stats };
}

export function resetCacheStats(): void {
  stats.hits = stats.misses = stats.rejected = stats.written = 0;
}

/** The column-cache module and Arrow (~0.1 s to load) are loaded on first use only. */
let cacheModule: Promise<typeof import('./column-cache.ts')> | undefined;
const loadCache = () => (cacheModule ??= import('./column-cache.ts'));

/** `spec`'s CSV file as columns, through the cache in `opts.dir`. Starts on iteration. */
export async function* cachedMarketColumns(spec: MarketSpec, opts: MarketCacheOptions): AsyncGenerator<MarketColumns> {
  const cache = await loadCache();
  let stamp: SourceStamp | undefined;
  try {
    stamp = await cache.stampOf(spec.file);
  } catch {
    // Missing or unreadable: the CSV reader reports it in its own words.
    stamp = undefined;
  }
  let delivered = 0;
  if (stamp !== undefined) {
    const opened = await cache.openCacheEntry(opts.dir, stamp);
    if ('entry' in opened) {
      try {
        for await (const cols of opened.entry.batches()) {
          delivered += cols.n;
          yield cols;
        }
        stats.hits++;
        return;
      } catch (err) {
        stats.rejected++;
        opts.onNote?.(`cache entry ${opened.entry.file} for ${spec.file}: ${(err as Error).message}; reading the CSV from row ${delivered + 1}`);
      }
    } else if (opened.reason !== 'absent') {
      stats.rejected++;
      opts.onNote?.(`cache entry for ${spec.file} not used (${opened.reason}); rebuilding it`);
    }
  }
  stats.misses++;
  yield* parseAndCache(spec, opts, stamp, delivered);
}

/** The CSV, teed into a new cache entry; the first `skip` rows are not handed on (already were). */
async function* parseAndCache(spec: MarketSpec, opts: MarketCacheOptions, stamp: SourceStamp | undefined, skip: number): AsyncGenerator<MarketColumns> {
  const cache = await loadCache();
  let writer: CacheWriter | undefined;
  if (stamp !== undefined && Date.now() - stamp.mtimeMs >= RECENT_MTIME_MS) {
    writer = await cache.CacheWriter.create(opts.dir, stamp).catch((err: unknown) => {
      opts.onNote?.(`cannot write a cache entry for ${spec.file} in ${opts.dir}: ${(err as Error).message}`);
      return undefined;
    });
  }
  let complete = false;
  try {
    for await (const cols of marketColumns(spec, opts.threads)) {
      if (writer !== undefined) {
        try {
          await writer.add(cols);
        } catch (err) {
          // The cache is an optimisation: a failed write (disk full) never fails the run.
          opts.onNote?.(`cache entry for ${spec.file} not written: ${(err as Error).message}`);
          await writer.abort();
          writer = undefined;
        }
      }
      if (skip >= cols.n) {
        skip -= cols.n;
        continue;
      }
      yield skip > 0 ? sliceRows(cols, skip) : cols;
      skip = 0;
    }
    complete = true;
  } finally {
    if (writer !== undefined) {
      if (complete && (await writer.commit())) stats.written++;
      else if (!complete) await writer.abort();
    }
  }
}

/** Rows `from..n` of a batch (views, no copy). */
function sliceRows(c: MarketColumns, from: number): MarketColumns {
  const candle = c.kind === 'candle';
  return {
    t: 'market',
    kind: c.kind,
    n: c.n - from,
    ts: c.ts.subarray(from),
    a: c.a.subarray(from),
    b: c.b.subarray(from),
    c: candle ? c.c.subarray(from) : c.c,
    d: candle ? c.d.subarray(from) : c.d,
    e: candle ? c.e.subarray(from) : c.e,
    flags: c.flags.subarray(from),
  };
}
