/**
 * Reconciliation (RELIABILITY rules 6 and 11): before a paper or live run acts on any signal, and then
 * periodically, the venue's truth is compared with ours and adopted.
 *
 * At start:
 *  1. every order the journal does not know to be finished (any run: a crash leaves orders behind) is
 *     taken back into the run as `unknown` and looked up by client id (see resolve-unknown.ts): found,
 *     it carries on with whatever the venue shows (fills since the last journal entry included); proven
 *     absent, it is settled locally and reported so;
 *  2. open orders at the venue whose client id has our family prefix but that no journal knows are
 *     adopted (followed as ours) or canceled, per `reconcile.unknown_orders` — never ignored;
 *  3. once the lookups settle (bounded), the venue's balances are adopted as the ledger's starting
 *     point; every difference is reported.
 * Periodically (`reconcile.interval_ms`): step 2 again, and balances compared; a difference that
 * persists over two sweeps is a divergence (reported, and fed to the kill switch).
 *
 * Everything found is written to the journal as run events and returned as a report
 * (`reconciliation.json` in the run's output).
 */
import type { Clock } from '../core/clock.ts';
import { describeError } from '../core/errors.ts';
import type { ExchangeDriver } from '../drivers/exchange-driver.ts';
import { attoToNumber, formatAtto } from '../domain/money.ts';
import type { Asset, Atto, MarketSymbol, OrderSnapshot, SubmitOrder, VenueId } from '../domain/types.ts';
import type { Journal } from '../journal/journal.ts';
import { splitClientId } from '../journal/records.ts';
import { relativeDifference } from '../domain/kill-triggers.ts';
import type { TradingCore } from './trading-core.ts';

export type UnknownOrderPolicy = 'adopt' | 'cancel';

export interface ReconcileOptions {
  readonly core: TradingCore;
  readonly drivers: ReadonlyMap<VenueId, ExchangeDriver>;
  readonly journal: Journal;
  readonly runId: string;
  /** The symbols traded per venue: where open orders are listed. */
  readonly symbols: ReadonlyMap<VenueId, readonly MarketSymbol[]>;
  /** Client ids that are tradeflow's (family prefix), found at the venue without a journal entry. */
  readonly isOurs: (clientId: string) => boolean;
  readonly unknownOrders: UnknownOrderPolicy;
  /** How long start-up waits for lookups of journaled orders to settle. */
  readonly settleTimeoutMs: number;
  /** Adopt the venues' balances (live); paper venues are simulated from the ledger and need not. */
  readonly adoptBalances: boolean;
  readonly clock: Clock;
  readonly log: (line: string) => void;
}

export interface ReconciledOrder {
  readonly clientId: string;
  readonly runId: string;
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly journalStatus: string;
  /** Status after reconciliation (`unknown` when the venue could not be asked in time). */
  readonly status: string;
  readonly resolution?: string;
  readonly filledBefore: string;
  readonly filledAfter: string;
  readonly reason?: string;
}

export interface ForeignOrder {
  readonly clientId: string;
  readonly venue: VenueId;
  readonly symbol: MarketSymbol;
  readonly exchangeId: string;
  readonly action: 'adopted' | 'canceled' | 'cancel-failed';
  readonly detail?: string;
  readonly ts: number;
}

export interface BalanceFinding {
  readonly venue: VenueId;
  readonly asset: Asset;
  readonly ledger: string;
  readonly venueAmount: string;
  readonly ts: number;
  /** `adopted` at start; `divergence` when a sweep saw it twice in a row. */
  readonly kind: 'adopted' | 'divergence';
}

export interface ReconciliationReport {
  readonly runId: string;
  readonly startedTs: number;
  readonly finishedTs: number;
  readonly journalOrders: ReconciledOrder[];
  /** Journaled open orders on venues this run does not trade: left for a run that does. */
  readonly otherVenues: { clientId: string; venue: VenueId }[];
  readonly foreignOrders: ForeignOrder[];
  readonly balances: BalanceFinding[];
  readonly sweeps: number;
  readonly problems: string[];
}

export class Reconciler {
  private readonly foreign: ForeignOrder[] = [];
  private readonly balances: BalanceFinding[] = [];
  private readonly problems: string[] = [];
  private journalOrders: ReconciledOrder[] = [];
  private otherVenues: { clientId: string; venue: VenueId }[] = [];
  private startedTs = 0;
  private finishedTs = 0;
  private sweeps = 0;
  /** Differences seen by the previous sweep: `venue asset` → ledger/venue amounts. */
  private lastDiffs = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(private readonly o: ReconcileOptions) {}

  /** The start-up reconciliation; resolves once the run may act on signals. */
  async atStart(): Promise<void> {
    const { core, journal, clock } = this.o;
    this.startedTs = clock.now();
    // 1. Orders a previous session left open.
    const restored: { jo: ReturnType<Journal['openOrders']>[number]; filledBefore: Atto }[] = [];
    for (const jo of journal.openOrders()) {
      if (!this.o.drivers.has(jo.intent.venue)) {
        this.otherVenues.push({ clientId: jo.clientId, venue: jo.intent.venue });
        continue;
      }
      if (core.orders.get(jo.clientId)) continue;
      const fills = journal.fills(jo.clientId);
      const order = await core.restore(jo, fills);
      restored.push({ jo, filledBefore: order.filled });
    }
    if (restored.length > 0) this.o.log(`reconciling ${restored.length} order(s) left open by an earlier session`);
    // 2. Orders at the venue with our prefix that no journal knows.
    await this.findForeign();
    // 3. Wait (bounded) for the lookups, then take the venues' balances.
    const settled = await Promise.race([
      core.resolver?.idle().then(() => true) ?? Promise.resolve(true),
      new Promise<boolean>((r) => setTimeout(() => r(false), this.o.settleTimeoutMs).unref()),
    ]);
    if (!settled) this.problems.push(`${core.resolver?.pendingCount ?? 0} order(s) still unknown after ${this.o.settleTimeoutMs} ms: left to the periodic sweep`);
    this.journalOrders = restored.map(({ jo, filledBefore }) => {
      const now = core.orders.get(jo.clientId);
      return {
        clientId: jo.clientId,
        runId: jo.runId,
        venue: jo.intent.venue,
        symbol: jo.intent.symbol,
        journalStatus: jo.status,
        status: now?.status ?? 'unknown',
        ...(now?.resolution ? { resolution: now.resolution } : {}),
        filledBefore: formatAtto(filledBefore),
        filledAfter: formatAtto(now?.filled ?? filledBefore),
        ...(now?.reason ? { reason: now.reason } : {}),
      };
    });
    if (this.o.adoptBalances) await this.adoptBalances();
    this.finishedTs = clock.now();
    journal.recordRunEvent('reconciliation', {
      restored: this.journalOrders.length,
      foreign: this.foreign.length,
      balanceDifferences: this.balances.length,
      problems: this.problems,
    }, this.finishedTs);
  }

  /** Starts the periodic sweep. */
  startSweeps(intervalMs: number): void {
    if (intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** One periodic sweep: unknown orders at the venue, and balance divergence. */
  async sweep(): Promise<void> {
    this.sweeps += 1;
    await this.findForeign();
    if (this.o.adoptBalances) await this.checkDivergence();
  }

  report(): ReconciliationReport {
    return {
      runId: this.o.runId,
      startedTs: this.startedTs,
      finishedTs: this.finishedTs,
      journalOrders: this.journalOrders,
      otherVenues: this.otherVenues,
      foreignOrders: this.foreign,
      balances: this.balances,
      sweeps: this.sweeps,
      problems: this.problems,
    };
  }

  private async findForeign(): Promise<void> {
    const { core, journal } = this.o;
    for (const [venue, driver] of this.o.drivers) {
      for (const symbol of this.o.symbols.get(venue) ?? []) {
        let open: OrderSnapshot[];
        try {
          open = await driver.fetchOpenOrders(symbol);
        } catch (err) {
          this.problems.push(`${venue} ${symbol}: open orders not listed: ${describeError(err)}`);
          continue;
        }
        for (const snap of open) {
          const id = snap.clientId;
          if (id === undefined || !this.o.isOurs(id) || core.orders.get(id) || journal.order(id)) continue;
          await this.handleForeign(driver, snap, id);
        }
      }
    }
  }

  private async handleForeign(driver: ExchangeDriver, snap: OrderSnapshot, clientId: string): Promise<void> {
    const { core, journal, clock } = this.o;
    const base = { clientId, venue: snap.venue, symbol: snap.symbol, exchangeId: snap.exchangeId, ts: clock.now() };
    if (this.o.unknownOrders === 'adopt') {
      const cmd: SubmitOrder = {
        clientId, venue: snap.venue, symbol: snap.symbol, side: snap.side, type: snap.type, quantity: snap.quantity,
        ...(snap.price !== undefined ? { price: snap.price } : {}), ts: snap.ts,
      };
      // Journaled first, like any order of ours, so its fills can be recorded against it.
      journal.recordIntent(cmd);
      const jo = journal.order(clientId)!;
      await core.restore({ ...jo, exchangeId: snap.exchangeId }, []);
      this.foreign.push({ ...base, action: 'adopted' });
      journal.recordRunEvent('orphan-adopted', base, base.ts);
      this.o.log(`adopted ${clientId} found open at ${snap.venue} (${snap.symbol})`);
      return;
    }
    try {
      await driver.cancel({ clientId, venue: snap.venue, symbol: snap.symbol, exchangeId: snap.exchangeId, ts: base.ts });
      this.foreign.push({ ...base, action: 'canceled' });
      journal.recordRunEvent('orphan-canceled', base, base.ts);
      this.o.log(`canceled ${clientId} found open at ${snap.venue} (${snap.symbol}) with no journal entry`);
    } catch (err) {
      this.foreign.push({ ...base, action: 'cancel-failed', detail: describeError(err) });
    }
  }

  private async venueBalances(): Promise<Map<VenueId, ReadonlyMap<Asset, Atto>>> {
    const out = new Map<VenueId, ReadonlyMap<Asset, Atto>>();
    for (const [venue, d] of this.o.drivers) {
      try {
        out.set(venue, await d.fetchBalance());
      } catch (err) {
        this.problems.push(`${venue}: balances not fetched: ${describeError(err)}`);
      }
    }
    return out;
  }

  /**
   * Takes each venue's balances as the ledger's. A balance fetched while an open order fills counts
   * that fill, which we may learn only afterwards — and then apply on top: counted twice. So the
   * balance is taken between two looks at every open order of the venue that found no new fill (the
   * ledger did not move): then balance and ledger describe the same fills. Bounded; if fills keep
   * coming, the last balance is adopted and the problem reported.
   */
  private async adoptBalances(): Promise<void> {
    const { core, clock } = this.o;
    for (const [venue, driver] of this.o.drivers) {
      let bal: ReadonlyMap<Asset, Atto> | undefined;
      let settled = false;
      for (let attempt = 0; attempt < ADOPT_TRIES && !settled; attempt++) {
        await this.refreshOpenOrders(venue, driver);
        const before = ledgerOf(core, venue);
        try {
          bal = await driver.fetchBalance();
        } catch (err) {
          this.problems.push(`${venue}: balances not fetched: ${describeError(err)}`);
          bal = undefined;
          break;
        }
        await this.refreshOpenOrders(venue, driver);
        settled = ledgerOf(core, venue) === before;
      }
      if (bal === undefined) continue;
      if (!settled) this.problems.push(`${venue}: fills kept arriving while balances were fetched (${ADOPT_TRIES} tries): adopted the last balances; a fill may be counted twice until the next sweep`);
      const ts = clock.now();
      for (const d of core.portfolio.adoptBalances(venue, bal)) {
        this.balances.push({ venue, asset: d.asset, ledger: formatAtto(d.ledger), venueAmount: formatAtto(d.actual), ts, kind: 'adopted' });
      }
    }
  }

  /** Asks the venue about each of its live orders once (the driver applies any fill it learns). */
  private async refreshOpenOrders(venue: VenueId, driver: ExchangeDriver): Promise<void> {
    const open = [...this.o.core.orders.live()].filter((o) => o.cmd.venue === venue && o.status !== 'new');
    await Promise.all(
      open.map((o) =>
        driver
          .fetchOrder({ symbol: o.cmd.symbol, clientId: o.cmd.clientId, ...(o.exchangeId !== undefined ? { exchangeId: o.exchangeId } : {}) })
          .catch((err: unknown) => this.problems.push(`${o.cmd.clientId}: not looked up before adopting balances: ${describeError(err)}`)),
      ),
    );
  }

  /**
   * Compares ledger and venue; a difference must be seen twice in a row, with the same amounts, to
   * count (fills in flight make passing ones). It is then reported and passed to the kill switch.
   */
  private async checkDivergence(): Promise<void> {
    const ts = this.o.clock.now();
    const now = new Map<string, string>();
    for (const [venue, bal] of await this.venueBalances()) {
      for (const asset of new Set([...bal.keys(), ...(this.o.core.portfolio.snapshot().get(venue)?.keys() ?? [])])) {
        const ledger = this.o.core.portfolio.balance(venue, asset);
        const actual = bal.get(asset) ?? 0n;
        if (ledger === actual) continue;
        const key = `${venue} ${asset}`;
        const sig = `${ledger}/${actual}`;
        now.set(key, sig);
        if (this.lastDiffs.get(key) !== sig) continue;
        const finding: BalanceFinding = { venue, asset, ledger: formatAtto(ledger), venueAmount: formatAtto(actual), ts, kind: 'divergence' };
        this.balances.push(finding);
        this.o.journal.recordRunEvent('balance-divergence', { ...finding }, ts);
        this.o.log(`divergence: ${venue} ${asset} ledger ${finding.ledger} vs venue ${finding.venueAmount}`);
        this.o.core.noteDivergence(ts, { venue, asset, ledger, venueAmount: actual, relative: relativeDifference(attoToNumber(ledger), attoToNumber(actual)) });
      }
    }
    this.lastDiffs = now;
  }
}

/** Looks at the open orders around a balance fetch at most this many times before adopting anyway. */
const ADOPT_TRIES = 5;

/** The ledger's balances of one venue, as a comparable string. */
function ledgerOf(core: TradingCore, venue: VenueId): string {
  const assets = core.portfolio.snapshot().get(venue);
  return assets === undefined ? '' : [...assets].sort(([a], [b]) => (a < b ? -1 : 1)).map(([a, v]) => `${a}=${v}`).join(';');
}

/** Family test for client ids: a ClientIdFactory id whose prefix starts with `family` (default `tf`). */
export function ownsClientId(family: string): (clientId: string) => boolean {
  return (clientId) => {
    const parts = splitClientId(clientId);
    return parts !== undefined && parts.prefix.startsWith(family);
  };
}
