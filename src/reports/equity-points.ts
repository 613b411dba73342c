/**
 * The points of an equity series without its arrays. A series may carry, under `SERIES_POINTS`, an
 * accessor to points kept elsewhere (the engine's sampler keeps them in typed-array chunks); the
 * statistics and equity.csv read through it, so publishing a run of millions of samples never builds
 * the two arrays of `EquitySeries`. A plain series is read through its arrays.
 */
import type { EquitySeries } from '../domain/run-result.ts';

export const SERIES_POINTS = Symbol.for('tradeflow.equity-series.points');

export interface SeriesPoints {
  readonly count: number;
  tsAt(i: number): number;
  equityAt(i: number): number;
}

/** A series that reads its points through `points`; `ts`/`equity` are built only if asked for. */
export function pointSeries(points: SeriesPoints, arrays: () => { ts: readonly number[]; equity: readonly number[] }): EquitySeries {
  let built: { ts: readonly number[]; equity: readonly number[] } | undefined;
  return {
    get ts() {
      return (built ??= arrays()).ts;
    },
    get equity() {
      return (built ??= arrays()).equity;
    },
    [SERIES_POINTS]: points,
  } as EquitySeries;
}

/** The points of `series`: its own accessor when it has one, else its arrays. */
export function pointsOf(series: EquitySeries): SeriesPoints {
  const own = (series as { [SERIES_POINTS]?: SeriesPoints })[SERIES_POINTS];
  if (own !== undefined) return own;
  const { ts, equity } = series;
  if (ts.length !== equity.length) throw new RangeError(`equity series has ${ts.length} timestamps but ${equity.length} values`);
  return { count: ts.length, tsAt: (i) => ts[i]!, equityAt: (i) => equity[i]! };
}
