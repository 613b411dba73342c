/**
 * Samples equity in event time: at most one point per interval bucket, plus the final point. The
 * first point is taken once every held asset can be priced, and its value is the run's initial equity.
 * Also watches the drawdown from the peak, which the kill switch uses.
 *
 * Points are kept in chunks of typed arrays, not in growing JS arrays: a minute-sampled year is half
 * a million points, and a growing array of doubles is both live heap (which sets how far V8 lets the
 * heap grow) and a trail of dead copies. `ts`/`equity` build plain arrays when asked (at the end of a
 * run); during one, `count`/`tsAt`/`equityAt` read the points.
 */
import type { Portfolio } from '../domain/portfolio.ts';
import type { MarkSource, Valuation } from '../domain/valuation.ts';
import type { EquitySeries } from '../domain/run-result.ts';
import type { TimeMs } from '../domain/types.ts';
import { pointSeries, type SeriesPoints } from '../reports/equity-points.ts';

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;

/** An append-only column of doubles in fixed-size Float64Array chunks (no copying as it grows). */
class DoubleColumn {
  private readonly chunks: Float64Array[] = [];
  length = 0;

  push(x: number): void {
    const i = this.length;
    const c = i >>> CHUNK_BITS;
    if (c === this.chunks.length) this.chunks.push(new Float64Array(CHUNK));
    this.chunks[c]![i & (CHUNK - 1)] = x;
    this.length = i + 1;
  }

  at(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]![i & (CHUNK - 1)]!;
  }

  pop(): void {
    if (this.length > 0) this.length--;
  }

  toArray(): number[] {
    const out: number[] = [];
    for (let c = 0; c * CHUNK < this.length; c++) {
      const chunk = this.chunks[c]!;
      const end = Math.min(CHUNK, this.length - c * CHUNK);
      for (let j = 0; j < end; j++) out.push(chunk[j]!);
    }
    return out;
  }
}

export class EquitySampler {
  private readonly tsColumn = new DoubleColumn();
  private readonly equityColumn = new DoubleColumn();
  /** `ts`/`equity` as last built, until a point is added or removed. */
  private tsArray: TimeMs[] | undefined;
  private equityArray: number[] | undefined;
  private bucket = Number.NEGATIVE_INFINITY;
  private peak = Number.NEGATIVE_INFINITY;
  private unpriced = new Set<string>();
  private readonly scratch = new Set<string>();
  private exposed = 0;
  private lastExposed = false;
  initialEquity: number | undefined;
  /** Called after each point is taken, with its time (the run records the markets' prices then). */
  onSample: ((ts: TimeMs) => void) | undefined;

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
    const n = this.tsColumn.length;
    if (n > 0 && this.tsColumn.at(n - 1) === ts) {
      this.tsColumn.pop();
      this.equityColumn.pop();
      this.changed();
      if (this.lastExposed) this.exposed--;
    }
    this.sample(ts, Math.floor(ts / this.intervalMs), true);
  }

  /** Sample times, oldest first (a plain array, built on demand). */
  get ts(): readonly TimeMs[] {
    return (this.tsArray ??= this.tsColumn.toArray());
  }

  /** Equity at each sample time (a plain array, built on demand). */
  get equity(): readonly number[] {
    return (this.equityArray ??= this.equityColumn.toArray());
  }

  /** Number of points taken. */
  get count(): number {
    return this.tsColumn.length;
  }

  tsAt(i: number): TimeMs {
    return this.tsColumn.at(i);
  }

  equityAt(i: number): number {
    return this.equityColumn.at(i);
  }

  /**
   * The points as an EquitySeries whose arrays are built only if someone reads them: the report
   * statistics and equity.csv read the points in place (see reports/equity-points.ts).
   */
  series(): EquitySeries {
    const points: SeriesPoints = {
      count: this.tsColumn.length,
      tsAt: (i) => this.tsColumn.at(i),
      equityAt: (i) => this.equityColumn.at(i),
    };
    return pointSeries(points, () => ({ ts: this.ts, equity: this.equity }));
  }

  /** The last equity point, or undefined before the first. */
  get lastEquity(): number | undefined {
    const n = this.equityColumn.length;
    return n === 0 ? undefined : this.equityColumn.at(n - 1);
  }

  /** Assets that had no price at the last attempted sample (`venue:ASSET`). */
  get unpricedAssets(): ReadonlySet<string> {
    return this.unpriced;
  }

  /** Fraction of samples at which some traded position was open; null before any sample. */
  get exposure(): number | null {
    const n = this.tsColumn.length;
    return n === 0 ? null : this.exposed / n;
  }

  get currentDrawdown(): number {
    const last = this.lastEquity;
    return last === undefined || !(this.peak > 0) ? 0 : Math.max(0, 1 - last / this.peak);
  }

  private changed(): void {
    this.tsArray = undefined;
    this.equityArray = undefined;
  }

  private sample(ts: TimeMs, bucket: number, force = false): number | undefined {
    // One scratch set for every sample (a run can take millions); a copy is kept only when non-empty.
    const scratch = this.scratch;
    scratch.clear();
    const value = this.valuation.value(this.portfolio.approxBalances(), this.marks, scratch);
    if (scratch.size > 0 || this.unpriced.size > 0) this.unpriced = new Set(scratch);
    // Before every asset has a price the value would be wrong, not just rough: wait for it.
    if (scratch.size > 0 && this.initialEquity === undefined && !force) return undefined;
    this.bucket = bucket;
    this.initialEquity ??= value;
    this.tsColumn.push(ts);
    this.equityColumn.push(value);
    this.changed();
    this.lastExposed = this.portfolio.hasOpenPosition();
    if (this.lastExposed) this.exposed++;
    if (value > this.peak) this.peak = value;
    this.onSample?.(ts);
    return this.currentDrawdown;
  }
}
