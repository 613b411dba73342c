/**
 * `startEmulator`: one local venue — Binance spot or Upbit — on 127.0.0.1, backed by the simulated
 * exchange, its book driven by replayed market files or a seeded random walk. Returns the URL to point
 * ccxt at (pointCcxtAt), the state tests compare against, and `close()`.
 */
import { faultPlanFromSpecs, parseFaultSpecs } from './fault-spec.ts';
import { ConfigError } from '../core/errors.ts';
import { loadMarketCatalog } from '../config/market-catalog.ts';
import { parseAtto } from '../domain/money.ts';
import type { Asset, Atto, MarketEvent, MarketSymbol } from '../domain/types.ts';
import { binanceDialect } from './binance/dialect.ts';
import type { FaultPlan } from './faults.ts';
import { startReplay, type Feed, type ReplaySpec } from './feeds/replay-feed.ts';
import { startWalk, type WalkOptions, type WalkSpec } from './feeds/random-walk.ts';
import { startHttpServer } from './http-server.ts';
import { balanceViews, orderViews, withIntrospection, type BalanceView, type EmulatorOrderView } from './introspection.ts';
import { upbitDialect } from './upbit/dialect.ts';
import { faultRunner } from './venue-faults/fault-runner.ts';
import type { FaultLogEntry } from './venue-faults/fault-log.ts';
import { VenueCore } from './venue-core.ts';

export const EMULATED_VENUES = ['binance', 'upbit'] as const;
export type EmulatedVenue = (typeof EMULATED_VENUES)[number];

export interface EmulatorOptions {
  readonly venue: EmulatedVenue;
  /** 0 or absent: any free port (the actual one is returned). */
  readonly port?: number;
  /** Without both, every private endpoint refuses authentication. */
  readonly apiKey?: string;
  readonly secret?: string;
  /** Starting balances, decimal amounts per asset: `{ USDT: 10000, BTC: '0.5' }`. */
  readonly balances?: Readonly<Record<Asset, number | string>>;
  /** Extra market definition files (same format as data/markets/*.json); the shipped ones always load. */
  readonly marketDefFiles?: readonly string[];
  /** Market data files replayed in wall time, one per symbol. */
  readonly replay?: readonly ReplaySpec[];
  /** Replay speed factor: 1 real time, 60 a minute of data per second. */
  readonly speed?: number;
  /** Symbols given a seeded random-walk book. */
  readonly walk?: readonly WalkSpec[];
  readonly walkOptions?: Omit<WalkOptions, 'seed'>;
  readonly seed?: number;
  readonly faults?: FaultPlan;
  /** Request and fault log lines; never receives keys. */
  readonly log?: (line: string) => void;
}

export interface EmulatorState {
  readonly venue: EmulatedVenue;
  readonly core: VenueCore;
  /** Every order the venue accepted (what `GET /__emulator/orders` serves). */
  orders(): EmulatorOrderView[];
  /** Balances per asset (what `GET /__emulator/balances` serves). */
  balances(): Record<Asset, BalanceView>;
  /** Every fault that fired (what `GET /__emulator/faults` serves). */
  faults(): readonly FaultLogEntry[];
  /** Installs (or removes) the fault plan consulted by every later request. */
  setFaultPlan(plan: FaultPlan | undefined): void;
  /** Applies market events now, as one burst (tests drive the book with this). */
  applyMarket(events: readonly MarketEvent[]): void;
}

export interface RunningEmulator {
  readonly venue: EmulatedVenue;
  /** `http://127.0.0.1:<port>`: the base URL for pointCcxtAt. */
  readonly url: string;
  readonly port: number;
  readonly state: EmulatorState;
  /** Resolves when every replay file has been played (never, for a random walk, until close). */
  readonly feedDone: Promise<void>;
  close(): Promise<void>;
}

function parseBalances(raw: EmulatorOptions['balances']): Map<Asset, Atto> {
  const out = new Map<Asset, Atto>();
  for (const [asset, v] of Object.entries(raw ?? {})) {
    let a: Atto;
    try {
      a = parseAtto(String(v));
    } catch {
      throw new ConfigError(`emulator: balance of ${asset}: expected a decimal amount, got ${JSON.stringify(v)}`, { field: 'balance' });
    }
    if (a < 0n) throw new ConfigError(`emulator: balance of ${asset} is negative`, { field: 'balance' });
    out.set(asset.toUpperCase(), a);
  }
  return out;
}

export async function startEmulator(opts: EmulatorOptions): Promise<RunningEmulator> {
  const { venue } = opts;
  if (!(EMULATED_VENUES as readonly string[]).includes(venue)) {
    throw new ConfigError(`emulator: venue must be one of ${EMULATED_VENUES.join(', ')}, got ${JSON.stringify(venue)}`, { field: 'venue' });
  }
  const markets = loadMarketCatalog(opts.marketDefFiles ?? []).get(venue);
  if (markets === undefined || markets.size === 0) throw new ConfigError(`emulator: no market definitions for ${venue}`, { field: 'market-defs' });
  const need = (symbol: MarketSymbol, field: string) => {
    if (!markets.has(symbol)) {
      throw new ConfigError(`emulator: ${field}: ${venue} has no market ${symbol} (known: ${[...markets.keys()].join(', ')})`, { field });
    }
  };
  for (const r of opts.replay ?? []) need(r.symbol, 'market');
  for (const w of opts.walk ?? []) need(w.symbol, 'symbol');

  const core = new VenueCore(venue, markets, parseBalances(opts.balances));
  const apiKey = opts.apiKey ?? '';
  const secret = opts.secret ?? '';
  const dialect = venue === 'binance' ? binanceDialect(core, { apiKey, secret }) : upbitDialect(core, { accessKey: apiKey, secret });
  let plan = opts.faults;
  const feeds: Feed[] = [];
  const log = opts.log;
  try {
    if ((opts.replay ?? []).length > 0) {
      feeds.push(await startReplay(core, opts.replay!, opts.speed ?? 1, (err) => log?.(`emulator ${venue}: replay stopped: ${String(err)}`)));
    }
    if ((opts.walk ?? []).length > 0) feeds.push(startWalk(core, opts.walk!, { ...opts.walkOptions, seed: opts.seed ?? 1 }));
  } catch (err) {
    for (const f of feeds) f.stop();
    core.close();
    throw err;
  }
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  try {
    const served = withIntrospection(dialect, core, (specs, seed) => {
      plan = specs.length > 0 ? faultPlanFromSpecs(parseFaultSpecs(specs), seed) : undefined;
    });
    server = await startHttpServer({
      venue,
      port: opts.port ?? 0,
      dialect: served,
      faults: () => plan,
      faultHandler: faultRunner(core, served),
      ...(log ? { log } : {}),
    });
  } catch (err) {
    for (const f of feeds) f.stop();
    core.close();
    throw err; // e.g. EADDRINUSE: the port is taken
  }
  const url = `http://127.0.0.1:${server.port}`;
  let closing: Promise<void> | undefined;
  return {
    venue,
    url,
    port: server.port,
    feedDone: Promise.all(feeds.map((f) => f.done)).then(() => undefined),
    state: {
      venue,
      core,
      orders: () => orderViews(core),
      balances: () => balanceViews(core),
      faults: () => core.faults.log.entries(),
      setFaultPlan: (p) => {
        plan = p;
      },
      applyMarket: (events) => core.applyMarket(events),
    },
    close: () =>
      (closing ??= (async () => {
        for (const f of feeds) f.stop();
        await server.close();
        core.close();
      })()),
  };
}
