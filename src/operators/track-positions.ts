/**
 * Applies our (already deduplicated) fills to the portfolio and emits the resulting fill records.
 */
import { map, type OperatorFunction } from 'rxjs';
import type { Portfolio } from '../domain/portfolio.ts';
import type { FillRecord } from '../domain/run-result.ts';
import type { TrackedFill } from './track-orders.ts';

/** @example fills$.pipe(trackPositions(portfolio)).subscribe((r) => trades.push(r)) */
export function trackPositions(portfolio: Portfolio): OperatorFunction<TrackedFill, FillRecord> {
  return map(({ fill, order }) => portfolio.applyFill(fill, order.cmd.signalId));
}
