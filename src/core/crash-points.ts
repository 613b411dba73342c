/**
 * Test-only crash points, for the crash-recovery test (RELIABILITY rule 11): with
 * `TRADEFLOW_CRASH_AT=<point>:<n>` in the environment, the process kills itself with SIGKILL the n-th
 * time it passes `<point>` — e.g. `after-intent:3` (intent journaled, request not sent) or
 * `after-send:5` (the venue has the order, its answer not yet processed). Without the variable a
 * crash point costs one comparison.
 */
const spec = /^([a-z-]+):(\d+)$/.exec(process.env.TRADEFLOW_CRASH_AT ?? '');
const point = spec?.[1];
let left = spec ? Number(spec[2]) : 0;

export function crashPoint(name: string): void {
  if (point !== name) return;
  if (--left === 0) process.kill(process.pid, 'SIGKILL');
}
