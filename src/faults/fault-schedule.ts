/**
 * Which fault strikes which order request, and which windows of time are faulty — decided from the
 * scenario's schedule alone (and its seed), so the same run meets the same faults every time.
 *
 * Order faults strike the N-th order request, each request with a probability (every probabilistic
 * entry draws once per request, in schedule order, so adding an `order:` entry never shifts the random
 * hits), or the first request at or after a time. Window faults open a window [start, start+duration)
 * at their time, or at the order request that triggers them.
 */
import { seededRandom } from '../core/random.ts';
import type { MarketSymbol, TimeMs, VenueId } from '../domain/types.ts';

export type FaultKind =
  | 'timeout-after-accept'
  | 'timeout-before-accept'
  | 'error-5xx-after-accept'
  | 'unknown-status'
  | 'reject'
  | 'leg-failure'
  | 'partial-then-cancel'
  | 'drop-event'
  | 'repeat-event'
  | 'clock-skew'
  | 'rate-limit'
  | 'ip-ban'
  | 'stream-silence'
  | 'stale-book'
  | 'latency-spike'
  | 'price-gap'
  | 'crash';

export type FaultTrigger = { readonly order: number } | { readonly probability: number } | { readonly at: TimeMs };

export interface FaultEntry {
  /** Position in the schedule (0-based): names the entry in reports. */
  readonly index: number;
  readonly kind: FaultKind;
  readonly trigger: FaultTrigger;
  readonly venue?: VenueId;
  readonly symbol?: MarketSymbol;
  /** Window length; a price gap without one lasts to the end of the run (Infinity). */
  readonly durationMs: number;
  readonly retryAfterMs: number;
  readonly latencyMs: number;
  readonly fill: number;
  readonly gapPct: number;
  readonly pollMs: number;
}

export interface FaultPlanSpec {
  readonly seed: number;
  readonly compareWithout: boolean;
  readonly entries: readonly FaultEntry[];
}

export const WINDOW_KINDS: ReadonlySet<FaultKind> = new Set(['rate-limit', 'ip-ban', 'stream-silence', 'stale-book', 'latency-spike', 'price-gap']);

/** Default parameters per kind (what a scenario entry leaves out). */
export const FAULT_DEFAULTS = { durationMs: 5_000, retryAfterMs: 1_000, latencyMs: 2_000, fill: 0.5, gapPct: -5, pollMs: 1_000 } as const;

export interface OrderRequest {
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly ts: TimeMs;
}

export interface ActiveWindow {
  readonly entry: FaultEntry;
  readonly start: TimeMs;
  readonly end: TimeMs;
}

export class FaultSchedule {
  private readonly rnd: () => number;
  private readonly requests = new Map<string, number>();
  private readonly fired = new Set<number>();
  private readonly windows: ActiveWindow[] = [];

  constructor(readonly spec: FaultPlanSpec) {
    this.rnd = seededRandom(spec.seed);
    // Windows with a time open by themselves.
    for (const e of spec.entries) {
      if (WINDOW_KINDS.has(e.kind) && 'at' in e.trigger) {
        this.windows.push({ entry: e, start: e.trigger.at, end: e.trigger.at + e.durationMs });
        this.fired.add(e.index);
      }
    }
  }

  /**
   * The entries that strike this order request: order faults (the first matching one wins: one
   * request fails one way) and window faults it opens. Call once per order request, in order.
   */
  onOrderRequest(req: OrderRequest): { readonly fault?: FaultEntry; readonly opened: readonly ActiveWindow[] } {
    const all = (this.requests.get('*') ?? 0) + 1;
    this.requests.set('*', all);
    const perVenue = (this.requests.get(req.venue) ?? 0) + 1;
    this.requests.set(req.venue, perVenue);
    let fault: FaultEntry | undefined;
    const opened: ActiveWindow[] = [];
    for (const e of this.spec.entries) {
      if (e.kind === 'crash') continue;
      // Every probabilistic entry draws on every request, hit or not, so the draws stay aligned.
      const draw = 'probability' in e.trigger ? this.rnd() : undefined;
      if (!this.applies(e, req)) continue;
      let hit = false;
      if ('order' in e.trigger) hit = !this.fired.has(e.index) && e.trigger.order === (e.venue !== undefined ? perVenue : all);
      else if ('probability' in e.trigger) hit = draw! < e.trigger.probability;
      else hit = !this.fired.has(e.index) && req.ts >= e.trigger.at;
      if (!hit) continue;
      if (!('probability' in e.trigger)) this.fired.add(e.index);
      if (WINDOW_KINDS.has(e.kind)) {
        const w = { entry: e, start: req.ts, end: req.ts + e.durationMs };
        this.windows.push(w);
        opened.push(w);
      } else if (fault === undefined) fault = e;
    }
    return { ...(fault ? { fault } : {}), opened };
  }

  /** Windows of `kind` covering `ts` for this venue/symbol. */
  activeWindows(kind: FaultKind, venue: VenueId, symbol: MarketSymbol | undefined, ts: TimeMs): ActiveWindow[] {
    return this.windows.filter(
      (w) => w.entry.kind === kind && ts >= w.start && ts < w.end && (w.entry.venue === undefined || w.entry.venue === venue) && (symbol === undefined || w.entry.symbol === undefined || w.entry.symbol === symbol),
    );
  }

  /** Every window opened so far (for the report), in opening order. */
  openedWindows(): readonly ActiveWindow[] {
    return this.windows;
  }

  hasKind(kind: FaultKind): boolean {
    return this.spec.entries.some((e) => e.kind === kind);
  }

  private applies(e: FaultEntry, req: OrderRequest): boolean {
    return (e.venue === undefined || e.venue === req.venue) && (e.symbol === undefined || e.symbol === req.symbol);
  }
}

/** A short label of an entry for reports: `timeout-after-accept@order 3`, `rate-limit@2024-01-01T…`. */
export function describeEntry(e: FaultEntry): string {
  const where = [e.venue, e.symbol].filter(Boolean).join(' ');
  const when = 'order' in e.trigger ? `order ${e.trigger.order}` : 'probability' in e.trigger ? `p=${e.trigger.probability}` : new Date(e.trigger.at).toISOString();
  return `${e.kind} @ ${when}${where ? ` (${where})` : ''}`;
}
