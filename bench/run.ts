/**
 * `npm run bench [-- --json] [-- --quick]`: runs every case in a child process (so peak RSS is per
 * case) and prints throughput, wall time and peak RSS. Inputs are generated once, seeded, into
 * bench/.data/ (generation time is not counted). The CSV cases (bars, book) run with the market data
 * cache off: they measure parsing; the arbitrage cases say which they use.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const here = import.meta.dirname;

function runCase(...args: string[]): Record<string, number | string> {
  return runScript('case.ts', ...args);
}

function runScript(script: string, ...args: string[]): Record<string, number | string> {
  // Generate first (untimed), then measure in a fresh process.
  const go = () =>
    // No heap flags: the CLI runs with none, and a process-wide --max-old-space-size would override
    // the parse workers' own heap limits (V8 flags win over per-isolate resource limits).
    spawnSync(process.execPath, ['--import', 'tsx', path.join(here, script), ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  let r = go();
  if (r.status === 0) r = go();
  if (r.status !== 0) throw new Error(`bench case ${args.join(' ')} failed (exit ${r.status})`);
  const line = r.stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as Record<string, number | string>;
}

function show(fig: Record<string, number | string>): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(fig)}\n`);
    return;
  }
  const parts = Object.entries(fig)
    .filter(([k]) => k !== 'case')
    .map(([k, v]) => `${k}=${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(k.endsWith('_s') || k.endsWith('_ms') || k === 'ratio' ? 2 : 0)) : v}`);
  process.stdout.write(`${String(fig.case).padEnd(30)} ${parts.join('  ')}\n`);
}

const barsN = quick ? 100_000 : 1_000_000;
const bookScale = quick ? 0.1 : 1;

const bars = runCase('bars', String(barsN));
show(bars);
const bars4 = runCase('bars', String(barsN * 4));
show({ ...bars4, case: 'bars (4x input, memory)' });

const floor = runCase('floor-book', String(bookScale));
show(floor);
const book = runCase('book', String(bookScale));
show(book);
const ratio = Number(book.wall_s) / Number(floor.wall_s);
show({ case: 'book / csv-parse floor', ratio, target: '<= 1.5' });

// Arbitrage (issue 6): 5M L2 updates of two venues (+ the USDT/KRW conversion book) through a whole
// backtest with the detector and the real execution operator (legs through the core): first with a
// fresh market data cache (CSV parsed in workers, cache written), then from that cache. Each runs
// twice (see runScript): cold starts from an empty cache both times; warm's first run finds cold's.
const arbScale = quick ? '0.1' : '1';
const arbCold = runScript('arb-case.ts', 'exec', arbScale, 'cold');
show(arbCold);
const arbWarm = runScript('arb-case.ts', 'exec', arbScale, 'warm');
show(arbWarm);
// The detector alone on the same updates, already parsed and held in memory.
const arbDetector = runScript('arb-case.ts', 'detector', arbScale);
show(arbDetector);

// Live mode against the project's emulator on 127.0.0.1 (issue 3's figures).
const emuRate = runScript('live-case.ts', 'emulator-throughput');
show(emuRate);
// Signal to HTTP request in-process, with the intent fsynced (the default) and without (journal_sync: normal).
const latencyFull = runScript('live-case.ts', 'live-latency', quick ? '200' : '1000', 'full');
show(latencyFull);
const latency = runScript('live-case.ts', 'live-latency', quick ? '200' : '1000', 'normal');
show(latency);

const summary = {
  case: 'targets',
  emulator_2000_orders_per_s: Number(emuRate.orders_per_s) >= 2000 ? 'yes' : 'NO',
  live_p99_under_2ms_normal_sync: Number(latency.p99_ms) < 2 ? 'yes' : 'NO',
  live_p99_under_2ms_fsync: Number(latencyFull.p99_ms) < 2 ? 'yes' : 'NO',
  bars_per_s_ok: Number(bars.bars_per_s) >= 270_000 ? 'yes' : 'NO',
  book_under_20s: Number(book.wall_s) < 20 ? 'yes' : 'NO',
  book_vs_floor_ok: ratio <= 1.5 ? 'yes' : 'NO',
  // Through detection and the real executor, market data from the cache (warm) and from CSV (cold).
  arb_1m_updates_per_s_e2e: Number(arbWarm.updates_per_s) >= 1_000_000 ? 'yes' : 'NO',
  arb_1m_updates_per_s_cold: Number(arbCold.updates_per_s) >= 1_000_000 ? 'yes' : 'NO',
  arb_1m_updates_per_s_detector: Number(arbDetector.updates_per_s) >= 1_000_000 ? 'yes' : 'NO',
  peak_rss_under_400mb: Math.max(Number(bars.peak_rss_mb), Number(bars4.peak_rss_mb), Number(book.peak_rss_mb)) < 400 ? 'yes' : 'NO',
};
show(summary);
