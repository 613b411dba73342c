/**
 * `tradeflow backtest`: scenario + flags → plan → run → reports → one-screen summary. Reports are
 * written only when the run completed, and atomically, so a failed run leaves nothing half-written.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import cliProgress from 'cli-progress';
import { mergeInput, readScenarioFile, validateScenario } from '../config/load-scenario.ts';
import { loadMarketCatalog } from '../config/market-catalog.ts';
import { buildRunPlan, type RunPlan } from '../config/run-plan.ts';
import type { RunInfo, RunResult } from '../domain/run-result.ts';
import { ConfigError, InvariantError } from '../core/errors.ts';
import type { FailureReport } from '../faults/failure-report.ts';
import { FillStatsAccumulator, RunRecorder, formatConsoleSummary, type Summary } from '../reports/index.ts';
import { arbitrageLine, type ArbitrageReport } from './arb-report.ts';
import { runBacktest, type BacktestOptions } from './run-backtest.ts';
import { cacheDirFromFlags, overridesFromFlags, type RunFlags } from './run-options.ts';
import { spanOf } from './time-range.ts';

export interface CommandIO {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Show a progress bar (a terminal on stderr). */
  readonly progress: boolean;
  readonly cwd: string;
  readonly isVenue: (id: string) => boolean;
  readonly version: string;
  readonly argv: readonly string[];
}

/** Builds the run plan from an optional scenario file and the flags. */
export function planFromInputs(
  scenarioFile: string | undefined,
  flags: RunFlags,
  io: Pick<CommandIO, 'cwd' | 'isVenue'>,
  opts: { command?: 'backtest' | 'paper' | 'live'; extra?: Record<string, unknown> } = {},
): RunPlan {
  const base = scenarioFile ? readScenarioFile(scenarioFile) : {};
  const raw = mergeInput(mergeInput(base, overridesFromFlags(flags, base)), opts.extra ?? {});
  const label = scenarioFile ?? 'command line';
  const scenario = validateScenario(raw, label);
  const baseDir = scenarioFile ? path.dirname(path.resolve(scenarioFile)) : io.cwd;
  const catalog = loadMarketCatalog(scenario.market_definitions.map((f) => path.resolve(baseDir, f)));
  return buildRunPlan(scenario, {
    baseDir,
    label,
    catalog,
    isVenue: io.isVenue,
    reportsDir: path.resolve(io.cwd, 'reports'),
    stateDir: path.resolve(io.cwd, 'state'),
    command: opts.command ?? 'backtest',
  });
}

export interface BacktestOutcome {
  readonly result: RunResult;
  readonly outDir: string;
  readonly summary: Summary;
}

/** Programmatic hooks (tests): see BacktestOptions.wrapDriver. */
export interface BacktestHooks {
  readonly wrapDriver?: BacktestOptions['wrapDriver'];
}

export async function backtestCommand(scenarioFile: string | undefined, flags: RunFlags, io: CommandIO, hooks: BacktestHooks = {}): Promise<BacktestOutcome> {
  const startedAt = new Date();
  const t0 = performance.now();
  const plan = planFromInputs(scenarioFile, flags, io);
  const crash = plan.faults?.entries.find((e) => e.kind === 'crash');
  if (crash) {
    throw new ConfigError(`${scenarioFile ?? 'command line'}: faults.schedule.${crash.index}.kind: a crash needs a process to restart: rehearse it with \`tradeflow paper\` against the emulator`, { field: `faults.schedule.${crash.index}.kind` });
  }
  const span = io.progress ? spanOf(plan.marketData.map((m) => m.file)) : undefined;
  const bar = io.progress
    ? new cliProgress.SingleBar(
        { format: 'backtest [{bar}] {percentage}% | {events} events | {time}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(1000, 0, { events: 0, time: '' });
  // Trades and orders stream into a temp folder that becomes plan.outDir only if the run completes.
  const recorder = await RunRecorder.open(plan.outDir);
  // Market files parsed once are read from the cache next time; a note on an unusable entry is a
  // warning line, not part of the reports (the results do not depend on it).
  const cacheDir = cacheDirFromFlags(flags, io.cwd);
  const cache = cacheDir === undefined ? undefined : { dir: cacheDir, onNote: (m: string) => io.err(`warning: ${m}`) };
  let result: RunResult;
  let failures: FailureReport | undefined;
  let arbitrage: ArbitrageReport | undefined;
  try {
    result = await runBacktest(plan, {
      isVenue: io.isVenue,
      recorder,
      onFailures: (r) => (failures = r),
      onArbitrage: (r) => (arbitrage = r),
      ...(cache ? { cache } : {}),
      ...(hooks.wrapDriver ? { wrapDriver: hooks.wrapDriver } : {}),
      onProgress: (ts, events) => {
        const frac = span && span.end > span.start ? (ts - span.start) / (span.end - span.start) : 0;
        bar?.update(Math.round(Math.min(1, Math.max(0, frac)) * 1000), { events, time: new Date(ts).toISOString().slice(0, 19) });
      },
    });
  } catch (err) {
    await recorder.abort();
    throw err;
  } finally {
    bar?.stop();
  }
  const info: RunInfo = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    wallMs: Math.round(performance.now() - t0),
    host: os.hostname(),
    node: process.version,
    tradeflowVersion: io.version,
    argv: io.argv,
  };
  if (failures && plan.faults?.compareWithout) {
    // The same run without its faults, to price them (deterministic: same inputs, same seed).
    const clean = await runBacktest(plan, { isVenue: io.isVenue, recorder: discardingRecorder(), withoutFaults: true, ...(cache ? { cache } : {}) });
    failures = { ...failures, pnlCost: { currency: plan.quoteCurrency, finalEquity: result.finalEquity, finalEquityWithoutFaults: clean.finalEquity, cost: clean.finalEquity - result.finalEquity } };
  }
  if (failures) recorder.addFile('failures.json', `${JSON.stringify(failures, null, 2)}\n`);
  if (arbitrage) recorder.addFile('arbitrage.json', `${JSON.stringify(arbitrage, null, 2)}\n`);
  await recorder.publish(result, info);
  const summary = JSON.parse(await readFile(path.join(plan.outDir, 'summary.json'), 'utf8')) as Summary;
  io.out(formatConsoleSummary(summary, { outDir: path.relative(io.cwd, plan.outDir) || plan.outDir }));
  if (arbitrage) io.out(arbitrageLine(arbitrage));
  for (const w of result.warnings) io.err(`warning: ${w}`);
  if (failures) {
    const inv = failures.invariants;
    io.err(
      `faults: ${failures.faults.length} injected; lost orders ${inv.lostOrders}, duplicated ${inv.duplicatedOrders}, position divergence ${inv.positionDivergence}, balance divergence ${inv.balanceDivergence}` +
        (failures.pnlCost ? `; P&L cost ${failures.pnlCost.cost.toFixed(2)} ${failures.pnlCost.currency}` : ''),
    );
    // A strategy can gate on this in CI: the reports are written, and the exit code says it broke.
    if (!failures.ok) throw new InvariantError(`recovery invariants broken under faults (see failures.json):\n  ${inv.details.slice(0, 20).join('\n  ')}`, { outDir: plan.outDir });
  }
  return { result, outDir: plan.outDir, summary };
}

/** A recorder for a run whose reports nobody reads (the no-faults comparison run). */
function discardingRecorder(): BacktestOptions['recorder'] {
  const stats = new FillStatsAccumulator();
  return {
    fill: (rec) => stats.add(rec),
    order: () => {},
    get stats() {
      return stats.snapshot();
    },
  };
}
