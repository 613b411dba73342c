/**
 * Quote conversion between the venues of an arbitrage (KRW ↔ USDT for Upbit against Binance, or any two
 * quote assets), from a conversion market's book or from a rate series, at event time.
 *
 * A rate source says "1 `base` = r `quote`" (Upbit `USDT/KRW`: 1 USDT = 1391.5 KRW) with a bid and an
 * ask and the event time it was last set; a `QuoteConverter` turns it into multipliers from one quote
 * asset (`from`, e.g. KRW) into the reference quote (`to`, e.g. USDT), one for money PAID (the buy leg's
 * cost) and one for money RECEIVED (the sell leg's proceeds).
 *
 * Which side of the conversion book (`RateMode`):
 * - `executable` (the default for detection): each amount is valued at the side one would actually
 *   trade to bring it back to the reference quote. No conversion trade is sent per opportunity (the
 *   legs settle in inventory on each venue, no transfers in the hot path), but the inventory is
 *   eventually rebalanced through that market, so that is what the KRW is worth: KRW received buys
 *   USDT at the ask (worth 1/ask USDT each), KRW paid has to be bought back by selling USDT at the bid
 *   (costs 1/bid USDT each). Paid amounts are therefore valued dearer and received ones cheaper than at
 *   mid — the conversion market's spread counts against the edge like a third fee, which is what the
 *   round trip really costs, and an opportunity that exists only at mid is not reported.
 * - `mid`: both at (bid + ask) / 2. Used for the premium series (a market measurement, not a trade),
 *   and for detection when the operator rebalances some other way.
 * A rate series has one number per time (bid = ask), so both modes give the same value.
 *
 * Staleness: the converter exposes the rate's age at the time asked (`ageMs`); the detector refuses a
 * rate older than its limit (RELIABILITY rule 8).
 */
import { DataError } from '../core/errors.ts';
import type { Asset, TimeMs } from '../domain/types.ts';
import type { DepthBook } from './books.ts';
import { inverseMidOf, inverseOf, midOf, ONE, ratioOf, type Ratio } from './ratio.ts';

export const RateModes = ['executable', 'mid'] as const;
export type RateMode = (typeof RateModes)[number];

/** A rate at one moment: 1 base = bid..ask quote, set at event time `ts`. */
export interface RateSample {
  bid: number;
  ask: number;
  ts: TimeMs;
}

export interface RateSource {
  /** 1 `base` = rate × `quote`. */
  readonly base: Asset;
  readonly quote: Asset;
  /** Writes the rate known at event time `t` into `out`; false when there is none (yet). */
  sample(t: TimeMs, out: RateSample): boolean;
}

/** A conversion market's book as a rate source: bid = best bid, ask = best ask, ts = its last update. */
export class BookRate implements RateSource {
  readonly base: Asset;
  readonly quote: Asset;

  constructor(
    readonly book: DepthBook,
    base?: Asset,
    quote?: Asset,
  ) {
    const [b, q] = book.symbol.split('/') as [string, string | undefined];
    this.base = base ?? b;
    this.quote = quote ?? (q ?? '').split(':')[0]!;
  }

  sample(_t: TimeMs, out: RateSample): boolean {
    const bid = this.book.bids.best();
    const ask = this.book.asks.best();
    // Both sides are needed: executable mode uses either, and a one-sided book has no mid.
    if (!(bid > 0) || !(ask > 0)) return false;
    out.bid = bid;
    out.ask = ask;
    out.ts = this.book.ts;
    return true;
  }
}

/**
 * A time series of one rate (e.g. a USD/KRW fixing file): the rate at `t` is the last one at or before
 * `t`. Lookups in ascending time (the normal case) are O(1) amortised; a lookup back in time binary-searches.
 */
export class RateSeries implements RateSource {
  private cursor = 0;

  constructor(
    readonly base: Asset,
    readonly quote: Asset,
    readonly times: Float64Array,
    readonly rates: Float64Array,
  ) {
    if (times.length !== rates.length) throw new RangeError('times and rates differ in length');
    for (let i = 1; i < times.length; i++) {
      if (!(times[i]! >= times[i - 1]!)) throw new RangeError(`rate times must ascend (index ${i})`);
    }
  }

  get length(): number {
    return this.times.length;
  }

  /** Index of the last time ≤ t, or −1. */
  indexAt(t: TimeMs): number {
    const ts = this.times;
    const n = ts.length;
    let i = this.cursor;
    if (n === 0 || t < ts[0]!) return -1;
    if (i < n && ts[i]! <= t) {
      // Forward scan from the cursor, for ascending lookups.
      while (i + 1 < n && ts[i + 1]! <= t) i++;
    } else {
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (ts[mid]! <= t) lo = mid;
        else hi = mid - 1;
      }
      i = lo;
    }
    this.cursor = i;
    return i;
  }

  sample(t: TimeMs, out: RateSample): boolean {
    const i = this.indexAt(t);
    if (i < 0) return false;
    const r = this.rates[i]!;
    out.bid = r;
    out.ask = r;
    out.ts = this.times[i]!;
    return true;
  }
}

/**
 * Parses a rate file: CSV with a header naming `timestamp` and `rate` (any order, other columns
 * ignored); timestamps are epoch milliseconds or ISO-8601 (UTC when no zone is given), ascending; rates
 * positive. Pure (the caller reads the file); errors name the file, line and field.
 */
export function parseRateCsv(text: string, file: string, base: Asset, quote: Asset): RateSeries {
  const lines = text.split(/\r?\n/);
  let headerLine = 0;
  while (headerLine < lines.length && lines[headerLine]!.trim() === '') headerLine++;
  if (headerLine === lines.length) throw DataError.at(file, undefined, 'the rate file is empty; expected a header timestamp,rate');
  const header = lines[headerLine]!.split(',').map((h) => h.trim().toLowerCase());
  const tsCol = header.indexOf('timestamp');
  const rateCol = header.indexOf('rate');
  if (tsCol < 0) throw DataError.at(file, headerLine + 1, 'no "timestamp" column in the header', 'timestamp');
  if (rateCol < 0) throw DataError.at(file, headerLine + 1, 'no "rate" column in the header', 'rate');
  const times: number[] = [];
  const rates: number[] = [];
  for (let i = headerLine + 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const line = i + 1;
    const cells = raw.split(',');
    const t = parseTime(cells[tsCol]?.trim() ?? '');
    if (!Number.isFinite(t)) throw DataError.at(file, line, `expected epoch milliseconds or an ISO-8601 time, got "${cells[tsCol] ?? ''}"`, 'timestamp');
    const r = Number(cells[rateCol]?.trim() ?? '');
    if (!(r > 0) || !Number.isFinite(r)) throw DataError.at(file, line, `expected a positive number, got "${cells[rateCol] ?? ''}"`, 'rate');
    if (times.length > 0 && t < times[times.length - 1]!) {
      throw DataError.at(file, line, `timestamps must ascend: ${cells[tsCol]!.trim()} is before the previous row`, 'timestamp');
    }
    times.push(t);
    rates.push(r);
  }
  return new RateSeries(base, quote, Float64Array.from(times), Float64Array.from(rates));
}

function parseTime(s: string): number {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return Number.NaN;
  const iso = s.includes('T') ? s : s.replace(' ', 'T');
  return Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
}

export const ConversionStatuses = ['ok', 'no_rate', 'stale_rate'] as const;
export type ConversionStatus = (typeof ConversionStatuses)[number];

/**
 * Multipliers from amounts in `from` to amounts in `to` at one event time (see the module comment for
 * which side is used). Call `update(t)` first; the fields then hold that time's values. With
 * `from === to` it is the identity and never stale.
 */
export class QuoteConverter {
  /** Multiplier for an amount paid (a buy leg's cost). */
  paid = 1;
  /** Multiplier for an amount received (a sell leg's proceeds). */
  received = 1;
  /** Multiplier at the mid rate. */
  mid = 1;
  /** The source's mid rate (1 base = rate quote), 1 for the identity. */
  rate = 1;
  /** Age of the rate at the last `update` (ms); 0 for the identity. */
  ageMs = 0;
  private readonly s: RateSample = { bid: 0, ask: 0, ts: 0 };
  /** true: to = from × rate (from is the source's base); false: to = from / rate. */
  private readonly multiply: boolean;

  constructor(
    readonly from: Asset,
    readonly to: Asset,
    readonly source: RateSource | undefined,
    readonly mode: RateMode = 'executable',
    /** A rate older than this (ms) is stale. */
    readonly maxAgeMs = Number.POSITIVE_INFINITY,
  ) {
    if (from === to) {
      this.multiply = true;
      return;
    }
    if (source === undefined) throw new RangeError(`no rate source to convert ${from} to ${to}`);
    if (source.base === from && source.quote === to) this.multiply = true;
    else if (source.base === to && source.quote === from) this.multiply = false;
    else throw new RangeError(`a ${source.base}/${source.quote} rate cannot convert ${from} to ${to}`);
  }

  get identity(): boolean {
    return this.source === undefined || this.from === this.to;
  }

  /** Sets the multipliers for event time `t`. */
  update(t: TimeMs): ConversionStatus {
    if (this.from === this.to || this.source === undefined) return 'ok';
    const s = this.s;
    if (!this.source.sample(t, s)) return 'no_rate';
    this.ageMs = t - s.ts;
    const { bid, ask } = s;
    this.rate = (bid + ask) / 2;
    if (this.multiply) {
      // from is the base (USDT → KRW): paid USDT is bought back at the ask, received USDT sold at the bid.
      this.mid = this.rate;
      this.paid = this.mode === 'mid' ? this.mid : ask;
      this.received = this.mode === 'mid' ? this.mid : bid;
    } else {
      // from is the quote (KRW → USDT): paid KRW is bought back by selling USDT at the bid, received
      // KRW buys USDT at the ask.
      this.mid = 2 / (bid + ask);
      this.paid = this.mode === 'mid' ? this.mid : 1 / bid;
      this.received = this.mode === 'mid' ? this.mid : 1 / ask;
    }
    return this.ageMs > this.maxAgeMs ? 'stale_rate' : 'ok';
  }

  /** The exact value of `paid` (from the decimals of the last sample). */
  paidRatio(): Ratio {
    if (this.identity) return ONE;
    const { bid, ask } = this.s;
    if (this.mode === 'mid') return this.midRatio();
    return this.multiply ? ratioOf(ask) : inverseOf(bid);
  }

  /** The exact value of `received`. */
  receivedRatio(): Ratio {
    if (this.identity) return ONE;
    const { bid, ask } = this.s;
    if (this.mode === 'mid') return this.midRatio();
    return this.multiply ? ratioOf(bid) : inverseOf(ask);
  }

  midRatio(): Ratio {
    if (this.identity) return ONE;
    const { bid, ask } = this.s;
    return this.multiply ? midOf(bid, ask) : inverseMidOf(bid, ask);
  }
}
