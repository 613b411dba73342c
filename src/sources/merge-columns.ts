/**
 * The event-time merge of `mergeByTime`, for a consumer that takes events one at a time and can use
 * them as columns: `forEachByTime` calls `visit(batch, i, source)` for every event of every source in
 * time order, without building an output array or (for columnar batches from parse workers) an
 * object per event.
 *
 * The order is exactly mergeByTime's: by `ts`, ties to the lower source index, each source in its own
 * order. Every source's first batch is requested at once (files open and parse concurrently); after
 * that the merge awaits only when a source's batch is used up. On an error, or when `visit` throws,
 * the other sources are closed (`return()`), as mergeByTime does.
 */
import type { Timed } from './event-source.ts';

/** A batch as the merge sees it: `n` events whose times are `ts[0..n)`, ascending. */
export interface TimedColumns {
  readonly n: number;
  readonly ts: Float64Array;
}

/** An array of events as TimedColumns; `events[i]` is event i. */
export interface EventColumns<T> extends TimedColumns {
  readonly events: readonly T[];
}

/** Adapts an ordinary batched source (arrays of events) to the merge. */
export async function* asColumns<T extends Timed>(source: AsyncIterable<T[]>): AsyncGenerator<EventColumns<T>> {
  for await (const events of source) {
    const n = events.length;
    const ts = new Float64Array(n);
    for (let i = 0; i < n; i++) ts[i] = events[i]!.ts;
    yield { n, ts, events };
  }
}

interface Cursor<B extends TimedColumns> {
  readonly index: number;
  readonly it: AsyncIterator<B>;
  batch: B;
  ts: Float64Array;
  pos: number;
}

const NO_TIMES = new Float64Array(0);

async function refill<B extends TimedColumns>(c: Cursor<B>): Promise<boolean> {
  for (;;) {
    const r = await c.it.next();
    if (r.done) return false;
    if (r.value.n > 0) {
      c.batch = r.value;
      c.ts = r.value.ts;
      c.pos = 0;
      return true;
    }
  }
}

/**
 * Calls `visit` for every event of `sources` in event-time order (see the module comment). Resolves
 * when every source has ended.
 */
export async function forEachByTime<B extends TimedColumns>(
  sources: ReadonlyArray<AsyncIterable<B>>,
  visit: (batch: B, i: number, source: number) => void,
): Promise<void> {
  const all: Cursor<B>[] = sources.map((s, index) => ({
    index,
    it: s[Symbol.asyncIterator](),
    batch: undefined as unknown as B,
    ts: NO_TIMES,
    pos: 0,
  }));
  const live = new Set<Cursor<B>>(all);
  try {
    const ok = await Promise.all(all.map(refill));
    // Kept in source order, so a strict `<` below gives ties to the lower index.
    const active: Cursor<B>[] = [];
    for (let i = 0; i < all.length; i++) {
      if (ok[i]) active.push(all[i]!);
      else live.delete(all[i]!);
    }
    while (active.length > 0) {
      // The best head, and the runner-up's time and index (ties go to the lower index).
      let best = active[0]!;
      let bestTs = best.ts[best.pos]!;
      let nextTs = Infinity;
      let nextIndex = Number.MAX_SAFE_INTEGER;
      for (let j = 1; j < active.length; j++) {
        const c = active[j]!;
        const t = c.ts[c.pos]!;
        if (t < bestTs) {
          nextTs = bestTs;
          nextIndex = best.index;
          best = c;
          bestTs = t;
        } else if (t < nextTs) {
          nextTs = t;
          nextIndex = c.index;
        }
      }
      // Run the best source on while it stays first: no rescan per event while one source leads.
      const { batch, ts, index } = best;
      const n = batch.n;
      let pos = best.pos;
      do {
        visit(batch, pos, index);
        pos++;
      } while (pos < n && (ts[pos]! < nextTs || (ts[pos] === nextTs && index < nextIndex)));
      best.pos = pos;
      if (pos === n && !(await refill(best))) {
        live.delete(best);
        active.splice(active.indexOf(best), 1);
      }
    }
  } finally {
    await Promise.allSettled([...live].map((c) => c.it.return?.()));
  }
}
