/**
 * Columnar batches: how a parse worker hands events to the main thread.
 *
 * A batch of N events becomes a few typed arrays of length N (time, prices, quantities, flag bits)
 * whose buffers are *transferred*, not copied, plus, for signals, the few strings that cannot be
 * numbers: markets are interned (an index per row, new names sent once) and explicit ids travel as
 * one joined string with end offsets. Structured clone of typed arrays is a memcpy; of a million event
 * objects it is a million allocations on each side, which is what this avoids.
 *
 * `pack*` runs in the worker over events its reader already decoded and validated; `unpack*` builds
 * on the main thread exactly the objects the in-thread readers build (same fields, same order, same
 * optional fields left out), so everything downstream sees no difference.
 */
import { ControlActions, type BookLevelEvent, type CandleEvent, type MarketEvent, type Signal, type TradeEvent } from '../domain/types.ts';

/** Market data of one kind (a market file holds one kind throughout). */
export interface MarketColumns {
  readonly t: 'market';
  readonly kind: MarketEvent['kind'];
  readonly n: number;
  readonly ts: Float64Array;
  /** level/trade: price; candle: open. */
  readonly a: Float64Array;
  /** level/trade: quantity; candle: volume. */
  readonly b: Float64Array;
  /** candle only: high, low, close (empty otherwise). */
  readonly c: Float64Array;
  readonly d: Float64Array;
  readonly e: Float64Array;
  /** level: bit 0 ask, bit 1 snapshot, bit 2 reset. trade: 0 no side, 1 buy, 2 sell. */
  readonly flags: Uint8Array;
}

export interface SignalColumns {
  readonly t: 'signals';
  readonly n: number;
  readonly ts: Float64Array;
  readonly line: Float64Array;
  readonly quantity: Float64Array;
  readonly price: Float64Array;
  readonly risk: Float64Array;
  /** Index into the markets interned so far (`newMarkets` of this and earlier batches). */
  readonly market: Uint32Array;
  readonly flags: Uint8Array;
  /** Markets first seen in this batch, `[venue, symbol]`, numbered on from the previous ones. */
  readonly newMarkets: ReadonlyArray<readonly [string, string]>;
  /** Explicit ids (rows without the default-id flag), joined; row i's id ends at `idEnd[i]`. */
  readonly ids: string;
  readonly idEnd: Uint32Array;
}

const L_ASK = 1;
const L_SNAPSHOT = 2;
const L_RESET = 4;

const S_SELL = 1;
const S_LIMIT = 2;
const S_PRICE = 4;
const S_RISK = 8;
const S_DEFAULT_ID = 16;
/** A control row (halt/reduce/resume): its action's index in ControlActions is in bits 6–7. */
const S_CONTROL = 32;
const S_ACTION_SHIFT = 6;
/** `market` of a control row, which names none. */
const NO_MARKET = 0xffffffff;
/**
 * An arbitrage row: S_CONTROL with action bits 3 (past the control actions). Its buy market is in
 * `market`, its sell market's index in `price` (an integer, exact in a double).
 */
const S_ARB = S_CONTROL | (3 << S_ACTION_SHIFT);

/** The buffers to transfer with a batch. */
export function transferList(b: MarketColumns | SignalColumns): ArrayBuffer[] {
  const arrays =
    b.t === 'market' ? [b.ts, b.a, b.b, b.c, b.d, b.e, b.flags] : [b.ts, b.line, b.quantity, b.price, b.risk, b.market, b.flags, b.idEnd];
  return arrays.map((x) => x.buffer as ArrayBuffer);
}

/**
 * Worker side: columns filled event by event, handed out in batches of `capacity` rows (the reader's
 * own batches are smaller, so the worker never holds thousands of decoded rows at once).
 */
export interface ColumnBuilder<T, C extends { readonly n: number }> {
  /** Appends one event; returns true when the batch is full and should be taken. */
  add(ev: T): boolean;
  /** Rows added since the last `take`. */
  readonly size: number;
  /** The rows added so far as a batch (its buffers are then owned by the caller), and a fresh batch. */
  take(): C;
}

const EMPTY = new Float64Array(0);

/** Market events (all of one kind, as a market file yields) into MarketColumns. */
export class MarketColumnsBuilder implements ColumnBuilder<MarketEvent, MarketColumns> {
  private kind: MarketEvent['kind'] = 'level';
  private ts!: Float64Array;
  private a!: Float64Array;
  private b!: Float64Array;
  private c!: Float64Array;
  private d!: Float64Array;
  private e!: Float64Array;
  private flags!: Uint8Array;
  size = 0;

  constructor(private readonly capacity: number) {
    this.reset();
  }

  add(ev: MarketEvent): boolean {
    const i = this.size;
    if (i === 0) {
      this.kind = ev.kind;
      if (ev.kind === 'candle' && this.c.length === 0) {
        this.c = new Float64Array(this.capacity);
        this.d = new Float64Array(this.capacity);
        this.e = new Float64Array(this.capacity);
      }
    }
    this.ts[i] = ev.ts;
    switch (ev.kind) {
      case 'level':
        this.a[i] = ev.price;
        this.b[i] = ev.quantity;
        this.flags[i] = (ev.side === 'ask' ? L_ASK : 0) | (ev.snapshot ? L_SNAPSHOT : 0) | (ev.reset ? L_RESET : 0);
        break;
      case 'trade':
        this.a[i] = ev.price;
        this.b[i] = ev.quantity;
        this.flags[i] = ev.side === undefined ? 0 : ev.side === 'buy' ? 1 : 2;
        break;
      case 'candle':
        this.a[i] = ev.open;
        this.c[i] = ev.high;
        this.d[i] = ev.low;
        this.e[i] = ev.close;
        this.b[i] = ev.volume;
        break;
    }
    this.size = i + 1;
    return this.size === this.capacity;
  }

  take(): MarketColumns {
    const n = this.size;
    const trim = <A extends Float64Array | Uint8Array>(x: A): A => (x.length === n ? x : (x.slice(0, n) as A));
    const candle = this.kind === 'candle';
    const out: MarketColumns = {
      t: 'market',
      kind: this.kind,
      n,
      ts: trim(this.ts),
      a: trim(this.a),
      b: trim(this.b),
      c: candle ? trim(this.c) : EMPTY.slice(),
      d: candle ? trim(this.d) : EMPTY.slice(),
      e: candle ? trim(this.e) : EMPTY.slice(),
      flags: trim(this.flags),
    };
    this.reset();
    return out;
  }

  private reset(): void {
    const cap = this.capacity;
    this.ts = new Float64Array(cap);
    this.a = new Float64Array(cap);
    this.b = new Float64Array(cap);
    this.flags = new Uint8Array(cap);
    // Candle-only columns are allocated by the first candle.
    const candle = this.kind === 'candle' && this.size > 0;
    this.c = candle ? new Float64Array(cap) : EMPTY;
    this.d = candle ? new Float64Array(cap) : EMPTY;
    this.e = candle ? new Float64Array(cap) : EMPTY;
    this.size = 0;
  }
}

/** Packs one batch of market events (all of one kind); for tests and one-off use. */
export function packMarket(events: readonly MarketEvent[]): MarketColumns {
  const builder = new MarketColumnsBuilder(Math.max(1, events.length));
  for (const ev of events) builder.add(ev);
  return builder.take();
}

/** Rebuilds the events of a market batch, tagged with the venue and symbol the file is read for. */
export function unpackMarket(cols: MarketColumns, venue: string, symbol: string): MarketEvent[] {
  const { n, ts, a, b, flags } = cols;
  const out = new Array<MarketEvent>(n);
  switch (cols.kind) {
    case 'level':
      for (let i = 0; i < n; i++) {
        const f = flags[i]!;
        out[i] = {
          kind: 'level',
          ts: ts[i]!,
          venue,
          symbol,
          side: f & L_ASK ? 'ask' : 'bid',
          price: a[i]!,
          quantity: b[i]!,
          snapshot: (f & L_SNAPSHOT) !== 0,
          reset: (f & L_RESET) !== 0,
        };
      }
      return out;
    case 'trade':
      for (let i = 0; i < n; i++) {
        const f = flags[i]!;
        out[i] = { kind: 'trade', ts: ts[i]!, venue, symbol, price: a[i]!, quantity: b[i]!, side: f === 0 ? undefined : f === 1 ? 'buy' : 'sell' };
      }
      return out;
    case 'candle': {
      const { c, d, e } = cols;
      for (let i = 0; i < n; i++) {
        out[i] = { kind: 'candle', ts: ts[i]!, venue, symbol, open: a[i]!, high: c[i]!, low: d[i]!, close: e[i]!, volume: b[i]! };
      }
      return out;
    }
  }
}

/** Worker side of the signal columns: interns markets across the batches of one file. */
export class SignalColumnsBuilder implements ColumnBuilder<Signal, SignalColumns> {
  private readonly markets = new Map<string, number>();
  private ts!: Float64Array;
  private line!: Float64Array;
  private quantity!: Float64Array;
  private price!: Float64Array;
  private risk!: Float64Array;
  private market!: Uint32Array;
  private flags!: Uint8Array;
  private idEnd!: Uint32Array;
  private newMarkets: Array<readonly [string, string]> = [];
  private ids: string[] = [];
  private idLen = 0;
  size = 0;

  constructor(
    private readonly defaultIdPrefix: string,
    private readonly capacity: number,
  ) {
    this.reset();
  }

  add(s: Signal): boolean {
    const i = this.size;
    this.ts[i] = s.ts;
    this.line[i] = s.source!.line;
    if (s.kind === 'control') return this.addControl(i, s);
    if (s.kind === 'arb') return this.addArb(i, s);
    this.quantity[i] = s.quantity;
    this.price[i] = s.price ?? Number.NaN;
    this.risk[i] = s.risk ?? Number.NaN;
    this.market[i] = this.intern(s.venue, s.symbol);
    let f = (s.side === 'sell' ? S_SELL : 0) | (s.type === 'limit' ? S_LIMIT : 0);
    if (s.price !== undefined) f |= S_PRICE;
    if (s.risk !== undefined) f |= S_RISK;
    if (s.id === `${this.defaultIdPrefix}:${s.source!.line}`) f |= S_DEFAULT_ID;
    else {
      this.ids.push(s.id);
      this.idLen += s.id.length;
    }
    this.idEnd[i] = this.idLen;
    this.flags[i] = f;
    this.size = i + 1;
    return this.size === this.capacity;
  }

  private intern(venue: string, symbol: string): number {
    const key = `${venue}\u0000${symbol}`;
    let m = this.markets.get(key);
    if (m === undefined) {
      m = this.markets.size;
      this.markets.set(key, m);
      this.newMarkets.push([venue, symbol]);
    }
    return m;
  }

  private addArb(i: number, s: Extract<Signal, { kind: 'arb' }>): boolean {
    this.quantity[i] = s.quantity;
    this.risk[i] = s.risk ?? Number.NaN;
    this.market[i] = this.intern(s.buyVenue, s.buySymbol);
    this.price[i] = this.intern(s.sellVenue, s.sellSymbol);
    let f = S_ARB | (s.risk !== undefined ? S_RISK : 0);
    if (s.id === `${this.defaultIdPrefix}:${s.source!.line}`) f |= S_DEFAULT_ID;
    else {
      this.ids.push(s.id);
      this.idLen += s.id.length;
    }
    this.idEnd[i] = this.idLen;
    this.flags[i] = f;
    this.size = i + 1;
    return this.size === this.capacity;
  }

  private addControl(i: number, s: Extract<Signal, { kind: 'control' }>): boolean {
    this.quantity[i] = Number.NaN;
    this.price[i] = Number.NaN;
    this.risk[i] = Number.NaN;
    this.market[i] = NO_MARKET;
    let f = S_CONTROL | (ControlActions.indexOf(s.action) << S_ACTION_SHIFT);
    if (s.id === `${this.defaultIdPrefix}:${s.source!.line}`) f |= S_DEFAULT_ID;
    else {
      this.ids.push(s.id);
      this.idLen += s.id.length;
    }
    this.idEnd[i] = this.idLen;
    this.flags[i] = f;
    this.size = i + 1;
    return this.size === this.capacity;
  }

  take(): SignalColumns {
    const n = this.size;
    const trim = <A extends Float64Array | Uint32Array | Uint8Array>(x: A): A => (x.length === n ? x : (x.slice(0, n) as A));
    const out: SignalColumns = {
      t: 'signals',
      n,
      ts: trim(this.ts),
      line: trim(this.line),
      quantity: trim(this.quantity),
      price: trim(this.price),
      risk: trim(this.risk),
      market: trim(this.market),
      flags: trim(this.flags),
      newMarkets: this.newMarkets,
      ids: this.ids.join(''),
      idEnd: trim(this.idEnd),
    };
    this.reset();
    return out;
  }

  private reset(): void {
    const cap = this.capacity;
    this.ts = new Float64Array(cap);
    this.line = new Float64Array(cap);
    this.quantity = new Float64Array(cap);
    this.price = new Float64Array(cap);
    this.risk = new Float64Array(cap);
    this.market = new Uint32Array(cap);
    this.flags = new Uint8Array(cap);
    this.idEnd = new Uint32Array(cap);
    this.newMarkets = [];
    this.ids = [];
    this.idLen = 0;
    this.size = 0;
  }
}

/** Main-thread side of the signal columns for one file. Batches must be given in the order they came. */
export class SignalUnpacker {
  private readonly markets: Array<readonly [string, string]> = [];
  private last: SignalColumns | undefined;

  constructor(
    private readonly file: string,
    private readonly defaultIdPrefix: string,
  ) {}

  /** Every signal of a batch. */
  unpack(cols: SignalColumns): Signal[] {
    const out = new Array<Signal>(cols.n);
    for (let i = 0; i < cols.n; i++) out[i] = this.at(cols, i);
    return out;
  }

  /** Signal `i` of a batch, built as validateSignal builds it (same fields, same key order). */
  at(cols: SignalColumns, i: number): Signal {
    if (cols !== this.last) {
      for (const m of cols.newMarkets) this.markets.push(m);
      this.last = cols;
    }
    const f = cols.flags[i]!;
    const line = cols.line[i]!;
    const id = f & S_DEFAULT_ID ? `${this.defaultIdPrefix}:${line}` : cols.ids.slice(i === 0 ? 0 : cols.idEnd[i - 1]!, cols.idEnd[i]!);
    const source = { file: this.file, line };
    const ts = cols.ts[i]!;
    if ((f & S_ARB) === S_ARB) {
      const [buyVenue, buySymbol] = this.markets[cols.market[i]!]!;
      const [sellVenue, sellSymbol] = this.markets[cols.price[i]!]!;
      const base = { kind: 'arb' as const, id, ts, buyVenue, buySymbol, sellVenue, sellSymbol, quantity: cols.quantity[i]! };
      return f & S_RISK ? { ...base, risk: cols.risk[i]!, source } : { ...base, source };
    }
    if (f & S_CONTROL) return { kind: 'control', id, ts, action: ControlActions[f >>> S_ACTION_SHIFT]!, source };
    const [venue, symbol] = this.markets[cols.market[i]!]!;
    const side = f & S_SELL ? 'sell' : 'buy';
    const quantity = cols.quantity[i]!;
    const type = f & S_LIMIT ? 'limit' : 'market';
    // Optional fields are left out, not set to undefined.
    if (f & S_PRICE && f & S_RISK) {
      return { kind: 'order', id, ts, venue, symbol, side, quantity, type, price: cols.price[i]!, risk: cols.risk[i]!, source };
    }
    if (f & S_PRICE) return { kind: 'order', id, ts, venue, symbol, side, quantity, type, price: cols.price[i]!, source };
    if (f & S_RISK) return { kind: 'order', id, ts, venue, symbol, side, quantity, type, risk: cols.risk[i]!, source };
    return { kind: 'order', id, ts, venue, symbol, side, quantity, type, source };
  }
}

/** Level flags of a MarketColumns row. */
export const LEVEL_ASK = L_ASK;
export const LEVEL_SNAPSHOT = L_SNAPSHOT;
export const LEVEL_RESET = L_RESET;
