/**
 * Journal throughput, for the performance note (not part of the test suite):
 *   node --import tsx test/journal/bench-journal.ts
 * SQLite with one transaction per call (what the engine does: an intent must be on disk before its
 * request leaves) against batches of 1,000 calls per transaction, and the memory journal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Journal } from '../../src/journal/journal.ts';
import { MemoryJournal } from '../../src/journal/memory-journal.ts';
import { SqliteJournal } from '../../src/journal/sqlite-journal.ts';
import { fill, intent } from './fixtures.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tf-journal-bench-'));
let fileNo = 0;
const sqlite = (): Journal => new SqliteJournal(path.join(dir, `j${++fileNo}.sqlite`));

/**
 * Calls `op(i)` n times, `per` calls per `batch` (per = 0: no batch, each call its own transaction;
 * per = 1: each call its own batch, which commits with synchronous=FULL), and returns calls/s.
 */
function rate(j: Journal, n: number, per: number, op: (i: number) => void): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i += Math.max(per, 1)) {
    if (per === 0) op(i);
    else j.batch(() => { for (let k = i; k < Math.min(n, i + per); k++) op(k); });
  }
  return n / ((performance.now() - t0) / 1000);
}

function measure(label: string, make: () => Journal, n: number, per: number): void {
  const j = make();
  j.open('bench');
  const intents = rate(j, n, per, (i) => j.recordIntent(intent(`b-${i.toString(36)}`, { ts: i })));
  const transitions = rate(j, n, per, (i) => j.recordTransition(`b-${i.toString(36)}`, 'open', i + 1, undefined, `x${i}`));
  const fills = rate(j, n, per, (i) => j.recordFill(fill(`b-${i.toString(36)}`, `t${i}`, { ts: i + 2 })));
  const dupes = rate(j, n, per, (i) => j.recordFill(fill(`b-${i.toString(36)}`, `t${i}`, { ts: i + 2 })));
  const t0 = performance.now();
  const open = j.openOrders().length;
  const seq = j.lastClientSeq('b');
  const readMs = performance.now() - t0;
  j.close();
  const f = (x: number): string => `${Math.round(x).toLocaleString('en-US')}/s`.padStart(12);
  console.log(
    `${label.padEnd(34)} intents ${f(intents)}  transitions ${f(transitions)}  fills ${f(fills)}  dup fills ${f(dupes)}` +
      `  (${n} orders; openOrders ${open} + lastClientSeq ${seq} in ${readMs.toFixed(0)} ms)`,
  );
}

try {
  measure('sqlite, per call (intents FULL)', sqlite, 3_000, 0);
  measure('sqlite, per call, every call FULL', sqlite, 3_000, 1);
  measure('sqlite, 1000 calls per batch', sqlite, 100_000, 1_000);
  measure('memory', () => new MemoryJournal(), 100_000, 0);

  // Memory held by the memory journal per order (intent + 2 transitions + 1 fill).
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const mem = new MemoryJournal();
  mem.open('heap');
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const id = `h-${i.toString(36)}`;
    mem.recordIntent(intent(id, { ts: i }));
    mem.recordTransition(id, 'open', i + 1, undefined, `x${i}`);
    mem.recordFill(fill(id, `t${i}`, { ts: i + 2 }));
    mem.recordTransition(id, 'filled', i + 2);
  }
  global.gc?.();
  const per = (process.memoryUsage().heapUsed - before) / n;
  console.log(`memory journal heap: ${per.toFixed(0)} bytes per order (intent, 2 transitions, 1 fill)${global.gc ? '' : ' (run with --expose-gc for a cleaner figure)'}`);
  mem.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
