/**
 * Signals as JSON lines — one object per line with the same fields as the CSV columns — from a file
 * (`.gz` too) or any byte/text stream such as stdin for live input. Validation is the shared
 * `validateSignal`, so both readers accept and refuse the same things.
 *
 * Batching follows the input: each chunk that arrives becomes one batch of the complete lines it
 * holds. On a file that means a few hundred lines per await; on stdin a signal is emitted as soon as
 * its line is complete, not when some batch fills up.
 */
import type { Observable } from 'rxjs';
import { StringDecoder } from 'node:string_decoder';
import { DataError } from '../core/errors.ts';
import type { Signal } from '../domain/types.ts';
import { openInput, type RowBatch } from './csv-rows.ts';
import { decodeRows } from './decode.ts';
import { DEFAULT_BATCH_SIZE, type EventSource } from './event-source.ts';
import { describeValue } from './fields.ts';
import { fromBatches } from './from-batches.ts';
import { idPrefixOf } from './signal-csv.ts';
import { signalDecoder, type RawSignal, type SignalReadOptions } from './signal-validate.ts';

export interface JsonLinesOptions extends SignalReadOptions {
  /** Name used in errors and default ids when reading a stream (default `stdin`). */
  readonly name?: string;
}

type Input = string | AsyncIterable<string | Buffer>;

/** Splits a byte/text stream into batches of lines, numbered from 1. Blank lines are kept (skipped later). */
async function* lineBatches(input: AsyncIterable<string | Buffer>, batchSize: number): AsyncGenerator<RowBatch<string>> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lineNo = 0;
  let rows: string[] = [];
  let lines: number[] = [];
  const take = (text: string): void => {
    lineNo++;
    rows.push(text.endsWith('\r') ? text.slice(0, -1) : text);
    lines.push(lineNo);
  };
  for await (const chunk of input) {
    const text = carry + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      take(text.slice(start, nl));
      start = nl + 1;
      if (rows.length >= batchSize) {
        yield { rows, lines };
        rows = [];
        lines = [];
      }
    }
    carry = text.slice(start);
    if (rows.length > 0) {
      yield { rows, lines };
      rows = [];
      lines = [];
    }
  }
  carry += decoder.end();
  if (carry.length > 0) {
    take(carry);
    yield { rows, lines };
  }
}

function parseLine(file: string) {
  return (text: string, line: number): RawSignal | undefined => {
    if (text.trim() === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw DataError.at(file, line, `expected a JSON object, got malformed JSON (${(err as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw DataError.at(file, line, `expected a JSON object, got ${describeValue(value)}`);
    }
    return value as RawSignal;
  };
}

/** Signals from JSON lines as a time-ordered batched source. A file is opened on iteration. */
export async function* signalJsonLinesSource(input: Input, opts: JsonLinesOptions = {}): EventSource<Signal> {
  const file = typeof input === 'string' ? input : (opts.name ?? 'stdin');
  const stream = typeof input === 'string' ? await openInput(input) : input;
  const decoder = signalDecoder(file, idPrefixOf(file), opts, parseLine(file));
  yield* decodeRows(file, lineBatches(stream, opts.batchSize ?? DEFAULT_BATCH_SIZE), decoder, opts);
}

/** Signals from JSON lines as an Observable. */
export function signalsFromJsonLines(input: Input, opts: JsonLinesOptions = {}): Observable<Signal> {
  return fromBatches(signalJsonLinesSource(input, opts));
}
