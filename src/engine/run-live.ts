/**
 * Wires one paper or live run: wall clock, venue drivers (paper: live books → matching engine; live:
 * the venue through ccxt), the signal stream, and the same TradingCore the backtest uses. Stops when
 * the signals end (after a grace period for open orders) or when aborted (Ctrl-C); then cancels what
 * is still open if asked, and returns the RunResult for the reports.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock } from '../core/clock.ts';
import { DataError } from '../core/errors.ts';
import type { RunPlan } from '../config/run-plan.ts';
import type { ExchangeDriver } from '../drivers/exchange-driver.ts';
import { formatAtto } from '../domain/money.ts';
import type { BalanceSheet, LatencyStats, RefusedSignal, RunResult, RunSink } from '../domain/run-result.ts';
import type { Asset, Atto, MarketDef, MarketSymbol, OrderSignal, Signal, VenueId } from '../domain/types.ts';
import type { EventSource } from '../sources/event-source.ts';
import { priceRecorder, type PriceSink } from '../reports/price-csv.ts';
import { TimerScheduler } from '../core/clock.ts';
import type { Journal } from '../journal/journal.ts';
import type { ResolvePolicy } from '../operators/resolve-unknown.ts';
import { MarkBoard } from './mark-board.ts';
import { Reconciler, ownsClientId, type ReconciliationReport, type UnknownOrderPolicy } from './reconcile.ts';
import { TradingCore, marketKey, type CoreDeps } from './trading-core.ts';
import { LiveArbitrage } from './arb-run.ts';
import type { ArbitrageReport } from './arb-report.ts';

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
  /** With `priceTrack` (the RunRecorder has it), each market's mark is recorded at every equity sample. */
  readonly sink: RunSink & { readonly stats: RunResult['fillStats'] } & Partial<PriceSink>;
  readonly abort: AbortSignal;
  readonly log: (line: string) => void;
  /** Called when a signal is handed to the pipeline (latency measurement). */
  readonly onSignal?: (sig: OrderSignal, at: number) => void;
  /** Called once the core exists, before any signal: the caller wires its run controls to it. */
  readonly onCore?: (core: TradingCore) => void;
  /** The durable journal (intents before sending, transitions, fills); opened by the caller for this run. */
  readonly journal: Journal;
  readonly recovery: RecoverySettings;
  /** Every order event once applied (the fault log of a paper run with faults listens). */
  readonly onOrderUpdate?: CoreDeps['onOrderUpdate'];
  /** Called once the start-up reconciliation is done, before any signal is acted on. */
  readonly onReconciled?: (report: ReconciliationReport) => void;
  /** Receives the reconciliation report when the run ends (it goes into the run's output). */
  readonly onReconciliation?: (report: ReconciliationReport) => void;
  /** Receives arbitrage.json's content when the plan has an `arbitrage:` block. */
  readonly onArbitrage?: (report: ArbitrageReport) => void;
}

export interface RecoverySettings {
  /** Open orders at a venue with our family prefix that no journal knows: adopt or cancel. */
  readonly unknownOrders: UnknownOrderPolicy;
  /** Client-id family: ids `<family…>-<seq>` are tradeflow's. */
  readonly family: string;
  readonly settleTimeoutMs: number;
  /** Periodic reconciliation sweep; 0 turns it off. */
  readonly sweepIntervalMs: number;
  readonly resolvePolicy?: Partial<ResolvePolicy>;
}

export async function runLive(o: LiveRunOptions): Promise<RunResult> {
  const { plan, clock, drivers } = o;
  const marks = new MarkBoard(drivers.values());
  // Arbitrage (the plan's `arbitrage:`): watches the drivers' books from their first, sends through the core.
  const arb = plan.arbitrage ? new LiveArbitrage(plan, plan.arbitrage, o.markets, clock, o.log, o.journal) : undefined;
  arb?.watch(drivers.values());
  // Paper venues know their simulated marks; live venues publish tops on book$.
  const mark = (venue: VenueId, symbol: string) =>
    (drivers.get(venue) as { mark?: (s: string) => number | undefined } | undefined)?.mark?.(symbol) ?? marks.mark(venue, symbol);

  for (const d of drivers.values()) await d.start?.();
  // No signal is acted on before every market has a price (values positions, checks notional limits).
  const priceDeadline = clock.now() + 10_000;
  while ([...o.markets.values()].some((m) => mark(m.venue, m.symbol) === undefined) && clock.now() < priceDeadline && !o.abort.aborted) {
    await sleep(50);
  }
  // Live: the venue's balances, adopted again after reconciliation (fills found then are in them).
  const initial = new Map<VenueId, ReadonlyMap<Asset, Atto>>();
  for (const [venue, d] of drivers) initial.set(venue, o.mode === 'paper' ? (plan.venues.get(venue)?.balances ?? new Map()) : await d.fetchBalance());

  const anomalies: string[] = [];
  const core = new TradingCore({
    plan,
    markets: o.markets,
    drivers,
    mark,
    sink: o.sink,
    initial,
    idPrefix: clientIdPrefix(o.recovery.family, plan.runId),
    clock,
    journal: o.journal,
    idSkipAhead: plan.live.journalSync === 'normal' ? 1000 : 0,
    scheduler: new TimerScheduler(),
    ...(o.recovery.resolvePolicy ? { resolvePolicy: o.recovery.resolvePolicy } : {}),
    ...(o.onOrderUpdate || arb
      ? {
          onOrderUpdate: (...a: Parameters<NonNullable<CoreDeps['onOrderUpdate']>>) => {
            o.onOrderUpdate?.(...a);
            arb?.executor.onOrderUpdate(...a);
          },
        }
      : {}),
    // A venue's news our state cannot take is reported and skipped: a live run does not stop on it.
    onAnomaly: (ev, reason) => {
      anomalies.push(`${ev.kind} for ${ev.clientId}: ${reason}`);
      o.log(`warning: ${ev.venue} sent ${ev.kind} for ${ev.clientId} that its state cannot take (${reason}); skipped`);
    },
    onProblem: (what, err) => o.log(`warning: ${what}${err !== undefined ? `: ${(err as Error).message}` : ''}`),
    // Paper venues know when they last fetched a book; live ones publish tops on book$.
    lastMarketTs: (venue, symbol) =>
      (drivers.get(venue) as { lastUpdate?: (s: string) => number | undefined } | undefined)?.lastUpdate?.(symbol) ?? marks.updatedAt(venue, symbol),
  });
  o.onCore?.(core);
  arb?.executor.attach(core);
  const priceTrack = o.sink.priceTrack?.bind(o.sink);
  if (priceTrack) core.sampler.onSample = priceRecorder(o.markets.values(), mark, { priceTrack });
  const symbols = new Map<VenueId, MarketSymbol[]>();
  for (const m of o.markets.values()) symbols.set(m.venue, [...(symbols.get(m.venue) ?? []), m.symbol]);
  const reconciler = new Reconciler({
    core,
    drivers,
    journal: o.journal,
    runId: plan.runId,
    symbols,
    isOurs: ownsClientId(o.recovery.family),
    unknownOrders: o.recovery.unknownOrders,
    settleTimeoutMs: o.recovery.settleTimeoutMs,
    adoptBalances: o.mode === 'live',
    clock,
    log: o.log,
  });
  // Rule 6: nothing is acted on before the venues' truth is known and adopted.
  await reconciler.atStart();
  o.onReconciled?.(reconciler.report());
  // Arbitrages a crash cut short: their legs are reconciled now; the leg machines finish them.
  arb?.executor.recover(o.journal);
  // The run's P&L starts from the reconciled state (the venue's balances, in live mode).
  const startBalances = core.portfolio.snapshot();
  reconciler.startSweeps(o.recovery.sweepIntervalMs);
  if (plan.live.warmupCalls > 0) await warmUp(drivers, symbols, plan.live.warmupCalls, o.log);

  const badRows: RefusedSignal[] = [];
  const startTs = clock.now();
  const sampler = setInterval(() => core.afterEvent(clock.now()), Math.max(100, Math.min(plan.equityIntervalMs, 5000)));
  let signalsSeen = 0;
  try {
    for await (const batch of o.signals) {
      if (o.abort.aborted) break;
      for (const sig of batch) {
        core.throwIfFailed();
        if (sig.kind === 'control' || sig.kind === 'arb') {
          signalsSeen++;
          core.signal(sig);
          continue;
        }
        if (!o.markets.has(marketKey(sig.venue, sig.symbol))) {
          throw DataError.at(sig.source?.file ?? 'signals', sig.source?.line, `no market ${sig.venue} ${sig.symbol} in this run`, 'symbol');
        }
        signalsSeen++;
        o.onSignal?.(sig, clock.now());
        const refusedBefore = core.refused.length;
        core.signalAt = performance.now();
        core.signals$.next(sig);
        // An operator watching a paper/live run sees each refusal as it happens.
        if (core.refused.length > refusedBefore) {
          const r = core.refused[core.refused.length - 1]!;
          o.log(`refused ${r.signalId ?? ''}: ${r.rule}: ${r.reason}`);
        }
        core.afterEvent(clock.now());
      }
    }
    // Signals are done: give open orders a grace period to finish, unless stopped.
    const until = clock.now() + plan.live.lingerMs;
    while (!o.abort.aborted && (core.orders.liveCount > 0 || (arb?.executor.inFlight ?? 0) > 0) && clock.now() < until) {
      await sleep(Math.min(200, plan.live.pollIntervalMs)).catch(() => undefined);
    }
  } finally {
    clearInterval(sampler);
    await reconciler.stop();
  }
  core.throwIfFailed();
  // Orders whose outcome is still being looked up are settled first (bounded): a cancel cannot tell
  // "never placed" from "gone", the lookup can.
  if (core.resolver && core.resolver.pendingCount > 0 && !o.abort.aborted) {
    o.log(`waiting for ${core.resolver.pendingCount} order(s) of unknown outcome to be looked up`);
    await Promise.race([core.resolver.idle(), new Promise<void>((r) => setTimeout(r, o.recovery.settleTimeoutMs).unref())]);
  }
  if (plan.live.cancelOnExit) await cancelOpen(core, drivers, clock, o.log);

  const endTs = clock.now();
  core.sampler.finish(endTs);
  const finalBalances: BalanceSheet = core.portfolio.snapshot();
  const submitLatency = latencyStats(
    [...drivers.values()].flatMap((d) => (d as { latencies?: () => number[] }).latencies?.() ?? []),
  );
  const warnings = [...plan.warnings, ...anomalies.map((a) => `skipped venue news: ${a}`), ...(await compareWithVenues(finalBalances, drivers))];
  if (core.sampler.unpricedAssets.size > 0) {
    warnings.push(`no price to value ${[...core.sampler.unpricedAssets].join(', ')} in ${plan.quoteCurrency}; counted as 0`);
  }
  o.onReconciliation?.(reconciler.report());
  if (arb) {
    arb.stop();
    o.onArbitrage?.(arb.report(startBalances, finalBalances, endTs));
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
    initialBalances: startBalances,
    finalBalances,
    initialEquity: core.sampler.initialEquity ?? 0,
    finalEquity: core.sampler.equity[core.sampler.equity.length - 1] ?? 0,
    equity: { ts: core.sampler.ts, equity: core.sampler.equity },
    orderCounts: core.orders.statusCounts(),
    resolutions: core.orders.resolutionCounts(),
    ordersReopened: core.orders.reopened,
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

/**
 * The client-id prefix of a run: the family, then the run id's last alphanumerics — the same for a
 * resumed run, so its ids continue the sequence, and at most 20 characters (ClientIdFactory's rule).
 */
export function clientIdPrefix(family: string, runId: string): string {
  return `${family}${runId.replace(/[^A-Za-z0-9]/g, '').slice(-(20 - family.length))}`.slice(0, 20);
}

/** Runs each venue's order path dry before the first signal (ExchangeDriver.warmUp) and says what it did. */
async function warmUp(drivers: ReadonlyMap<VenueId, ExchangeDriver>, symbols: ReadonlyMap<VenueId, MarketSymbol[]>, calls: number, log: (m: string) => void): Promise<void> {
  for (const [venue, d] of drivers) {
    const r = await d.warmUp?.(symbols.get(venue) ?? [], { calls });
    if (!r) continue;
    log(`${venue}: order path warmed: ${r.calls} dry placements (none sent) in ${Math.round(r.ms)} ms${r.problem ? `; stopped early: ${r.problem}` : ''}`);
  }
}
