/**
 * Wires one backtest: event-time clock, merged signal and market streams, the simulated venues, and
 * the same operators paper and live use (risk gate → order placement → order tracking → positions).
 * A pure function of (plan, data, seed) → RunResult.
 */
import { EventScheduler } from '../core/clock.ts';
import { DataError, InvariantError } from '../core/errors.ts';
import { inferMarket } from '../config/market-catalog.ts';
import { findMarket, type RunPlan } from '../config/run-plan.ts';
import { formatAtto } from '../domain/money.ts';
import type { BalanceSheet, RefusedSignal, RunResult } from '../domain/run-result.ts';
import type { Asset, Atto, MarketDef, MarketEvent, MarketSymbol, Signal, VenueId } from '../domain/types.ts';
import { cachedMarketColumns, type MarketCacheOptions } from '../market/cached-market.ts';
import { isCsvMarketFile } from '../market/market-columns.ts';
import { marketSource } from '../market/market-source.ts';
import { marketColumnsInWorker, useMarketWorker } from '../market/market-worker.ts';
import type { RunRecorder } from '../reports/index.ts';
import { priceRecorder } from '../reports/price-csv.ts';
import { SimulatedExchange } from '../sim/simulated-exchange.ts';
import { LEVEL_ASK, LEVEL_RESET, LEVEL_SNAPSHOT, type MarketColumns, type SignalColumns } from '../sources/columns.ts';
import { asColumns, forEachByTime, type EventColumns, type TimedColumns } from '../sources/merge-columns.ts';
import { signalCsvSource } from '../sources/signal-csv.ts';
import { signalColumnsInWorker } from '../sources/signal-worker.ts';
import { threadModeFromEnv, useWorker } from '../sources/worker-source.ts';
import type { ExchangeDriver } from '../drivers/exchange-driver.ts';
import type { FailureReport } from '../faults/failure-report.ts';
import type { MarketFeed } from '../faults/market-faults.ts';
import { BacktestFaults, RECOVERY_HORIZON_MS } from './backtest-faults.ts';
import { BacktestArbitrage } from './arb-run.ts';
import type { ArbitrageReport } from './arb-report.ts';
import { TradingCore, marketKey } from './trading-core.ts';

export interface BacktestOptions {
  readonly isVenue: (id: string) => boolean;
  /**
   * Takes each fill and each final order as they happen (written to disk, aggregated), and, if it
   * can, each equity sample (so equity.csv is written during the run, not after it).
   */
  readonly recorder: Pick<RunRecorder, 'fill' | 'order' | 'stats'> & Partial<Pick<RunRecorder, 'equity' | 'priceTrack'>>;
  /** Called every few thousand events with the current event time. */
  readonly onProgress?: (ts: number, events: number) => void;
  /** Ignore the plan's fault schedule (the comparison run that prices the faults). */
  readonly withoutFaults?: boolean;
  /** Receives failures.json's content when the plan schedules faults. */
  readonly onFailures?: (report: FailureReport) => void;
  /**
   * Wraps each venue's driver as the engine sees it, outside any fault injection. For tests that
   * break recovery on purpose (a driver that resends on a timeout) to show the failure report sees it.
   */
  readonly wrapDriver?: (driver: ExchangeDriver) => ExchangeDriver;
  /** Receives arbitrage.json's content when the plan has an `arbitrage:` block. */
  readonly onArbitrage?: (report: ArbitrageReport) => void;
  /**
   * Read CSV market files through the columnar cache in `cache.dir` (market/cached-market.ts); without
   * it every file is parsed. Results are the same either way.
   */
  readonly cache?: Omit<MarketCacheOptions, 'threads'>;
}

/** One merge input: its batches, and what to do with event `i` of a batch. */
interface Input {
  readonly batches: AsyncIterable<TimedColumns>;
  readonly visit: (batch: TimedColumns, i: number) => void;
}

/** Applies row `i` of a worker's market columns to the venue, without building the event. */
function marketColumnsVisitor(driver: MarketFeed, symbol: MarketSymbol): Input['visit'] {
  return (batch, i) => {
    const c = batch as MarketColumns;
    switch (c.kind) {
      case 'level': {
        const f = c.flags[i]!;
        driver.onLevel(symbol, c.ts[i]!, (f & LEVEL_ASK) !== 0, c.a[i]!, c.b[i]!, (f & LEVEL_SNAPSHOT) !== 0, (f & LEVEL_RESET) !== 0);
        return;
      }
      case 'trade':
        driver.onTrade(symbol, c.ts[i]!, c.a[i]!, c.b[i]!);
        return;
      case 'candle':
        driver.onCandle(symbol, c.ts[i]!, c.a[i]!, c.c[i]!, c.d[i]!, c.e[i]!, c.b[i]!);
        return;
    }
  };
}

/** Definitions of every market with data: from the catalog, or inferred from the first prices seen. */
async function resolveMarkets(plan: RunPlan): Promise<Map<string, MarketDef>> {
  const out = new Map<string, MarketDef>();
  for (const m of plan.marketData) {
    let def = findMarket(plan.catalog, m.venue, m.symbol);
    if (!def) {
      const prices: number[] = [];
      for await (const batch of marketSource(m)) {
        for (const ev of batch.slice(0, 500)) prices.push(...samplePrices(ev));
        break;
      }
      def = inferMarket(m.venue, m.symbol, prices);
      plan.warnings.push(
        `${m.venue} ${m.symbol}: no market definition shipped or given (--markets FILE); inferred tick ${def.precision.price} and lot ${def.precision.amount} from ${m.file}, no minimums`,
      );
    }
    out.set(marketKey(m.venue, m.symbol), def);
  }
  return out;
}

function samplePrices(ev: MarketEvent): number[] {
  if (ev.kind === 'candle') return [ev.open, ev.high, ev.low, ev.close];
  return [ev.price];
}

export async function runBacktest(plan: RunPlan, opts: BacktestOptions): Promise<RunResult> {
  // Event-time timers: recovery lookups and injected faults wait on them (nothing else schedules).
  const clock = new EventScheduler();
  const faultPlan = opts.withoutFaults ? undefined : plan.faults;
  const markets = await resolveMarkets(plan);

  const initial = new Map<VenueId, Map<Asset, Atto>>();
  const drivers = new Map<VenueId, SimulatedExchange>();
  for (const [venue, vp] of plan.venues) {
    initial.set(venue, new Map(vp.balances));
    const venueMarkets = new Map<MarketSymbol, MarketDef>();
    for (const m of markets.values()) if (m.venue === venue) venueMarkets.set(m.symbol, m);
    drivers.set(
      venue,
      new SimulatedExchange(
        {
          venue,
          markets: venueMarkets,
          ...(vp.fees ? { fees: vp.fees } : {}),
          latencyMs: vp.latencyMs,
          fillModel: plan.fillModel,
          slippageBps: plan.slippageBps,
          ...(plan.candleBook ? { candleBook: plan.candleBook } : {}),
          balances: vp.balances,
        },
        clock,
      ),
    );
  }
  const venueMark = (venue: VenueId, symbol: MarketSymbol) => drivers.get(venue)?.mark(symbol);
  const venueMarketTs = (venue: VenueId, symbol: MarketSymbol) => drivers.get(venue)?.lastMarketTs(symbol);
  // With a fault schedule, the engine meets the venues through the fault-injecting driver, sees the
  // market through faulty eyes, and the venues' data may gap; without one, it meets them directly.
  const faults = faultPlan ? new BacktestFaults(faultPlan, clock, drivers, markets, { mark: venueMark, lastMarketTs: venueMarketTs }) : undefined;
  const view = faults?.view ?? { mark: venueMark, lastMarketTs: venueMarketTs };
  const mark = view.mark;
  const engineDrivers = new Map<VenueId, ExchangeDriver>();
  for (const [venue, d] of drivers) {
    const seen = faults?.driver(venue) ?? d;
    engineDrivers.set(venue, opts.wrapDriver ? opts.wrapDriver(seen) : seen);
  }
  // Arbitrage (the plan's `arbitrage:`): the detector watches the data, the executor sends through the core.
  const arb = plan.arbitrage
    ? new BacktestArbitrage(plan, plan.arbitrage, markets, clock, {
        latencyMs: (v) => plan.venues.get(v)?.latencyMs ?? 0,
        advance: (t) => {
          for (const d of drivers.values()) d.advance(t);
        },
      })
    : undefined;
  const onOrderUpdate = arb
    ? faults
      ? (...a: Parameters<typeof faults.onOrderUpdate>) => {
          faults.onOrderUpdate(...a);
          arb.executor.onOrderUpdate(...a);
        }
      : arb.executor.onOrderUpdate
    : faults?.onOrderUpdate;
  const core = new TradingCore({
    plan,
    markets,
    drivers: engineDrivers,
    mark,
    sink: faults ? faults.teeOrders(opts.recorder) : opts.recorder,
    initial,
    idPrefix: `tf${plan.runId.slice(-6)}`,
    lastMarketTs: view.lastMarketTs,
    ...(faults ? { scheduler: clock, onAnomaly: faults.onAnomaly } : {}),
    ...(onOrderUpdate ? { onOrderUpdate } : {}),
  });
  arb?.executor.attach(core);
  const badRows: RefusedSignal[] = [];

  // Big files are parsed in worker threads (a pool of at most one per core), so the engine runs at the
  // speed of parsing instead of parsing plus engine; small ones are read here, where a worker would not
  // pay back its start. Worker batches arrive as columns and are applied as such: market rows go to
  // the venue without an event object each. TRADEFLOW_PARSE_THREADS=main|worker forces the choice.
  // With a cache, market files already parsed once are read from it (on this thread) instead.
  const threads = threadModeFromEnv();
  const inputs: Input[] = [];
  if (plan.signalsFile) {
    const file = plan.signalsFile;
    const onBadRow = (r: { file: string; line: number; reason: string }) =>
      badRows.push({ file: r.file, line: r.line, reason: r.reason, rule: 'bad_row' });
    if (useWorker(file, threads)) {
      const { batches, unpacker } = signalColumnsInWorker(file, {
        skipBadRows: plan.skipBadRows,
        isKnownVenue: opts.isVenue,
        markets: [...markets.values()].map((m) => [m.venue, m.symbol] as const),
        onBadRow,
      });
      inputs.push({ batches, visit: (b, i) => core.signal(unpacker.at(b as SignalColumns, i)) });
    } else {
      const source = signalCsvSource(file, {
        skipBadRows: plan.skipBadRows,
        isKnownVenue: opts.isVenue,
        isKnownMarket: (venue, symbol) => markets.has(marketKey(venue, symbol)),
        onBadRow,
      });
      inputs.push({ batches: asColumns(source), visit: (b, i) => core.signal((b as EventColumns<Signal>).events[i]!) });
    }
  }
  for (const m of plan.marketData) {
    const driver = drivers.get(m.venue)!;
    const gaps = faults?.gapped(m.venue);
    if (opts.cache && isCsvMarketFile(m.file)) {
      // Cached or not, the rows arrive as columns and are applied as such.
      inputs.push({ batches: cachedMarketColumns(m, { ...opts.cache, threads }), visit: marketColumnsVisitor(gaps?.feed ?? driver, m.symbol) });
    } else if (useMarketWorker(m.file, threads)) {
      inputs.push({ batches: marketColumnsInWorker(m), visit: marketColumnsVisitor(gaps?.feed ?? driver, m.symbol) });
    } else if (gaps) {
      inputs.push({ batches: asColumns(marketSource(m)), visit: (b, i) => driver.onMarket(gaps.event((b as EventColumns<MarketEvent>).events[i]!)) });
    } else {
      inputs.push({ batches: asColumns(marketSource(m)), visit: (b, i) => driver.onMarket((b as EventColumns<MarketEvent>).events[i]!) });
    }
    // A market the arbitrage detector watches: the venue first, then the detector, per row.
    const watch = arb?.visitor(m.venue, m.symbol, markets.get(marketKey(m.venue, m.symbol)));
    if (watch) {
      const input = inputs[inputs.length - 1]!;
      const venueVisit = input.visit;
      inputs[inputs.length - 1] = {
        batches: input.batches,
        visit: (b, i) => {
          venueVisit(b, i);
          watch(b, i);
        },
      };
    }
  }

  // Counters live in an object, not in closure variables: a double stored in a closure slot is a
  // fresh heap number per event, a double property is updated in place.
  const at = { events: 0, first: Number.NaN, last: 0 };
  // Equity samples go to the recorder as they are taken.
  const { sampler } = core;
  // prices.csv and the page's price charts: every market's mark at each equity sample.
  const priceTrack = opts.recorder.priceTrack?.bind(opts.recorder);
  if (priceTrack) sampler.onSample = priceRecorder(markets.values(), mark, { priceTrack });
  const onEquity = opts.recorder.equity?.bind(opts.recorder);
  let forwarded = 0;
  const forwardEquity = (): void => {
    if (onEquity === undefined) return;
    while (forwarded < sampler.count) {
      onEquity(sampler.tsAt(forwarded), sampler.equityAt(forwarded));
      forwarded++;
    }
  };
  // Events one at a time in event-time order (mergeByTime's order), with no RxJS hop per event; an
  // error anywhere (a bad row, a pipeline failure) rejects the run.
  await forEachByTime(
    inputs.map((x) => x.batches),
    (batch, i, source) => {
      const ts = batch.ts[i]!;
      core.throwIfFailed();
      // A moment is complete when the next one starts: the arbitrage acts on it, in its own time.
      if (arb !== undefined) arb.beforeEvent(ts);
      // Timers due by now run first (a delayed resend, a recovery lookup), each at its own time.
      if (clock.hasDue(ts)) clock.runDue(ts);
      else clock.advance(ts);
      if (at.events === 0) at.first = ts;
      at.last = ts;
      inputs[source]!.visit(batch, i);
      core.afterEvent(ts);
      if (sampler.count > forwarded) forwardEquity();
      if ((++at.events & 0x3fff) === 0) opts.onProgress?.(ts, at.events);
    },
  );
  const events = at.events;
  const firstTs = events > 0 ? at.first : undefined;
  const lastTs = at.last;
  core.throwIfFailed();
  // Commands sent at the last event still arrive (latency later) and meet the final book.
  const maxLatency = Math.max(0, ...[...plan.venues.values()].map((v) => v.latencyMs));
  // The last moment's arbitrage candidates.
  arb?.finish(lastTs);
  // Recovery goes on after the data ends (lookups, delayed resends), for a bounded while.
  if (faults) faults.drainTimers(lastTs + maxLatency + RECOVERY_HORIZON_MS);
  else if (arb) for (let t = clock.nextDue(); t !== undefined && t <= lastTs + maxLatency + RECOVERY_HORIZON_MS; t = clock.nextDue()) clock.runDue(t);
  for (const d of drivers.values()) d.finish(lastTs + maxLatency);
  core.throwIfFailed();
  arb?.executor.throwIfFailed();
  const { portfolio } = core;
  sampler.finish(lastTs);
  // The final point either replaced the last one taken (the recorder holds its last point back for
  // this) or follows it.
  forwardEquity();
  core.close();
  opts.onProgress?.(lastTs, events);

  if (firstTs === undefined) throw new DataError('no events: the signal and market data files are all empty');
  const warnings = [...plan.warnings];
  if (sampler.unpricedAssets.size > 0) {
    warnings.push(`no price to value ${[...sampler.unpricedAssets].join(', ')} in ${plan.quoteCurrency}; counted as 0 (add a market or fx rate)`);
  }
  // The venue is the truth. Without faults, any difference is a bug (exit 3); with faults, it is
  // what the failure report is for: it lists it and the command exits non-zero.
  if (faults) opts.onFailures?.(await faults.report(portfolio.snapshot(), (id) => core.orders.get(id), core.refused, lastTs));
  else await assertVenueAgrees(portfolio.snapshot(), drivers);
  if (arb) opts.onArbitrage?.(arb.report(initial, portfolio.snapshot(), lastTs));

  const marks = new Map<string, number>();
  for (const m of markets.values()) {
    const v = mark(m.venue, m.symbol);
    if (v !== undefined) marks.set(`${m.venue}:${m.symbol}`, v);
  }
  return {
    runId: plan.runId,
    scenario: plan.name,
    mode: 'backtest',
    seed: plan.seed,
    quoteCurrency: plan.quoteCurrency,
    startTs: firstTs,
    endTs: lastTs,
    initialBalances: initial,
    finalBalances: portfolio.snapshot(),
    initialEquity: sampler.initialEquity ?? 0,
    finalEquity: sampler.lastEquity ?? 0,
    equity: sampler.series(),
    orderCounts: core.orders.statusCounts(),
    resolutions: core.orders.resolutionCounts(),
    ordersReopened: core.orders.reopened,
    fillStats: opts.recorder.stats,
    exposure: sampler.exposure,
    refused: core.refused,
    badRows,
    marks,
    riskState: core.riskState(),
    eventsProcessed: events,
    warnings,
  };
}

/** The venue is the truth: our ledger must match the simulated venue's balances exactly. */
async function assertVenueAgrees(ours: BalanceSheet, drivers: ReadonlyMap<VenueId, SimulatedExchange>): Promise<void> {
  const diffs: string[] = [];
  for (const [venue, d] of drivers) {
    const theirs = await d.fetchBalance();
    const mine = ours.get(venue) ?? new Map<Asset, Atto>();
    for (const asset of new Set([...theirs.keys(), ...mine.keys()])) {
      const a = mine.get(asset) ?? 0n;
      const b = theirs.get(asset) ?? 0n;
      if (a !== b) diffs.push(`${venue} ${asset}: ledger ${formatAtto(a)} vs venue ${formatAtto(b)}`);
    }
  }
  if (diffs.length > 0) throw new InvariantError(`balances diverge from the venue:\n  ${diffs.join('\n  ')}`, { diffs });
}
