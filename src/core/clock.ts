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

/** A pending scheduled call; `cancel` is idempotent. */
export interface Scheduled {
  cancel(): void;
}

/**
 * Deferred work in the run's own time: recovery lookups and periodic sweeps wait through this, so the
 * same code waits in wall time in paper/live and in event time in a backtest.
 */
export interface Scheduler extends Clock {
  after(ms: number, fn: () => void): Scheduled;
}

/** Wall-time timers; `unref`ed so a pending lookup never keeps a finished process alive. */
export class TimerScheduler extends WallClock implements Scheduler {
  after(ms: number, fn: () => void): Scheduled {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  }
}

/**
 * Event-time timers for backtests: due calls run when the run advances past their time (`runDue`),
 * in time order, ties in the order they were scheduled — deterministic by construction.
 */
export class EventScheduler extends EventClock implements Scheduler {
  /** Runs before each due call, at its time: the backtest brings the venues up to that moment. */
  beforeDue: ((t: number) => void) | undefined;
  private queue: { at: number; seq: number; fn: () => void; live: boolean }[] = [];
  private seq = 0;

  after(ms: number, fn: () => void): Scheduled {
    const item = { at: this.now() + Math.max(0, ms), seq: this.seq++, fn, live: true };
    this.queue.push(item);
    this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
    return { cancel: () => void (item.live = false) };
  }

  /** True when a call is due at or before `ts` (cheap: the run asks on every event). */
  hasDue(ts: number): boolean {
    return this.queue.length > 0 && this.queue[0]!.at <= ts;
  }

  /** Time of the next live call, if any. */
  nextDue(): number | undefined {
    return this.queue.find((q) => q.live)?.at;
  }

  /** Advances to `to`, running every call due by then (calls they schedule run too if due). */
  runDue(to: number): void {
    while (this.queue.length > 0 && this.queue[0]!.at <= to) {
      const item = this.queue.shift()!;
      if (!item.live) continue;
      this.advance(item.at);
      this.beforeDue?.(item.at);
      item.fn();
    }
    this.advance(to);
  }

  get pending(): number {
    return this.queue.filter((q) => q.live).length;
  }
}
