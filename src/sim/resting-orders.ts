/**
 * Our resting limit orders of one side of one market. They live in this list, never in the data book:
 * the data book is someone else's liquidity, and mixing ours in would make every data update ambiguous.
 */
import { isFinal, type SimOrder } from './sim-order.ts';

/** One price of resting orders, oldest first from `head`; canceled orders are skipped lazily. */
interface RestLevel {
  readonly skey: number;
  orders: SimOrder[];
  head: number;
  /** Orders at this price that are still open. */
  live: number;
}

/**
 * Resting limit orders of one side of one market: price levels sorted by ascending `skey` (buy:
 * +limitKey, sell: −limitKey, so a larger skey is a more aggressive price) with the best level at the
 * END, each a FIFO queue (time priority). A cancel only decrements the level's live count — the order,
 * already final, is skipped when it reaches the head — so canceling is O(log levels) however many
 * orders wait at one price.
 */
export class RestingOrders {
  readonly sign: 1 | -1;
  private readonly levels: RestLevel[] = [];
  private live = 0;

  constructor(sign: 1 | -1) {
    this.sign = sign;
  }

  /** Number of open resting orders. */
  get length(): number {
    return this.live;
  }

  /** The oldest order at the most aggressive price, or undefined. */
  best(): SimOrder | undefined {
    const lv = this.levels[this.levels.length - 1];
    if (lv === undefined) return undefined;
    let o = lv.orders[lv.head]!;
    while (isFinal(o)) o = lv.orders[++lv.head]!;
    return o;
  }

  /** skey of the best level, or −Infinity when empty. */
  bestSkey(): number {
    const lv = this.levels[this.levels.length - 1];
    return lv === undefined ? -Infinity : lv.skey;
  }

  /** Drops the order `best()` just returned (now filled, so it must not be looked up again). */
  popBest(): void {
    const lv = this.levels[this.levels.length - 1]!;
    lv.head++;
    this.live--;
    if (--lv.live === 0) this.levels.pop();
    else if (lv.head >= 64 && lv.head * 2 >= lv.orders.length) {
      lv.orders = lv.orders.slice(lv.head);
      lv.head = 0;
    }
  }

  add(o: SimOrder): void {
    const s = this.sign * o.limitKey;
    const a = this.levels;
    const top = a[a.length - 1];
    let lv: RestLevel | undefined;
    if (top === undefined || s > top.skey) {
      lv = { skey: s, orders: [], head: 0, live: 0 };
      a.push(lv);
    } else {
      const i = this.find(s);
      lv = a[i];
      if (lv === undefined || lv.skey !== s) {
        lv = { skey: s, orders: [], head: 0, live: 0 };
        a.splice(i, 0, lv);
      }
    }
    lv.orders.push(o);
    lv.live++;
    this.live++;
  }

  /** Takes `o` out of the book (the caller then makes it final). Returns whether it was resting here. */
  remove(o: SimOrder): boolean {
    const s = this.sign * o.limitKey;
    const i = this.find(s);
    const lv = this.levels[i];
    if (lv === undefined || lv.skey !== s || isFinal(o)) return false;
    this.live--;
    if (--lv.live === 0) this.levels.splice(i, 1);
    return true;
  }

  /** First level index with skey ≥ `s`. */
  private find(s: number): number {
    const a = this.levels;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]!.skey < s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
