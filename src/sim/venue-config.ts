/**
 * Configuration of one simulated venue, checked once at construction: a bad field is a ConfigError
 * naming it, not a NaN discovered a million events later.
 */
import { ConfigError } from '../core/errors.ts';
import type { Asset, Atto, MarketDef, MarketSymbol, VenueId } from '../domain/types.ts';

export interface SimulatedVenueConfig {
  venue: VenueId;
  markets: ReadonlyMap<MarketSymbol, MarketDef>;
  /** Fee rates, e.g. 0.001. When absent, each market's own `maker`/`taker` (else 0) applies. */
  fees?: { maker: number; taker: number };
  /** Event-time latency of every command, ms. */
  latencyMs: number;
  fillModel: 'book' | 'bar';
  /** Bar model only: adverse slippage in basis points, default 0. */
  slippageBps?: number;
  /** Synthetic book for candle data; defaults in DEFAULT_CANDLE_BOOK. */
  candleBook?: { spreadBps: number; levels: number; levelStepBps: number; depthFraction: number };
  /** Initial venue balances. */
  balances: ReadonlyMap<Asset, Atto>;
}

/** Throws ConfigError on the first invalid field. */
export function validateConfig(cfg: SimulatedVenueConfig): void {
  const bad = (field: string, why: string): never => {
    throw new ConfigError(`simulated venue ${cfg.venue}: ${field} ${why}`, { field });
  };
  if (!(cfg.latencyMs >= 0)) bad('latencyMs', `must be ≥ 0, got ${cfg.latencyMs}`);
  const rates: Array<[string, number | undefined]> = [];
  if (cfg.fees) rates.push(['fees.maker', cfg.fees.maker], ['fees.taker', cfg.fees.taker]);
  for (const [symbol, def] of cfg.markets) rates.push([`markets.${symbol}.maker`, def.maker], [`markets.${symbol}.taker`, def.taker]);
  for (const [field, r] of rates) if (r !== undefined && !(r >= 0 && r < 1)) bad(field, `must be a rate in [0, 1), got ${r}`);
  if (cfg.fillModel !== 'book' && cfg.fillModel !== 'bar') bad('fillModel', `must be book or bar`);
  if (cfg.slippageBps !== undefined && !(cfg.slippageBps >= 0)) bad('slippageBps', 'must be ≥ 0');
  const cb = cfg.candleBook;
  if (cb !== undefined) {
    if (!(cb.spreadBps >= 0)) bad('candleBook.spreadBps', 'must be ≥ 0');
    if (!(Number.isInteger(cb.levels) && cb.levels >= 1)) bad('candleBook.levels', 'must be an integer ≥ 1');
    if (!(cb.levelStepBps >= 0)) bad('candleBook.levelStepBps', 'must be ≥ 0');
    if (!(cb.depthFraction > 0)) bad('candleBook.depthFraction', 'must be > 0');
  }
}
