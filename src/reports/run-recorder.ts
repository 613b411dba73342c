/**
 * Streams a run's reports to disk while the run goes: the engine hands every fill and final order to
 * `fill()` / `order()`, which format the row into a ~1 MB chunk and write full chunks straight to
 * trades.csv / orders.csv, and feed the fill aggregates the summary needs. Nothing per fill or per
 * order stays in memory, so memory is flat however many there are.
 *
 * Everything goes to a temp directory beside `outDir`; `publish()` completes it (equity.csv,
 * summary.json, run.json, report.html) and renames it into place atomically, `abort()` removes it.
 * `outDir` thus either holds a complete set from one run or is untouched (see atomic-dir.ts).
 *
 * report.html is drawn from what passed through here — fills, each market's marks (`priceTrack`), the
 * result's equity points — collected in fixed memory while the run goes (see html/report-data.ts), so
 * publishing reads nothing back; prices.csv is the marks it kept (see price-csv.ts). `tradeflow
 * report DIR` draws the same page from the files.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FillRecord, FillStats, OrderRecord, RunInfo, RunResult, RunSink } from '../domain/run-result.ts';
import { createStagingDir, discardStagingDir, publishStagingDir, type StagingDir } from './atomic-dir.ts';
import { ChunkedFile, csvRow, writeChunked, type ChunkedFileOptions } from './csv-file.ts';
import { EquityCsvWriter, ORDER_COLUMNS, TRADE_COLUMNS, writeEquityCsv, writeOrderRow, writeTradeRow } from './csv-writers.ts';
import { pointsOf } from './equity-points.ts';
import { FillStatsAccumulator } from './fill-stats.ts';
import { readSideFiles } from './html/read-run-dir.ts';
import { ReportDataBuilder } from './html/report-data.ts';
import { renderReport } from './html/render-report.ts';
import { drawdownFrom } from './metrics.ts';
import { PriceTrack, writePricesCsv, type PriceSink } from './price-csv.ts';
import { stableStringify } from './stable-json.ts';
import { computeSummary, summaryJson, type SummaryOptions } from './summary.ts';

/** Every file a published report holds, in the order `publish` returns their paths. */
export const REPORT_FILES = ['trades.csv', 'orders.csv', 'equity.csv', 'prices.csv', 'summary.json', 'run.json', 'report.html'] as const;
export type ReportFile = (typeof REPORT_FILES)[number];

export interface RecorderOptions {
  /** fsync files and directories before publishing (default true); tests may turn it off for speed. */
  readonly fsync?: boolean;
  /** Buffer size per CSV file before a write, in bytes (default 1 MiB); tests use small ones. */
  readonly chunkBytes?: number;
  readonly summary?: SummaryOptions;
}

export class RunRecorder implements RunSink, PriceSink {
  private readonly acc = new FillStatsAccumulator();
  /** What report.html is drawn from, collected as the run goes. */
  private readonly report = new ReportDataBuilder();
  private fills = 0;
  private orders = 0;
  private state: 'recording' | 'publishing' | 'published' | 'aborted' = 'recording';
  private readonly extraFiles = new Map<string, string>();

  /**
   * equity.csv as it streams: every point but the latest is written; the latest waits, since the run's
   * final sample may replace it (see `equity`). Undefined once streaming gave up (a bad point): then
   * publish writes the file from the result, which reports the problem as it always did.
   */
  private equityOut: EquityCsvWriter | undefined;
  private equityPending = false;
  private pendingTs = 0;
  private pendingValue = 0;

  private constructor(
    private readonly dir: StagingDir,
    private readonly trades: ChunkedFile,
    private readonly orderFile: ChunkedFile,
    private readonly equityFile: ChunkedFile,
    private readonly options: RecorderOptions,
  ) {
    this.equityOut = new EquityCsvWriter(equityFile);
  }

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
      const equity = new ChunkedFile(join(dir.tmp, 'equity.csv'), fileOptions);
      opened.push(equity);
      trades.append(csvRow(TRADE_COLUMNS));
      orders.append(csvRow(ORDER_COLUMNS));
      return new RunRecorder(dir, trades, orders, equity, options);
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
    writeTradeRow(this.trades, rec);
    // Counted only once the row is buffered, so the stats never include a fill trades.csv lacks.
    this.acc.add(rec);
    this.fills++;
    // As trades.csv will read back: ISO times hold whole milliseconds.
    this.report.trade(rec.venue, rec.symbol, Math.trunc(rec.ts), rec.side, rec.price, rec.quantity);
  }

  /** One market's marks for prices.csv and the page: the engine pushes its mark at every equity sample. */
  priceTrack(venue: string, symbol: string): PriceTrack {
    this.assertRecording();
    return new PriceTrack(venue, symbol, this.report.priceInput(venue, symbol));
  }

  /** Synchronous, like `fill`: one call per order, in its final state. */
  order(rec: OrderRecord): void {
    this.assertRecording();
    writeOrderRow(this.orderFile, rec);
    this.orders++;
  }

  /**
   * Synchronous: one equity sample, in order, as the engine takes it (optional: without it, publish
   * writes equity.csv from the result). The result's series must be these points, except that its
   * last point may differ from the last one given here (the final sample replaces one taken at the
   * same time); publish checks the count and writes the last row from the result.
   */
  equity(ts: number, value: number): void {
    this.assertRecording();
    const out = this.equityOut;
    if (out === undefined) return;
    if (this.equityPending) {
      try {
        out.push(this.pendingTs, this.pendingValue);
      } catch {
        // A bad point: stop streaming; publish rewrites the file from the result and reports it.
        this.equityOut = undefined;
        return;
      }
    }
    this.equityPending = true;
    this.pendingTs = ts;
    this.pendingValue = value;
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
  /**
   * A further report file (e.g. `reconciliation.json`, `failures.json`) written with the others at
   * publish, so it too is all there or not there at all.
   */
  addFile(name: string, text: string): void {
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || (REPORT_FILES as readonly string[]).includes(name)) throw new RangeError(`bad extra report file name ${name}`);
    this.extraFiles.set(name, text);
  }

  async publish(result: RunResult, info: RunInfo): Promise<string[]> {
    this.assertRecording();
    this.state = 'publishing';
    const fsync = this.options.fsync ?? true;
    const file = (name: ReportFile) => join(this.dir.tmp, name);
    try {
      this.checkCounts(result);
      this.trades.close();
      this.orderFile.close();
      this.finishEquity(result, file('equity.csv'));
      this.feedEquity(result);
      const summary = await computeSummary(result, this.options.summary);
      const summaryText = summaryJson(summary);
      writeText(file('summary.json'), summaryText, fsync);
      // The one file allowed to differ between identical runs: wall-clock facts and the run id.
      writeText(file('run.json'), stableStringify({ runId: result.runId, ...info }), fsync);
      for (const [name, text] of this.extraFiles) writeText(join(this.dir.tmp, name), text, fsync);
      // Last, so that the page shows the failures.json or reconciliation.json written just above.
      const page = this.report.build(JSON.parse(summaryText) as Record<string, unknown>, { hasPrices: true, ...(await readSideFiles(this.dir.tmp)) });
      writePricesCsv(file('prices.csv'), page.markets.map((m) => ({ venue: m.venue, symbol: m.symbol, t: m.prices.t, v: m.prices.v })), { fsync });
      writeText(file('report.html'), renderReport(page), fsync);
      await publishStagingDir(this.dir, fsync);
    } catch (err) {
      await this.discard();
      throw err;
    }
    this.state = 'published';
    return REPORT_FILES.map((name) => join(this.dir.target, name));
  }

  /**
   * Completes equity.csv: the streamed rows are the result's series but its last point, which is
   * written from the result. Anything else (nothing streamed, a different count, a bad point) and the
   * file is written afresh from the result.
   */
  private finishEquity(result: RunResult, path: string): void {
    const points = pointsOf(result.equity);
    const out = this.equityOut;
    const n = points.count;
    if (out !== undefined && n > 0 && out.count === n - 1) {
      out.push(points.tsAt(n - 1), points.equityAt(n - 1));
      this.equityFile.close();
      return;
    }
    this.equityFile.abort();
    rmSync(path, { force: true });
    writeEquityCsv(path, result.equity, { fsync: this.options.fsync ?? true, chunkBytes: this.options.chunkBytes });
  }

  /** Hands the equity points to the page as equity.csv holds them (drawdown against the running peak, as written there). */
  private feedEquity(result: RunResult): void {
    const points = pointsOf(result.equity);
    const n = points.count;
    let peak = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const e = points.equityAt(i);
      if (e > peak) peak = e;
      this.report.equityPoint(Math.trunc(points.tsAt(i)), e, drawdownFrom(peak, e));
    }
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
    this.equityFile.abort();
    await discardStagingDir(this.dir);
  }

  /** A summary that disagrees with its own CSV files is worse than no report: refuse to publish it. */
  private checkCounts(result: RunResult): void {
    let orders = 0;
    for (const n of result.orderCounts.values()) orders += n;
    const problems: string[] = [];
    if (result.fillStats.count !== this.fills) problems.push(`fillStats.count is ${result.fillStats.count} but ${this.fills} fills were recorded`);
    // An order settled locally and then shown by the venue has two rows, one count.
    if (orders + (result.ordersReopened ?? 0) !== this.orders) problems.push(`orderCounts add up to ${orders} but ${this.orders} orders were recorded`);
    if (problems.length > 0) throw new Error(`run result does not match the recorded rows: ${problems.join('; ')}`);
  }

  private assertRecording(): void {
    if (this.state !== 'recording') throw new Error(`run recorder for ${this.dir.target} is ${this.state}`);
  }
}

function writeText(path: string, text: string, fsync: boolean): void {
  writeChunked(path, (append) => append(text), { fsync });
}
