/**
 * Signal validation, shared by the CSV replay and the JSON-lines reader so both accept and refuse
 * exactly the same things with the same messages.
 *
 * Fields (CSV column / JSON key): `timestamp`, `exchange` (ccxt id), `symbol` (ccxt unified
 * `BASE/QUOTE`, optionally `:SETTLE`), `side` (buy|sell), `quantity` (> 0), optional `type`
 * (market|limit, default market), `price` (required and > 0 for limit orders; on a market order it is
 * kept as a reference price only — e.g. for slippage checks — and never turns it into a limit),
 * `risk` (0..1), `id` (default `<file basename>:<line>`, unique within a file).
 *
 * Control rows: `side` = halt | reduce | resume makes a ControlSignal for the run's kill switch. Only
 * `timestamp` (and `id`) are read from such a row; exchange, symbol, quantity and the rest may be empty
 * and are ignored. The order path pays one comparison for this: `buy`/`sell` are tested first.
 *
 * Arbitrage rows: `side` = arb makes an ArbSignal — buy `quantity` on `buy_exchange` (market `symbol`)
 * and sell it on `sell_exchange` (market `sell_symbol`, default `symbol`); `exchange`, `type` and
 * `price` are ignored, `risk` and `id` read as for orders. The arbitrage operator executes it.
 */
import { DataError } from '../core/errors.ts';
import { ControlActions, OrderTypes, Sides, type ArbSignal, type ControlAction, type OrderSignal, type Signal } from '../domain/types.ts';
import type { Decoder } from './decode.ts';
import { IdLines } from './id-lines.ts';
import type { ReadOptions } from './event-source.ts';
import {
  describeValue,
  expectInRange,
  expectOneOf,
  expectPositive,
  expectTimestamp,
  isAbsent,
} from './fields.ts';

export interface SignalReadOptions extends ReadOptions {
  readonly isKnownVenue?: (venue: string) => boolean;
  readonly isKnownMarket?: (venue: string, symbol: string) => boolean;
}

/** A signal as read, before validation: CSV cells (strings) or JSON values. */
export interface RawSignal {
  readonly timestamp?: unknown;
  readonly exchange?: unknown;
  readonly symbol?: unknown;
  readonly side?: unknown;
  readonly quantity?: unknown;
  readonly type?: unknown;
  readonly price?: unknown;
  readonly risk?: unknown;
  readonly id?: unknown;
  /** Arbitrage rows only. */
  readonly buy_exchange?: unknown;
  readonly sell_exchange?: unknown;
  readonly sell_symbol?: unknown;
}

export const SIGNAL_REQUIRED_FIELDS = ['timestamp', 'exchange', 'symbol', 'side', 'quantity'] as const;
export const SIGNAL_OPTIONAL_FIELDS = ['type', 'price', 'risk', 'id', 'buy_exchange', 'sell_exchange', 'sell_symbol'] as const;
export type SignalField = (typeof SIGNAL_REQUIRED_FIELDS)[number] | (typeof SIGNAL_OPTIONAL_FIELDS)[number];

// ccxt ids are lower-case alphanumerics (binance, binanceusdm, upbit, bitfinex2); be a little lenient.
const VENUE_ID = /^[a-z0-9][a-z0-9_.-]*$/;
// BASE/QUOTE, or BASE/QUOTE:SETTLE(-expiry-strike-type) for derivatives.
const UNIFIED_SYMBOL = /^[^\s/:]+\/[^\s/:]+(?::\S+)?$/;

function expectVenue(v: unknown, file: string, line: number, opts: SignalReadOptions, field = 'exchange'): string {
  if (typeof v !== 'string' || !VENUE_ID.test(v)) {
    throw DataError.at(file, line, `expected a ccxt exchange id (lower-case, e.g. "binance"), got ${describeValue(v)}`, field);
  }
  if (opts.isKnownVenue !== undefined && !opts.isKnownVenue(v)) {
    throw DataError.at(file, line, `expected a configured venue, got unknown venue ${describeValue(v)}`, field);
  }
  return v;
}

function expectSymbol(v: unknown, venue: string, file: string, line: number, opts: SignalReadOptions, field = 'symbol'): string {
  if (typeof v !== 'string' || !UNIFIED_SYMBOL.test(v)) {
    throw DataError.at(file, line, `expected a ccxt unified symbol like "BTC/USDT", got ${describeValue(v)}`, field);
  }
  if (opts.isKnownMarket !== undefined && !opts.isKnownMarket(venue, v)) {
    throw DataError.at(file, line, `expected a market listed on "${venue}", got unknown market ${describeValue(v)}`, field);
  }
  return v;
}

function expectId(v: unknown, file: string, line: number): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  throw DataError.at(file, line, `expected a non-empty string, got ${describeValue(v)}`, 'id');
}

/** A signal's fields once validated; what `validateSignal` builds the Signal from. */
interface SignalFields {
  ts: number;
  /** Set for a control row (then only `ts` and `id` are meaningful). */
  control: ControlAction | undefined;
  /** An arbitrage row: `venue`/`symbol` are the buy side, `sellVenue`/`sellSymbol` the sell side. */
  arb: boolean;
  sellVenue: string;
  sellSymbol: string;
  venue: string;
  symbol: string;
  side: OrderSignal['side'];
  quantity: number;
  type: OrderSignal['type'];
  price: number | undefined;
  risk: number | undefined;
  id: string;
}

/** Checks every field of `raw`, in order, into `f`; throws a DataError naming file, line and field. */
function checkSignal(raw: RawSignal, file: string, line: number, defaultId: string, opts: SignalReadOptions, f: SignalFields): void {
  f.ts = expectTimestamp(raw.timestamp, file, line, 'timestamp');
  const side = raw.side;
  if (side !== 'buy' && side !== 'sell') {
    const action = controlActionOf(side);
    if (action !== undefined) {
      f.control = action;
      f.id = isAbsent(raw.id) ? defaultId : expectId(raw.id, file, line);
      return;
    }
    if (isArb(side)) return checkArb(raw, file, line, defaultId, opts, f);
  }
  f.control = undefined;
  f.arb = false;
  f.venue = expectVenue(raw.exchange, file, line, opts);
  f.symbol = expectSymbol(raw.symbol, f.venue, file, line, opts);
  f.side = expectOneOf(raw.side, Sides, file, line, 'side');
  f.quantity = expectPositive(raw.quantity, file, line, 'quantity');
  f.type = isAbsent(raw.type) ? 'market' : expectOneOf(raw.type, OrderTypes, file, line, 'type');
  f.price = undefined;
  if (!isAbsent(raw.price)) f.price = expectPositive(raw.price, file, line, 'price');
  else if (f.type === 'limit') {
    throw DataError.at(file, line, 'expected a positive number (a limit order needs a price), got nothing', 'price');
  }
  f.risk = isAbsent(raw.risk) ? undefined : expectInRange(raw.risk, 0, 1, file, line, 'risk');
  f.id = isAbsent(raw.id) ? defaultId : expectId(raw.id, file, line);
}

/** The fields of an arbitrage row (see the module comment). */
function checkArb(raw: RawSignal, file: string, line: number, defaultId: string, opts: SignalReadOptions, f: SignalFields): void {
  f.control = undefined;
  f.arb = true;
  f.venue = expectVenue(raw.buy_exchange, file, line, opts, 'buy_exchange');
  f.symbol = expectSymbol(raw.symbol, f.venue, file, line, opts);
  f.sellVenue = expectVenue(raw.sell_exchange, file, line, opts, 'sell_exchange');
  if (f.sellVenue === f.venue) throw DataError.at(file, line, `expected a venue other than buy_exchange "${f.venue}"`, 'sell_exchange');
  f.sellSymbol = isAbsent(raw.sell_symbol) ? f.symbol : expectSymbol(raw.sell_symbol, f.sellVenue, file, line, opts, 'sell_symbol');
  if (isAbsent(raw.sell_symbol) && opts.isKnownMarket !== undefined && !opts.isKnownMarket(f.sellVenue, f.sellSymbol)) {
    throw DataError.at(file, line, `expected the market of "${f.sellVenue}" to sell on (${f.symbol} is not listed there), got nothing`, 'sell_symbol');
  }
  f.quantity = expectPositive(raw.quantity, file, line, 'quantity');
  f.price = undefined;
  f.risk = isAbsent(raw.risk) ? undefined : expectInRange(raw.risk, 0, 1, file, line, 'risk');
  f.id = isAbsent(raw.id) ? defaultId : expectId(raw.id, file, line);
}

function isArb(v: unknown): boolean {
  return v === 'arb' || (typeof v === 'string' && v.trim().toLowerCase() === 'arb');
}

/** The ArbSignal of validated arbitrage fields. */
function arbSignalOf(f: SignalFields, source: { file: string; line: number }): ArbSignal {
  const base = { kind: 'arb' as const, id: f.id, ts: f.ts, buyVenue: f.venue, buySymbol: f.symbol, sellVenue: f.sellVenue, sellSymbol: f.sellSymbol, quantity: f.quantity };
  return f.risk !== undefined ? { ...base, risk: f.risk, source } : { ...base, source };
}

/** `halt`, `reduce` or `resume` (any case, trimmed), else undefined. */
function controlActionOf(v: unknown): ControlAction | undefined {
  if (typeof v !== 'string') return undefined;
  for (const a of ControlActions) if (a === v) return a;
  // Only a value that could be one pays for lower-casing (an upper-case BUY must not, on every row).
  if (!/^\s*[hHrR]/.test(v)) return undefined;
  const low = v.trim().toLowerCase();
  for (const a of ControlActions) if (a === low) return a;
  return undefined;
}

const fields: SignalFields = { ts: 0, control: undefined, arb: false, sellVenue: '', sellSymbol: '', venue: '', symbol: '', side: 'buy', quantity: 0, type: 'market', price: undefined, risk: undefined, id: '' };

/** Validates one raw signal; throws a DataError naming file, line and field. */
export function validateSignal(
  raw: RawSignal,
  file: string,
  line: number,
  defaultId: string,
  opts: SignalReadOptions,
): Signal {
  const f = fields;
  checkSignal(raw, file, line, defaultId, opts, f);
  if (f.control !== undefined) return { kind: 'control', id: f.id, ts: f.ts, action: f.control, source: { file, line } };
  if (f.arb) return arbSignalOf(f, { file, line });
  const { id, ts, venue, symbol, side, quantity, type, price, risk } = f;
  const source = { file, line };
  // Optional fields are left out rather than set to undefined, so reports and JSON stay minimal.
  // Literals, not `{ ...base, … }`: a spread costs about a microsecond a row.
  if (price !== undefined && risk !== undefined) return { kind: 'order', id, ts, venue, symbol, side, quantity, type, price, risk, source };
  if (price !== undefined) return { kind: 'order', id, ts, venue, symbol, side, quantity, type, price, source };
  if (risk !== undefined) return { kind: 'order', id, ts, venue, symbol, side, quantity, type, risk, source };
  return { kind: 'order', id, ts, venue, symbol, side, quantity, type, source };
}

/**
 * `validateSignal` into one reused object (see ReadOptions.reuseEvents): `price` and `risk` are
 * present with the value undefined when not given, which readers that test `!== undefined` do not
 * tell apart.
 */
function validateSignalInto(
  raw: RawSignal,
  file: string,
  line: number,
  defaultId: string,
  opts: SignalReadOptions,
  out: ScratchSignal,
  control: ScratchControl,
): Signal {
  checkSignal(raw, file, line, defaultId, opts, out);
  if (out.control !== undefined) {
    control.id = out.id;
    control.ts = out.ts;
    control.action = out.control;
    control.source.line = line;
    return control;
  }
  if (out.arb) return arbSignalOf(out, { file, line });
  out.source.line = line;
  return out as unknown as Signal;
}

interface ScratchSignal extends SignalFields {
  readonly kind: 'order';
  readonly source: { file: string; line: number };
}

interface ScratchControl {
  readonly kind: 'control';
  id: string;
  ts: number;
  action: ControlAction;
  readonly source: { file: string; line: number };
}

/**
 * A stateful decoder for one signal file: validation per row, then (after the shared time-order
 * check) id uniqueness. `idPrefix` is the file's basename, for default ids.
 */
export function signalDecoder<R>(
  file: string,
  idPrefix: string,
  opts: SignalReadOptions,
  toRaw: (row: R, line: number) => RawSignal | undefined,
): Decoder<R, Signal> {
  // Every id of the file with its first line: compact, since a signal file can have millions.
  const seen = new IdLines();
  const scratch: ScratchSignal | undefined = opts.reuseEvents
    ? { kind: 'order', ts: 0, control: undefined, arb: false, sellVenue: '', sellSymbol: '', venue: '', symbol: '', side: 'buy', quantity: 0, type: 'market', price: undefined, risk: undefined, id: '', source: { file, line: 0 } }
    : undefined;
  const scratchControl: ScratchControl = { kind: 'control', id: '', ts: 0, action: 'halt', source: { file, line: 0 } };
  return {
    tsField: 'timestamp',
    decode: (row, line) => {
      const raw = toRaw(row, line);
      if (raw === undefined) return undefined;
      const defaultId = `${idPrefix}:${line}`;
      return scratch === undefined ? validateSignal(raw, file, line, defaultId, opts) : validateSignalInto(raw, file, line, defaultId, opts, scratch, scratchControl);
    },
    accept: (s, line) => {
      const first = seen.get(s.id);
      if (first !== undefined) {
        throw DataError.at(file, line, `expected a unique id, got ${describeValue(s.id)} already used on line ${first}`, 'id');
      }
      seen.set(s.id, line);
    },
  };
}
