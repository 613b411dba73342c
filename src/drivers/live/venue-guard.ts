/**
 * One venue's traffic light and backoff arithmetic. A 418 ban stops ALL traffic to the venue until it
 * ends (Binance bans scale from 2 minutes to 3 days for those who keep knocking); transient failures are
 * retried after an exponential backoff that never undercuts the venue's Retry-After.
 */
import type { Clock } from '../../core/clock.ts';
import { DriverTransientError } from '../../core/errors.ts';
import type { VenueId } from '../../domain/types.ts';
import type { ErrorClass } from './error-classifier.ts';

export interface RetryPolicy {
  /** Attempts of one request when every failure is transient (first try included). */
  readonly maxAttempts: number;
  /** First backoff; doubles per attempt up to `maxBackoffMs`. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /** A wait longer than this (a long ban, a huge Retry-After) is not sat out: the attempt gives up. */
  readonly maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, backoffMs: 200, maxBackoffMs: 5_000, maxWaitMs: 30_000 };

export class VenueGuard {
  private bannedUntil = 0;
  /** After a 429: polls and lookups wait until then (orders wait their own Retry-After). */
  private quietUntil = 0;

  constructor(
    private readonly venue: VenueId,
    private readonly clock: Clock,
    readonly policy: RetryPolicy = DEFAULT_RETRY,
  ) {}

  /** Records what an error says about the venue's state (a ban). */
  note(cls: ErrorClass): void {
    if (cls.banUntil !== undefined && cls.banUntil > this.bannedUntil) this.bannedUntil = cls.banUntil;
    // A 429 with Retry-After (Binance: weight is counted per IP) pauses all traffic for that long; one
    // without (Upbit: limits per request group) pauses only the refused kind, which retries on its own.
    if (cls.rateLimited && cls.retryAfterMs !== undefined) this.quietUntil = Math.max(this.quietUntil, this.clock.now() + cls.retryAfterMs);
  }

  /** Milliseconds left of a ban; 0 when traffic may flow. */
  banRemaining(): number {
    return Math.max(0, this.bannedUntil - this.clock.now());
  }

  /** Throws instead of sending anything while banned. */
  assertOpen(what: string): void {
    const left = this.banRemaining();
    if (left > 0) {
      throw new DriverTransientError(`${this.venue} ${what}: not sent, the venue bans this IP until ${new Date(this.bannedUntil).toISOString()}`, {
        venue: this.venue,
        code: 'HTTP_418',
        retryAfterMs: left,
      });
    }
  }

  /**
   * Throws instead of sending background traffic (a poll, a lookup) during a rate-limit window: the
   * venue counts weight per IP, and knocking on through a 429 is how a 418 ban is earned.
   */
  assertQuiet(what: string): void {
    const left = this.quietUntil - this.clock.now();
    if (left > 0) {
      throw new DriverTransientError(`${this.venue} ${what}: not sent, rate limited for another ${left} ms`, { venue: this.venue, code: 'HTTP_429', retryAfterMs: left });
    }
  }

  /** How long to wait before attempt `attempt + 1`, given the failure of attempt `attempt` (1-based). */
  delay(cls: ErrorClass, attempt: number): number {
    const exp = Math.min(this.policy.backoffMs * 2 ** (attempt - 1), this.policy.maxBackoffMs);
    return Math.max(exp, cls.retryAfterMs ?? 0, this.banRemaining());
  }

  /** True when another attempt is allowed after `attempt` failed and would wait `delayMs`. */
  mayRetry(attempt: number, delayMs: number): boolean {
    return attempt < this.policy.maxAttempts && delayMs <= this.policy.maxWaitMs;
  }
}
