/**
 * Time as a collaborator. Backtests use an EventClock advanced by the event stream; paper and live use
 * the wall clock. Nothing inside the engine calls Date.now() directly.
 */
export interface Clock {
  now(): number;
}

/** Event-time clock: moves only forward, only when told. */
export class EventClock implements Clock {
  private t: number;
  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  advance(to: number): void {
    if (to > this.t) this.t = to;
  }
}

export class WallClock implements Clock {
  now(): number {
    return Date.now();
  }
}
