/**
 * The arbitrage execution operator (issue 6), the same in backtest, paper and live: it takes what the
 * detector finds and the `side: arb` rows of the signal file, prices each again on the books as they
 * are now, and sends both legs through the TradingCore — fresh client ids, intents journaled before
 * sending, the risk limits and the kill switch, the order registry — then drives each arbitrage's
 * leg state machine (src/arb/legs.ts) from the orders' events until it is done: complete, hedged,
 * unwound, or with its residual exposure reported.
 *
 * Timing. Candidates (detections and arb signals) are collected while the events of one moment are
 * applied and acted on at `settle()`, once that moment is complete: a detection made on one venue's
 * update can be paired with the other venue's book from before its update at the same time, so each
 * is priced again (`ArbPricer`) on the complete view before anything is sent. Orders that follow from
 * order events (a sequential second leg, a hedge) are placed through `defer` — after the event that
 * caused them has been applied everywhere (positions included), never from inside it.
 *
 * Pre-send checks (RELIABILITY rule 10): both books fresh, the edge at the size clears the threshold,
 * the size fits both venues' FREE balances (ledger minus what live orders reserve) and both venues'
 * minimums, and both legs pass the risk gate — all before either leg is sent.
 *
 * Crashes (paper/live, with a journal): each arbitrage is journaled when it starts and when it ends,
 * and `recover` finishes the ones an earlier session left in the middle (see arb-recovery.ts).
 */
import { ArbDetector, type DetectorConfig, type Inventory } from '../arb/detector.ts';
import { ArbLegs, type ArbSpec, type LegOrder, type OrderUpdate } from '../arb/legs.ts';
import type { Opportunity, SkipReason } from '../arb/opportunity.ts';
import { ArbPricer } from '../arb/reprice.ts';
import type { Clock } from '../core/clock.ts';
import type { ArbPlan } from '../config/arb-schema.ts';
import { mulRate, toAtto } from '../domain/money.ts';
import type { OrderState } from '../domain/order-registry.ts';
import type { ArbSignal, Asset, Atto, BookSnapshot, BookTop, MarketDef, MarketSymbol, OrderEvent, OrderSignal, OrderStatus, TimeMs, VenueId } from '../domain/types.ts';
import type { Journal, JournalOrder } from '../journal/journal.ts';
import { ARB_DONE, ARB_STARTED, arbStartedDetail, journaledLegs, journalUpdate, legSignalId, unfinishedArbs, type ArbStart } from './arb-recovery.ts';
import type { TradingCore } from './trading-core.ts';

export interface ArbExecutorDeps {
  readonly plan: ArbPlan;
  /** The detector's configuration (pairs with their markets and fees, conversions resolved). */
  readonly detector: DetectorConfig;
  readonly clock: Clock;
  /** Runs `fn` once the event being applied has been applied everywhere (event time: same moment). */
  readonly defer: (fn: () => void) => void;
  /** An order went out to `venue` (a backtest wakes the run up when its answer is due). */
  readonly onSent?: (venue: VenueId) => void;
  readonly log?: (line: string) => void;
  /** Paper/live: where arbitrages are recorded as they start and end, for `recover` after a crash. */
  readonly journal?: Journal;
}

/** One arbitrage: what was expected, its legs, and how it went. */
export interface ArbRecord {
  readonly id: string;
  readonly source: 'detector' | 'signal';
  readonly signalId?: string;
  /** When the opportunity (or the signal) appeared, and when the legs went out. */
  readonly detectedTs: TimeMs;
  readonly startedTs: TimeMs;
  /** The opportunity as priced at execution (the expected edge). */
  readonly expected: Opportunity;
  /** Reference-quote multipliers the expected edge used, per leg (paid for the buy, received for the sell). */
  readonly buyFactor: number;
  readonly sellFactor: number;
  /** Mid multiplier of each leg's quote to the reference quote at the start (P&L valuation). */
  readonly buyMid: number;
  readonly sellMid: number;
  readonly legs: ArbLegs;
  readonly pair: string;
  /** Started by an earlier session and finished by this one (`recover`). */
  readonly recovered?: boolean;
}

export type CandidateSource = 'detector' | 'signal';

interface Candidate {
  readonly source: CandidateSource;
  readonly buy: MarketDef;
  readonly sell: MarketDef;
  readonly ts: TimeMs;
  readonly size?: number;
  readonly signal?: ArbSignal;
}

/** Why a candidate was not taken (the detector's reasons when priced again, and the executor's own). */
export type ExecSkipReason = SkipReason | 'busy' | 'cooldown' | 'not_a_pair' | `risk_${string}`;

export class ArbExecutor implements Inventory {
  readonly detector: ArbDetector;
  readonly pricer: ArbPricer;
  readonly records: ArbRecord[] = [];
  /** Candidates considered, taken, and skipped by reason — per source. */
  readonly counts = {
    detector: { seen: 0, taken: 0, skipped: {} as Record<string, number> },
    signal: { seen: 0, taken: 0, skipped: {} as Record<string, number> },
  };
  /** Detector emissions (one per evaluation while an edge lasts; candidates are these deduplicated per moment). */
  emitted = 0;
  private core: TradingCore | undefined;
  private readonly pending = new Map<string, Opportunity>();
  private readonly signals: ArbSignal[] = [];
  private readonly byClientId = new Map<string, ArbRecord>();
  /** The arbitrage in flight per pair, and when the last one on the pair ended. */
  private readonly active = new Map<string, ArbRecord>();
  private readonly lastDone = new Map<string, TimeMs>();
  private readonly marketsByKey = new Map<string, MarketDef>();
  private readonly fees = new Map<string, number>();
  private seq = 0;
  private failure: unknown;

  constructor(private readonly deps: ArbExecutorDeps) {
    this.detector = new ArbDetector(deps.detector, this, (o) => this.onOpportunity(o));
    this.pricer = new ArbPricer(deps.detector, this.detector.books);
    for (const p of deps.detector.pairs) {
      for (const l of [p.a, p.b]) {
        this.marketsByKey.set(key(l.market.venue, l.market.symbol), l.market);
        this.fees.set(key(l.market.venue, l.market.symbol), l.takerFee ?? l.market.taker ?? 0);
      }
    }
  }

  /** Connects the core the legs go through (it exists after the executor: it calls `onOrderUpdate`). */
  attach(core: TradingCore): void {
    this.core = core;
    core.onArbSignal = (sig) => this.onSignal(sig);
  }

  /** Rethrows the first error a deferred action hit. */
  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** Arbitrages not done yet (legs live, unknown, or a correction pending), and arb rows not yet acted on. */
  get inFlight(): number {
    return this.active.size + this.signals.length;
  }

  // --- market data ---------------------------------------------------------------------------

  /** A polled book from a paper or live driver, all its levels: the market's book is replaced, then a settle. */
  onBook(b: BookSnapshot): void {
    const id = this.detector.bookId(b.venue, b.symbol);
    if (id === undefined || !b.rows.some((r) => r.side === 'bid') || !b.rows.some((r) => r.side === 'ask')) return;
    let reset = true;
    for (const r of b.rows) {
      this.detector.onLevel(id, b.ts, r.side === 'ask', r.price, r.quantity, reset);
      reset = false;
    }
    this.settle();
  }

  /** A top of book from a driver that has no depth: a one-level snapshot of that market, then a settle. */
  onTop(t: BookTop): void {
    const id = this.detector.bookId(t.venue, t.symbol);
    if (id === undefined || t.bid === undefined || t.ask === undefined) return;
    this.detector.onLevel(id, t.ts, false, t.bid, t.bidSize ?? 0, true);
    this.detector.onLevel(id, t.ts, true, t.ask, t.askSize ?? 0, false);
    this.settle();
  }

  // --- candidates ----------------------------------------------------------------------------

  private onOpportunity(o: Opportunity): void {
    this.emitted++;
    if (!this.deps.plan.detect) return;
    // The latest evaluation of a direction in this moment wins.
    this.pending.set(`${o.buyVenue}\u0000${o.buySymbol}\u0000${o.sellVenue}\u0000${o.sellSymbol}`, o);
  }

  /** An arb row of the signal file: executed at the next settle, after the edge is priced again. */
  onSignal(sig: ArbSignal): void {
    this.signals.push(sig);
  }

  /**
   * Acts on the candidates collected since the last settle, at the clock's time: call when the
   * events of one moment have all been applied (backtest: before the first event of a later time;
   * paper/live: after each book).
   */
  settle(): void {
    this.detector.flush();
    if (this.pending.size === 0 && this.signals.length === 0) return;
    // Books arrive before the run's core exists (paper/live start): nothing is acted on before it.
    if (this.core === undefined) return this.pending.clear();
    const now = this.deps.clock.now();
    const opps = [...this.pending.values()];
    this.pending.clear();
    const sigs = this.signals.splice(0, this.signals.length);
    for (const o of opps) {
      const buy = this.marketsByKey.get(key(o.buyVenue, o.buySymbol))!;
      const sell = this.marketsByKey.get(key(o.sellVenue, o.sellSymbol))!;
      this.consider({ source: 'detector', buy, sell, ts: o.ts }, now);
    }
    for (const s of sigs) {
      const buy = this.marketsByKey.get(key(s.buyVenue, s.buySymbol));
      const sell = this.marketsByKey.get(key(s.sellVenue, s.sellSymbol));
      if (buy === undefined || sell === undefined) {
        this.counts.signal.seen++;
        this.skip('signal', 'not_a_pair', s);
        continue;
      }
      this.consider({ source: 'signal', buy, sell, ts: s.ts, size: s.quantity, signal: s }, now);
    }
  }

  /** The end of the data (backtest): the last moment is evaluated and acted on. */
  finish(ts: TimeMs): void {
    this.detector.finish(ts);
    this.settle();
  }

  private consider(c: Candidate, now: TimeMs): void {
    const counts = this.counts[c.source];
    counts.seen++;
    const pair = pairKey(c.buy, c.sell);
    if (this.active.has(pair)) return this.skip(c.source, 'busy', c.signal);
    const last = this.lastDone.get(pair);
    if (last !== undefined && now - last < this.deps.plan.cooldownMs) return this.skip(c.source, 'cooldown', c.signal);
    const priced = this.pricer.price(c.buy, c.sell, now, this, c.size ?? this.deps.plan.size);
    if (!priced.ok) return this.skip(c.source, priced.reason, c.signal);
    const o = priced.opportunity;
    const core = this.core!;
    const id = c.signal ? c.signal.id : `arb-${++this.seq}`;
    // Both legs pass the risk gate before either is sent.
    for (const [m, side] of [
      [c.buy, 'buy'],
      [c.sell, 'sell'],
    ] as const) {
      const v = core.assess(this.orderSignal(`${id}:${side}`, m, side, o.size, now, c.signal?.risk));
      if (!v.ok) {
        if (c.signal) core.refused.push({ ts: now, signalId: c.signal.id, rule: v.rule, reason: `${side} leg: ${v.reason}`, ...(c.signal.source ?? {}) });
        return this.skip(c.source, `risk_${v.rule}`, c.signal);
      }
    }
    const sequential = this.deps.plan.sequential;
    const spec: ArbSpec = {
      id,
      ts: c.ts,
      buy: c.buy,
      sell: c.sell,
      size: o.size,
      policy: this.deps.plan.policy,
      sequential,
      ...(sequential ? { first: this.pricer.depth(c.sell, 'sell') < this.pricer.depth(c.buy, 'buy') ? ('sell' as const) : ('buy' as const) } : {}),
      maxCorrections: this.deps.plan.maxCorrections,
      buyPrice: o.expectedBuyPrice,
      sellPrice: o.expectedSellPrice,
    };
    const legs = new ArbLegs(spec);
    const rec: ArbRecord = {
      id,
      source: c.source,
      ...(c.signal ? { signalId: c.signal.id } : {}),
      detectedTs: c.ts,
      startedTs: now,
      expected: o,
      buyFactor: o.buyNotionalRef / (o.expectedBuyPrice * o.size),
      sellFactor: o.sellNotionalRef / (o.expectedSellPrice * o.size),
      buyMid: this.pricer.midRate(c.buy, now) ?? Number.NaN,
      sellMid: this.pricer.midRate(c.sell, now) ?? Number.NaN,
      legs,
      pair,
    };
    this.records.push(rec);
    this.active.set(pair, rec);
    counts.taken++;
    // Before either leg's intent: a crash after any of them finds the arbitrage it belongs to.
    this.deps.journal?.recordRunEvent(ARB_STARTED, arbStartedDetail(startOf(rec, spec)), now);
    const first = legs.start(now);
    this.place(rec, first, new Set(first));
  }

  /**
   * Finishes the arbitrages an earlier session started and did not end (a crash): call once the
   * journal's open orders are restored and reconciled, before new candidates are taken. Each is
   * replayed through a fresh leg machine (arb-recovery.ts) and then runs on like any other.
   */
  recover(journal: Journal): number {
    const { arbs, bad } = unfinishedArbs(journal);
    for (const b of bad) this.deps.log?.(`warning: an arbitrage record in the journal cannot be read, not resumed: ${b}`);
    if (arbs.length === 0) return 0;
    const legs = journaledLegs(journal);
    let n = 0;
    for (const s of arbs) {
      const buy = this.marketOfRef(s.buy);
      const sell = this.marketOfRef(s.sell);
      if (buy === undefined || sell === undefined) {
        this.deps.log?.(`warning: arbitrage ${s.id} (${s.buy} → ${s.sell}) is not a pair of this run: its legs are reconciled, not hedged`);
        continue;
      }
      this.resume(s, buy, sell, legs, journal);
      n++;
    }
    return n;
  }

  /** A market of this run's pairs from its `venue:symbol` (venue ids hold no ':'). */
  private marketOfRef(ref: string): MarketDef | undefined {
    const at = ref.indexOf(':');
    return this.marketsByKey.get(key(ref.slice(0, at), ref.slice(at + 1)));
  }

  private resume(s: ArbStart, buy: MarketDef, sell: MarketDef, journaled: ReadonlyMap<string, JournalOrder>, journal: Journal): void {
    const core = this.core!;
    const now = this.deps.clock.now();
    const legs = new ArbLegs({
      id: s.id, ts: s.detectedTs, buy, sell, size: s.size, policy: s.policy, sequential: s.sequential, ...(s.first ? { first: s.first } : {}),
      maxCorrections: s.maxCorrections, buyPrice: s.buyPrice, sellPrice: s.sellPrice,
    });
    const rec: ArbRecord = {
      id: s.id, source: s.source, ...(s.signalId !== undefined ? { signalId: s.signalId } : {}), detectedTs: s.detectedTs, startedTs: s.startedTs,
      expected: s.expected, buyFactor: s.buyFactor, sellFactor: s.sellFactor, buyMid: s.buyMid, sellMid: s.sellMid, legs, pair: pairKey(buy, sell), recovered: true,
    };
    this.records.push(rec);
    this.active.set(rec.pair, rec);
    const initial = new Set(legs.start(s.startedTs));
    let next = [...initial];
    while (next.length > 0) {
      const after: LegOrder[] = [];
      const send: LegOrder[] = [];
      for (const leg of next) {
        const jo = journaled.get(legSignalId(s.id, leg));
        if (jo === undefined) {
          // A first leg never journaled was never sent: the policy deals with what the other filled.
          // Anything later the machine asks for (a correction, a sequential second leg) goes now.
          if (initial.has(leg)) after.push(...legs.refused(leg, 'not sent: the session that started the arbitrage ended first', now));
          else send.push(leg);
          continue;
        }
        const cid = jo.clientId;
        legs.placed(leg, cid);
        this.byClientId.set(cid, rec);
        // Orders still open were restored into the registry and go on from there; the rest are final.
        const live = core.orders.get(cid);
        after.push(...legs.onOrder(cid, live ? updateOf(live, now) : journalUpdate(jo, journal.fills(cid), now)));
      }
      if (send.length > 0) this.place(rec, send);
      next = after;
    }
    this.deps.log?.(`arbitrage ${s.id} from an earlier session resumed: ${legs.done ? legs.outcome : legs.phase}`);
    this.afterUpdate(rec);
  }

  private skip(source: CandidateSource, reason: ExecSkipReason, sig?: ArbSignal): void {
    const s = this.counts[source].skipped;
    s[reason] = (s[reason] ?? 0) + 1;
    if (sig && !reason.startsWith('risk_')) {
      this.deps.log?.(`arb signal ${sig.id} skipped: ${reason}`);
      this.core?.refused.push({ ts: sig.ts, signalId: sig.id, rule: `arb_${reason}`, reason: `arbitrage not taken at execution: ${reason}`, ...(sig.source ?? {}) });
    }
  }

  // --- orders ----------------------------------------------------------------------------------

  private orderSignal(id: string, m: MarketDef, side: 'buy' | 'sell', quantity: number, ts: TimeMs, risk?: number): OrderSignal {
    return risk !== undefined
      ? { kind: 'order', id, ts, venue: m.venue, symbol: m.symbol, side, quantity, type: 'market', risk }
      : { kind: 'order', id, ts, venue: m.venue, symbol: m.symbol, side, quantity, type: 'market' };
  }

  /** Places the machine's orders (each through the core), feeding back what placing did at once. */
  private place(rec: ArbRecord, orders: LegOrder[], assessed: ReadonlySet<LegOrder> = NONE): void {
    const core = this.core!;
    const queue = [...orders];
    while (queue.length > 0) {
      const leg = queue.shift()!;
      const now = this.deps.clock.now();
      const sig = this.orderSignal(legSignalId(rec.id, leg), leg.market, leg.side, leg.quantity, now);
      // The first legs were assessed together before either went; later orders are assessed now.
      if (!assessed.has(leg)) {
        const v = core.assess(sig);
        if (!v.ok) {
          queue.push(...rec.legs.refused(leg, `${v.rule}: ${v.reason}`, now));
          this.afterUpdate(rec);
          continue;
        }
      }
      const order = core.placeOrder(sig);
      const cid = order.cmd.clientId;
      rec.legs.placed(leg, cid);
      this.byClientId.set(cid, rec);
      if (order.status !== 'rejected') this.deps.onSent?.(leg.venue);
      // Placing may have settled it already (a local minimum check, a venue that answers at once).
      queue.push(...rec.legs.onOrder(cid, updateOf(order, now)));
      this.afterUpdate(rec);
    }
  }

  /** The core's hook: every order event once applied (`CoreDeps.onOrderUpdate`). */
  readonly onOrderUpdate = (ev: OrderEvent, order: OrderState, _before: OrderStatus, duplicate: boolean): void => {
    if (duplicate) return;
    if (ev.kind === 'OrderFilled' && ev.liquidity === 'taker') this.consume(ev.venue, ev.symbol, ev.side, ev.price, ev.quantity);
    const rec = this.byClientId.get(order.cmd.clientId);
    if (rec === undefined || rec.legs.done) return;
    const next = rec.legs.onOrder(order.cmd.clientId, updateOf(order, ev.ts));
    if (next.length > 0) {
      this.deps.defer(() => {
        try {
          this.place(rec, next);
        } catch (err) {
          this.failure ??= err;
          this.deps.log?.(`arbitrage ${rec.id}: placing ${next.map((o) => o.role).join(', ')} failed: ${(err as Error).message}`);
        }
      });
    }
    this.afterUpdate(rec);
  };

  private afterUpdate(rec: ArbRecord): void {
    if (!rec.legs.done || this.active.get(rec.pair) !== rec) return;
    this.active.delete(rec.pair);
    this.lastDone.set(rec.pair, rec.legs.doneTs ?? this.deps.clock.now());
    this.deps.journal?.recordRunEvent(ARB_DONE, { id: rec.id, outcome: rec.legs.outcome ?? 'unknown' }, this.deps.clock.now());
    const r = rec.legs.residual();
    if (r) this.deps.log?.(`arbitrage ${rec.id}: ${rec.legs.outcome}; residual ${r.quantity} ${r.asset} on ${r.venue} (${r.reason})`);
  }

  /**
   * What our taker fill took from a watched book is gone from it until the venue's data next sets that
   * level — as the venue (and the simulated one) shows it — so the next arbitrage is not priced on
   * liquidity we already took.
   */
  private consume(venue: VenueId, symbol: MarketSymbol, side: 'buy' | 'sell', price: number, qty: number): void {
    const book = this.detector.books.find(venue, symbol);
    if (book === undefined) return;
    const levels = side === 'buy' ? book.asks : book.bids;
    for (let i = 0; i < levels.depth; i++) {
      if (levels.price(i) === price) {
        levels.set(price, levels.size(i) - qty);
        return;
      }
    }
  }

  // --- inventory -----------------------------------------------------------------------------

  /**
   * Free balance: the ledger's, minus what live orders may still take — the rest of a sell's base,
   * the rest of a buy's quote at its limit (or the mark) with the taker fee.
   */
  free(venue: VenueId, asset: Asset): Atto {
    const core = this.core;
    if (core === undefined) return 0n;
    let free = core.portfolio.balance(venue, asset);
    if (core.orders.liveCount === 0) return free;
    for (const o of core.orders.live()) {
      const c = o.cmd;
      if (c.venue !== venue) continue;
      const m = this.marketsByKey.get(key(c.venue, c.symbol));
      if (m === undefined) continue;
      const left = o.quantityAtto - o.filled;
      if (left <= 0n) continue;
      if (c.side === 'sell' && m.base === asset) free -= left;
      else if (c.side === 'buy' && m.quote === asset) {
        const price = c.price ?? this.markPrice(c.venue, c.symbol);
        if (price !== undefined) free -= mulRate((left * toAtto(price)) / 10n ** 18n, 1 + (this.fees.get(key(c.venue, c.symbol)) ?? 0));
      }
    }
    return free > 0n ? free : 0n;
  }

  private markPrice(venue: VenueId, symbol: MarketSymbol): number | undefined {
    const b = this.detector.books.find(venue, symbol);
    const ask = b?.asks.best();
    return ask !== undefined && ask > 0 ? ask : undefined;
  }
}

const NONE: ReadonlySet<LegOrder> = new Set();

/** What the journal keeps of an arbitrage as it starts (arb-recovery.ts). */
function startOf(rec: ArbRecord, spec: ArbSpec): ArbStart {
  return {
    id: rec.id, source: rec.source, ...(rec.signalId !== undefined ? { signalId: rec.signalId } : {}), detectedTs: rec.detectedTs, startedTs: rec.startedTs,
    buy: `${spec.buy.venue}:${spec.buy.symbol}`, sell: `${spec.sell.venue}:${spec.sell.symbol}`, size: spec.size, policy: spec.policy,
    sequential: spec.sequential === true, ...(spec.first ? { first: spec.first } : {}), maxCorrections: spec.maxCorrections ?? 2,
    buyPrice: spec.buyPrice, sellPrice: spec.sellPrice, expected: rec.expected, buyFactor: rec.buyFactor, sellFactor: rec.sellFactor,
    buyMid: rec.buyMid, sellMid: rec.sellMid,
  };
}

function updateOf(o: OrderState, ts: TimeMs): OrderUpdate {
  return {
    status: o.status,
    filled: o.filled,
    notional: o.notional,
    fees: o.fees,
    ts,
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    ...(o.resolution !== undefined ? { resolution: o.resolution } : {}),
  };
}

function key(venue: VenueId, symbol: MarketSymbol): string {
  return `${venue}\u0000${symbol}`;
}

/** One arbitrage at a time per pair of markets, whichever direction. */
function pairKey(a: MarketDef, b: MarketDef): string {
  const x = key(a.venue, a.symbol);
  const y = key(b.venue, b.symbol);
  return x < y ? `${x}|${y}` : `${y}|${x}`;
}
