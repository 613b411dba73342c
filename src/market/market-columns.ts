/**
 * A CSV market data file as MarketColumns batches (sources/columns.ts), parsed in a worker thread when
 * the thread mode says so for the file, else here. Either way the batches hold the same rows: the
 * worker runs the same reader (`marketEach`) into the same builder.
 */
import { MarketColumnsBuilder, type MarketColumns } from '../sources/columns.ts';
import { READER_BATCH_SIZE, WORKER_BATCH_SIZE, type ThreadMode } from '../sources/worker-source.ts';
import { marketEach, type MarketSpec } from './market-source.ts';
import { marketColumnsInWorker, useMarketWorker } from './market-worker.ts';

/** `spec`'s file as columns; a freqtrade JSON file is not a CSV and is not accepted here. */
export function marketColumns(spec: MarketSpec, mode?: ThreadMode): AsyncGenerator<MarketColumns> {
  return useMarketWorker(spec.file, mode) ? marketColumnsInWorker(spec) : marketColumnsInThread(spec);
}

/** Whether `file` is a CSV market file (the JSON candle arrays are read whole, elsewhere). */
export function isCsvMarketFile(file: string): boolean {
  return !/\.json(\.gz)?$/i.test(file);
}

/** Parsed on this thread, into batches of WORKER_BATCH_SIZE rows. */
export async function* marketColumnsInThread(spec: MarketSpec): AsyncGenerator<MarketColumns> {
  const builder = new MarketColumnsBuilder(WORKER_BATCH_SIZE);
  const full: MarketColumns[] = [];
  // Events are copied into columns as they are decoded, so the decoders may reuse one event object.
  const rows = marketEach({ venue: spec.venue, symbol: spec.symbol, file: spec.file }, { reuseEvents: true, batchSize: READER_BATCH_SIZE }, (ev) => {
    if (builder.add(ev)) full.push(builder.take());
  });
  for await (const _ of rows) {
    while (full.length > 0) yield full.shift()!;
  }
  if (builder.size > 0) yield builder.take();
}
