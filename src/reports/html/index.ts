/** The HTML report's public surface: what the recorder and the CLI use. */
export { ReportDataBuilder, type ReportData, type ReportLimits, type SummaryJson } from './report-data.ts';
export { readRunDir, readSideFiles, REQUIRED_FILES } from './read-run-dir.ts';
export { renderReport } from './render-report.ts';
export { renderCompare, type ComparedRun } from './render-compare.ts';
export { rebuildReport, writeComparison, defaultComparePath, writeFileAtomic, REPORT_HTML } from './write-report.ts';
export type { FailuresFile, FaultRecord, FailureInvariants } from './side-files.ts';
