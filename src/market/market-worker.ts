/**
 * A market data file read in a worker thread (see sources/worker-source.ts): the same reader as
 * `marketSource`, run on another core, its events shipped back as columns and rebuilt here.
 */
import { fileURLToPath } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import type { MarketEvent } from '../domain/types.ts';
import { MarketColumnsBuilder, transferList, unpackMarket, type MarketColumns } from '../sources/columns.ts';
import type { EventSource } from '../sources/event-source.ts';
import {
  READER_BATCH_SIZE,
  WORKER_BATCH_SIZE,
  fileWeight,
  serveBatches,
  useWorker,
  workerBatches,
  workerSource,
  type ThreadMode,
  type WorkerTask,
} from '../sources/worker-source.ts';
import { marketEach, marketSource, type MarketSpec } from './market-source.ts';

interface MarketTask extends WorkerTask {
  readonly spec: MarketSpec;
}

const MODULE = fileURLToPath(import.meta.url);

/** `marketSource(spec)` for a CSV market file, parsed in a worker thread. Starts on iteration. */
export function marketSourceInWorker(spec: MarketSpec): EventSource<MarketEvent> {
  const { venue, symbol } = spec;
  return workerSource<MarketColumns, MarketEvent>(taskOf(spec), { unpack: (cols) => unpackMarket(cols, venue, symbol), weight: fileWeight(spec.file) });
}

/** The same, as the worker's columnar batches (every event is of `spec`'s venue and symbol). */
export function marketColumnsInWorker(spec: MarketSpec): AsyncGenerator<MarketColumns> {
  return workerBatches<MarketColumns>(taskOf(spec), { weight: fileWeight(spec.file) });
}

function taskOf(spec: MarketSpec): MarketTask {
  return { module: MODULE, spec: { venue: spec.venue, symbol: spec.symbol, file: spec.file } };
}

/**
 * `marketSource(spec)`, in a worker when `mode` says so for this file (CSV files only: freqtrade JSON
 * files are small and read whole).
 */
export function marketSourceFor(spec: MarketSpec, mode?: ThreadMode): EventSource<MarketEvent> {
  return useMarketWorker(spec.file, mode) ? marketSourceInWorker(spec) : marketSource(spec);
}

/** Whether `marketSourceFor` reads `file` in a worker. */
export function useMarketWorker(file: string, mode?: ThreadMode): boolean {
  return !/\.json(\.gz)?$/i.test(file) && useWorker(file, mode);
}

/** Worker side (called by the boot script). */
export function runInWorker(task: MarketTask, port: MessagePort): Promise<void> {
  // Events are copied into columns as they are decoded, so the decoders reuse one event object.
  return serveBatches(port, (each) => marketEach(task.spec, { reuseEvents: true, batchSize: READER_BATCH_SIZE }, each), new MarketColumnsBuilder(WORKER_BATCH_SIZE), transferList);
}
