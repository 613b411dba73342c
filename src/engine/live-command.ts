/**
 * `tradeflow paper [scenario]` and the flip, `tradeflow paper [scenario] --live`: the same scenario,
 * signals and operators, against live prices (paper) or the venue itself (live). Live needs keys
 * (environment or an owner-only key file), shows the account and the limits, and asks before trading
 * unless `--yes`. Ctrl-C stops cleanly: no new orders, open orders cancelled if configured, reports
 * written.
 */
import { existsSync, mkdirSync } from 'node:fs';
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
import { TimerScheduler } from '../core/clock.ts';
import { InvariantError, TradeflowError } from '../core/errors.ts';
import type { OrderRecord } from '../domain/run-result.ts';
import type { FailureReport } from '../faults/failure-report.ts';
import { FaultInjectingExchange } from '../faults/fault-exchange.ts';
import { FaultLog } from '../faults/fault-log.ts';
import { FaultSchedule } from '../faults/fault-schedule.ts';
import { arbSignalIds } from './arb-recovery.ts';
import { checkLiveFaults, emulatorFaultSpecs, installEmulatorFaults, liveFailureReport, paperFailureReport, withCrashes, withJournaled } from './live-faults.ts';
import { teeOrderRecords } from './tee-orders.ts';
import { SUPERVISED_ENV, crashRecords, noteReconciled, supervise } from './supervisor.ts';
import type { TradingCore } from './trading-core.ts';
import { makeRedactor } from '../drivers/live/redact.ts';
import { SqliteJournal, journaledRunIds } from '../journal/sqlite-journal.ts';
import { formatAtto } from '../domain/money.ts';
import type { RunInfo } from '../domain/run-result.ts';
import type { MarketDef, Signal, VenueId } from '../domain/types.ts';
import { RunRecorder, formatConsoleSummary, type Summary } from '../reports/index.ts';
import type { EventSource } from '../sources/event-source.ts';
import { followFile } from '../sources/follow-file.ts';
import { paceByTimestamps } from '../sources/pace-signals.ts';
import { signalCsvSource } from '../sources/signal-csv.ts';
import { signalJsonLinesSource } from '../sources/signal-jsonl.ts';
import { skipSignals } from '../sources/skip-signals.ts';
import { planFromInputs, type CommandIO } from './backtest-command.ts';
import { runLive, type RunDriver } from './run-live.ts';
import { ControlFilePoller, RunControls, controlFilePath } from './control-file.ts';
import { marketKey } from './trading-core.ts';
import type { RunFlags } from './run-options.ts';

/** The CLI entry a supervised child runs. */
const CLI_SCRIPT = path.resolve(import.meta.dirname, '../../bin/tradeflow.js');

export interface LiveFlags extends RunFlags {
  live?: boolean;
  yes?: boolean;
  sandbox?: boolean;
  'exchange-url'?: string[];
  'key-file'?: string;
  speed?: number;
  follow?: boolean;
  'poll-ms'?: number;
  'timeout-ms'?: number;
  /** Continue run RUN_ID after a crash or a stop: same client-id sequence, its signals not acted on twice. */
  resume?: string;
  /** Folder of the journal and control files (default `state/`, or the scenario's `live.state_dir`). */
  state?: string;
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
  if (flags['timeout-ms'] !== undefined) live.request_timeout_ms = flags['timeout-ms'];
  if (flags.sandbox) live.sandbox = true;
  if (flags['exchange-url']?.length) live.exchange_urls = Object.fromEntries(flags['exchange-url'].map(parseExchangeUrl));
  return Object.keys(live).length > 0 ? { live } : {};
}

/** The signal stream of a live run: stdin, a followed file, or a CSV/JSONL replayed at its pace. */
function signalSource(
  plan: RunPlan,
  flags: LiveFlags,
  io: LiveIO,
  clock: WallClock,
  isKnownMarket: (v: string, s: string) => boolean,
  skip: ReadonlySet<string> | undefined,
): EventSource<Signal> {
  const opts = { skipBadRows: plan.skipBadRows, isKnownVenue: io.isVenue, isKnownMarket };
  let skipped = 0;
  const unskipped = <T extends Signal>(src: EventSource<T>): EventSource<T> =>
    skip && skip.size > 0 ? skipSignals(src, skip, () => void (skipped++ === 0 && io.err('resumed: skipping signals already acted on before the restart'))) : src;
  if (flags.signals === '-') return unskipped(signalJsonLinesSource(io.stdin as AsyncIterable<Buffer>, { ...opts, name: 'stdin' }));
  const file = plan.signalsFile;
  if (!file) throw new ConfigError('no signals: pass --signals FILE, or --signals - for JSON lines on stdin', { field: 'signals' });
  if (flags.follow) return unskipped(signalJsonLinesSource(followFile(file, { signal: io.abort }), { ...opts, name: file }));
  const src = /\.jsonl?$/.test(file) ? signalJsonLinesSource(file, opts) : signalCsvSource(file, opts);
  return paceByTimestamps(unskipped(src), clock, plan.live.speed, io.abort);
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

/**
 * The plan of a resumed run: the id it had (so its client ids continue and its journaled signals are
 * known), and its own output folder — `reports/<run-id>` unless that holds a finished run's report.
 */
function resumedPlan(plan: RunPlan, runId: string, journalFile: string, outGiven: boolean): RunPlan {
  const known = journaledRunIds(journalFile);
  if (!known.includes(runId)) {
    const hint = known.length > 0 ? ` (latest: ${known.slice(-3).join(', ')})` : ' (the journal has no runs)';
    throw new ConfigError(`--resume ${runId}: no such run in the journal ${journalFile}${hint}`, { field: 'resume' });
  }
  if (outGiven) return { ...plan, runId };
  const reports = path.dirname(plan.outDir);
  let outDir = path.join(reports, runId);
  for (let k = 2; existsSync(outDir); k++) outDir = path.join(reports, `${runId}.resume-${k}`);
  return { ...plan, runId, outDir };
}

export async function liveCommand(scenarioFile: string | undefined, flags: LiveFlags, io: LiveIO): Promise<{ outDir: string; summary: Summary }> {
  const mode = flags.live ? 'live' : 'paper';
  const flagsForPlan = { ...flags, ...(flags.signals === '-' ? { signals: undefined } : {}) };
  const planned = planFromInputs(scenarioFile, flagsForPlan, io, { command: mode, extra: liveOverrides(flags) });
  // --state, else TRADEFLOW_STATE_DIR, else the scenario's live.state_dir, else state/ here.
  const stateDir =
    flags.state !== undefined ? path.resolve(io.cwd, flags.state) : io.env.TRADEFLOW_STATE_DIR ? path.resolve(io.cwd, io.env.TRADEFLOW_STATE_DIR) : planned.live.stateDir;
  const journalFile = path.join(stateDir, 'journal.sqlite');
  const plan = flags.resume !== undefined ? resumedPlan(planned, flags.resume, journalFile, flags.out !== undefined) : planned;
  if (plan.faults) checkLiveFaults(plan.faults, mode, scenarioFile ?? 'command line');
  // A crash fault: this process supervises the run in children that crash and are resumed.
  const crashes = (plan.faults?.entries ?? []).filter((e) => e.kind === 'crash');
  if (crashes.length > 0 && !io.env[SUPERVISED_ENV]) {
    const orders = crashes.map((e) => {
      if (!('order' in e.trigger)) throw new ConfigError(`${scenarioFile ?? 'command line'}: faults.schedule.${e.index}.order: a crash in a ${mode} run strikes after an order request: give order`, { field: `faults.schedule.${e.index}.order` });
      return e.trigger.order;
    });
    return superviseRun(plan, io, stateDir, orders, childArgs(scenarioFile, flags));
  }
  const clock = new WallClock();
  // Paper runs play their faults through the same fault-injecting driver as a backtest, in wall time.
  const paperFaults =
    plan.faults && mode === 'paper' ? { schedule: new FaultSchedule(plan.faults), log: new FaultLog(() => clock.now()), scheduler: new TimerScheduler() } : undefined;
  // A person's commands and driver-reported errors, held until the run's core exists.
  const controls = new RunControls(clock);
  const venues = [...new Set(plan.symbols.map((s) => s.venue))];
  const creds: Map<VenueId, ApiCredentials> = mode === 'live' ? loadCredentials(venues, io.env, flags['key-file']) : new Map();

  const drivers = new Map<VenueId, RunDriver>();
  const markets = new Map<string, MarketDef>();
  for (const venue of venues) {
    const baseUrl = plan.live.exchangeUrls.get(venue);
    const exchange = createCcxtExchange(venue, {
      ...(creds.get(venue)?.reveal() ?? {}),
      sandbox: plan.live.sandbox,
      timeoutMs: plan.live.requestTimeoutMs,
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
    const paperVenue = (p: PaperExchange): RunDriver => {
      if (!paperFaults) return p;
      const faulty = new FaultInjectingExchange(p, paperFaults.schedule, paperFaults.log, paperFaults.scheduler, venueMarkets);
      // What the run asks of a paper venue besides the driver contract: its feeds, marks and book age.
      return Object.assign(faulty, { start: () => p.start(), mark: (s: string) => p.mark(s), lastUpdate: (s: string) => p.lastUpdate(s) });
    };
    drivers.set(
      venue,
      mode === 'paper'
        ? paperVenue(new PaperExchange({
            sim: { venue, markets: venueMarkets, ...(vp?.fees ? { fees: vp.fees } : {}), latencyMs: 0, balances: vp?.balances ?? new Map() },
            source: exchange,
            clock,
            pollIntervalMs: plan.live.pollIntervalMs,
            onFeedError: (s, e) => {
              io.err(`warning: ${venue} ${s} order book: ${(e as Error).message}`);
              controls.noteError(`${venue} ${s} order book fetch failed`);
            },
          }))
        : watching(new LiveExchange({
            venue,
            exchange,
            clock,
            pollIntervalMs: plan.live.pollIntervalMs,
            markets: venueMarkets,
            // A canceled order the venue no longer shows is given up only after as long as an unknown submit.
            absentAfterMs: plan.live.reconcile.absentAfterMs,
            // Only what and the class, never the message: it may quote the request.
            onError: (what, cls) => {
              io.err(`warning: ${venue} ${what}: ${cls.kind}${cls.code !== undefined ? ` (${cls.code})` : ''}`);
              controls.noteError(`${venue} ${what}: ${cls.kind}${cls.code !== undefined ? ` (${cls.code})` : ''}`);
            },
          }), [...venueMarkets.keys()]),
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
  const secrets = [...creds.values()].flatMap((c) => Object.values(c.reveal()).filter((v): v is string => typeof v === 'string' && v.length > 0));
  const journal = new SqliteJournal(journalFile, { redact: makeRedactor(secrets), intentSync: plan.live.journalSync });
  journal.open(plan.runId);
  // A resumed run leaves out the signals it already acted on: orders by their signal id, arb rows by
  // the arbitrage each started (its legs carry `<row id>:buy` and `<row id>:sell`).
  const skipSignalIds = flags.resume !== undefined ? new Set([...journal.signalIds(plan.runId), ...arbSignalIds(journal, plan.runId)]) : undefined;
  const recorder = await RunRecorder.open(plan.outDir);
  // With faults: what tradeflow believed of each order (for the invariants), and the emulators primed.
  const believed = new Map<string, OrderRecord>();
  const sink = plan.faults ? teeOrderRecords(recorder, believed) : recorder;
  const emulatorUrls = new Map<VenueId, string>();
  if (plan.faults && mode === 'live') {
    for (const venue of venues) {
      const url = plan.live.exchangeUrls.get(venue);
      if (!url) throw new ConfigError(`faults in a live run need the emulator: pass --exchange-url ${venue}=http://127.0.0.1:PORT`, { field: 'faults' });
      await installEmulatorFaults(url, emulatorFaultSpecs(plan.faults, venue), plan.faults.seed);
      emulatorUrls.set(venue, url);
    }
  }
  let core: TradingCore | undefined;
  let failures: FailureReport | undefined;
  const uninstallControls = installControls(controls, controlFilePath(stateDir, plan.runId), io, plan.runId);
  try {
    const result = await runLive({
      plan,
      mode,
      clock,
      drivers,
      markets,
      signals: signalSource(plan, flags, io, clock, (v, s) => markets.has(marketKey(v, s)), skipSignalIds),
      sink,
      abort: io.abort,
      log: io.err,
      onCore: (c) => {
        core = c;
        c.killSwitch.onChange((ch) => io.err(`risk: ${ch.from} → ${ch.to}: ${ch.reason}`));
        controls.attach(c);
      },
      ...(paperFaults ? { onOrderUpdate: (ev, order, before, dup) => paperFaults.log.observe(ev, order, before, dup) } : {}),
      journal,
      recovery: {
        unknownOrders: plan.live.reconcile.unknownOrders,
        family: plan.live.reconcile.clientIdFamily,
        settleTimeoutMs: plan.live.reconcile.settleTimeoutMs,
        sweepIntervalMs: plan.live.reconcile.intervalMs,
        resolvePolicy: { lookups: plan.live.reconcile.absentLookups, minAbsentMs: plan.live.reconcile.absentAfterMs },
      },
      onReconciliation: (r) => recorder.addFile('reconciliation.json', `${JSON.stringify(r, null, 2)}\n`),
      onArbitrage: (r) => recorder.addFile('arbitrage.json', `${JSON.stringify(r, null, 2)}\n`),
      onReconciled: (r) => noteReconciled(io.env, plan.runId, r.journalOrders.length, r.foreignOrders.length),
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
    if (plan.faults) {
      failures =
        mode === 'live'
          ? await liveFailureReport({ urls: emulatorUrls, plan: plan.faults, believed: withJournaled(believed, journal, plan.runId), ledger: result.finalBalances, markets: markets.values(), ours: (id) => journal.order(id)?.runId === plan.runId })
          : await paperFailureReport(paperFaults!.log, drivers, believed, result.finalBalances, markets.values(), (id) => core?.orders.get(id), result.endTs);
      failures = withCrashes(failures, crashRecords(io.env));
      recorder.addFile('failures.json', `${JSON.stringify(failures, null, 2)}\n`);
    }
    await recorder.publish(result, info);
  } catch (err) {
    await recorder.abort();
    for (const d of drivers.values()) await d.close().catch(() => undefined);
    throw err;
  } finally {
    uninstallControls();
    journal.close();
    for (const url of emulatorUrls.values()) await installEmulatorFaults(url, [], 0).catch(() => undefined);
  }
  const { readFile } = await import('node:fs/promises');
  const summary = JSON.parse(await readFile(path.join(plan.outDir, 'summary.json'), 'utf8')) as Summary;
  io.out(formatConsoleSummary(summary, { outDir: path.relative(io.cwd, plan.outDir) || plan.outDir }));
  if (failures) {
    const inv = failures.invariants;
    io.err(`faults: ${failures.faults.length} injected; lost orders ${inv.lostOrders}, duplicated ${inv.duplicatedOrders}, position divergence ${inv.positionDivergence}, balance divergence ${inv.balanceDivergence}`);
    if (!failures.ok) throw new InvariantError(`recovery invariants broken under faults (see failures.json):\n  ${inv.details.slice(0, 20).join('\n  ')}`, { outDir: plan.outDir });
  }
  return { outDir: plan.outDir, summary };
}

/** The supervisor's side of a run with crash faults: children run it; the last one's reports are the run's. */
async function superviseRun(plan: RunPlan, io: LiveIO, stateDir: string, crashAfterOrders: number[], args: string[]): Promise<{ outDir: string; summary: Summary }> {
  const logFile = path.join(stateDir, `supervisor-${process.pid}-${Date.now()}.jsonl`);
  mkdirSync(stateDir, { recursive: true });
  const code = await supervise({
    node: process.execPath,
    script: CLI_SCRIPT,
    args: [...args, '--out', plan.outDir, '--state', stateDir],
    env: io.env,
    crashAfterOrders,
    journalFile: path.join(stateDir, 'journal.sqlite'),
    logFile,
    out: io.out,
    err: io.err,
  });
  if (code !== 0) throw new TradeflowError(`the supervised run ended with exit code ${code}`, { exitCode: code });
  const { readFile } = await import('node:fs/promises');
  return { outDir: plan.outDir, summary: JSON.parse(await readFile(path.join(plan.outDir, 'summary.json'), 'utf8')) as Summary };
}

/**
 * The command line of a supervised child: `paper`, the scenario, and the flags as given (yargs'
 * camelCase copies and its own keys left out), except those the supervisor sets itself.
 */
function childArgs(scenarioFile: string | undefined, flags: LiveFlags): string[] {
  const out = ['paper', ...(scenarioFile ? [path.resolve(scenarioFile)] : [])];
  for (const [k, v] of Object.entries(flags)) {
    if (v === undefined || v === false || k === '_' || k === '$0' || /[A-Z]/.test(k) || ['resume', 'out', 'state', 'scenario'].includes(k)) continue;
    for (const item of Array.isArray(v) ? v : [v]) out.push(...(item === true ? [`--${k}`] : [`--${k}`, String(item)]));
  }
  return out;
}

/**
 * A person's controls of the running run, until the returned function removes them: the control file
 * `tradeflow halt` writes (polled every 500 ms), and SIGUSR1 → halted, SIGUSR2 → reducing.
 */
function installControls(controls: RunControls, file: string, io: LiveIO, runId: string): () => void {
  const poller = new ControlFilePoller({ file, onRequest: (r) => controls.request(r), onProblem: (m) => io.err(`warning: control file ${m}`) });
  const onHalt = () => controls.command('halt', 'SIGUSR1');
  const onReduce = () => controls.command('reduce', 'SIGUSR2');
  const signals = process.platform !== 'win32';
  if (signals) {
    process.on('SIGUSR1', onHalt);
    process.on('SIGUSR2', onReduce);
  }
  poller.start();
  io.err(
    `run ${runId}: halt it with \`tradeflow halt ${runId}\` (--reduce, --resume)` +
      (signals ? `, or kill -USR1 ${process.pid} (halt) / -USR2 (reduce)` : ''),
  );
  return () => {
    poller.stop();
    if (signals) {
      process.off('SIGUSR1', onHalt);
      process.off('SIGUSR2', onReduce);
    }
  };
}
