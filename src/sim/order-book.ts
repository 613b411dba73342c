/**
 * An L2 book for one market in integer price keys (see price-grid.ts).
 *
 * Each side keeps its levels in a typed array sorted so that the BEST level is at the END: bids by
 * ascending key, asks by descending key. To share one ascending binary search, a side stores signed
 * keys `skey = sign × key` (bids +1, asks −1), so "better" always means "larger skey". Changes at the top
 * of the book, by far the most frequent, are then appends and truncations; deeper inserts and deletes
 * are one `copyWithin` (a memmove) with no allocation.
 */
import { lowerBound } from '../core/sorted.ts';

const INITIAL_CAPACITY = 64;

export class BookSide {
  /** +1 for bids, −1 for asks: `skey = sign × key`. */
  readonly sign: 1 | -1;
  skeys: Float64Array = new Float64Array(INITIAL_CAPACITY);
  qtys: Float64Array = new Float64Array(INITIAL_CAPACITY);
  /** Number of levels in use; the best is at `len − 1`. */
  len = 0;

  constructor(sign: 1 | -1) {
    this.sign = sign;
  }

  /** Key of the best level, or 0 when the side is empty (real keys are positive). */
  bestKey(): number {
    return this.len === 0 ? 0 : this.sign * this.skeys[this.len - 1]!;
  }

  bestQty(): number {
    return this.len === 0 ? 0 : this.qtys[this.len - 1]!;
  }

  keyAt(i: number): number {
    return this.sign * this.skeys[i]!;
  }

  clear(): void {
    this.len = 0;
  }

  /** Sets the quantity at price `key`; a quantity ≤ 0 (or NaN) deletes the level. */
  set(key: number, qty: number): void {
    const s = this.sign * key;
    const n = this.len;
    const a = this.skeys;
    // Fast path: at or beyond the top of the book.
    if (n === 0 || s > a[n - 1]!) {
      if (qty > 0) this.insertAt(n, s, qty);
      return;
    }
    const i = lowerBound(a, n, s);
    if (a[i] === s) {
      if (qty > 0) this.qtys[i] = qty;
      else this.removeAt(i);
    } else if (qty > 0) {
      this.insertAt(i, s, qty);
    }
  }

  /** Appends a level better than every level present (the caller guarantees the order). */
  push(key: number, qty: number): void {
    this.insertAt(this.len, this.sign * key, qty);
  }

  removeAt(i: number): void {
    const n = this.len;
    if (i < n - 1) {
      this.skeys.copyWithin(i, i + 1, n);
      this.qtys.copyWithin(i, i + 1, n);
    }
    this.len = n - 1;
  }

  private insertAt(i: number, s: number, qty: number): void {
    const n = this.len;
    if (n === this.skeys.length) this.grow();
    if (i < n) {
      this.skeys.copyWithin(i + 1, i, n);
      this.qtys.copyWithin(i + 1, i, n);
    }
    this.skeys[i] = s;
    this.qtys[i] = qty;
    this.len = n + 1;
  }

  private grow(): void {
    const skeys = new Float64Array(this.skeys.length * 2);
    const qtys = new Float64Array(this.qtys.length * 2);
    skeys.set(this.skeys);
    qtys.set(this.qtys);
    this.skeys = skeys;
    this.qtys = qtys;
  }
}

export class OrderBook {
  readonly bids = new BookSide(1);
  readonly asks = new BookSide(-1);

  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }

  /** Mid price key (may be fractional), or 0 when either side is empty. */
  midKey(): number {
    const b = this.bids.bestKey();
    const a = this.asks.bestKey();
    return b > 0 && a > 0 ? (a + b) / 2 : 0;
  }
}
