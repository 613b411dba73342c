/**
 * Refusal windows opened by `ip-ban` and `rate-limit`. A ban refuses all traffic until it ends (Binance
 * 418: "IP banned until ..."); a rate-limit window refuses the requests of the limited group until its
 * Retry-After has passed (Binance's request weight is per IP, so every request; Upbit limits per group,
 * so the order group only — the dialect says which). The trigger request itself is refused by the
 * runner; this keeps refusing the ones that follow while the window is open.
 */
import type { RequestKind } from '../faults.ts';

export interface Refusal {
  readonly kind: 'ip-ban' | 'rate-limit';
  /** Wall time the window ends. */
  readonly until: number;
}

export class TrafficGate {
  private banUntil = 0;
  private limitUntil = 0;
  private limited: (kind: RequestKind) => boolean = () => false;

  /** Refuses everything until `until` (a later ban extends, an earlier one never shortens). */
  ban(until: number): void {
    this.banUntil = Math.max(this.banUntil, until);
  }

  /** Refuses requests `inGroup` accepts until `until`. */
  rateLimit(until: number, inGroup: (kind: RequestKind) => boolean): void {
    this.limitUntil = Math.max(this.limitUntil, until);
    this.limited = inGroup;
  }

  /** The open window that refuses a request of `kind` now, if any; a ban outranks a rate limit. */
  check(kind: RequestKind, now: number): Refusal | undefined {
    if (kind === 'introspect') return undefined;
    if (now < this.banUntil) return { kind: 'ip-ban', until: this.banUntil };
    if (now < this.limitUntil && this.limited(kind)) return { kind: 'rate-limit', until: this.limitUntil };
    return undefined;
  }
}

/** Whole seconds left until `until`, at least 1 (a Retry-After of 0 would invite an instant retry). */
export function secondsLeft(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000));
}
