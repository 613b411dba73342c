/**
 * Streams a run's reports to disk while the run goes: the engine hands every fill and final order to
 * `fill()` / `order()`, which format the row into a ~1 MB chunk and write full chunks straight to
 * trades.csv / orders.csv, and feed the fill aggregates the summary needs. Nothing per fill or per
 * order stays in memory, so memory is flat however many there are.
 *
 * Everything goes to a temp directory beside `outDir`; `publish()` completes it (equity.csv,
 * summary.json, run.json) and renames it into place atomically, `abort()` removes it. `outDir` thus
 * either holds a complete set from one run or is untouched (see atomic-dir.ts).
 */
import { join } from 'node:path';
import type { FillRecord, FillStats, OrderRecord, RunInfo, RunResult, RunSink } from '../domain/run-result.ts';
import { createStagingDir, discardStagingDir, publishStagingDir, type StagingDir } from './atomic-dir.ts';
import { ChunkedFile, csvRow, writeChunked, type ChunkedFileOptions } from './csv-file.ts';
import { ORDER_COLUMNS, TRADE_COLUMNS, orderRow, tradeRow, writeEquityCsv } from './csv-writers.ts';
import { FillStatsAccumulator } from './fill-stats.ts';
import { stableStringify } from './stable-json.ts';
import { computeSummary, summaryJson, type SummaryOptions } from './summary.ts';

/** Every file a published report holds, in the order `publish` returns their paths. */
export const REPORT_FILES = ['trades.csv', 'orders.csv', 'equity.csv', 'summary.json', 'run.json'] as const;
export type ReportFile = (typeof REPORT_FILES)[number];

export interface RecorderOptions {
  /** fsync files and directories before publishing (default true); tests may turn it off for speed. */
  readonly fsync?: boolean;
  /** Buffer size per CSV file before a write, in bytes (default 1 MiB); tests use small ones. */
  readonly chunkBytes?: number;
  readonly summary?: SummaryOptions;
}

export class RunRecorder implements RunSink {
  private readonly acc = new FillStatsAccumulator();
  private fills = 0;
  private orders = 0;
  private state: 'recording' | 'publishing' | 'published' | 'aborted' = 'recording';

  private constructor(
    private readonly dir: StagingDir,
    private readonly trades: ChunkedFile,
    private readonly orderFile: ChunkedFile,
    private readonly options: RecorderOptions,
  ) {}

  /** Creates the temp directory beside `outDir` and opens trades.csv and orders.csv with their headers. */
  static async open(outDir: string, options: RecorderOptions = {}): Promise<RunRecorder> {
    const dir = await createStagingDir(outDir);
    const fileOptions: ChunkedFileOptions = { fsync: options.fsync ?? true, chunkBytes: options.chunkBytes };
    const opened: ChunkedFile[] = [];
    try {
      const trades = new ChunkedFile(join(dir.tmp, 'trades.csv'), fileOptions);
      opened.push(trades);
      const orders = new ChunkedFile(join(dir.tmp, 'orders.csv'), fileOptions);
      opened.push(orders);
      trades.append(csvRow(TRADE_COLUMNS));
      orders.append(csvRow(ORDER_COLUMNS));
      return new RunRecorder(dir, trades, orders, options);
    } catch (err) {
      for (const f of opened) f.abort();
      await discardStagingDir(dir);
      throw err;
    }
  }

  /** The temp directory the files are written to until `publish`. */
  get tempDir(): string {
    return this.dir.tmp;
  }

  /** Synchronous: the engine calls it from inside its RxJS pipeline. May block on a chunk write. */
  fill(rec: FillRecord): void {
    this.assertRecording();
    this.trades.append(tradeRow(rec));
    // Counted only once the row is buffered, so the stats never include a fill trades.csv lacks.
    this.acc.add(rec);
    this.fills++;
  }

  /** Synchronous, like `fill`: one call per order, in its final state. */
  order(rec: OrderRecord): void {
    this.assertRecording();
    this.orderFile.append(orderRow(rec));
    this.orders++;
  }

  /** Aggregates of the fills recorded so far (a copy); what the engine passes as `RunResult.fillStats`. */
  get stats(): FillStats {
    return this.acc.snapshot();
  }

  /**
   * Completes the report with `result` (which must describe the fills and orders recorded: its counts
   * are checked against the rows written) and publishes it to `outDir`. Returns the paths written, in
   * `REPORT_FILES` order. On failure the temp directory is removed and `outDir` is left as it was.
   */
  async publish(result: RunResult, info: RunInfo): Promise<string[]> {
    this.assertRecording();
    this.state = 'publishing';
    const fsync = this.options.fsync ?? true;
    const file = (name: ReportFile) => join(this.dir.tmp, name);
    try {
      this.checkCounts(result);
      this.trades.close();
      this.orderFile.close();
      writeEquityCsv(file('equity.csv'), result.equity, { fsync });
      const summary = await computeSummary(result, this.options.summary);
      writeText(file('summary.json'), summaryJson(summary), fsync);
      // The one file allowed to differ between identical runs: wall-clock facts and the run id.
      writeText(file('run.json'), stableStringify({ runId: result.runId, ...info }), fsync);
      await publishStagingDir(this.dir, fsync);
    } catch (err) {
      await this.discard();
      throw err;
    }
    this.state = 'published';
    return REPORT_FILES.map((name) => join(this.dir.target, name));
  }

  /** Closes the files and removes the temp directory. Safe to call at any time, and more than once. */
  async abort(): Promise<void> {
    if (this.state === 'published' || this.state === 'aborted') return;
    await this.discard();
  }

  private async discard(): Promise<void> {
    this.state = 'aborted';
    this.trades.abort();
    this.orderFile.abort();
    await discardStagingDir(this.dir);
  }

  /** A summary that disagrees with its own CSV files is worse than no report: refuse to publish it. */
  private checkCounts(result: RunResult): void {
    let orders = 0;
    for (const n of result.orderCounts.values()) orders += n;
    const problems: string[] = [];
    if (result.fillStats.count !== this.fills) problems.push(`fillStats.count is ${result.fillStats.count} but ${this.fills} fills were recorded`);
    if (orders !== this.orders) problems.push(`orderCounts add up to ${orders} but ${this.orders} orders were recorded`);
    if (problems.length > 0) throw new Error(`run result does not match the recorded rows: ${problems.join('; ')}`);
  }

  private assertRecording(): void {
    if (this.state !== 'recording') throw new Error(`run recorder for ${this.dir.target} is ${this.state}`);
  }
}

function writeText(path: string, text: string, fsync: boolean): void {
  writeChunked(path, (append) => append(text), { fsync });
}
