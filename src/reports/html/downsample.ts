/**
 * Long series cut down for a chart: a series of at most `maxPoints` points comes out as it went in;
 * a longer one is split into equal-count buckets and each bucket keeps its lowest and its highest
 * point (plus the series' first and last), so every peak and trough survives — the deepest drawdown
 * is the highest point of the drawdown series, and the chart shows it. At most `maxPoints` points
 * come out whatever the length in, and cutting a cut series again changes nothing.
 *
 * It streams: the bucket size is not known in advance, so it starts at one point and doubles when the
 * buckets run out, merging neighbours (the lower of two lows, the higher of two highs). The result
 * depends only on the sequence pushed, never on how it arrived, which is what lets the recorder (from
 * memory) and `tradeflow report` (from the files) draw the same page.
 *
 * Values are compared as the report files round them (12 significant digits, see stable-json.ts):
 * a value from memory and the same value read back from equity.csv make the same choices.
 *
 * @example
 *   const d = new MinMaxDownsampler(5000);
 *   for (const [t, v] of points) d.push(t, v);
 *   const { t, v } = d.result(); // ≤ 5000 points, times strictly ascending
 */
import { roundSignificant } from '../stable-json.ts';

export const DEFAULT_MAX_POINTS = 5000;

/** A downsampled series: times (ms) strictly ascending, values as the files round them. */
export interface SampledSeries {
  readonly t: readonly number[];
  readonly v: readonly number[];
  /** Points pushed (before downsampling). */
  readonly total: number;
}

/**
 * Sign of `a - b` once both are rounded to the reports' 12 significant digits. Rounding moves a value
 * by at most 5e-12 of itself, so values further apart than 1e-10 of the larger keep their order and
 * need no rounding (the rounding is the slow part).
 */
export function compareRounded(a: number, b: number): number {
  if (a === b) return 0;
  const d = a - b;
  if (Math.abs(d) > 1e-10 * Math.max(Math.abs(a), Math.abs(b))) return d;
  const ra = roundSignificant(a);
  const rb = roundSignificant(b);
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

export class MinMaxDownsampler {
  /** Bucket capacity, even (merging pairs halves it). */
  private readonly cap: number;
  private size = 1;
  private n = 0;
  private buckets = 0;
  private readonly minI: Float64Array;
  private readonly minT: Float64Array;
  private readonly minV: Float64Array;
  private readonly maxI: Float64Array;
  private readonly maxT: Float64Array;
  private readonly maxV: Float64Array;
  private firstT = 0;
  private firstV = 0;
  private lastT = 0;
  private lastV = 0;
  /** The points as they came, while there are no more than maxPoints of them. */
  private readonly rawT: number[] = [];
  private readonly rawV: number[] = [];

  constructor(readonly maxPoints = DEFAULT_MAX_POINTS) {
    if (!(maxPoints >= 6)) throw new RangeError(`maxPoints must be at least 6, got ${maxPoints}`);
    // Two points per bucket plus the first and last of the series.
    this.cap = Math.floor((maxPoints - 2) / 4) * 2;
    this.minI = new Float64Array(this.cap);
    this.minT = new Float64Array(this.cap);
    this.minV = new Float64Array(this.cap);
    this.maxI = new Float64Array(this.cap);
    this.maxT = new Float64Array(this.cap);
    this.maxV = new Float64Array(this.cap);
  }

  /** Points pushed so far. */
  get total(): number {
    return this.n;
  }

  /** Adds a point; times must not go backwards (the caller checks its input). */
  push(t: number, v: number): void {
    const i = this.n;
    let b = Math.floor(i / this.size);
    if (b >= this.cap) {
      this.merge();
      b = Math.floor(i / this.size);
    }
    if (b === this.buckets) {
      this.buckets++;
      this.minI[b] = this.maxI[b] = i;
      this.minT[b] = this.maxT[b] = t;
      this.minV[b] = this.maxV[b] = v;
    } else {
      if (compareRounded(v, this.minV[b]!) < 0) {
        this.minI[b] = i;
        this.minT[b] = t;
        this.minV[b] = v;
      }
      if (compareRounded(v, this.maxV[b]!) > 0) {
        this.maxI[b] = i;
        this.maxT[b] = t;
        this.maxV[b] = v;
      }
    }
    if (i === 0) {
      this.firstT = t;
      this.firstV = v;
    }
    this.lastT = t;
    this.lastV = v;
    this.n = i + 1;
    if (i < this.maxPoints) {
      this.rawT.push(t);
      this.rawV.push(v);
    } else if (i === this.maxPoints) {
      this.rawT.length = 0;
      this.rawV.length = 0;
    }
  }

  /**
   * The kept points in order, values rounded as the files hold them. Points sharing a time keep only
   * the later one (a chart needs strictly ascending times).
   */
  result(): SampledSeries {
    const t: number[] = [];
    const v: number[] = [];
    let lastIndex = -1;
    const add = (i: number, ti: number, vi: number): void => {
      if (i <= lastIndex) return;
      lastIndex = i;
      const n = t.length;
      if (n > 0 && !(ti > t[n - 1]!)) {
        t[n - 1] = ti;
        v[n - 1] = roundSignificant(vi);
        return;
      }
      t.push(ti);
      v.push(roundSignificant(vi));
    };
    if (this.n === 0) return { t, v, total: 0 };
    if (this.n <= this.maxPoints) {
      for (let i = 0; i < this.n; i++) add(i, this.rawT[i]!, this.rawV[i]!);
      return { t, v, total: this.n };
    }
    add(0, this.firstT, this.firstV);
    for (let b = 0; b < this.buckets; b++) {
      const minFirst = this.minI[b]! <= this.maxI[b]!;
      if (minFirst) {
        add(this.minI[b]!, this.minT[b]!, this.minV[b]!);
        add(this.maxI[b]!, this.maxT[b]!, this.maxV[b]!);
      } else {
        add(this.maxI[b]!, this.maxT[b]!, this.maxV[b]!);
        add(this.minI[b]!, this.minT[b]!, this.minV[b]!);
      }
    }
    add(this.n - 1, this.lastT, this.lastV);
    return { t, v, total: this.n };
  }

  /** Halves the buckets: each pair becomes one, keeping the lower low and the higher high. */
  private merge(): void {
    const half = this.cap / 2;
    for (let k = 0; k < half; k++) {
      const a = 2 * k;
      const c = a + 1;
      // Ties keep the earlier point, as pushing them into one bucket would have.
      const lo = compareRounded(this.minV[c]!, this.minV[a]!) < 0 ? c : a;
      const hi = compareRounded(this.maxV[c]!, this.maxV[a]!) > 0 ? c : a;
      this.minI[k] = this.minI[lo]!;
      this.minT[k] = this.minT[lo]!;
      this.minV[k] = this.minV[lo]!;
      this.maxI[k] = this.maxI[hi]!;
      this.maxT[k] = this.maxT[hi]!;
      this.maxV[k] = this.maxV[hi]!;
    }
    this.buckets = half;
    this.size *= 2;
  }
}
