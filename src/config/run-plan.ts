/**
 * Turns a validated scenario into a RunPlan: absolute paths, exact balances, resolved fees, market
 * definitions and risk limits. Cross-field checks (venues are ccxt ids, files exist, every market has
 * data) happen here, each naming the field at fault.
 */
import { faultPlanSpec, looksLikeBookFile } from './fault-plan.ts';
import type { FaultPlanSpec } from '../faults/fault-schedule.ts';
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../core/errors.ts';
import { parseAtto } from '../domain/money.ts';
import type { Asset, Atto, MarketDef, MarketSymbol, VenueId } from '../domain/types.ts';
import type { RiskLimits } from '../domain/risk-limits.ts';
import type { MarketCatalog } from './market-catalog.ts';
import type { Scenario } from './scenario-schema.ts';
import { arbPlanOf, type ArbPlan } from './arb-schema.ts';

export interface VenuePlan {
  readonly venue: VenueId;
  /** Venue-wide fee override; otherwise each market's own maker/taker applies. */
  readonly fees?: { readonly maker: number; readonly taker: number };
  readonly latencyMs: number;
  readonly balances: ReadonlyMap<Asset, Atto>;
}

export interface MarketDataPlan {
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly file: string;
}

export interface LivePlan {
  readonly pollIntervalMs: number;
  readonly speed: number;
  readonly cancelOnExit: boolean;
  readonly lingerMs: number;
  readonly exchangeUrls: ReadonlyMap<VenueId, string>;
  readonly sandbox: boolean;
  readonly stateDir: string;
  readonly requestTimeoutMs: number;
  readonly journalSync: 'full' | 'normal';
  /** Dry-run order placements per venue before the first signal (0: none). */
  readonly warmupCalls: number;
  readonly reconcile: {
    readonly unknownOrders: 'adopt' | 'cancel';
    readonly clientIdFamily: string;
    readonly intervalMs: number;
    readonly settleTimeoutMs: number;
    readonly absentLookups: number;
    readonly absentAfterMs: number;
  };
}

export interface RunPlan {
  readonly name: string;
  /** Every traded market; in backtests each also has a data file in `marketData`. */
  readonly symbols: ReadonlyArray<{ readonly venue: VenueId; readonly symbol: MarketSymbol }>;
  readonly live: LivePlan;
  readonly runId: string;
  readonly mode: Scenario['mode'];
  readonly seed: number;
  readonly quoteCurrency: Asset;
  readonly signalsFile?: string;
  readonly skipBadRows: boolean;
  readonly venues: ReadonlyMap<VenueId, VenuePlan>;
  readonly marketData: readonly MarketDataPlan[];
  /** Definitions for every traded market; markets absent here are inferred from data by the engine. */
  readonly catalog: MarketCatalog;
  readonly fillModel: 'book' | 'bar';
  readonly slippageBps: number;
  readonly candleBook?: { spreadBps: number; levels: number; levelStepBps: number; depthFraction: number };
  readonly fx: ReadonlyMap<Asset, number>;
  readonly equityIntervalMs: number;
  readonly risk: RiskLimits;
  readonly outDir: string;
  readonly warnings: string[];
  /** Failures to rehearse (the scenario's `faults:`); absent when none are scheduled. */
  readonly faults?: FaultPlanSpec;
  /** Cross-venue arbitrage (the scenario's `arbitrage:`); absent when the run has none. */
  readonly arbitrage?: ArbPlan;
}

export interface PlanContext {
  /** Where relative paths in the scenario are resolved from (the scenario file's folder, or cwd). */
  readonly baseDir: string;
  /** Label for error messages: the scenario file, or "command line". */
  readonly label: string;
  readonly catalog: MarketCatalog;
  readonly isVenue: (id: string) => boolean;
  /** Default parent folder of `reports/<run-id>`. */
  readonly reportsDir: string;
  /** Default folder of the journal and control files (`state/` in the working directory). */
  readonly stateDir?: string;
  /** Which command builds the plan: backtests need market data files, paper and live do not. */
  readonly command?: 'backtest' | 'paper' | 'live';
  /** Wall time for run ids of paper/live runs (never used by backtests). */
  readonly now?: () => Date;
}

function requireFile(file: string, label: string, field: string): string {
  if (!existsSync(file)) throw new ConfigError(`${label}: field "${field}": file not found: ${file}`, { field, file });
  if (!statSync(file).isFile()) throw new ConfigError(`${label}: field "${field}": not a file: ${file}`, { field, file });
  return file;
}

export function buildRunPlan(sc: Scenario, ctx: PlanContext): RunPlan {
  const { label } = ctx;
  const resolve = (p: string) => path.resolve(ctx.baseDir, p);
  const err = (field: string, msg: string) => new ConfigError(`${label}: field "${field}": ${msg}`, { field });

  const command = ctx.command ?? 'backtest';
  if (sc.markets.length === 0) {
    throw err('markets', command === 'backtest' ? 'at least one market data file is required (--market VENUE:SYMBOL=FILE)' : 'at least one market is required (--market VENUE:SYMBOL)');
  }
  const marketData: MarketDataPlan[] = [];
  const symbols = sc.markets.map((m, i) => {
    if (!ctx.isVenue(m.venue)) throw err(`markets.${i}.venue`, `"${m.venue}" is not a ccxt exchange id (e.g. binance, upbit, kraken)`);
    if (m.file !== undefined) marketData.push({ venue: m.venue, symbol: m.symbol, file: requireFile(resolve(m.file), label, `markets.${i}.file`) });
    else if (command === 'backtest') throw err(`markets.${i}.file`, 'a backtest needs a market data file for every market');
    return { venue: m.venue, symbol: m.symbol };
  });
  const seen = new Set<string>();
  for (const [i, m] of symbols.entries()) {
    const key = `${m.venue}:${m.symbol}`;
    if (seen.has(key)) throw err(`markets.${i}`, `${key} is listed twice`);
    seen.add(key);
  }

  const venueIds = new Set([...symbols.map((m) => m.venue), ...Object.keys(sc.venues)]);
  const venues = new Map<VenueId, VenuePlan>();
  for (const venue of [...venueIds].sort()) {
    if (!ctx.isVenue(venue)) throw err(`venues.${venue}`, `"${venue}" is not a ccxt exchange id`);
    const v = sc.venues[venue];
    const balances = new Map<Asset, Atto>();
    for (const [asset, amt] of Object.entries(v?.balances ?? {})) {
      if (!/^[A-Z0-9]+$/.test(asset)) throw err(`venues.${venue}.balances.${asset}`, 'asset codes are upper-case letters and digits');
      balances.set(asset, parseAtto(String(amt)));
    }
    const feeBps = sc.fee_bps;
    const fees = feeBps !== undefined ? { maker: feeBps / 1e4, taker: feeBps / 1e4 } : v?.fees;
    venues.set(venue, { venue, ...(fees ? { fees } : {}), latencyMs: v?.latency_ms ?? sc.latency_ms, balances });
  }

  const signalsFile = sc.signals !== undefined ? requireFile(resolve(sc.signals), label, 'signals') : undefined;
  const quoteCurrency = sc.quote_currency ?? symbols[0]!.symbol.split('/')[1]!;
  const maxPosition =
    sc.risk.max_position === undefined
      ? undefined
      : typeof sc.risk.max_position === 'number'
        ? new Map([['*', sc.risk.max_position]])
        : new Map(Object.entries(sc.risk.max_position));
  const risk: RiskLimits = {
    ...(sc.risk.max_signal_risk !== undefined ? { maxSignalRisk: sc.risk.max_signal_risk } : {}),
    ...(maxPosition ? { maxPosition } : {}),
    ...(sc.risk.max_order_notional !== undefined ? { maxOrderNotional: sc.risk.max_order_notional } : {}),
    ...(sc.risk.max_open_orders !== undefined ? { maxOpenOrders: sc.risk.max_open_orders } : {}),
    ...(sc.risk.max_drawdown !== undefined ? { maxDrawdown: sc.risk.max_drawdown } : {}),
    ...(sc.risk.max_daily_loss !== undefined ? { maxDailyLoss: sc.risk.max_daily_loss } : {}),
    ...(sc.risk.max_errors !== undefined ? { maxErrors: sc.risk.max_errors } : {}),
    ...(sc.risk.error_window_ms !== undefined ? { errorWindowMs: sc.risk.error_window_ms } : {}),
    ...(sc.risk.max_divergence !== undefined ? { maxDivergence: sc.risk.max_divergence } : {}),
    ...(sc.risk.divergence_action !== undefined ? { divergenceAction: sc.risk.divergence_action } : {}),
    ...bookAgeLimit(sc, command, err),
  };

  const name = sc.name ?? (signalsFile ? path.basename(signalsFile).replace(/\.[^.]+$/, '') : 'run');
  // Backtests are pure functions of their inputs, so their id is a hash of them; live runs are not.
  const runId =
    command === 'backtest'
      ? `${name}-${fingerprint(sc, marketData, signalsFile)}`
      : `${name}-${command}-${(ctx.now?.() ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}`;
  for (const [venue] of Object.entries(sc.live.exchange_urls)) {
    if (!venueIds.has(venue)) throw err(`live.exchange_urls.${venue}`, `venue "${venue}" is not traded in this run`);
  }
  const cb = sc.candle_book;
  return {
    name,
    runId,
    symbols,
    live: {
      pollIntervalMs: sc.live.poll_interval_ms,
      speed: sc.live.speed,
      cancelOnExit: sc.live.cancel_on_exit,
      lingerMs: sc.live.linger_ms,
      exchangeUrls: new Map(Object.entries(sc.live.exchange_urls)),
      sandbox: sc.live.sandbox,
      requestTimeoutMs: sc.live.request_timeout_ms,
      journalSync: sc.live.journal_sync,
      warmupCalls: sc.live.warmup_calls,
      stateDir: sc.live.state_dir !== undefined ? resolve(sc.live.state_dir) : (ctx.stateDir ?? path.resolve('state')),
      reconcile: {
        unknownOrders: sc.live.reconcile.unknown_orders,
        clientIdFamily: sc.live.reconcile.client_id_family,
        intervalMs: sc.live.reconcile.interval_ms,
        settleTimeoutMs: sc.live.reconcile.settle_timeout_ms,
        absentLookups: sc.live.reconcile.absent_lookups,
        absentAfterMs: sc.live.reconcile.absent_after_ms,
      },
    },
    mode: sc.mode,
    seed: sc.seed,
    quoteCurrency,
    ...(signalsFile ? { signalsFile } : {}),
    skipBadRows: sc.skip_bad_rows,
    venues,
    marketData,
    catalog: ctx.catalog,
    fillModel: sc.fill_model,
    slippageBps: sc.slippage_bps,
    ...(cb ? { candleBook: { spreadBps: cb.spread_bps, levels: cb.levels, levelStepBps: cb.level_step_bps, depthFraction: cb.depth_fraction } } : {}),
    fx: new Map(Object.entries(sc.fx)),
    equityIntervalMs: sc.equity_interval_ms,
    risk,
    outDir: sc.out !== undefined ? resolve(sc.out) : path.join(ctx.reportsDir, runId),
    ...(sc.faults && sc.faults.schedule.length > 0
      ? {
          faults: faultPlanSpec(sc.faults, {
            label,
            seed: sc.seed,
            venues: new Set(venues.keys()),
            dataKind: (venue, symbol) => {
              const files = marketData.filter((m) => (venue === undefined || m.venue === venue) && (symbol === undefined || m.symbol === symbol));
              if (files.length === 0) return undefined;
              return files.some((m) => looksLikeBookFile(m.file)) ? 'book' : 'other';
            },
          }),
        }
      : {}),
    ...(sc.arbitrage
      ? { arbitrage: arbPlanOf(sc.arbitrage, { symbols, quoteCurrency, resolve, requireFile: (f, field) => requireFile(f, label, field), err }) }
      : {}),
    warnings: [],
  };
}

/**
 * Rule 8's limit: as given (0 turns it off); unset, on in paper and live — 10 s, or three book polls if
 * that is longer — and off in backtests, whose data may be candles far apart.
 */
function bookAgeLimit(sc: Scenario, command: string, err: (field: string, msg: string) => ConfigError): { maxBookAgeMs?: number } {
  const given = sc.risk.max_book_age_ms;
  const poll = sc.live.poll_interval_ms;
  if (command === 'backtest') return given ? { maxBookAgeMs: given } : {};
  if (given === undefined) return { maxBookAgeMs: Math.max(10_000, 3 * poll) };
  if (given === 0) return {};
  if (given <= poll) {
    throw err('risk.max_book_age_ms', `${given} ms is not above live.poll_interval_ms (${poll} ms): every order would meet a stale book; raise it, or 0 to turn the check off`);
  }
  return { maxBookAgeMs: given };
}

/** A short, stable id of what the run depends on: the scenario and its input files' sizes. */
function fingerprint(sc: Scenario, data: readonly MarketDataPlan[], signals: string | undefined): string {
  const h = createHash('sha256');
  const { out: _out, ...rest } = sc;
  h.update(JSON.stringify(rest));
  for (const f of [signals, ...data.map((d) => d.file)]) if (f) h.update(`${path.basename(f)}:${statSync(f).size}`);
  return h.digest('hex').slice(0, 8);
}

/** Looks a market definition up in the catalog. */
export function findMarket(catalog: MarketCatalog, venue: VenueId, symbol: MarketSymbol): MarketDef | undefined {
  return catalog.get(venue)?.get(symbol);
}
