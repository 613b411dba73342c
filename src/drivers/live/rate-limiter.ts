/**
 * ccxt's rate limiter with idle time credited. ccxt 4.5's leaky bucket refills only while its loop is
 * running: the loop restarts its clock when woken, so a call after any idle spell still waits out the
 * previous call's whole debt — cost × rateLimit, e.g. 10 ms before every Binance order (cost 0.2 at
 * 50 ms) and 200 ms after loading markets (cost 4), however long the driver was idle (ccxt issue #25556).
 * This bucket has the same parameters and the same rule — a call may go when the balance is ≥ 0, and
 * costs `cost` tokens — but the balance refills with wall time up to the capacity, so the long-run rate
 * the venue sees is unchanged and an order after a pause leaves at once. Installed per exchange
 * instance over `exchange.throttle`, which ccxt's fetch2 awaits when `enableRateLimit` is on.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { inDryRun } from './dry-run.ts';

/**
 * Marks the calls that place or cancel orders. They go ahead of queued reads (book and order polls)
 * and may overdraw the bucket by up to one second of budget, so a signal never waits behind a poll;
 * the reads that follow pay the debt. Venues count orders separately from request weight anyway.
 */
export const orderCalls = new AsyncLocalStorage<true>();
const PRIORITY_DEBT_MS = 1000;

export class LeakyBucket {
  private tokens = 0; // ccxt starts empty too: the first call goes, and costs
  private last: number;
  private readonly queue: Array<{ cost: number; resolve: () => void }> = [];
  private timer: NodeJS.Timeout | undefined;

  /** `refillPerMs` tokens per millisecond (ccxt: 1 / rateLimit), at most `capacity` banked. */
  constructor(
    private readonly refillPerMs: number,
    private readonly capacity: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.last = now();
  }

  /** Resolves when a call of `cost` may go; callers go in FIFO order. */
  take(cost: number): Promise<void> {
    // A dry run stops before the transport (dry-run.ts): it costs the venue nothing.
    if (inDryRun()) return Promise.resolve();
    this.refill();
    if (orderCalls.getStore() === true && this.tokens >= -PRIORITY_DEBT_MS * this.refillPerMs) {
      this.tokens -= cost;
      return Promise.resolve();
    }
    if (this.queue.length === 0 && this.tokens >= 0) {
      this.tokens -= cost;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.queue.push({ cost, resolve });
      this.drain();
    });
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + (t - this.last) * this.refillPerMs);
    this.last = t;
  }

  private drain(): void {
    if (this.timer) return;
    this.refill();
    while (this.queue.length > 0 && this.tokens >= 0) {
      const next = this.queue.shift()!;
      this.tokens -= next.cost;
      next.resolve();
    }
    if (this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, Math.ceil(-this.tokens / this.refillPerMs));
  }
}

const INSTALLED = new WeakSet<object>();

/** Replaces `exchange.throttle` with a LeakyBucket of the exchange's own `tokenBucket` settings (once). */
export function installRateLimiter(exchange: object): void {
  if (INSTALLED.has(exchange)) return;
  INSTALLED.add(exchange);
  const ex = exchange as { throttle: (cost?: number) => Promise<unknown>; rateLimit?: number; tokenBucket?: Record<string, unknown> };
  const tb = ex.tokenBucket ?? {};
  const rate = typeof tb.refillRate === 'number' ? tb.refillRate : ex.rateLimit && ex.rateLimit > 0 ? 1 / ex.rateLimit : Number.POSITIVE_INFINITY;
  const capacity = typeof tb.capacity === 'number' ? tb.capacity : 1;
  const defaultCost = typeof tb.cost === 'number' ? tb.cost : 1;
  const bucket = new LeakyBucket(rate, capacity);
  ex.throttle = (cost?: number) => bucket.take(cost ?? defaultCost);
}
