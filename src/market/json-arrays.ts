/**
 * freqtrade's JSON market data: one JSON array per file (`.json`, or `.json.gz`), read whole — these
 * files are small (a few hundred KB), and a streaming JSON parser would cost more than it saves.
 * - candles: `[[open_time_ms, open, high, low, close, volume], ...]`
 * - trades:  `[[ts_ms, id, type, side, price, amount, cost], ...]`
 * The layout is chosen from the first element. A JSON file has no useful line numbers (freqtrade
 * writes it on one line), so errors name the 1-based element instead: `file: element 5: field …`.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DataError, describeError } from '../core/errors.ts';
import { Sides, type CandleEvent, type TradeEvent } from '../domain/types.ts';
import { DEFAULT_BATCH_SIZE, type EventSource, type ReadOptions } from '../sources/event-source.ts';
import { describeValue, expectNonNegative, expectOneOf, expectPositive, expectTimestamp } from '../sources/fields.ts';
import { checkCandle } from './candles.ts';

const gunzipAsync = promisify(gunzip);

async function readJson(file: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw DataError.at(file, undefined, code === 'ENOENT' ? 'file not found' : `cannot read: ${describeError(err)}`);
  }
  try {
    if (file.endsWith('.gz')) bytes = await gunzipAsync(bytes);
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw DataError.at(file, undefined, `expected a JSON array of candles or trades, got unreadable data (${describeError(err)})`);
  }
}

function elementError(file: string, n: number, reason: string, field?: string): DataError {
  const what = field ? `field "${field}": ${reason}` : reason;
  return new DataError(`${file}: element ${n}: ${what}`, { file, element: n, field, reason });
}

type Decode = (el: unknown[], n: number) => CandleEvent | TradeEvent;

function candleDecoder(file: string, venue: string, symbol: string): Decode {
  return (el, n) => {
    if (el.length < 6) throw DataError.at(file, n, `expected [time, open, high, low, close, volume], got ${el.length} values`);
    const c: CandleEvent = {
      kind: 'candle',
      ts: expectTimestamp(el[0], file, n, 'open_time'),
      venue,
      symbol,
      open: expectPositive(el[1], file, n, 'open'),
      high: expectPositive(el[2], file, n, 'high'),
      low: expectPositive(el[3], file, n, 'low'),
      close: expectPositive(el[4], file, n, 'close'),
      volume: expectNonNegative(el[5], file, n, 'volume'),
    };
    return checkCandle(c, file, n);
  };
}

function tradeDecoder(file: string, venue: string, symbol: string): Decode {
  return (el, n) => {
    if (el.length < 6) throw DataError.at(file, n, `expected [time, id, type, side, price, amount, cost], got ${el.length} values`);
    const ts = expectTimestamp(el[0], file, n, 'timestamp');
    const side = el[3] === null || el[3] === undefined ? undefined : expectOneOf(el[3], Sides, file, n, 'side');
    const price = expectPositive(el[4], file, n, 'price');
    const quantity = expectPositive(el[5], file, n, 'amount');
    return { kind: 'trade', ts, venue, symbol, price, quantity, side };
  };
}

/** Market events of a freqtrade JSON file as a time-ordered batched source. */
export async function* jsonArraySource(
  file: string,
  venue: string,
  symbol: string,
  opts: ReadOptions = {},
): EventSource<CandleEvent | TradeEvent> {
  const data = await readJson(file);
  if (!Array.isArray(data)) throw DataError.at(file, undefined, `expected a JSON array, got ${describeValue(data)}`);
  const first: unknown = data[0];
  const decode = Array.isArray(first) && typeof first[1] === 'string' ? tradeDecoder(file, venue, symbol) : candleDecoder(file, venue, symbol);
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  let out: (CandleEvent | TradeEvent)[] = [];
  let lastTs = -Infinity;
  let lastN = 0;
  for (let i = 0; i < data.length; i++) {
    const n = i + 1;
    try {
      const el: unknown = data[i];
      if (!Array.isArray(el)) throw DataError.at(file, n, `expected an array, got ${describeValue(el)}`);
      const ev = decode(el, n);
      if (ev.ts < lastTs) {
        throw DataError.at(file, n, `out of time order: ${ev.ts} is before ${lastTs} of element ${lastN}`, 'timestamp');
      }
      lastTs = ev.ts;
      lastN = n;
      out.push(ev);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      // The converters name a "line"; restate it as an element of the array.
      const { reason, field } = err.info as { reason: string; field?: string };
      if (opts.skipBadRows !== true) throw elementError(file, n, reason, field);
      opts.onBadRow?.({ file, line: n, reason: `element ${n}: ${field ? `field "${field}": ` : ''}${reason}`, field });
    }
    if (out.length >= batchSize) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}
