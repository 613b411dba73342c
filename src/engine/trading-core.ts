/**
 * The part of a run that is the same in every mode: portfolio, order registry, client ids, kill
 * switch, valuation, equity sampling, and the operator pipelines (risk gate → place orders; driver
 * events → track orders → track positions). Backtest, paper and live differ only in the drivers, the
 * clock and the sources they feed into it.
 */
import { Subject, merge, type Subscription } from 'rxjs';
import type { Clock } from '../core/clock.ts';
import type { RunPlan } from '../config/run-plan.ts';
import type { ExchangeDriver } from '../drivers/exchange-driver.ts';
import { ClientIdFactory } from '../domain/client-ids.ts';
import { KillSwitch } from '../domain/kill-switch.ts';
import { OrderRegistry } from '../domain/order-registry.ts';
import { Portfolio } from '../domain/portfolio.ts';
import type { RefusedSignal, RunSink } from '../domain/run-result.ts';
import type { Asset, Atto, MarketDef, MarketSymbol, OrderEvent, OrderSignal, VenueId } from '../domain/types.ts';
import { Valuation, type MarkSource } from '../domain/valuation.ts';
import { placeOrders } from '../operators/place-orders.ts';
import { riskGate, type RiskContext } from '../operators/risk-gate.ts';
import { trackOrders } from '../operators/track-orders.ts';
import { trackPositions } from '../operators/track-positions.ts';
import { EquitySampler } from './equity-sampler.ts';

export const marketKey = (venue: VenueId, symbol: MarketSymbol): string => `${venue}\u0000${symbol}`;

export interface CoreDeps {
  readonly plan: RunPlan;
  /** Definitions of every tradable market, keyed by `marketKey`. */
  readonly markets: ReadonlyMap<string, MarketDef>;
  readonly drivers: ReadonlyMap<VenueId, ExchangeDriver>;
  /** Reference price per market (mark) — from the simulated venue or a live feed. */
  readonly mark: MarkSource;
  readonly sink: RunSink;
  /** Starting balances per venue (the plan's, or the venue's in live mode). */
  readonly initial: ReadonlyMap<VenueId, ReadonlyMap<Asset, Atto>>;
  /** Client-id prefix; unique per run so reconciliation can find our orders. */
  readonly idPrefix: string;
  /** Events about orders this run does not know (reconciliation input). */
  readonly onForeign?: (ev: OrderEvent) => void;
  /** Wall clock for paper/live; omitted in backtests, where orders carry their signal's event time. */
  readonly clock?: Clock;
}

export class TradingCore {
  readonly portfolio: Portfolio;
  readonly orders: OrderRegistry;
  readonly ids: ClientIdFactory;
  readonly killSwitch = new KillSwitch();
  readonly valuation: Valuation;
  readonly sampler: EquitySampler;
  readonly refused: RefusedSignal[] = [];
  /** Push approved-or-not signals here; the pipeline judges and places them. */
  readonly signals$ = new Subject<OrderSignal>();
  private readonly subs: Subscription[] = [];
  private failure: unknown;

  constructor(private readonly deps: CoreDeps) {
    const { plan, markets, drivers, mark, sink } = deps;
    // Looked up several times per order (placement, fills, risk): found definitions are kept by venue
    // and symbol, so a lookup builds no key string.
    const found = new Map<VenueId, Map<MarketSymbol, MarketDef>>();
    const marketOf = (venue: VenueId, symbol: MarketSymbol): MarketDef | undefined => {
      let bySymbol = found.get(venue);
      const hit = bySymbol?.get(symbol);
      if (hit !== undefined) return hit;
      const def = markets.get(marketKey(venue, symbol));
      if (def !== undefined) {
        if (bySymbol === undefined) found.set(venue, (bySymbol = new Map()));
        bySymbol.set(symbol, def);
      }
      return def;
    };
    const driverOf = (venue: VenueId) => {
      const d = drivers.get(venue);
      if (!d) throw new Error(`no driver for venue ${venue}`);
      return d;
    };
    const initial = new Map([...deps.initial].map(([v, a]) => [v, new Map(a)] as const));
    this.portfolio = new Portfolio(initial, marketOf);
    this.orders = new OrderRegistry((r) => sink.order(r));
    this.ids = new ClientIdFactory(deps.idPrefix);
    this.valuation = new Valuation([...markets.values()], plan.quoteCurrency, plan.fx);
    this.sampler = new EquitySampler(this.portfolio, this.valuation, mark, plan.equityIntervalMs);

    const riskCtx: RiskContext = {
      limits: plan.risk,
      killSwitch: this.killSwitch,
      portfolio: this.portfolio,
      orders: this.orders,
      mark,
      quoteRate: (venue, symbol) => {
        const m = marketOf(venue, symbol);
        return m ? this.valuation.rate(venue, m.quote, mark) : undefined;
      },
    };
    // Order events are subscribed first: they must be applied before the next signal is judged.
    this.subs.push(
      merge(...[...drivers.values()].map((d) => d.events$))
        .pipe(trackOrders(this.orders, deps.onForeign), trackPositions(this.portfolio))
        .subscribe({ next: (rec) => sink.fill(rec), error: (e: unknown) => (this.failure ??= e) }),
      this.signals$
        .pipe(
          riskGate(riskCtx, (r) => this.refused.push(r)),
          placeOrders({
            orders: this.orders,
            ids: this.ids,
            driver: driverOf,
            market: marketOf,
            mark,
            ...(deps.clock ? { now: () => deps.clock!.now() } : {}),
          }),
        )
        .subscribe({ error: (e: unknown) => (this.failure ??= e) }),
    );
  }

  /** Rethrows the first error a pipeline hit (a bug or an invariant), so the run stops on it. */
  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** Samples equity at `ts` and trips the kill switch on the drawdown limit. */
  afterEvent(ts: number): void {
    const dd = this.sampler.maybeSample(ts);
    const limit = this.deps.plan.risk.maxDrawdown;
    if (dd !== undefined && limit !== undefined && dd > limit) {
      this.killSwitch.trip('halted', `drawdown ${(dd * 100).toFixed(2)}% exceeded the limit ${(limit * 100).toFixed(2)}%`, ts);
    }
  }

  /** Ends the pipelines; orders still open are handed to the sink. */
  close(): void {
    for (const s of this.subs) s.unsubscribe();
    this.orders.flushOpen();
  }

  riskState(): { state: string; reason?: string; ts?: number } {
    const last = this.killSwitch.history[this.killSwitch.history.length - 1];
    return { state: this.killSwitch.state, ...(last ? { reason: last.reason, ts: last.ts } : {}) };
  }
}
