/**
 * Applies fills to the portfolio exactly once (deduplicated by venue trade id) and emits the
 * resulting fill records.
 */
import { mergeMap, type OperatorFunction } from 'rxjs';
import type { Portfolio } from '../domain/portfolio.ts';
import type { FillRecord } from '../domain/run-result.ts';
import type { TrackedFill } from './track-orders.ts';

/** @example fills$.pipe(trackPositions(portfolio)).subscribe((r) => trades.push(r)) */
export function trackPositions(portfolio: Portfolio): OperatorFunction<TrackedFill, FillRecord> {
  return mergeMap(({ fill, order }) => {
    const rec = portfolio.applyFill(fill, order?.cmd.signalId);
    return rec ? [rec] : [];
  });
}
