/**
 * Samples equity in event time: at most one point per interval bucket, plus the final point. The
 * first point is taken once every held asset can be priced, and its value is the run's initial equity.
 * Also watches the drawdown from the peak, which the kill switch uses.
 */
import type { Portfolio } from '../domain/portfolio.ts';
import type { MarkSource, Valuation } from '../domain/valuation.ts';
import type { TimeMs } from '../domain/types.ts';

export class EquitySampler {
  readonly ts: TimeMs[] = [];
  readonly equity: number[] = [];
  private bucket = Number.NEGATIVE_INFINITY;
  private peak = Number.NEGATIVE_INFINITY;
  private unpriced = new Set<string>();
  private exposed = 0;
  private lastExposed = false;
  initialEquity: number | undefined;

  constructor(
    private readonly portfolio: Portfolio,
    private readonly valuation: Valuation,
    private readonly marks: MarkSource,
    private readonly intervalMs: number,
  ) {}

  /** Records a point if `ts` opened a new bucket. Returns the current drawdown when a point was taken. */
  maybeSample(ts: TimeMs): number | undefined {
    const b = Math.floor(ts / this.intervalMs);
    if (b === this.bucket) return undefined;
    return this.sample(ts, b);
  }

  /** Records the last point at `ts` (replacing a point already taken at the same time). */
  finish(ts: TimeMs): void {
    if (this.ts.length > 0 && this.ts[this.ts.length - 1] === ts) {
      this.ts.pop();
      this.equity.pop();
      if (this.lastExposed) this.exposed--;
    }
    this.sample(ts, Math.floor(ts / this.intervalMs), true);
  }

  /** Assets that had no price at the last attempted sample (`venue:ASSET`). */
  get unpricedAssets(): ReadonlySet<string> {
    return this.unpriced;
  }

  /** Fraction of samples at which some traded position was open; null before any sample. */
  get exposure(): number | null {
    return this.ts.length === 0 ? null : this.exposed / this.ts.length;
  }

  get currentDrawdown(): number {
    const last = this.equity[this.equity.length - 1];
    return last === undefined || !(this.peak > 0) ? 0 : Math.max(0, 1 - last / this.peak);
  }

  private sample(ts: TimeMs, bucket: number, force = false): number | undefined {
    const unpriced = new Set<string>();
    const value = this.valuation.value(this.portfolio.approxBalances(), this.marks, unpriced);
    this.unpriced = unpriced;
    // Before every asset has a price the value would be wrong, not just rough: wait for it.
    if (unpriced.size > 0 && this.initialEquity === undefined && !force) return undefined;
    this.bucket = bucket;
    this.initialEquity ??= value;
    this.ts.push(ts);
    this.equity.push(value);
    this.lastExposed = this.portfolio.hasOpenPosition();
    if (this.lastExposed) this.exposed++;
    if (value > this.peak) this.peak = value;
    return this.currentDrawdown;
  }
}
