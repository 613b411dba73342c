/**
 * The arbitrage engine's view of the venues' books: per venue and symbol, the best `maxLevels` price
 * levels of each side, kept up to date from L2 level events.
 *
 * Layout (the same idea as the simulator's book, sim/order-book.ts, without its integer price grid):
 * a side keeps its levels in two typed arrays sorted so that the BEST level is at the END — bids by
 * ascending price, asks by descending price, through signed keys `skey = sign × price` (bids +1, asks
 * −1) so one ascending binary search serves both. Changes at the top of the book, by far the most
 * frequent, are appends and truncations; a deeper change is one `copyWithin`. Nothing is allocated per
 * update once the arrays have their size (they are sized for `maxLevels` up front).
 *
 * Prices are keyed by their double as read: one feed writes one price with one decimal text, which
 * always parses to the same double, so no tick grid is needed here.
 *
 * Top-N: a side holds at most `maxLevels` levels. A new level worse than all of them, on a full side, is
 * not kept; a new level better than the worst pushes the worst out. After deletions near the top the
 * view may therefore show fewer levels than the venue has — it never shows liquidity that is not
 * there, so sizes computed on it are conservative.
 */
import { lowerBound } from '../core/sorted.ts';
import type { MarketSymbol, TimeMs, VenueId } from '../domain/types.ts';

/** Default visible depth per side; L2 feeds of interest publish 20 (Upbit) to a few hundred levels. */
export const DEFAULT_MAX_LEVELS = 64;

export class DepthSide {
  /** +1 for bids, −1 for asks. */
  readonly sign: 1 | -1;
  readonly maxLevels: number;
  private readonly skeys: Float64Array;
  private readonly sizes: Float64Array;
  /** Levels in use; the best is at index `len − 1` of the arrays. */
  private len = 0;

  constructor(sign: 1 | -1, maxLevels = DEFAULT_MAX_LEVELS) {
    if (!Number.isInteger(maxLevels) || maxLevels < 1) throw new RangeError(`maxLevels must be a positive integer, got ${maxLevels}`);
    this.sign = sign;
    this.maxLevels = maxLevels;
    this.skeys = new Float64Array(maxLevels);
    this.sizes = new Float64Array(maxLevels);
  }

  /** Number of visible levels. */
  get depth(): number {
    return this.len;
  }

  /** Price of the `i`-th best level (0 = best); NaN past the visible depth. */
  price(i: number): number {
    return i < this.len ? this.sign * this.skeys[this.len - 1 - i]! : Number.NaN;
  }

  /** Size of the `i`-th best level (0 = best); 0 past the visible depth. */
  size(i: number): number {
    return i < this.len ? this.sizes[this.len - 1 - i]! : 0;
  }

  /** Best price, NaN when the side is empty. */
  best(): number {
    return this.len === 0 ? Number.NaN : this.sign * this.skeys[this.len - 1]!;
  }

  clear(): void {
    this.len = 0;
  }

  /** Sets the size at `price`; a size ≤ 0 (or NaN) deletes the level. */
  set(price: number, size: number): void {
    const s = this.sign * price;
    const a = this.skeys;
    const n = this.len;
    const keep = size > 0;
    // Fast path: a new best level (the most common insert).
    if (n === 0 || s > a[n - 1]!) {
      if (keep) this.insertAt(n, s, size);
      return;
    }
    const i = lowerBound(a, n, s);
    if (a[i] === s) {
      if (keep) this.sizes[i] = size;
      else this.removeAt(i);
    } else if (keep) {
      this.insertAt(i, s, size);
    }
  }

  private removeAt(i: number): void {
    const n = this.len;
    if (i < n - 1) {
      this.skeys.copyWithin(i, i + 1, n);
      this.sizes.copyWithin(i, i + 1, n);
    }
    this.len = n - 1;
  }

  /** Inserts at array index `i` (levels below `i` are worse); on a full side the worst level goes. */
  private insertAt(i: number, s: number, size: number): void {
    let n = this.len;
    if (n === this.maxLevels) {
      // Full: a level worse than every visible one is not kept; otherwise the worst (index 0) is dropped.
      if (i === 0) return;
      this.skeys.copyWithin(0, 1, i);
      this.sizes.copyWithin(0, 1, i);
      this.skeys[i - 1] = s;
      this.sizes[i - 1] = size;
      return;
    }
    if (i < n) {
      this.skeys.copyWithin(i + 1, i, n);
      this.sizes.copyWithin(i + 1, i, n);
    }
    this.skeys[i] = s;
    this.sizes[i] = size;
    this.len = ++n;
  }
}

/** One market's visible book and the event time of its last update. */
export class DepthBook {
  readonly bids: DepthSide;
  readonly asks: DepthSide;
  /** Event time of the last update applied; NaN before the first. */
  ts: TimeMs = Number.NaN;
  /** Updates applied so far. */
  updates = 0;

  constructor(
    readonly venue: VenueId,
    readonly symbol: MarketSymbol,
    /** Dense index in its BookSet (what the hot path uses instead of strings). */
    readonly id: number,
    maxLevels = DEFAULT_MAX_LEVELS,
  ) {
    this.bids = new DepthSide(1, maxLevels);
    this.asks = new DepthSide(-1, maxLevels);
  }

  /**
   * Applies one L2 level change. `reset` (the first row of a snapshot run, see BookLevelEvent) clears
   * both sides first.
   */
  apply(ts: TimeMs, isAsk: boolean, price: number, size: number, reset: boolean): void {
    if (reset) {
      this.bids.clear();
      this.asks.clear();
    }
    (isAsk ? this.asks : this.bids).set(price, size);
    this.ts = ts;
    this.updates++;
  }

  /** (best bid + best ask) / 2, NaN when a side is empty. */
  mid(): number {
    return (this.bids.best() + this.asks.best()) / 2;
  }
}

/** The books of every market the engine watches, each with a dense id. */
export class BookSet {
  private readonly byKey = new Map<string, DepthBook>();
  readonly list: DepthBook[] = [];

  constructor(private readonly maxLevels = DEFAULT_MAX_LEVELS) {}

  /** The book of `venue` `symbol`, created empty on first use. */
  book(venue: VenueId, symbol: MarketSymbol): DepthBook {
    const key = `${venue}\u0000${symbol}`;
    let b = this.byKey.get(key);
    if (b === undefined) {
      b = new DepthBook(venue, symbol, this.list.length, this.maxLevels);
      this.byKey.set(key, b);
      this.list.push(b);
    }
    return b;
  }

  /** The book, or undefined when it is not watched. */
  find(venue: VenueId, symbol: MarketSymbol): DepthBook | undefined {
    return this.byKey.get(`${venue}\u0000${symbol}`);
  }
}
