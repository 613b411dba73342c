/**
 * A backtest's fault injection, wired: the fault-injecting driver in front of each simulated venue,
 * the faulty view of the market, price gaps in the venues' data, the fault log fed by the engine's
 * order updates, and at the end the failure report — every fault with its outcome, and the
 * invariants checked against the simulated venues' own books and balances.
 */
import type { EventScheduler } from '../core/clock.ts';
import type { ExchangeDriver } from '../drivers/exchange-driver.ts';
import type { OrderState } from '../domain/order-registry.ts';
import type { BalanceSheet, OrderRecord, RefusedSignal, RunSink } from '../domain/run-result.ts';
import type { Asset, Atto, MarketDef, MarketEvent, MarketSymbol, OrderEvent, OrderSnapshot, OrderStatus, TimeMs, VenueId } from '../domain/types.ts';
import { believedOf, checkInvariants, failureReport, type FailureReport } from '../faults/failure-report.ts';
import { FaultInjectingExchange } from '../faults/fault-exchange.ts';
import { FaultLog, type FaultRecord } from '../faults/fault-log.ts';
import { FaultSchedule, type FaultPlanSpec } from '../faults/fault-schedule.ts';
import { faultyMarketView, gappedEvent, gappedFeed, type MarketFeed, type MarketView } from '../faults/market-faults.ts';
import type { SimulatedExchange } from '../sim/simulated-exchange.ts';
import { teeOrderRecords } from './tee-orders.ts';

/** How long after the last event recovery may still run (lookups, delayed resends). */
export const RECOVERY_HORIZON_MS = 120_000;

export class BacktestFaults {
  readonly schedule: FaultSchedule;
  readonly log: FaultLog;
  readonly view: MarketView;
  private readonly drivers = new Map<VenueId, FaultInjectingExchange>();
  private readonly believed = new Map<string, OrderRecord>();
  private readonly anomalies: string[] = [];

  /** Order news the engine could not apply (see TradingCore's onAnomaly): kept for the report. */
  readonly onAnomaly = (ev: OrderEvent, reason: string): void => {
    this.anomalies.push(`${new Date(ev.ts).toISOString()} ${ev.kind} for ${ev.clientId}: ${reason}`);
  };

  constructor(
    readonly spec: FaultPlanSpec,
    private readonly clock: EventScheduler,
    private readonly venues: ReadonlyMap<VenueId, SimulatedExchange>,
    private readonly markets: ReadonlyMap<string, MarketDef>,
    view: MarketView,
  ) {
    this.schedule = new FaultSchedule(spec);
    this.log = new FaultLog(() => clock.now());
    for (const [venue, sim] of venues) {
      const venueMarkets = new Map<MarketSymbol, MarketDef>();
      for (const m of markets.values()) if (m.venue === venue) venueMarkets.set(m.symbol, m);
      this.drivers.set(venue, new FaultInjectingExchange(sim, this.schedule, this.log, clock, venueMarkets));
    }
    this.view = faultyMarketView(view, this.schedule, this.log, clock);
    // A timer's work (a lookup, a delayed request) meets each venue as it is at the timer's time.
    clock.beforeDue = (t) => {
      for (const sim of venues.values()) sim.advance(t);
    };
  }

  driver(venue: VenueId): ExchangeDriver | undefined {
    return this.drivers.get(venue);
  }

  /** The venue's data with its price gaps, or undefined when none touches this venue. */
  gapped(venue: VenueId): { feed: MarketFeed; event: (ev: MarketEvent) => MarketEvent } | undefined {
    const gaps = this.spec.entries.filter((e) => e.kind === 'price-gap' && (e.venue === undefined || e.venue === venue));
    if (gaps.length === 0) return undefined;
    return { feed: gappedFeed(this.venues.get(venue)!, this.schedule, venue), event: (ev) => gappedEvent(ev, this.schedule, venue) };
  }

  /** The run's sink, also keeping what tradeflow believes of every order (for the invariants). */
  teeOrders<S extends RunSink>(sink: S): S {
    return teeOrderRecords(sink, this.believed);
  }

  readonly onOrderUpdate = (ev: OrderEvent, order: OrderState, before: OrderStatus, duplicate: boolean): void => {
    this.log.observe(ev, order, before, duplicate);
  };

  /** Runs timers due up to `until` (after the data ended), the venues keeping pace. */
  drainTimers(until: TimeMs): void {
    for (let next = this.clock.nextDue(); next !== undefined && next <= until; next = this.clock.nextDue()) this.clock.runDue(next);
  }

  async report(ledger: BalanceSheet, orderNow: (clientId: string) => OrderState | undefined, refused: readonly RefusedSignal[], endTs: TimeMs): Promise<FailureReport> {
    const faults = this.log.finish(endTs, orderNow, (rec) => this.windowOutcome(rec, refused));
    const venueOrders = new Map<VenueId, Iterable<OrderSnapshot>>();
    const venueBalances = new Map<VenueId, ReadonlyMap<Asset, Atto>>();
    for (const [venue, sim] of this.venues) {
      venueOrders.set(venue, [...this.drivers.get(venue)!.allOrders()]);
      venueBalances.set(venue, await sim.fetchBalance());
    }
    const invariants = checkInvariants({ venueOrders, believed: believedOf(this.believed.values()), ledger, venueBalances, markets: this.markets.values() });
    return failureReport(faults, invariants, this.anomalies);
  }

  /** For a market-data window: the signals its staleness refused. */
  private windowOutcome(rec: FaultRecord, refused: readonly RefusedSignal[]): string | undefined {
    if (rec.kind !== 'stream-silence' && rec.kind !== 'stale-book') return undefined;
    const end = rec.windowEnd ?? Infinity;
    const n = refused.filter((r) => r.rule === 'stale_book' && r.ts !== undefined && r.ts >= rec.ts && r.ts < end).length;
    return n > 0 ? `${n} new order(s) refused as stale, none sent on stale data; data resumed at the window's end` : 'no order was attempted during the window; data resumed at its end';
  }
}
