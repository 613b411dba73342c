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
import { RunRecorder, formatConsoleSummary, type Summary } from '../reports/index.ts';
import { runBacktest } from './run-backtest.ts';
import { overridesFromFlags, type RunFlags } from './run-options.ts';
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
    command: opts.command ?? 'backtest',
  });
}

export interface BacktestOutcome {
  readonly result: RunResult;
  readonly outDir: string;
  readonly summary: Summary;
}

export async function backtestCommand(scenarioFile: string | undefined, flags: RunFlags, io: CommandIO): Promise<BacktestOutcome> {
  const startedAt = new Date();
  const t0 = performance.now();
  const plan = planFromInputs(scenarioFile, flags, io);
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
  let result: RunResult;
  try {
    result = await runBacktest(plan, {
      isVenue: io.isVenue,
      recorder,
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
  await recorder.publish(result, info);
  const summary = JSON.parse(await readFile(path.join(plan.outDir, 'summary.json'), 'utf8')) as Summary;
  io.out(formatConsoleSummary(summary, { outDir: path.relative(io.cwd, plan.outDir) || plan.outDir }));
  for (const w of result.warnings) io.err(`warning: ${w}`);
  return { result, outDir: plan.outDir, summary };
}
