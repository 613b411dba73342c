/**
 * Run statistics as pure functions of the equity series and the fill aggregates (`FillStats`).
 * Fees and turnover are sums the aggregates already hold exactly; exposure is measured by the engine
 * while it samples equity (it knows the positions then; the fills are not kept to rebuild them).
 *
 * Every function returns a finite number or `null` (never NaN/Infinity): a statistic that is not
 * defined for the input (too few samples, zero variance, no losses) is reported as absent, which
 * JSON can carry and a reader cannot mistake for a value.
 */
import type { EquitySeries, FillStats } from '../domain/run-result.ts';
import type { Asset, Atto, TimeMs } from '../domain/types.ts';
import { attoToNumber } from '../domain/money.ts';
import { pointsOf, type SeriesPoints } from './equity-points.ts';

/** Crypto venues trade every day, so a year is 365 days of samples, not 252. */
export const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * Below this standard deviation (relative to max(1, |mean|)) the variance is float noise: equal
 * returns computed from different equity levels differ by ~1e-16, which would give a Sharpe of 1e15.
 */
const ZERO_STD = 1e-14;

export interface Drawdown {
  /** Largest fall from a running peak, as a fraction of that peak, in [0, 1]. */
  readonly maxDrawdown: number;
  /** When the peak before the deepest trough was set; null when there was no drawdown. */
  readonly peakTs: TimeMs | null;
  readonly troughTs: TimeMs | null;
}

/** `final / initial − 1`; null when the initial equity is not positive (no capital to return on). */
export function totalReturn(initialEquity: number, finalEquity: number): number | null {
  if (!(initialEquity > 0) || !Number.isFinite(finalEquity)) return null;
  return finite(finalEquity / initialEquity - 1);
}

/**
 * Drawdown of one sample against the running peak. Clamped to [0, 1]: equity below zero is more
 * than a total loss but still reported as 1, and a non-positive peak has nothing to draw down from.
 */
export function drawdownFrom(peak: number, equity: number): number {
  if (!(peak > 0)) return 0;
  const dd = (peak - equity) / peak;
  return dd > 1 ? 1 : dd > 0 ? dd : 0;
}

/** The deepest drawdown of the series and when its peak and trough happened. */
export function maxDrawdown(series: EquitySeries): Drawdown {
  const points = pointsOf(series);
  let peak = -Infinity;
  let peakAt = -1;
  let best = 0;
  let bestPeakAt = -1;
  let bestTroughAt = -1;
  for (let i = 0; i < points.count; i++) {
    const e = points.equityAt(i);
    if (e > peak) {
      peak = e;
      peakAt = i;
    }
    const dd = drawdownFrom(peak, e);
    if (dd > best) {
      best = dd;
      bestPeakAt = peakAt;
      bestTroughAt = i;
    }
  }
  return {
    maxDrawdown: best,
    peakTs: bestPeakAt < 0 ? null : points.tsAt(bestPeakAt),
    troughTs: bestTroughAt < 0 ? null : points.tsAt(bestTroughAt),
  };
}

/**
 * Simple returns between consecutive samples. A step from a non-positive equity has no defined
 * return and is skipped rather than turned into ±Infinity.
 */
export function periodReturns(equity: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < equity.length; i++) {
    const prev = equity[i - 1]!;
    const r = equity[i]! / prev - 1;
    if (prev > 0 && Number.isFinite(r)) out.push(r);
  }
  return out;
}

/**
 * Median spacing between consecutive timestamps, ignoring zero gaps: several samples in the same
 * millisecond (many events at one instant) would otherwise make the median 0 and the period unknown.
 * Sampled series have few distinct gaps, so they are counted rather than sorted (a million-sample
 * series has one or two); a series with many falls back to sorting. Same median either way.
 */
export function medianSpacingMs(ts: readonly TimeMs[]): number | null {
  return medianSpacingOf({ count: ts.length, tsAt: (i) => ts[i]!, equityAt: () => 0 });
}

function medianSpacingOf(points: SeriesPoints): number | null {
  const counts = new Map<number, number>();
  let n = 0;
  for (let i = 1; i < points.count; i++) {
    const g = points.tsAt(i) - points.tsAt(i - 1);
    if (!(g > 0)) continue;
    n++;
    counts.set(g, (counts.get(g) ?? 0) + 1);
    if (counts.size > 1024) return medianBySorting(points);
  }
  if (n === 0) return null;
  const keys = Float64Array.from(counts.keys()).sort();
  // The k-th smallest gap (0-based), walking the sorted distinct gaps with their counts.
  const kth = (k: number): number => {
    let seen = 0;
    for (const g of keys) {
      seen += counts.get(g)!;
      if (k < seen) return g;
    }
    return keys[keys.length - 1]!;
  };
  const mid = n >> 1;
  return n % 2 === 1 ? kth(mid) : (kth(mid - 1) + kth(mid)) / 2;
}

function medianBySorting(points: SeriesPoints): number | null {
  const gaps: number[] = [];
  for (let i = 1; i < points.count; i++) {
    const g = points.tsAt(i) - points.tsAt(i - 1);
    if (g > 0) gaps.push(g);
  }
  if (gaps.length === 0) return null;
  const sorted = Float64Array.from(gaps).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** √(samples per year), with the sample period taken as the median timestamp spacing. */
export function annualizationFactor(ts: readonly TimeMs[]): number | null {
  const spacing = medianSpacingMs(ts);
  return spacing === null ? null : Math.sqrt(YEAR_MS / spacing);
}

function annualizationOf(points: SeriesPoints): number | null {
  const spacing = medianSpacingOf(points);
  return spacing === null ? null : Math.sqrt(YEAR_MS / spacing);
}

/** Mean and sample standard deviation in one pass (Welford: stable over a million returns). */
export function meanStd(xs: readonly number[]): { mean: number; std: number } {
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const d = x - mean;
    mean += d / (i + 1);
    m2 += d * (x - mean);
  }
  return { mean, std: xs.length > 1 ? Math.sqrt(Math.max(0, m2) / (xs.length - 1)) : 0 };
}

/**
 * What both ratios need from a series — the count, mean and sample standard deviation of its period
 * returns, the sum of squared negative returns, and the annualization factor — in one pass that
 * allocates nothing (a series can hold millions of samples). The arithmetic is that of
 * `periodReturns` + `meanStd` + the downside sum, in the same order, so the results are identical.
 * Kept per series (and its length) for the second ratio.
 */
interface SeriesStats {
  readonly points: number;
  readonly count: number;
  readonly mean: number;
  readonly std: number;
  readonly downSumSq: number;
  readonly ann: number | null;
}
const statsCache = new WeakMap<EquitySeries, SeriesStats>();

function statsOf(series: EquitySeries): SeriesStats {
  const points = pointsOf(series);
  const c = statsCache.get(series);
  if (c !== undefined && c.points === points.count) return c;
  let count = 0;
  let mean = 0;
  let m2 = 0;
  let downSumSq = 0;
  for (let i = 1; i < points.count; i++) {
    const prev = points.equityAt(i - 1);
    const r = points.equityAt(i) / prev - 1;
    if (!(prev > 0 && Number.isFinite(r))) continue;
    const d = r - mean;
    mean += d / (count + 1);
    m2 += d * (r - mean);
    count++;
    if (r < 0) downSumSq += r * r;
  }
  const std = count > 1 ? Math.sqrt(Math.max(0, m2) / (count - 1)) : 0;
  const stats = { points: points.count, count, mean, std, downSumSq, ann: annualizationOf(points) };
  statsCache.set(series, stats);
  return stats;
}

/** Annualized Sharpe ratio at a 0 risk-free rate; null with < 2 returns or zero variance. */
export function sharpe(series: EquitySeries): number | null {
  const { count, mean, std, ann } = statsOf(series);
  if (count < 2 || ann === null) return null;
  if (!(std > ZERO_STD * Math.max(1, Math.abs(mean)))) return null;
  return finite((mean / std) * ann);
}

/**
 * Annualized Sortino ratio, target 0: mean return over the downside deviation √(Σ min(r,0)² / N),
 * taken over all N returns. Null with < 2 returns or no downside at all.
 */
export function sortino(series: EquitySeries): number | null {
  const { count, mean, downSumSq, ann } = statsOf(series);
  if (count < 2 || ann === null) return null;
  const downside = Math.sqrt(downSumSq / count);
  if (!(downside > ZERO_STD * Math.max(1, Math.abs(mean)))) return null;
  return finite((mean / downside) * ann);
}

/** Share of P&L-realizing fills (realizedPnl ≠ 0) that made money; null when none realized any. */
export function winRate(stats: Pick<FillStats, 'closing' | 'wins'>): number | null {
  return stats.closing === 0 ? null : stats.wins / stats.closing;
}

/**
 * Gross profit / gross loss (both ≥ 0, summed exactly upstream); null when there are no losses.
 * P&L is in each market's quote, so the two sums must be of one quote asset (see `profitFactorByQuote`).
 */
export function profitFactor(grossProfit: Atto, grossLoss: Atto): number | null {
  return grossLoss === 0n ? null : finite(attoToNumber(grossProfit) / attoToNumber(grossLoss));
}

/** Profit factor per quote asset traded, since summing KRW and USDT P&L would mean nothing. */
export function profitFactorByQuote(stats: Pick<FillStats, 'grossProfit' | 'grossLoss'>): Map<Asset, number | null> {
  const out = new Map<Asset, number | null>();
  for (const q of new Set([...stats.grossProfit.keys(), ...stats.grossLoss.keys()])) {
    out.set(q, profitFactor(stats.grossProfit.get(q) ?? 0n, stats.grossLoss.get(q) ?? 0n));
  }
  return out;
}

/** Base and quote of a ccxt unified symbol (`BTC/USDT`, `BTC/USDT:USDT`). */
export function splitSymbol(symbol: string): { base: Asset; quote: Asset } {
  const slash = symbol.indexOf('/');
  if (slash < 0) return { base: symbol, quote: '' };
  const colon = symbol.indexOf(':', slash);
  return { base: symbol.slice(0, slash), quote: symbol.slice(slash + 1, colon < 0 ? undefined : colon) };
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
