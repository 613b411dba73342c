/** The reports module's public surface: what the engine and the CLI import. */
export { RunRecorder, REPORT_FILES, type ReportFile, type RecorderOptions } from './run-recorder.ts';
export { FillStatsAccumulator, emptyFillStats, fillStatsOf } from './fill-stats.ts';
export { computeSummary, buildSummary, summaryJson, type Summary, type SummaryOptions } from './summary.ts';
export { formatConsoleSummary, MAX_CONSOLE_LINES, type ConsoleSummaryOptions } from './console-summary.ts';
export { computeBreakdowns, type Breakdowns } from './breakdowns.ts';
export * as metrics from './metrics.ts';
