/**
 * Wires one paper or live run: wall clock, venue drivers (paper: live books → matching engine; live:
 * the venue through ccxt), the signal stream, and the same TradingCore the backtest uses. Stops when
 * the signals end (after a grace period for open orders) or when aborted (Ctrl-C); then cancels what
 * is still open if asked, and returns the RunResult for the reports.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../core/clock.ts';
import { DataError } from '../core/errors.ts';
import type { RunPlan } from '../config/run-plan.ts';
import type { ExchangeDriver } from '../drivers/exchange-driver.ts';
import { formatAtto } from '../domain/money.ts';
import type { BalanceSheet, LatencyStats, RefusedSignal, RunResult, RunSink } from '../domain/run-result.ts';
import type { Asset, Atto, MarketDef, OrderSignal, Signal, VenueId } from '../domain/types.ts';
import type { EventSource } from '../sources/event-source.ts';
import { MarkBoard } from './mark-board.ts';
import { TradingCore, marketKey } from './trading-core.ts';

/** A driver for a paper or live run; `start` (if any) begins its feeds. */
export interface RunDriver extends ExchangeDriver {
  start?(): Promise<void>;
}

export interface LiveRunOptions {
  readonly plan: RunPlan;
  readonly mode: 'paper' | 'live';
  readonly clock: Clock;
  readonly drivers: ReadonlyMap<VenueId, RunDriver>;
  /** Definitions of the traded markets, as the venues published them. */
  readonly markets: ReadonlyMap<string, MarketDef>;
  readonly signals: EventSource<Signal>;
  readonly sink: RunSink & { readonly stats: RunResult['fillStats'] };
  readonly abort: AbortSignal;
  readonly log: (line: string) => void;
  /** Called when a signal is handed to the pipeline (latency measurement). */
  readonly onSignal?: (sig: OrderSignal, at: number) => void;
}

export async function runLive(o: LiveRunOptions): Promise<RunResult> {
  const { plan, clock, drivers } = o;
  const marks = new MarkBoard(drivers.values());
  // Paper venues know their simulated marks; live venues publish tops on book$.
  const mark = (venue: VenueId, symbol: string) =>
    (drivers.get(venue) as { mark?: (s: string) => number | undefined } | undefined)?.mark?.(symbol) ?? marks.mark(venue, symbol);

  for (const d of drivers.values()) await d.start?.();
  // No signal is acted on before every market has a price (values positions, checks notional limits).
  const priceDeadline = clock.now() + 10_000;
  while ([...o.markets.values()].some((m) => mark(m.venue, m.symbol) === undefined) && clock.now() < priceDeadline && !o.abort.aborted) {
    await sleep(50);
  }
  const initial = new Map<VenueId, ReadonlyMap<Asset, Atto>>();
  for (const [venue, d] of drivers) initial.set(venue, o.mode === 'paper' ? (plan.venues.get(venue)?.balances ?? new Map()) : await d.fetchBalance());

  const core = new TradingCore({
    plan,
    markets: o.markets,
    drivers,
    mark,
    sink: o.sink,
    initial,
    idPrefix: `tf${plan.runId.replace(/[^A-Za-z0-9]/g, '').slice(-10)}`,
    clock,
  });
  const badRows: RefusedSignal[] = [];
  const startTs = clock.now();
  const sampler = setInterval(() => core.afterEvent(clock.now()), Math.max(100, Math.min(plan.equityIntervalMs, 5000)));
  let signalsSeen = 0;
  try {
    for await (const batch of o.signals) {
      if (o.abort.aborted) break;
      for (const sig of batch) {
        core.throwIfFailed();
        if (!o.markets.has(marketKey(sig.venue, sig.symbol))) {
          throw DataError.at(sig.source?.file ?? 'signals', sig.source?.line, `no market ${sig.venue} ${sig.symbol} in this run`, 'symbol');
        }
        signalsSeen++;
        o.onSignal?.(sig, clock.now());
        core.signals$.next(sig);
        core.afterEvent(clock.now());
      }
    }
    // Signals are done: give open orders a grace period to finish, unless stopped.
    const until = clock.now() + plan.live.lingerMs;
    while (!o.abort.aborted && core.orders.liveCount > 0 && clock.now() < until) {
      await sleep(Math.min(200, plan.live.pollIntervalMs)).catch(() => undefined);
    }
  } finally {
    clearInterval(sampler);
  }
  core.throwIfFailed();
  if (plan.live.cancelOnExit) await cancelOpen(core, drivers, clock, o.log);

  const endTs = clock.now();
  core.sampler.finish(endTs);
  const finalBalances: BalanceSheet = core.portfolio.snapshot();
  const submitLatency = latencyStats(
    [...drivers.values()].flatMap((d) => (d as { latencies?: () => number[] }).latencies?.() ?? []),
  );
  const warnings = [...plan.warnings, ...(await compareWithVenues(finalBalances, drivers))];
  if (core.sampler.unpricedAssets.size > 0) {
    warnings.push(`no price to value ${[...core.sampler.unpricedAssets].join(', ')} in ${plan.quoteCurrency}; counted as 0`);
  }
  core.close();
  marks.close();
  for (const d of drivers.values()) await d.close();

  const marksOut = new Map<string, number>();
  for (const m of o.markets.values()) {
    const v = mark(m.venue, m.symbol);
    if (v !== undefined) marksOut.set(`${m.venue}:${m.symbol}`, v);
  }
  return {
    runId: plan.runId,
    scenario: plan.name,
    mode: o.mode,
    seed: plan.seed,
    quoteCurrency: plan.quoteCurrency,
    startTs,
    endTs,
    initialBalances: initial,
    finalBalances,
    initialEquity: core.sampler.initialEquity ?? 0,
    finalEquity: core.sampler.equity[core.sampler.equity.length - 1] ?? 0,
    equity: { ts: core.sampler.ts, equity: core.sampler.equity },
    orderCounts: core.orders.statusCounts(),
    fillStats: o.sink.stats,
    exposure: core.sampler.exposure,
    refused: core.refused,
    badRows,
    marks: marksOut,
    riskState: core.riskState(),
    eventsProcessed: signalsSeen,
    warnings,
    ...(submitLatency ? { submitLatency } : {}),
  };
}

/** p50/p99/max of latency samples (nearest-rank), or undefined when there are none. */
export function latencyStats(samples: readonly number[]): LatencyStats | undefined {
  if (samples.length === 0) return undefined;
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { count: s.length, p50Ms: rank(0.5), p99Ms: rank(0.99), maxMs: s[s.length - 1]! };
}

/** Cancels every live order and waits (bounded) for the venues to confirm. */
async function cancelOpen(core: TradingCore, drivers: ReadonlyMap<VenueId, RunDriver>, clock: Clock, log: (l: string) => void): Promise<void> {
  const open = [...core.orders.live()];
  if (open.length === 0) return;
  log(`cancelling ${open.length} open order(s)`);
  await Promise.all(
    open.map((o) =>
      drivers.get(o.cmd.venue)?.cancel({
        clientId: o.cmd.clientId,
        venue: o.cmd.venue,
        symbol: o.cmd.symbol,
        ...(o.exchangeId ? { exchangeId: o.exchangeId } : {}),
        ts: clock.now(),
      }),
    ),
  );
  const until = Date.now() + 5000;
  while (core.orders.liveCount > 0 && Date.now() < until) await sleep(100);
}

/** Differences between our ledger and each venue's balances (the venue is the truth). */
async function compareWithVenues(ours: BalanceSheet, drivers: ReadonlyMap<VenueId, RunDriver>): Promise<string[]> {
  const out: string[] = [];
  for (const [venue, d] of drivers) {
    let theirs: ReadonlyMap<Asset, Atto>;
    try {
      theirs = await d.fetchBalance();
    } catch (err) {
      out.push(`${venue}: could not fetch balances to reconcile (${(err as Error).message})`);
      continue;
    }
    const mine = ours.get(venue) ?? new Map<Asset, Atto>();
    for (const asset of new Set([...mine.keys()])) {
      const a = mine.get(asset) ?? 0n;
      const b = theirs.get(asset) ?? 0n;
      if (a !== b) out.push(`${venue} ${asset}: ledger ${formatAtto(a)} vs venue ${formatAtto(b)}`);
    }
  }
  return out;
}
