/** Input streams: batched event sources, the event-time merge, the RxJS bridge, signal readers. */
export { DEFAULT_BATCH_SIZE, fromArray } from './event-source.ts';
export type { BadRowHandler, Event, EventSource, ReadOptions, Timed } from './event-source.ts';
export { mergeByTime, type MergeOptions } from './merge-by-time.ts';
export { fromBatches } from './from-batches.ts';
export { parseTimestamp } from './timestamp.ts';
export { countCsvRows, csvRowBatches, type RowBatch } from './csv-rows.ts';
export { signalCsvSource, signalsFromCsv } from './signal-csv.ts';
export { signalJsonLinesSource, signalsFromJsonLines, type JsonLinesOptions } from './signal-jsonl.ts';
export { validateSignal, type RawSignal, type SignalReadOptions } from './signal-validate.ts';
