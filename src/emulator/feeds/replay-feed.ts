/**
 * Market data files replayed in wall time: an event stamped `t` is applied at
 * `start + (t − t0) / speed`, where `t0` is the earliest first timestamp over all files (so files of
 * the same period stay aligned) and `speed` 1 is real time, 60 a minute per second. Events due
 * together are applied as one burst; a snapshot that a reader batch boundary cuts in two is held back
 * until it is whole, so no order can meet half a book.
 */
import { marketSource } from '../../market/market-source.ts';
import type { MarketEvent, MarketSymbol } from '../../domain/types.ts';
import type { VenueCore } from '../venue-core.ts';

export interface ReplaySpec {
  readonly symbol: MarketSymbol;
  readonly file: string;
}

export interface Feed {
  stop(): void;
  /** Resolves when every file has been replayed (or the feed stopped). */
  readonly done: Promise<void>;
}

/** The trailing rows of `events` that form an unfinished snapshot run (same ts, snapshot rows). */
function trailingSnapshot(events: readonly MarketEvent[]): number {
  let i = events.length;
  const last = events[i - 1];
  if (last === undefined || last.kind !== 'level' || !last.snapshot) return i;
  while (i > 0) {
    const e = events[i - 1]!;
    if (e.kind !== 'level' || !e.snapshot || e.ts !== last.ts) break;
    i--;
    if (e.reset) break;
  }
  return i;
}

/** Opens every file (so a bad file fails here), then replays them concurrently until done or stopped. */
export async function startReplay(core: VenueCore, specs: readonly ReplaySpec[], speed: number, onError: (err: unknown) => void): Promise<Feed> {
  if (!(speed > 0)) throw new RangeError(`replay speed must be > 0, got ${speed}`);
  const iters = specs.map((s) => marketSource({ venue: core.venue, symbol: s.symbol, file: s.file })[Symbol.asyncIterator]());
  const firsts = await Promise.all(iters.map((it) => it.next()));
  const t0 = Math.min(...firsts.map((r) => (r.done ? Infinity : r.value[0]!.ts)));
  const anchor = Date.now();
  const dueAt = (ts: number) => anchor + (ts - t0) / speed;
  let stopped = false;
  const timers = new Set<{ t: NodeJS.Timeout; wake: () => void }>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = { t: setTimeout(() => (timers.delete(entry), resolve()), ms), wake: resolve };
      timers.add(entry);
    });

  const play = async (it: AsyncIterator<MarketEvent[]>, first: IteratorResult<MarketEvent[]>): Promise<void> => {
    let next = first;
    let carry: MarketEvent[] = [];
    while (!stopped) {
      const ended = next.done === true;
      let events = ended ? carry : carry.length > 0 ? carry.concat(next.value as MarketEvent[]) : (next.value as MarketEvent[]);
      carry = [];
      if (!ended) {
        const cut = trailingSnapshot(events);
        carry = events.slice(cut);
        events = events.slice(0, cut);
      }
      let i = 0;
      while (i < events.length && !stopped) {
        const wait = dueAt(events[i]!.ts) - Date.now();
        if (wait > 0) await sleep(wait);
        const now = Date.now();
        let j = i + 1;
        while (j < events.length && dueAt(events[j]!.ts) <= now) j++;
        core.applyMarket(events.slice(i, j));
        i = j;
      }
      if (ended) return;
      next = await it.next();
    }
  };

  const done = Promise.all(iters.map((it, k) => play(it, firsts[k]!)))
    .then(() => undefined)
    .catch((err: unknown) => {
      stopped = true;
      onError(err);
    });
  return {
    done,
    stop() {
      stopped = true;
      for (const e of timers) {
        clearTimeout(e.t);
        e.wake();
      }
      timers.clear();
      for (const it of iters) void it.return?.();
    },
  };
}
