/**
 * Leaves out signals by id: a resumed run's signals that already became orders before the restart
 * (their ids are in the journal). Applied before pacing, so a resumed replay does not sit through the
 * gaps of signals it will not act on.
 */
import type { EventSource } from './event-source.ts';

export async function* skipSignals<T extends { readonly id: string; readonly ts: number }>(
  source: EventSource<T>,
  ids: ReadonlySet<string>,
  onSkip: (item: T) => void = () => {},
): EventSource<T> {
  for await (const batch of source) {
    const kept = batch.filter((s) => {
      if (!ids.has(s.id)) return true;
      onSkip(s);
      return false;
    });
    if (kept.length > 0) yield kept;
  }
}
