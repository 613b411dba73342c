/**
 * k-way merge of time-ordered batched sources into one time-ordered batched source.
 *
 * Ties on `ts` go to the lower source index (source 0 first), and each source keeps its own order,
 * so a run is deterministic however the sources are batched. The merge only awaits when a source's
 * current batch is used up; everything else is synchronous work on arrays. Picking the next source
 * is a linear scan for k ≤ 4 (cheaper than a heap at that size) and a binary heap above.
 *
 * An output batch is handed on when it is full (`maxBatch`) or just before the merge has to await a
 * refill, so events are never held back across an await (matters when a source is live).
 */
import { DEFAULT_BATCH_SIZE, type Event, type EventSource, type Timed } from './event-source.ts';

interface Cursor<T> {
  readonly index: number;
  readonly it: AsyncIterator<T[]>;
  batch: T[];
  pos: number;
}

/** Loads the cursor's next non-empty batch; false when the source has ended. */
async function refill<T>(c: Cursor<T>): Promise<boolean> {
  for (;;) {
    const r = await c.it.next();
    if (r.done) return false;
    if (r.value.length > 0) {
      c.batch = r.value;
      c.pos = 0;
      return true;
    }
  }
}

/** Cursor a is to be taken before cursor b. */
function before<T extends Timed>(a: Cursor<T>, b: Cursor<T>): boolean {
  const ta = a.batch[a.pos]!.ts;
  const tb = b.batch[b.pos]!.ts;
  return ta < tb || (ta === tb && a.index < b.index);
}

/** Min-heap of cursors ordered by `before`. */
class CursorHeap<T extends Timed> {
  readonly items: Cursor<T>[] = [];

  push(c: Cursor<T>): void {
    const h = this.items;
    h.push(c);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  /** Restores order after the top cursor's head changed (it advanced). */
  siftDown(): void {
    const h = this.items;
    const n = h.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[m]!, h[i]!)) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }

  removeTop(): void {
    const last = this.items.pop()!;
    if (this.items.length > 0) {
      this.items[0] = last;
      this.siftDown();
    }
  }
}

export interface MergeOptions {
  /** Most events per output batch; default {@link DEFAULT_BATCH_SIZE}. */
  readonly maxBatch?: number;
}

export async function* mergeByTime<T extends Timed = Event>(
  sources: ReadonlyArray<EventSource<T>>,
  opts: MergeOptions = {},
): EventSource<T> {
  const maxBatch = opts.maxBatch ?? DEFAULT_BATCH_SIZE;
  const all: Cursor<T>[] = sources.map((s, index) => ({ index, it: s[Symbol.asyncIterator](), batch: [], pos: 0 }));
  // Sources not yet ended; they are the ones to close if we stop early.
  const live = new Set<Cursor<T>>(all);
  try {
    // First batches in parallel: files open and parse their first chunk concurrently.
    const ok = await Promise.all(all.map(refill));
    const active: Cursor<T>[] = [];
    for (let i = 0; i < all.length; i++) {
      if (ok[i]) active.push(all[i]!);
      else live.delete(all[i]!);
    }
    if (active.length <= 4) yield* mergeLinear(active, maxBatch, live);
    else yield* mergeHeap(active, maxBatch, live);
  } finally {
    // Early stop or an error in one source: end the others so their files get closed.
    await Promise.allSettled([...live].map((c) => c.it.return?.()));
  }
}

async function* mergeLinear<T extends Timed>(active: Cursor<T>[], maxBatch: number, live: Set<Cursor<T>>): AsyncGenerator<T[]> {
  let out: T[] = [];
  while (active.length > 0) {
    let best = active[0]!;
    for (let i = 1; i < active.length; i++) if (before(active[i]!, best)) best = active[i]!;
    out.push(best.batch[best.pos++]!);
    if (best.pos === best.batch.length) {
      yield out; // never empty: we just pushed
      out = [];
      if (!(await refill(best))) {
        live.delete(best);
        active.splice(active.indexOf(best), 1);
      }
    } else if (out.length >= maxBatch) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

async function* mergeHeap<T extends Timed>(active: Cursor<T>[], maxBatch: number, live: Set<Cursor<T>>): AsyncGenerator<T[]> {
  const heap = new CursorHeap<T>();
  for (const c of active) heap.push(c);
  let out: T[] = [];
  while (heap.items.length > 0) {
    const top = heap.items[0]!;
    out.push(top.batch[top.pos++]!);
    if (top.pos === top.batch.length) {
      yield out; // never empty: we just pushed
      out = [];
      if (await refill(top)) heap.siftDown();
      else {
        live.delete(top);
        heap.removeTop();
      }
    } else {
      heap.siftDown();
      if (out.length >= maxBatch) {
        yield out;
        out = [];
      }
    }
  }
  if (out.length > 0) yield out;
}
