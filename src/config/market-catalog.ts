/**
 * Market definitions (precision and limits) per venue: the ones shipped in `data/markets/`, plus any
 * file the user names (same format, or a ccxt `loadMarkets()` dump under `markets`). A market with no
 * definition can be inferred from its data, with a warning.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { decimalsOf } from '../domain/precision.ts';
import type { MarketDef, MarketSymbol, VenueId } from '../domain/types.ts';

export const SHIPPED_MARKETS_DIR = fileURLToPath(new URL('../../data/markets/', import.meta.url));

export type MarketCatalog = Map<VenueId, Map<MarketSymbol, MarketDef>>;

interface MarketFile {
  venue?: unknown;
  markets?: unknown;
}

function fail(file: string, field: string, msg: string): never {
  throw new ConfigError(`${file}: field "${field}": ${msg}`, { file, field });
}

function num(v: unknown, file: string, field: string, required: boolean): number | undefined {
  if (v === undefined || v === null) {
    if (required) fail(file, field, 'expected a positive number, got nothing');
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(file, field, `expected a non-negative number, got ${JSON.stringify(v)}`);
  return v;
}

/** Validates one market entry of a definitions file. */
function parseMarket(venue: VenueId, raw: unknown, file: string, field: string): MarketDef {
  if (typeof raw !== 'object' || raw === null) fail(file, field, 'expected a market object');
  const m = raw as Record<string, any>;
  const symbol = m.symbol;
  if (typeof symbol !== 'string' || !/^[A-Z0-9]+\/[A-Z0-9]+/.test(symbol)) fail(file, `${field}.symbol`, 'expected a unified symbol such as BTC/USDT');
  const [base, quoteRaw] = symbol.split('/') as [string, string];
  const quote = quoteRaw.split(':')[0]!;
  const tick = num(m.precision?.price, file, `${field}.precision.price`, true)!;
  const step = num(m.precision?.amount, file, `${field}.precision.amount`, true)!;
  if (tick <= 0 || step <= 0) fail(file, `${field}.precision`, 'tick and step must be positive (TICK_SIZE precision mode)');
  const tickTable = Array.isArray(m.tickTable)
    ? m.tickTable.map((r: any, i: number) => ({
        from: num(r?.from, file, `${field}.tickTable.${i}.from`, true)!,
        tick: num(r?.tick, file, `${field}.tickTable.${i}.tick`, true)!,
      }))
    : undefined;
  const mm = (o: any, f: string) => ({
    ...(num(o?.min, file, `${f}.min`, false) !== undefined ? { min: o.min as number } : {}),
    ...(num(o?.max, file, `${f}.max`, false) !== undefined ? { max: o.max as number } : {}),
  });
  return {
    venue,
    symbol,
    ...(typeof m.id === 'string' ? { id: m.id } : {}),
    base: typeof m.base === 'string' ? m.base : base,
    quote: typeof m.quote === 'string' ? m.quote : quote,
    precision: { price: tick, amount: step },
    limits: {
      amount: mm(m.limits?.amount, `${field}.limits.amount`),
      price: mm(m.limits?.price, `${field}.limits.price`),
      cost: mm(m.limits?.cost, `${field}.limits.cost`),
    },
    ...(tickTable ? { tickTable } : {}),
    ...(num(m.maker, file, `${field}.maker`, false) !== undefined ? { maker: m.maker } : {}),
    ...(num(m.taker, file, `${field}.taker`, false) !== undefined ? { taker: m.taker } : {}),
  };
}

/** Reads a definitions file into `catalog` (later files override earlier ones per symbol). */
export function loadMarketFile(file: string, catalog: MarketCatalog, venueHint?: VenueId): void {
  let parsed: MarketFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as MarketFile;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${file}: cannot read market definitions (${code ?? (err as Error).message})`, { file }, { cause: err });
  }
  const venue = typeof parsed.venue === 'string' ? parsed.venue : venueHint;
  if (!venue) fail(file, 'venue', 'expected the ccxt exchange id these markets belong to');
  const list = Array.isArray(parsed.markets)
    ? parsed.markets
    : parsed.markets && typeof parsed.markets === 'object'
      ? Object.values(parsed.markets)
      : fail(file, 'markets', 'expected a list (or a ccxt loadMarkets() object) of markets');
  let perVenue = catalog.get(venue);
  if (!perVenue) catalog.set(venue, (perVenue = new Map()));
  list.forEach((raw, i) => {
    const def = parseMarket(venue, raw, file, `markets.${i}`);
    perVenue.set(def.symbol, def);
  });
}

/** The shipped definitions (Binance, Upbit, Binance.US, Kraken spot) plus `extraFiles`. */
export function loadMarketCatalog(extraFiles: readonly string[] = []): MarketCatalog {
  const catalog: MarketCatalog = new Map();
  for (const f of readdirSync(SHIPPED_MARKETS_DIR).filter((n) => n.endsWith('.json')).sort()) {
    loadMarketFile(path.join(SHIPPED_MARKETS_DIR, f), catalog);
  }
  for (const f of extraFiles) loadMarketFile(f, catalog);
  return catalog;
}

/**
 * A definition guessed from observed prices: the tick is the finest decimal seen, the lot 1e-8, no
 * minimums. Only for data whose venue publishes no definition here; the run warns about it.
 */
export function inferMarket(venue: VenueId, symbol: MarketSymbol, samplePrices: readonly number[]): MarketDef {
  const [base, quote] = symbol.split('/') as [string, string];
  let decimals = 0;
  for (const p of samplePrices) {
    if (!(p > 0)) continue;
    const s = String(p);
    const dot = s.indexOf('.');
    if (s.includes('e')) decimals = Math.max(decimals, 8);
    else if (dot >= 0) decimals = Math.max(decimals, s.length - dot - 1);
  }
  const tick = Number((10 ** -Math.min(decimals, 12)).toFixed(Math.min(decimals, 12)));
  decimalsOf(tick);
  return { venue, symbol, base, quote, precision: { price: tick, amount: 1e-8 }, limits: {} };
}
