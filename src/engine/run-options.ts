/**
 * Command-line flags → a scenario fragment, so a run can be built from flags alone or override a
 * scenario file field by field. Repeatable flags use `KEY=VALUE` forms; each bad one is named.
 */
import path from 'node:path';
import { ConfigError } from '../core/errors.ts';

export interface RunFlags {
  signals?: string;
  market?: string[];
  markets?: string[];
  'fill-model'?: string;
  'fee-bps'?: number;
  'latency-ms'?: number;
  balance?: string[];
  seed?: number;
  out?: string;
  quote?: string;
  'skip-bad-rows'?: boolean;
  'max-position'?: number;
  'max-order-notional'?: number;
  'max-open-orders'?: number;
  'max-drawdown'?: number;
  'max-signal-risk'?: number;
  'slippage-bps'?: number;
  /** Backtests: the market data cache folder (`--cache-dir`). */
  'cache-dir'?: string;
  /** Backtests: `false` (`--no-cache`) parses every market file and writes no cache. */
  cache?: boolean;
}

/**
 * The market data cache folder of a backtest, or undefined with `--no-cache`: `--cache-dir`, else
 * TRADEFLOW_CACHE_DIR, else `cache/` in the working directory (as `state/`).
 */
export function cacheDirFromFlags(flags: Pick<RunFlags, 'cache' | 'cache-dir'>, cwd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (flags.cache === false) return undefined;
  return path.resolve(cwd, flags['cache-dir'] ?? (env.TRADEFLOW_CACHE_DIR || 'cache'));
}

/** `VENUE:SYMBOL=FILE` (or `VENUE:SYMBOL` for paper and live, which need no file) → parts. */
export function parseMarketFlag(value: string): { venue: string; symbol: string; file?: string } {
  const m = /^([a-z0-9_]+):([A-Za-z0-9]+\/[A-Za-z0-9]+)(?:=(.+))?$/.exec(value);
  if (!m) throw new ConfigError(`--market "${value}": expected VENUE:SYMBOL=FILE, e.g. binance:BTC/USDT=data/btc.csv`, { field: 'market' });
  return { venue: m[1]!, symbol: m[2]!.toUpperCase(), ...(m[3] !== undefined ? { file: path.resolve(m[3]) } : {}) };
}

/** `VENUE:ASSET=AMOUNT` → parts. */
export function parseBalanceFlag(value: string): { venue: string; asset: string; amount: string } {
  const m = /^([a-z0-9_]+):([A-Za-z0-9]+)=(\d+(?:\.\d+)?)$/.exec(value);
  if (!m) throw new ConfigError(`--balance "${value}": expected VENUE:ASSET=AMOUNT, e.g. binance:USDT=10000`, { field: 'balance' });
  return { venue: m[1]!, asset: m[2]!.toUpperCase(), amount: m[3]! };
}

/**
 * Builds the scenario fragment the flags describe. Paths are made absolute (flags are relative to the
 * working directory, scenario fields to the scenario file). `--market` entries replace a scenario's
 * entry for the same venue:symbol and add the rest.
 */
export function overridesFromFlags(flags: RunFlags, base: Record<string, unknown>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (flags.signals !== undefined) o.signals = path.resolve(flags.signals);
  if (flags.market?.length) {
    const given = flags.market.map(parseMarketFlag);
    const existing = Array.isArray(base.markets) ? (base.markets as Array<Record<string, unknown>>) : [];
    const keyOf = (m: Record<string, unknown>) => `${String(m.venue)}:${String(m.symbol)}`;
    const replaced = new Set(given.map(keyOf));
    o.markets = [...existing.filter((m) => !replaced.has(keyOf(m))), ...given];
  }
  if (flags.markets?.length) {
    const existing = Array.isArray(base.market_definitions) ? (base.market_definitions as string[]) : [];
    o.market_definitions = [...existing, ...flags.markets.map((f) => path.resolve(f))];
  }
  if (flags['fill-model'] !== undefined) o.fill_model = flags['fill-model'];
  if (flags['fee-bps'] !== undefined) o.fee_bps = flags['fee-bps'];
  if (flags['latency-ms'] !== undefined) o.latency_ms = flags['latency-ms'];
  if (flags['slippage-bps'] !== undefined) o.slippage_bps = flags['slippage-bps'];
  if (flags.seed !== undefined) o.seed = flags.seed;
  if (flags.out !== undefined) o.out = path.resolve(flags.out);
  if (flags.quote !== undefined) o.quote_currency = flags.quote.toUpperCase();
  if (flags['skip-bad-rows']) o.skip_bad_rows = true;
  if (flags.balance?.length) {
    const venues: Record<string, { balances: Record<string, string> }> = {};
    for (const b of flags.balance.map(parseBalanceFlag)) {
      (venues[b.venue] ??= { balances: {} }).balances[b.asset] = b.amount;
    }
    o.venues = venues;
  }
  const risk: Record<string, unknown> = {};
  if (flags['max-position'] !== undefined) risk.max_position = flags['max-position'];
  if (flags['max-order-notional'] !== undefined) risk.max_order_notional = flags['max-order-notional'];
  if (flags['max-open-orders'] !== undefined) risk.max_open_orders = flags['max-open-orders'];
  if (flags['max-drawdown'] !== undefined) risk.max_drawdown = flags['max-drawdown'];
  if (flags['max-signal-risk'] !== undefined) risk.max_signal_risk = flags['max-signal-risk'];
  if (Object.keys(risk).length > 0) o.risk = risk;
  return o;
}
