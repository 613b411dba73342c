/**
 * Replays a historical signal file in wall time for paper and live runs: the first signal goes at
 * once, each next one after the same gap as in the file, divided by `speed` (0 = no waiting). Stops
 * between signals when the run is aborted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../core/clock.ts';
import type { EventSource, Timed } from './event-source.ts';

export async function* paceByTimestamps<T extends Timed>(
  source: EventSource<T>,
  clock: Clock,
  speed: number,
  signal: AbortSignal,
): EventSource<T> {
  let anchor: { wall: number; ts: number } | undefined;
  for await (const batch of source) {
    for (const item of batch) {
      if (signal.aborted) return;
      anchor ??= { wall: clock.now(), ts: item.ts };
      if (speed > 0) {
        const due = anchor.wall + (item.ts - anchor.ts) / speed;
        const wait = due - clock.now();
        if (wait > 0) {
          try {
            await sleep(wait, undefined, { signal });
          } catch {
            return;
          }
        }
      }
      yield [item];
    }
  }
}
