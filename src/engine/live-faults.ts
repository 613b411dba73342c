/**
 * A scenario's `faults:` in paper and live runs.
 *  - live: only against the project's emulator (a venue URL on loopback). The schedule is translated
 *    to the emulator's `--fault` specs and installed over HTTP (`POST /__emulator/faults`), so every
 *    fault happens over real HTTP to the real ccxt code path. After the run the emulator's fault log,
 *    orders and balances are read back for failures.json: each fault with the order it touched and how
 *    that order ended, and the invariants against what really reached the venue.
 *  - paper: the paper venue is wrapped in the same fault-injecting driver as a backtest's, in wall time.
 * Faults by event time (`at:`) and those of market data only a backtest can replay are refused with
 * the entry named; `crash` is played by the supervisor (`--supervise`), not here.
 */
import { ConfigError } from '../core/errors.ts';
import { SCENARIO_FAULT_KINDS } from '../config/faults-schema.ts';
import { FAULT_KINDS } from '../emulator/faults.ts';
import type { BalanceSheet, OrderRecord } from '../domain/run-result.ts';
import { attoToNumber, parseAtto, toAtto } from '../domain/money.ts';
import type { OrderState } from '../domain/order-registry.ts';
import type { ExchangeDriver } from '../drivers/exchange-driver.ts';
import type { FaultLog } from '../faults/fault-log.ts';
import type { Journal } from '../journal/journal.ts';
import type { Asset, Atto, MarketDef, OrderSnapshot, OrderStatus, VenueId } from '../domain/types.ts';
import { believedOf, checkInvariants, failureReport, type FailureReport } from '../faults/failure-report.ts';
import { describeEntry, type FaultEntry, type FaultPlanSpec } from '../faults/fault-schedule.ts';
import type { FaultRecord } from '../faults/fault-log.ts';

/** Scenario kinds the emulator plays, with the same names (its own list, less those a scenario has no name for). */
const EMULATOR_KINDS: ReadonlySet<string> = new Set<string>(FAULT_KINDS.filter((k) => (SCENARIO_FAULT_KINDS as readonly string[]).includes(k)));

/** Kinds the paper venue's fault-injecting driver plays in wall time. */
const PAPER_KINDS = new Set(['timeout-after-accept', 'timeout-before-accept', 'error-5xx-after-accept', 'unknown-status', 'reject', 'leg-failure', 'partial-then-cancel', 'drop-event', 'repeat-event', 'clock-skew', 'rate-limit', 'ip-ban', 'latency-spike']);

/** How tradeflow notices each kind and what it does (the emulator only says what it did). */
const LIVE_TEXT: Record<string, { detected: string; action: string }> = {
  'timeout-after-accept': { detected: 'request timed out: submit outcome unknown', action: 'marked unknown; looked up by client id with backoff, never resent' },
  'timeout-before-accept': { detected: 'request timed out: submit outcome unknown', action: 'marked unknown; looked up by client id until proven absent, never resent' },
  'error-5xx-after-accept': { detected: 'HTTP 5xx: submit outcome unknown', action: 'marked unknown; looked up by client id with backoff, never resent' },
  'unknown-status': { detected: 'Binance -1007: execution status unknown', action: 'marked unknown; looked up by client id with backoff, never resent' },
  'rate-limit': { detected: 'HTTP 429 (Retry-After)', action: 'waited Retry-After, resent with the same client id' },
  'ip-ban': { detected: 'HTTP 418: IP banned', action: 'no traffic to the venue until the ban ended' },
  'clock-skew': { detected: 'Binance -1021: timestamp outside recvWindow', action: 'clock offset measured again; resent with the same client id' },
  'drop-event': { detected: 'venue filled more than its trades showed', action: 'missing fill taken from the cumulative quantity, once' },
  'repeat-event': { detected: 'the same trade id reported again', action: 'second report dropped by trade id' },
  'partial-then-cancel': { detected: 'order canceled by the venue after a partial fill', action: 'kept the filled part; order ended canceled' },
  'stream-silence': { detected: 'market data stopped updating (book age)', action: 'new orders refused as stale; open orders settled by REST polling' },
};

function badEntry(label: string, i: number, field: string, msg: string): ConfigError {
  return new ConfigError(`${label}: faults.schedule.${i}.${field}: ${msg}`, { field: `faults.schedule.${i}.${field}` });
}

/** Refuses what a paper or live run cannot play; returns the entries each mode plays. */
export function checkLiveFaults(plan: FaultPlanSpec, mode: 'paper' | 'live', label: string): void {
  const kinds = mode === 'live' ? EMULATOR_KINDS : PAPER_KINDS;
  for (const e of plan.entries) {
    if (e.kind === 'crash') continue;
    if ('at' in e.trigger) throw badEntry(label, e.index, 'at', `a ${mode} run has no event time to strike at: give order or probability`);
    if (!kinds.has(e.kind)) {
      throw badEntry(label, e.index, 'kind', `${e.kind} cannot be injected in a ${mode} run (${mode === 'live' ? 'the emulator plays' : 'paper plays'} ${[...kinds].join(', ')}); rehearse it in a backtest`);
    }
  }
}

/** The emulator `--fault` specs of the entries that strike `venue`. */
export function emulatorFaultSpecs(plan: FaultPlanSpec, venue: VenueId): string[] {
  const out: string[] = [];
  for (const e of plan.entries) {
    if (e.kind === 'crash' || (e.venue !== undefined && e.venue !== venue) || 'at' in e.trigger) continue;
    const when = 'order' in e.trigger ? `@${e.trigger.order}` : `:${e.trigger.probability}`;
    out.push(`${e.kind}${when}${specParams(e)}`);
  }
  return out;
}

function specParams(e: FaultEntry): string {
  switch (e.kind) {
    case 'rate-limit':
    case 'ip-ban':
      return `,retry-after=${Math.max(1, Math.ceil(e.retryAfterMs / 1000))}`;
    case 'partial-then-cancel':
      return `,fill=${e.fill}`;
    case 'stream-silence':
      return `,ms=${e.durationMs}`;
    default:
      return '';
  }
}

/** Is `url` the loopback (where only the project's emulator may be faulted)? */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
}

async function emulatorCall<T>(url: string, path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(new URL(path, url), init);
  const body = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new ConfigError(`emulator at ${url}: ${path}: ${body.error ?? res.status}`, { field: 'faults' });
  return body;
}

export async function installEmulatorFaults(url: string, specs: string[], seed: number): Promise<void> {
  if (!isLoopback(url)) throw new ConfigError(`faults can only be injected into the local emulator; ${url} is not on loopback`, { field: 'faults' });
  await emulatorCall(url, '/__emulator/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ specs, seed }) });
}

interface EmulatorOrderView {
  readonly orderId: string;
  readonly clientOrderId?: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'limit' | 'market';
  readonly quantity: number;
  readonly filled: string;
  readonly status: OrderStatus;
  readonly updatedAt: number;
}

interface EmulatorFaultEntry {
  readonly kind: string;
  readonly trigger: boolean;
  readonly at: number;
  readonly clientId?: string;
}

/**
 * failures.json of a live run against emulators: the faults they played (their logs), how each touched
 * order ended by our records, and the invariants against the emulators' orders and balances.
 */
export async function liveFailureReport(o: {
  readonly urls: ReadonlyMap<VenueId, string>;
  readonly plan: FaultPlanSpec;
  readonly believed: ReadonlyMap<string, OrderRecord>;
  readonly ledger: ReadonlyMap<VenueId, ReadonlyMap<Asset, Atto>>;
  readonly markets: Iterable<MarketDef>;
  /** Client ids this run (and the sessions it resumed) sent: other orders at the venue are not ours to judge. */
  readonly ours: (clientId: string) => boolean;
}): Promise<FailureReport> {
  const records: FaultRecord[] = [];
  const venueOrders = new Map<VenueId, OrderSnapshot[]>();
  const venueBalances = new Map<VenueId, Map<Asset, Atto>>();
  for (const [venue, url] of o.urls) {
    const [log, orders, balances] = await Promise.all([
      emulatorCall<EmulatorFaultEntry[]>(url, '/__emulator/faults'),
      emulatorCall<EmulatorOrderView[]>(url, '/__emulator/orders'),
      emulatorCall<Record<Asset, { total: string }>>(url, '/__emulator/balances'),
    ]);
    for (const f of log.filter((x) => x.trigger)) {
      const entry = o.plan.entries.find((e) => e.kind === f.kind && (e.venue === undefined || e.venue === venue));
      const text = LIVE_TEXT[f.kind] ?? { detected: f.kind, action: 'none' };
      const mine = f.clientId !== undefined ? o.believed.get(f.clientId) : undefined;
      const ended = mine ? `${mine.clientId} ${mine.status}${mine.filled > 0 ? ` (filled ${mine.filled} of ${mine.quantity})` : ''}${mine.resolution ? `, resolved by ${mine.resolution === 'local' ? 'tradeflow locally' : 'venue lookup'}` : ''}` : f.clientId ? `${f.clientId}: not in this run's records` : 'no order was touched';
      const settled = mine && mine.status !== 'unknown';
      records.push({
        id: records.length + 1,
        ts: f.at,
        kind: f.kind as FaultRecord['kind'],
        entry: entry ? describeEntry(entry) : f.kind,
        venue,
        orders: f.clientId ? [f.clientId] : [],
        detected: text.detected,
        action: text.action,
        outcome: settled || !f.clientId ? `ended: ${ended}` : `NOT RECOVERED by the end of the run: ${ended}`,
        ...(settled ? { recoveredTs: mine.updatedTs, recoverMs: Math.max(0, mine.updatedTs - f.at) } : {}),
      });
    }
    venueOrders.set(
      venue,
      orders
        .filter((v) => v.clientOrderId !== undefined && o.ours(v.clientOrderId))
        .map((v) => ({ clientId: v.clientOrderId!, exchangeId: v.orderId, venue, symbol: v.symbol, side: v.side, type: v.type, quantity: v.quantity, filled: Number(v.filled), status: v.status, ts: v.updatedAt })),
    );
    venueBalances.set(venue, new Map(Object.entries(balances).map(([a, b]) => [a, parseAtto(b.total)])));
  }
  const believed = believedOf(o.believed.values());
  // Only the assets the ledger tracks are compared: an emulator account may hold others.
  const compared = new Map<VenueId, Map<Asset, Atto>>();
  for (const [venue, bal] of venueBalances) {
    const mine = o.ledger.get(venue);
    compared.set(venue, new Map([...bal].filter(([a]) => mine?.has(a))));
  }
  const invariants = checkInvariants({ venueOrders, believed, ledger: o.ledger, venueBalances: compared, markets: o.markets });
  return failureReport(records, invariants);
}

/** failures.json with the supervisor's crashes added, numbered in time order. */
export function withCrashes(report: FailureReport, crashes: FaultRecord[]): FailureReport {
  if (crashes.length === 0) return report;
  const extra = failureReport(crashes, report.invariants).faults;
  const faults = [...report.faults, ...extra].sort((a, b) => a.time.localeCompare(b.time)).map((f, i) => ({ ...f, id: i + 1 }));
  return { ...report, faults, ok: report.ok && crashes.every((c) => c.recoveredTs !== undefined) };
}

/** The run's own earlier orders (a resumed run's), as the journal knows them, under this session's records. */
export function withJournaled(session: ReadonlyMap<string, OrderRecord>, journal: Journal, runId: string): Map<string, OrderRecord> {
  const out = new Map<string, OrderRecord>();
  for (const id of journal.clientIdsOf(runId)) {
    const jo = journal.order(id)!;
    const c = jo.intent;
    let filled = 0n;
    for (const f of journal.fills(id)) filled += toAtto(f.quantity);
    out.set(id, {
      clientId: id, venue: c.venue, symbol: c.symbol, side: c.side, type: c.type, quantity: c.quantity, status: jo.status,
      filled: attoToNumber(filled), fees: 0n, createdTs: c.ts, updatedTs: jo.updatedTs,
      ...(c.signalId !== undefined ? { signalId: c.signalId } : {}),
    });
  }
  for (const [id, r] of session) out.set(id, r);
  return out;
}

/** failures.json of a paper run: the fault log, and the invariants against the paper venues' books. */
export async function paperFailureReport(
  log: FaultLog,
  drivers: ReadonlyMap<VenueId, ExchangeDriver>,
  believed: ReadonlyMap<string, OrderRecord>,
  ledger: BalanceSheet,
  markets: Iterable<MarketDef>,
  orderNow: (id: string) => OrderState | undefined,
  endTs: number,
): Promise<FailureReport> {
  const venueOrders = new Map<VenueId, OrderSnapshot[]>();
  const venueBalances = new Map<VenueId, ReadonlyMap<Asset, Atto>>();
  for (const [venue, d] of drivers) {
    venueOrders.set(venue, [...((d as unknown as { allOrders?: () => Iterable<OrderSnapshot> }).allOrders?.() ?? [])]);
    venueBalances.set(venue, await d.fetchBalance());
  }
  return failureReport(log.finish(endTs, orderNow), checkInvariants({ venueOrders, believed: believedOf(believed.values()), ledger, venueBalances, markets }));
}
