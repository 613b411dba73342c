/**
 * `tradeflow paper [scenario]` and the flip, `tradeflow paper [scenario] --live`: the same scenario,
 * signals and operators, against live prices (paper) or the venue itself (live). Live needs keys
 * (environment or an owner-only key file), shows the account and the limits, and asks before trading
 * unless `--yes`. Ctrl-C stops cleanly: no new orders, open orders cancelled if configured, reports
 * written.
 */
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { WallClock } from '../core/clock.ts';
import { ConfigError } from '../core/errors.ts';
import { loadCredentials, type ApiCredentials } from '../config/api-keys.ts';
import { findMarket, type RunPlan } from '../config/run-plan.ts';
import { PaperExchange } from '../drivers/paper/paper-exchange.ts';
import { createCcxtExchange } from '../drivers/live/create-exchange.ts';
import { marketFromCcxt } from '../drivers/live/ccxt-mapper.ts';
import { LiveExchange } from '../drivers/live/live-exchange.ts';
import { formatAtto } from '../domain/money.ts';
import type { RunInfo } from '../domain/run-result.ts';
import type { MarketDef, Signal, VenueId } from '../domain/types.ts';
import { RunRecorder, formatConsoleSummary, type Summary } from '../reports/index.ts';
import type { EventSource } from '../sources/event-source.ts';
import { followFile } from '../sources/follow-file.ts';
import { paceByTimestamps } from '../sources/pace-signals.ts';
import { signalCsvSource } from '../sources/signal-csv.ts';
import { signalJsonLinesSource } from '../sources/signal-jsonl.ts';
import { planFromInputs, type CommandIO } from './backtest-command.ts';
import { runLive, type RunDriver } from './run-live.ts';
import { marketKey } from './trading-core.ts';
import type { RunFlags } from './run-options.ts';

export interface LiveFlags extends RunFlags {
  live?: boolean;
  yes?: boolean;
  sandbox?: boolean;
  'exchange-url'?: string[];
  'key-file'?: string;
  speed?: number;
  follow?: boolean;
  'poll-ms'?: number;
}

export interface LiveIO extends CommandIO {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Process-level stop (SIGINT/SIGTERM). */
  readonly abort: AbortSignal;
}

/** `VENUE=URL` → parts; URLs must be http(s). */
export function parseExchangeUrl(v: string): [string, string] {
  const m = /^([a-z0-9_]+)=(https?:\/\/.+)$/.exec(v);
  if (!m) throw new ConfigError(`--exchange-url "${v}": expected VENUE=URL, e.g. binance=http://127.0.0.1:8080`, { field: 'exchange-url' });
  return [m[1]!, m[2]!];
}

function liveOverrides(flags: LiveFlags): Record<string, unknown> {
  const live: Record<string, unknown> = {};
  if (flags.speed !== undefined) live.speed = flags.speed;
  if (flags['poll-ms'] !== undefined) live.poll_interval_ms = flags['poll-ms'];
  if (flags.sandbox) live.sandbox = true;
  if (flags['exchange-url']?.length) live.exchange_urls = Object.fromEntries(flags['exchange-url'].map(parseExchangeUrl));
  return Object.keys(live).length > 0 ? { live } : {};
}

/** The signal stream of a live run: stdin, a followed file, or a CSV/JSONL replayed at its pace. */
function signalSource(plan: RunPlan, flags: LiveFlags, io: LiveIO, clock: WallClock, isKnownMarket: (v: string, s: string) => boolean): EventSource<Signal> {
  const opts = { skipBadRows: plan.skipBadRows, isKnownVenue: io.isVenue, isKnownMarket };
  if (flags.signals === '-') return signalJsonLinesSource(io.stdin as AsyncIterable<Buffer>, { ...opts, name: 'stdin' });
  const file = plan.signalsFile;
  if (!file) throw new ConfigError('no signals: pass --signals FILE, or --signals - for JSON lines on stdin', { field: 'signals' });
  if (flags.follow) return signalJsonLinesSource(followFile(file, { signal: io.abort }), { ...opts, name: file });
  const src = /\.jsonl?$/.test(file) ? signalJsonLinesSource(file, opts) : signalCsvSource(file, opts);
  return paceByTimestamps(src, clock, plan.live.speed, io.abort);
}

/** A live driver that polls the tops of `symbols`, which value positions and judge staleness. */
function watching(d: LiveExchange, symbols: string[]): LiveExchange {
  d.watchSymbols(symbols);
  return d;
}

/**
 * The venue's own market rules win, but ccxt cannot express everything (Upbit's price-dependent KRW
 * tick table, limits Upbit publishes only per account): those come from the shipped definition.
 */
function withShippedRules(venue: MarketDef, shipped: MarketDef | undefined): MarketDef {
  if (!shipped) return venue;
  const pick = <T>(a: T | undefined, b: T | undefined) => (a !== undefined ? a : b);
  return {
    ...venue,
    ...(shipped.tickTable ? { tickTable: shipped.tickTable, precision: { ...venue.precision, price: shipped.precision.price } } : {}),
    limits: {
      amount: { ...shipped.limits.amount, ...stripUndefined(venue.limits.amount) },
      cost: { ...shipped.limits.cost, ...stripUndefined(venue.limits.cost) },
      price: { ...shipped.limits.price, ...stripUndefined(venue.limits.price) },
    },
    ...(pick(venue.maker, shipped.maker) !== undefined ? { maker: pick(venue.maker, shipped.maker)! } : {}),
    ...(pick(venue.taker, shipped.taker) !== undefined ? { taker: pick(venue.taker, shipped.taker)! } : {}),
  };
}

function stripUndefined<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function confirm(io: LiveIO, text: string): Promise<boolean> {
  io.err(text);
  if (!io.stdin.isTTY) return false;
  const rl = createInterface({ input: io.stdin, output: process.stderr });
  try {
    return (await rl.question('Type "yes" to trade live: ')).trim() === 'yes';
  } finally {
    rl.close();
  }
}

export async function liveCommand(scenarioFile: string | undefined, flags: LiveFlags, io: LiveIO): Promise<{ outDir: string; summary: Summary }> {
  const mode = flags.live ? 'live' : 'paper';
  const flagsForPlan = { ...flags, ...(flags.signals === '-' ? { signals: undefined } : {}) };
  const plan = planFromInputs(scenarioFile, flagsForPlan, io, { command: mode, extra: liveOverrides(flags) });
  const clock = new WallClock();
  const venues = [...new Set(plan.symbols.map((s) => s.venue))];
  const creds: Map<VenueId, ApiCredentials> = mode === 'live' ? loadCredentials(venues, io.env, flags['key-file']) : new Map();

  const drivers = new Map<VenueId, RunDriver>();
  const markets = new Map<string, MarketDef>();
  for (const venue of venues) {
    const baseUrl = plan.live.exchangeUrls.get(venue);
    const exchange = createCcxtExchange(venue, {
      ...(creds.get(venue)?.reveal() ?? {}),
      sandbox: plan.live.sandbox,
      ...(baseUrl ? { baseUrl } : {}),
    });
    const loaded = await exchange.loadMarkets();
    const venueMarkets = new Map<string, MarketDef>();
    for (const { symbol } of plan.symbols.filter((s) => s.venue === venue)) {
      const m = loaded[symbol];
      if (!m) throw new ConfigError(`${venue} has no market ${symbol}`, { field: 'markets' });
      const def = withShippedRules(marketFromCcxt(venue, m), findMarket(plan.catalog, venue, symbol));
      venueMarkets.set(symbol, def);
      markets.set(marketKey(venue, symbol), def);
    }
    const vp = plan.venues.get(venue);
    drivers.set(
      venue,
      mode === 'paper'
        ? new PaperExchange({
            sim: { venue, markets: venueMarkets, ...(vp?.fees ? { fees: vp.fees } : {}), latencyMs: 0, balances: vp?.balances ?? new Map() },
            source: exchange,
            clock,
            pollIntervalMs: plan.live.pollIntervalMs,
            onFeedError: (s, e) => io.err(`warning: ${venue} ${s} order book: ${(e as Error).message}`),
          })
        : watching(new LiveExchange({ venue, exchange, clock, pollIntervalMs: plan.live.pollIntervalMs, markets: venueMarkets }), [...venueMarkets.keys()]),
    );
  }

  if (mode === 'live') {
    const lines = ['LIVE TRADING', ...venues.map((v) => `  venue ${v}${plan.live.sandbox ? ' (sandbox)' : ''}${plan.live.exchangeUrls.get(v) ? ` at ${plan.live.exchangeUrls.get(v)}` : ''}`)];
    for (const [venue, d] of drivers) {
      const bal = await d.fetchBalance();
      lines.push(`  ${venue} balances: ${[...bal].filter(([, v]) => v !== 0n).map(([a, v]) => `${a} ${formatAtto(v)}`).join(', ') || '(empty)'}`);
    }
    lines.push(`  risk limits: ${JSON.stringify(plan.risk, (_k, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v))}`);
    if (!flags.yes && !(await confirm(io, lines.join('\n')))) {
      for (const d of drivers.values()) await d.close();
      throw new ConfigError('live trading not confirmed (answer "yes" at the prompt, or pass --yes)');
    }
    if (flags.yes) io.err(lines.join('\n'));
  }

  const startedAt = new Date();
  const recorder = await RunRecorder.open(plan.outDir);
  try {
    const result = await runLive({
      plan,
      mode,
      clock,
      drivers,
      markets,
      signals: signalSource(plan, flags, io, clock, (v, s) => markets.has(marketKey(v, s))),
      sink: recorder,
      abort: io.abort,
      log: io.err,
    });
    const info: RunInfo = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      wallMs: Date.now() - startedAt.getTime(),
      host: os.hostname(),
      node: process.version,
      tradeflowVersion: io.version,
      argv: io.argv,
    };
    await recorder.publish(result, info);
  } catch (err) {
    await recorder.abort();
    for (const d of drivers.values()) await d.close().catch(() => undefined);
    throw err;
  }
  const { readFile } = await import('node:fs/promises');
  const summary = JSON.parse(await readFile(path.join(plan.outDir, 'summary.json'), 'utf8')) as Summary;
  io.out(formatConsoleSummary(summary, { outDir: path.relative(io.cwd, plan.outDir) || plan.outDir }));
  return { outDir: plan.outDir, summary };
}
