/**
 * Commands in flight to the venue, ordered by arrival time (issue time + latency), FIFO among equal
 * arrivals. With a forward-moving clock and a fixed latency every push is an append; the head index
 * avoids shifting the array on every pop.
 */
import type { CancelOrder, SubmitOrder, TimeMs } from '../domain/types.ts';

export type InFlight =
  | { readonly arrival: TimeMs; readonly kind: 'submit'; readonly cmd: SubmitOrder }
  | { readonly arrival: TimeMs; readonly kind: 'cancel'; readonly cmd: CancelOrder };

export class CommandQueue {
  private items: InFlight[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  /** Arrival time of the next command, or +Infinity when none is in flight. */
  nextArrival(): TimeMs {
    const next = this.items[this.head];
    return next === undefined ? Infinity : next.arrival;
  }

  push(c: InFlight): void {
    const a = this.items;
    let i = a.length;
    // Only a clock that went backwards lands here out of order; keep FIFO among equal arrivals.
    while (i > this.head && a[i - 1]!.arrival > c.arrival) i--;
    if (i === a.length) a.push(c);
    else a.splice(i, 0, c);
  }

  shift(): InFlight | undefined {
    const c = this.items[this.head];
    if (c === undefined) return undefined;
    this.head++;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return c;
  }
}
