/**
 * Per-venue and per-(venue, symbol) tables, grouped with danfojs from the per-market aggregates in
 * `FillStats` — one row per (venue, symbol), not one per fill, so the frame stays tiny whatever the
 * run's length.
 *
 * danfojs works in floats, so money here goes through `attoToNumber`: these figures are for reading,
 * and the exact totals (fees_paid, turnover, balances) are formatted from bigints elsewhere. Per-symbol
 * figures are exact sums converted once; per-venue ones add a few of those as floats.
 *
 * danfojs is loaded lazily, the first time a breakdown is computed, and never by a module that merely
 * imports this one. Loaded whole it costs ~0.55 s and ~106 MB, most of it in dependencies a grouping
 * never touches (see `loadDanfo`).
 *
 * Amounts that mix assets are keyed by asset: a venue's volume is per base asset, its notional and
 * realized P&L per quote asset, fees per fee asset — adding BTC to ETH or KRW to USDT means nothing.
 */
import Module, { createRequire } from 'node:module';
import type { FillStats } from '../domain/run-result.ts';
import type { Asset, MarketSymbol, VenueId } from '../domain/types.ts';
import { attoToNumber } from '../domain/money.ts';
import { splitSymbol } from './metrics.ts';

type Danfo = typeof import('danfojs');
type Frame = InstanceType<Danfo['DataFrame']>;

export type AssetAmounts = Record<Asset, number>;

export interface SymbolBreakdown {
  readonly fills: number;
  readonly buy_volume: number;
  readonly sell_volume: number;
  readonly notional: number;
  readonly fees: AssetAmounts;
  readonly realized_pnl: number;
}

export interface VenueBreakdown {
  readonly fills: number;
  readonly buy_volume: AssetAmounts;
  readonly sell_volume: AssetAmounts;
  readonly notional: AssetAmounts;
  readonly fees: AssetAmounts;
  readonly realized_pnl: AssetAmounts;
}

export interface Breakdowns {
  readonly perVenue: Record<VenueId, VenueBreakdown>;
  readonly perSymbol: Record<VenueId, Record<MarketSymbol, SymbolBreakdown>>;
}

let danfo: Promise<Danfo> | undefined;

/** The danfojs module, loaded on first use and shared afterwards. */
export function loadDanfo(): Promise<Danfo> {
  danfo ??= new Promise<Danfo>((resolve) => resolve(requireDanfo()));
  return danfo;
}

/**
 * danfojs's own dependencies that building a frame and grouping it never use at load time: a maths
 * library (mathjs, ~0.4 s and ~70 MB by itself), Excel and CSV IO, plotting, text tables, and
 * TensorFlow.js (which a grouping does use, so it loads then). While danfojs loads, each `require` of
 * one of these gets a stand-in that loads the real module the first time anything touches it: danfojs
 * works exactly as before, and only what it never uses is never paid for (~20 ms and ~8 MB to load,
 * ~30 MB once a grouping has pulled in TensorFlow.js).
 */
const DEFERRED = new Set(['mathjs', 'xlsx', 'plotly.js-dist-min', '@tensorflow/tfjs', 'table', 'papaparse']);

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;

function requireDanfo(): Danfo {
  const loader = Module as unknown as { _load: Load };
  const load = loader._load;
  loader._load = function deferring(request, parent, isMain) {
    if (!DEFERRED.has(request)) return load.call(loader, request, parent, isMain);
    return deferredModule(() => load.call(loader, request, parent, isMain));
  };
  try {
    return createRequire(import.meta.url)('danfojs') as Danfo;
  } finally {
    loader._load = load;
  }
}

/** A stand-in for a module's exports that loads the module (`load`) on first use and forwards to it. */
function deferredModule(load: () => unknown): unknown {
  let real: object | undefined;
  const target = (): object => (real ??= load() as object);
  // A function target, so a module that exports a function can be called through the stand-in.
  return new Proxy(() => {}, {
    get: (_t, key) => Reflect.get(target(), key),
    set: (_t, key, value) => Reflect.set(target(), key, value),
    has: (_t, key) => Reflect.has(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_t, key) => {
      const d = Reflect.getOwnPropertyDescriptor(target(), key);
      // A proxy may not report a property its target lacks as non-configurable.
      return d === undefined ? undefined : { ...d, configurable: true };
    },
    defineProperty: (_t, key, d) => Reflect.defineProperty(target(), key, d),
    deleteProperty: (_t, key) => Reflect.deleteProperty(target(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(target()),
    apply: (_t, self, args) => Reflect.apply(target() as (...a: unknown[]) => unknown, self, args),
    construct: (_t, args) => Reflect.construct(target() as new (...a: unknown[]) => object, args),
  });
}

/** Tables by venue and by (venue, symbol). Loads danfojs unless nothing was filled. */
export async function computeBreakdowns(stats: FillStats): Promise<Breakdowns> {
  // danfojs cannot group an empty frame ("end must be greater than start"), and needs no loading then.
  if (stats.markets.length === 0) return { perVenue: {}, perSymbol: {} };
  const dfd = await loadDanfo();
  const { markets, fees } = frames(dfd, stats);

  const perSymbol: Record<VenueId, Record<MarketSymbol, SymbolBreakdown>> = {};
  const symbolFees: Record<string, Record<string, AssetAmounts>> = {};
  for (const [venue, symbol, asset, fee] of rows(fees, ['venue', 'symbol', 'fee_asset', 'fee'])) {
    ((symbolFees[String(venue)] ??= {})[String(symbol)] ??= {})[String(asset)] = Number(fee);
  }
  for (const [venue, symbol, count, buy, sell, notional, pnl] of rows(markets, [
    'venue', 'symbol', 'fills', 'buy', 'sell', 'notional', 'pnl',
  ])) {
    (perSymbol[String(venue)] ??= {})[String(symbol)] = {
      fills: Number(count),
      buy_volume: Number(buy),
      sell_volume: Number(sell),
      notional: Number(notional),
      fees: symbolFees[String(venue)]?.[String(symbol)] ?? {},
      realized_pnl: Number(pnl),
    };
  }

  const buy = nested2(markets, ['venue', 'base'], 'buy');
  const sell = nested2(markets, ['venue', 'base'], 'sell');
  const notional = nested2(markets, ['venue', 'quote'], 'notional');
  const pnl = nested2(markets, ['venue', 'quote'], 'pnl');
  const venueFees = nested2(fees, ['venue', 'fee_asset'], 'fee');
  const perVenue: Record<VenueId, VenueBreakdown> = {};
  for (const [venue, count] of rows(markets.groupby(['venue']).agg({ fills: 'sum' }), ['venue', 'fills_sum'])) {
    const v = String(venue);
    perVenue[v] = {
      fills: Number(count),
      buy_volume: buy[v] ?? {},
      sell_volume: sell[v] ?? {},
      notional: notional[v] ?? {},
      fees: venueFees[v] ?? {},
      realized_pnl: pnl[v] ?? {},
    };
  }
  return { perVenue, perSymbol };
}

/**
 * `markets`: one row per (venue, symbol), buy and sell volumes in separate columns so one `sum` gives
 * each side. `fees`: one row per (venue, symbol, fee asset), since a market may charge in several.
 */
function frames(dfd: Danfo, stats: FillStats): { markets: Frame; fees: Frame } {
  const m = { venue: [] as string[], symbol: [] as string[], base: [] as string[], quote: [] as string[] };
  const v = { fills: [] as number[], buy: [] as number[], sell: [] as number[], notional: [] as number[], pnl: [] as number[] };
  const f = { venue: [] as string[], symbol: [] as string[], fee_asset: [] as string[], fee: [] as number[] };
  for (const s of stats.markets) {
    const { base, quote } = splitSymbol(s.symbol);
    m.venue.push(s.venue);
    m.symbol.push(s.symbol);
    m.base.push(base);
    m.quote.push(quote);
    v.fills.push(s.fills);
    v.buy.push(attoToNumber(s.buyVolume));
    v.sell.push(attoToNumber(s.sellVolume));
    v.notional.push(attoToNumber(s.notional));
    v.pnl.push(attoToNumber(s.realizedPnl));
    for (const [asset, fee] of s.fees) {
      f.venue.push(s.venue);
      f.symbol.push(s.symbol);
      f.fee_asset.push(asset);
      f.fee.push(attoToNumber(fee));
    }
  }
  // Column dtypes are given rather than inferred, so they cannot change with what the data looks like
  // (a venue named "123" stays a string). 'float32' is danfojs's name for its float dtype; values stay
  // JS doubles, checked in the tests.
  const markets = new dfd.DataFrame(
    { ...m, ...v },
    { dtypes: ['string', 'string', 'string', 'string', 'int32', 'float32', 'float32', 'float32', 'float32'] },
  );
  const fees = new dfd.DataFrame(f, { dtypes: ['string', 'string', 'string', 'float32'] });
  return { markets, fees };
}

/** `{ k1: { k2: Σ value } }` over a two-key grouping. */
function nested2(df: Frame, keys: [string, string], value: string): Record<string, AssetAmounts> {
  const out: Record<string, AssetAmounts> = {};
  for (const [a, b, sum] of rows(df.groupby(keys).agg({ [value]: 'sum' }), [...keys, `${value}_sum`])) {
    (out[String(a)] ??= {})[String(b)] = Number(sum);
  }
  return out;
}

/** The rows of a frame with its columns in the order asked, whatever order danfojs chose. */
function rows(frame: Frame, columns: readonly string[]): unknown[][] {
  const index = columns.map((c) => {
    const i = frame.columns.indexOf(c);
    if (i < 0) throw new Error(`danfojs result has no column "${c}" (has ${frame.columns.join(', ')})`);
    return i;
  });
  return (frame.values as unknown[][]).map((row) => index.map((i) => row[i]));
}
