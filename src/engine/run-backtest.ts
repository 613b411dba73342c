/**
 * Wires one backtest: event-time clock, merged signal and market streams, the simulated venues, and
 * the same operators paper and live use (risk gate → order placement → order tracking → positions).
 * A pure function of (plan, data, seed) → RunResult.
 */
import { EventClock } from '../core/clock.ts';
import { DataError, InvariantError } from '../core/errors.ts';
import { inferMarket } from '../config/market-catalog.ts';
import { findMarket, type RunPlan } from '../config/run-plan.ts';
import { formatAtto } from '../domain/money.ts';
import type { BalanceSheet, RefusedSignal, RunResult } from '../domain/run-result.ts';
import type { Asset, Atto, MarketDef, MarketEvent, MarketSymbol, OrderSignal, VenueId } from '../domain/types.ts';
import { marketSource } from '../market/market-source.ts';
import type { RunRecorder } from '../reports/index.ts';
import { SimulatedExchange } from '../sim/simulated-exchange.ts';
import type { EventSource } from '../sources/event-source.ts';
import { fromBatches } from '../sources/from-batches.ts';
import { mergeByTime } from '../sources/merge-by-time.ts';
import { signalCsvSource } from '../sources/signal-csv.ts';
import { TradingCore, marketKey } from './trading-core.ts';

export interface BacktestOptions {
  readonly isVenue: (id: string) => boolean;
  /** Takes each fill and each final order as they happen (written to disk, aggregated). */
  readonly recorder: Pick<RunRecorder, 'fill' | 'order' | 'stats'>;
  /** Called every few thousand events with the current event time. */
  readonly onProgress?: (ts: number, events: number) => void;
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
  const clock = new EventClock();
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
  const mark = (venue: VenueId, symbol: MarketSymbol) => drivers.get(venue)?.mark(symbol);
  const core = new TradingCore({
    plan,
    markets,
    drivers,
    mark,
    sink: opts.recorder,
    initial,
    idPrefix: `tf${plan.runId.slice(-6)}`,
  });
  const badRows: RefusedSignal[] = [];

  const sources: EventSource<OrderSignal | MarketEvent>[] = [];
  if (plan.signalsFile) {
    sources.push(
      signalCsvSource(plan.signalsFile, {
        skipBadRows: plan.skipBadRows,
        isKnownVenue: opts.isVenue,
        isKnownMarket: (venue, symbol) => markets.has(marketKey(venue, symbol)),
        onBadRow: (r) => badRows.push({ file: r.file, line: r.line, reason: r.reason, rule: 'bad_row' }),
      }),
    );
  }
  for (const m of plan.marketData) sources.push(marketSource(m));

  let events = 0;
  let firstTs: number | undefined;
  let lastTs = 0;
  await new Promise<void>((resolve, reject) => {
    fromBatches(mergeByTime(sources)).subscribe({
      next: (ev) => {
        core.throwIfFailed();
        clock.advance(ev.ts);
        firstTs ??= ev.ts;
        lastTs = ev.ts;
        if (ev.kind === 'order') core.signals$.next(ev);
        else drivers.get(ev.venue)!.onMarket(ev);
        core.afterEvent(ev.ts);
        if ((++events & 0x3fff) === 0) opts.onProgress?.(ev.ts, events);
      },
      error: reject,
      complete: resolve,
    });
  });
  core.throwIfFailed();
  // Commands sent at the last event still arrive (latency later) and meet the final book.
  const maxLatency = Math.max(0, ...[...plan.venues.values()].map((v) => v.latencyMs));
  for (const d of drivers.values()) d.finish(lastTs + maxLatency);
  core.throwIfFailed();
  const { sampler, portfolio } = core;
  sampler.finish(lastTs);
  core.close();
  opts.onProgress?.(lastTs, events);

  if (firstTs === undefined) throw new DataError('no events: the signal and market data files are all empty');
  const warnings = [...plan.warnings];
  if (sampler.unpricedAssets.size > 0) {
    warnings.push(`no price to value ${[...sampler.unpricedAssets].join(', ')} in ${plan.quoteCurrency}; counted as 0 (add a market or fx rate)`);
  }
  await assertVenueAgrees(portfolio.snapshot(), drivers);

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
    finalEquity: sampler.equity[sampler.equity.length - 1] ?? 0,
    equity: { ts: sampler.ts, equity: sampler.equity },
    orderCounts: core.orders.statusCounts(),
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
