/**
 * The part of a run that is the same in every mode: portfolio, order registry, client ids, kill
 * switch, valuation, equity sampling, and the operator pipelines (risk gate → place orders; driver
 * events → track orders → track positions). Backtest, paper and live differ only in the drivers, the
 * clock and the sources they feed into it.
 */
import { Subject, merge, type Subscription } from 'rxjs';
import type { Clock, Scheduler } from '../core/clock.ts';
import { crashPoint } from '../core/crash-points.ts';
import type { Journal, JournalOrder } from '../journal/journal.ts';
import type { RunPlan } from '../config/run-plan.ts';
import type { ExchangeDriver } from '../drivers/exchange-driver.ts';
import { ClientIdFactory } from '../domain/client-ids.ts';
import { KillSwitch, type TradingStateChange } from '../domain/kill-switch.ts';
import { KillTriggers, type Divergence } from '../domain/kill-triggers.ts';
import { OrderRegistry, type OrderState } from '../domain/order-registry.ts';
import { Portfolio } from '../domain/portfolio.ts';
import type { RefusedSignal, RunSink } from '../domain/run-result.ts';
import type { ArbSignal, Asset, Atto, ControlAction, MarketDef, MarketSymbol, OrderEvent, OrderFilled, OrderSignal, OrderStatus, Signal, VenueId } from '../domain/types.ts';
import { Valuation, type MarkSource } from '../domain/valuation.ts';
import { placeOrder, placeOrders, type PlaceOrdersDeps } from '../operators/place-orders.ts';
import { UnknownResolver, type ResolvePolicy } from '../operators/resolve-unknown.ts';
import { assessSignal, riskGate, type RiskContext, type RiskVerdict } from '../operators/risk-gate.ts';
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
  /**
   * When the market's book/mark last changed (backtest: event time of its last market event; paper
   * and live: wall time of the last book fetched). Needed for the `maxBookAgeMs` limit (rule 8).
   */
  readonly lastMarketTs?: (venue: VenueId, symbol: MarketSymbol) => number | undefined;
  /**
   * Durable record of intents (written before each request leaves), transitions and fills. Paper and
   * live always have one; backtests may run without.
   */
  readonly journal?: Journal;
  /** How far a resumed run's client-id sequence skips past the journal's last id (intents not fsynced). */
  readonly idSkipAhead?: number;
  /** Time for recovery lookups; without one, an unknown order stays unknown (no lookups). */
  readonly scheduler?: Scheduler;
  /**
   * Order news the order's state cannot take (a venue or driver misbehaving): without this the run
   * fails on the first one (right for a deterministic backtest, where it is a bug); with it, each is
   * reported and skipped.
   */
  readonly onAnomaly?: (ev: OrderEvent, reason: string) => void;
  /** Every order event once applied to its order, with the status it had before (fault reports listen). */
  readonly onOrderUpdate?: (ev: OrderEvent, order: OrderState, before: OrderStatus, duplicate: boolean) => void;
  readonly resolvePolicy?: Partial<ResolvePolicy>;
  /** Problems that produce no order event (a recovery lookup that failed or gave up). */
  readonly onProblem?: (what: string, err?: unknown) => void;
}

export class TradingCore {
  readonly portfolio: Portfolio;
  readonly orders: OrderRegistry;
  readonly ids: ClientIdFactory;
  readonly killSwitch = new KillSwitch();
  /** The automatic trip rules (drawdown, daily loss, error rate, divergence). */
  readonly triggers: KillTriggers;
  readonly valuation: Valuation;
  readonly sampler: EquitySampler;
  readonly refused: RefusedSignal[] = [];
  /** Push approved-or-not signals here; the pipeline judges and places them. */
  readonly signals$ = new Subject<OrderSignal>();
  /** performance.now() when the signal now being placed reached the engine (set by paper/live runs). */
  signalAt = 0;
  /** Settles orders whose outcome is unknown (undefined without a scheduler). */
  readonly resolver: UnknownResolver | undefined;
  /** Events the engine makes itself (local resolutions), merged with the drivers' events. */
  private readonly localEvents = new Subject<OrderEvent>();
  private readonly subs: Subscription[] = [];
  private failure: unknown;
  /** What `assess` and `placeOrder` share with the pipeline. */
  private readonly riskCtx: RiskContext;
  private readonly placeDeps: PlaceOrdersDeps;
  /** Where `arb` signals go (the arbitrage executor); without it they are refused. */
  onArbSignal: ((sig: ArbSignal) => void) | undefined;

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
    // A resumed run continues its client-id sequence: an id is never used twice, even across crashes.
    // With intents not fsynced, a power loss may drop the last few: skip ahead so none is ever reused.
    const seq = deps.journal?.lastClientSeq(deps.idPrefix) ?? 0;
    this.ids = new ClientIdFactory(deps.idPrefix, seq > 0 ? seq + (deps.idSkipAhead ?? 0) : 0);
    const journal = deps.journal;
    this.resolver = deps.scheduler
      ? new UnknownResolver({
          orders: this.orders,
          driver: driverOf,
          emit: (ev) => this.localEvents.next(ev),
          scheduler: deps.scheduler,
          ...(deps.resolvePolicy ? { policy: deps.resolvePolicy } : {}),
          onLookupError: (o, err) => deps.onProblem?.(`lookup of unknown order ${o.cmd.clientId}`, err),
          onGiveUp: (o, reason) => deps.onProblem?.(`order ${o.cmd.clientId}: ${reason}`),
        })
      : undefined;
    const onApplied = (ev: OrderEvent, order: OrderState, before: OrderStatus, duplicate: boolean): void => {
      if (journal !== undefined) {
        if (ev.kind === 'OrderFilled') {
          if (!duplicate) journal.recordFill(ev);
        }
        if (order.status !== before || ev.kind === 'OrderAccepted') {
          journal.recordTransition(order.cmd.clientId, order.status, ev.ts, order.reason, order.exchangeId);
        }
      }
      if (order.status === 'unknown' && before !== 'unknown') this.resolver?.watch(order);
      deps.onOrderUpdate?.(ev, order, before, duplicate);
    };
    this.valuation = new Valuation([...markets.values()], plan.quoteCurrency, plan.fx);
    this.sampler = new EquitySampler(this.portfolio, this.valuation, mark, plan.equityIntervalMs);

    this.triggers = new KillTriggers(plan.risk, this.killSwitch);
    // Every change of trading state goes into the journal with the run (paper and live have one).
    const runJournal = deps.journal;
    // A failed write stops the run through throwIfFailed, like a pipeline error; the change itself stands.
    if (runJournal) {
      this.killSwitch.onChange((c) => {
        try {
          runJournal.recordRunEvent('kill-switch', { from: c.from, to: c.to, reason: c.reason }, c.ts);
        } catch (e) {
          this.failure ??= e;
        }
      });
    }
    const lastMarketTs = deps.lastMarketTs;
    const clock = deps.clock;
    const riskCtx: RiskContext = (this.riskCtx = {
      // Stale-data check (rule 8): event time in backtests, wall time with a clock.
      ...(lastMarketTs && plan.risk.maxBookAgeMs !== undefined
        ? {
            markAge: (venue: VenueId, symbol: MarketSymbol, ts: number) => {
              const at = lastMarketTs(venue, symbol);
              return at === undefined ? undefined : (clock ? clock.now() : ts) - at;
            },
          }
        : {}),
      limits: plan.risk,
      killSwitch: this.killSwitch,
      portfolio: this.portfolio,
      orders: this.orders,
      mark,
      quoteRate: (venue, symbol) => {
        const m = marketOf(venue, symbol);
        return m ? this.valuation.rate(venue, m.quote, mark) : undefined;
      },
    });
    this.placeDeps = {
      orders: this.orders,
      ids: this.ids,
      driver: driverOf,
      market: marketOf,
      mark,
      ...(deps.clock ? { now: () => deps.clock!.now(), signalAt: () => this.signalAt } : {}),
      // Rule 1: the intent is durable before the request can leave.
      ...(journal
        ? {
            beforeSend: (o: OrderState) => {
              journal.recordIntent(o.cmd);
              crashPoint('after-intent');
            },
          }
        : {}),
    };
    // Order events are subscribed first: they must be applied before the next signal is judged.
    this.subs.push(
      merge(...[...drivers.values()].map((d) => d.events$), this.localEvents)
        .pipe(
          trackOrders(
            this.orders,
            deps.onForeign,
            deps.journal || deps.scheduler || deps.onOrderUpdate ? onApplied : undefined,
            deps.onAnomaly ? (ev, err) => deps.onAnomaly!(ev, err.message) : undefined,
          ),
          trackPositions(this.portfolio),
        )
        .subscribe({ next: (rec) => sink.fill(rec), error: (e: unknown) => (this.failure ??= e) }),
      this.signals$
        .pipe(
          riskGate(riskCtx, (r) => this.refused.push(r)),
          placeOrders(this.placeDeps),
        )
        .subscribe({ error: (e: unknown) => (this.failure ??= e) }),
    );
    // Error-rate trigger: what the drivers report as rejected or unknown (the engine's own pre-send
    // limit checks never reach a driver). Subscribed only when the limit is set.
    if (plan.risk.maxErrors !== undefined) {
      this.subs.push(
        merge(...[...drivers.values()].map((d) => d.events$)).subscribe((ev) => {
          if (ev.kind === 'OrderRejected' || ev.kind === 'OrderStatusUnknown') {
            this.noteError(clock ? clock.now() : ev.ts, `${ev.kind} ${ev.venue} ${ev.symbol} ${ev.clientId}`);
          }
        }),
      );
    }
  }

  /** Rethrows the first error a pipeline hit (a bug or an invariant), so the run stops on it. */
  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** Samples equity at `ts`; each new sample goes to the kill-switch triggers (drawdown, daily loss). */
  afterEvent(ts: number): void {
    if (this.sampler.maybeSample(ts) !== undefined) this.triggers.onEquity(ts, this.sampler.lastEquity!);
  }

  /**
   * Routes one input signal: orders to the pipeline (`signals$`), control rows to the kill switch.
   * The control row's own time is used in backtests, the clock's in paper and live.
   */
  signal(sig: Signal): void {
    if (sig.kind === 'order') this.signals$.next(sig);
    else if (sig.kind === 'arb') {
      if (this.onArbSignal !== undefined) this.onArbSignal(sig);
      else {
        this.refused.push({ ts: sig.ts, signalId: sig.id, rule: 'no_arbitrage', reason: 'an arb signal needs an arbitrage: block in the scenario', ...(sig.source ?? {}) });
      }
    } else {
      const where = sig.source ? ` (${sig.source.file}:${sig.source.line})` : '';
      this.control(sig.action, `control signal ${sig.id}${where}`, this.deps.clock ? this.deps.clock.now() : sig.ts);
    }
  }

  /** Checks an order the caller built (an arbitrage leg) against the kill switch and the risk limits. */
  assess(sig: OrderSignal): RiskVerdict {
    return assessSignal(sig, this.riskCtx);
  }

  /**
   * Places an order the caller built and assessed (`assess`), the way the pipeline places a signal:
   * fresh client id, registered, local minimum checks, intent journaled before it is sent.
   */
  placeOrder(sig: OrderSignal): OrderState {
    return placeOrder(this.placeDeps, sig);
  }

  /** A person's command: halt → halted, reduce → reducing, resume → active. `reason` says who asked. */
  control(action: ControlAction, reason: string, ts: number): void {
    if (action === 'resume') this.killSwitch.reset(`resume: ${reason}`, ts);
    else this.killSwitch.set(action === 'halt' ? 'halted' : 'reducing', `${action}: ${reason}`, ts);
  }

  /** An error for the error-rate trigger (a driver-reported problem, a venue rejection). */
  noteError(ts: number, what: string): void {
    this.triggers.noteError(ts, what);
  }

  /** A ledger/venue difference for the divergence trigger (reconciliation's finding). */
  noteDivergence(ts: number, d: Divergence): void {
    this.triggers.noteDivergence(ts, d);
  }

  /**
   * Takes back an order an earlier session sent (from the journal): registered as `unknown`, handed to
   * its driver to follow, then looked up like any order whose outcome is unknown. Its journaled fills
   * are already in the venue's balances, so they are not applied again.
   */
  async restore(jo: JournalOrder, fills: readonly OrderFilled[]): Promise<OrderState> {
    const reason = `resumed from the journal (was ${jo.status}): status to be confirmed at the venue`;
    const order = this.orders.restore(jo.intent, { ...(jo.exchangeId !== undefined ? { exchangeId: jo.exchangeId } : {}), fills, reason, updatedTs: jo.updatedTs });
    await this.deps.drivers.get(jo.intent.venue)?.adopt?.({ cmd: jo.intent, ...(jo.exchangeId !== undefined ? { exchangeId: jo.exchangeId } : {}), fills });
    this.resolver?.watch(order);
    return order;
  }

  /** Ends the pipelines; orders still open are handed to the sink. */
  close(): void {
    this.resolver?.close();
    for (const s of this.subs) s.unsubscribe();
    this.orders.flushOpen();
  }

  riskState(): { state: string; reason?: string; ts?: number; history: readonly TradingStateChange[] } {
    const last = this.killSwitch.history[this.killSwitch.history.length - 1];
    return { state: this.killSwitch.state, ...(last ? { reason: last.reason, ts: last.ts } : {}), history: [...this.killSwitch.history] };
  }
}
