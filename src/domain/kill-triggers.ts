/**
 * The automatic trip rules of the kill switch (RELIABILITY.md rule 9). Pure: no I/O and no clock —
 * every call carries its time (event time in backtests, wall time in paper and live), so a backtest
 * trips at the same event every run.
 *
 * | rule             | fed by                        | trips to                               |
 * |------------------|-------------------------------|----------------------------------------|
 * | `max_drawdown`   | equity samples                | halted: drawdown from the peak > limit |
 * | `max_daily_loss` | equity samples                | halted: loss since the first equity of the UTC day > limit |
 * | `max_errors`     | `noteError`                   | halted: more than N errors within the window |
 * | `max_divergence` | `noteDivergence`              | `divergenceAction` (default reducing)  |
 *
 * Every reason starts with the rule's name and gives the figure and the limit.
 *
 * After a person releases the switch (resume; reduce while halted), every rule re-arms from the figures of that moment: the drawdown
 * peak and the day's start become the next sampled equity, and the error window starts empty. Without
 * that, the first sample after a resume would trip again on the loss the person just accepted.
 */
import { TradingStates, type KillSwitch, type TradingState } from './kill-switch.ts';
import { DEFAULT_ERROR_WINDOW_MS, type RiskLimits } from './risk-limits.ts';
import { formatAtto } from './money.ts';
import type { Asset, Atto, TimeMs, VenueId } from './types.ts';

const DAY_MS = 86_400_000;

/** Our ledger against the venue for one asset, as a reconciliation found it. */
export interface Divergence {
  readonly venue: VenueId;
  readonly asset: Asset;
  /** Our amount and the venue's: atto (bigint), or decimal strings/numbers; shown in the reason. */
  readonly ledger: Atto | string | number;
  readonly venueAmount: Atto | string | number;
  /** |ledger − venue| / max(|ledger|, |venue|); see {@link relativeDifference}. */
  readonly relative: number;
}

/** |a − b| relative to the larger magnitude; 0 when both are 0. */
export function relativeDifference(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}

/** A fraction as a percentage: two decimals, or two significant digits below 0.01%. */
function pct(x: number): string {
  const p = x * 100;
  return `${p !== 0 && Math.abs(p) < 0.01 ? p.toPrecision(2) : p.toFixed(2)}%`;
}

export class KillTriggers {
  private peak = Number.NEGATIVE_INFINITY;
  private day = Number.NaN;
  private dayStart = 0;
  private dayStartTs = 0;
  private rearm = false;
  /** Times of the last `maxErrors + 1` errors, a ring; allocated only when the rule is configured. */
  private readonly errorTimes: Float64Array | undefined;
  private errorHead = 0;
  private errorCount = 0;
  private readonly errorWindowMs: number;
  private lastDrawdown = 0;

  constructor(
    private readonly limits: RiskLimits,
    private readonly killSwitch: KillSwitch,
  ) {
    this.errorWindowMs = limits.errorWindowMs ?? DEFAULT_ERROR_WINDOW_MS;
    this.errorTimes = limits.maxErrors !== undefined ? new Float64Array(limits.maxErrors + 1) : undefined;
    killSwitch.onChange((c) => {
      // A person released the switch (resume, or reduce while halted): re-arm from here.
      if (TradingStates.indexOf(c.to) >= TradingStates.indexOf(c.from)) return;
      this.rearm = true;
      this.errorCount = 0;
    });
  }

  /** Drawdown from the peak at the last equity sample (0 before any). */
  get drawdown(): number {
    return this.lastDrawdown;
  }

  /** One equity sample at `ts`: checks the drawdown and the daily loss. */
  onEquity(ts: TimeMs, equity: number): void {
    const day = Math.floor(ts / DAY_MS);
    if (this.rearm) {
      this.rearm = false;
      this.peak = equity;
      this.startDay(day, ts, equity);
    }
    if (equity > this.peak) this.peak = equity;
    if (day !== this.day) this.startDay(day, ts, equity);
    const dd = this.peak > 0 ? Math.max(0, 1 - equity / this.peak) : 0;
    this.lastDrawdown = dd;
    if (this.killSwitch.state === 'halted') return;
    const { maxDrawdown, maxDailyLoss } = this.limits;
    if (maxDrawdown !== undefined && dd > maxDrawdown) {
      this.killSwitch.trip('halted', `max_drawdown: drawdown ${pct(dd)} exceeded the limit ${pct(maxDrawdown)}`, ts);
      return;
    }
    if (maxDailyLoss !== undefined && this.dayStart > 0) {
      const loss = (this.dayStart - equity) / this.dayStart;
      if (loss > maxDailyLoss) {
        this.killSwitch.trip(
          'halted',
          `max_daily_loss: loss ${pct(loss)} since ${new Date(this.dayStartTs).toISOString()} (equity ${round(this.dayStart)} → ${round(equity)}) exceeded the limit ${pct(maxDailyLoss)}`,
          ts,
        );
      }
    }
  }

  /**
   * One error at `ts` (a venue rejection, an unknown outcome, a driver-reported problem); `what` says
   * which, for the reason. Returns true when it tripped the switch.
   */
  noteError(ts: TimeMs, what: string): boolean {
    const ring = this.errorTimes;
    if (ring === undefined) return false;
    ring[this.errorHead] = ts;
    this.errorHead = (this.errorHead + 1) % ring.length;
    if (this.errorCount < ring.length) this.errorCount++;
    if (this.errorCount < ring.length) return false;
    // The ring is full: the slot written next holds the oldest of the last maxErrors + 1 errors.
    const oldest = ring[this.errorHead]!;
    if (ts - oldest >= this.errorWindowMs) return false;
    const n = ring.length;
    return this.killSwitch.trip(
      'halted',
      `max_errors: ${n} errors within ${this.errorWindowMs} ms exceeded the limit ${n - 1} (last: ${what})`,
      ts,
    );
  }

  /** A ledger/venue difference found at `ts`. Returns true when it tripped the switch. */
  noteDivergence(ts: TimeMs, d: Divergence): boolean {
    const limit = this.limits.maxDivergence;
    if (limit === undefined || !(d.relative > limit)) return false;
    const to: TradingState = this.limits.divergenceAction ?? 'reducing';
    return this.killSwitch.trip(
      to,
      `max_divergence: ${d.venue} ${d.asset} ledger ${amount(d.ledger)} vs venue ${amount(d.venueAmount)} differ by ${pct(d.relative)}, above the limit ${pct(limit)}`,
      ts,
    );
  }

  private startDay(day: number, ts: TimeMs, equity: number): void {
    this.day = day;
    this.dayStart = equity;
    this.dayStartTs = ts;
  }
}

function amount(x: Atto | string | number): string {
  return typeof x === 'bigint' ? formatAtto(x) : String(x);
}

function round(x: number): string {
  return String(Number(x.toFixed(8)));
}
