/**
 * The leg state machine of one cross-venue arbitrage (RELIABILITY rule 10), pure: it is told what
 * happened to its orders and answers with the orders to place next. The executor (engine layer) does
 * the placing, through the same order machinery as every other order.
 *
 * Phases:
 *
 *   detected ─start─► sending ─acks─► open ─┬─ both filled ──────────────────────────────► done (complete)
 *                         │                  ├─ a leg unknown ─► resolving ─(lookup)─┐
 *                         │                  └─ a leg failed / partly filled ───────┴─► hedging | unwinding ─► done
 *                         └─ sequential: the first leg alone; the second for what the first filled
 *
 * Orders (legs and the corrective orders after them) each have a status driven by their order's
 * events (`onOrder`): sending → open → filled | partial (ended with part filled) | failed (ended with
 * nothing filled), or unknown (the outcome of the submit is not known).
 *
 * Rules:
 *  - An unknown order is never resent: the machine waits for the resolver's outcome (the venue showed
 *    it → its real status; proven absent → failed). Nothing corrective is sent while any order of the
 *    arbitrage is live or unknown, so a late fill can never meet a correction already sent for it.
 *  - Once every order is final, the imbalance is bought − sold base (exact, atto) over all of them:
 *      hedge   completes the missing side on the venue where it was missing — sell the excess on the
 *              sell venue, or buy the shortfall on the buy venue — a NEW order with a new client id
 *              (the failed leg's exposure retried at market, only now that it is known not to have
 *              filled);
 *      unwind  reverses the excess on the venue where it was taken (sell it back on the buy venue, or
 *              buy it back on the sell venue);
 *      report  leaves it.
 *    A correction is rounded down to the market's lot step and must pass its minimums; one that cannot
 *    (dust), or the imbalance left after `maxCorrections` attempts, is the residual exposure, reported.
 *  - Sequential: the first leg goes alone; when it is final the second goes for what it filled (none:
 *    the arbitrage ends with nothing done). The first is the less liquid leg (the executor decides).
 */
import { attoToNumber, toAtto } from '../domain/money.ts';
import { checkOrderLimits, snapToStep } from '../domain/precision.ts';
import type { Asset, Atto, MarketDef, OrderStatus, Side, TimeMs, VenueId } from '../domain/types.ts';

export const LegPolicies = ['hedge', 'unwind', 'report'] as const;
export type LegPolicy = (typeof LegPolicies)[number];

export const ArbPhases = ['detected', 'sending', 'open', 'resolving', 'hedging', 'unwinding', 'done'] as const;
export type ArbPhase = (typeof ArbPhases)[number];

/** How an arbitrage ended. */
export const ArbOutcomes = [
  /** Both legs filled in full. */
  'complete',
  /** A leg failed or filled partly; corrections on the failed side closed the imbalance. */
  'hedged',
  /** Corrections reversed the excess on the venue that filled. */
  'unwound',
  /** An imbalance is left (policy `report`, dust below a minimum, or corrections exhausted). */
  'reported',
  /** Nothing filled at all (both legs failed, or a sequential first leg failed). */
  'nothing_filled',
] as const;
export type ArbOutcome = (typeof ArbOutcomes)[number];

export type LegRole = 'buy' | 'sell' | 'hedge' | 'unwind';
export type LegStatus = 'pending' | 'sending' | 'open' | 'unknown' | 'filled' | 'partial' | 'failed';

const FINAL: ReadonlySet<LegStatus> = new Set(['filled', 'partial', 'failed']);

/** One order of an arbitrage: a leg or a corrective order. Updated in place by the machine. */
export interface LegOrder {
  readonly role: LegRole;
  /** 1 for the legs; corrections count 1, 2, … */
  readonly attempt: number;
  readonly venue: VenueId;
  readonly market: MarketDef;
  readonly side: Side;
  quantity: number;
  /** Set once the executor placed it; undefined while pending or when placing was refused. */
  clientId?: string;
  status: LegStatus;
  /** Base filled, quote notional and fees (in the fee asset), exact. */
  filled: Atto;
  notional: Atto;
  fees: Atto;
  /** When it was handed to the executor and when it became final (event or wall time). */
  sentTs?: TimeMs;
  doneTs?: TimeMs;
  resolution?: 'lookup' | 'local';
  reason?: string;
}

/** What the executor reports about an order (its OrderState after an event). */
export interface OrderUpdate {
  readonly status: OrderStatus;
  readonly filled: Atto;
  readonly notional: Atto;
  readonly fees: Atto;
  readonly ts: TimeMs;
  readonly reason?: string;
  readonly resolution?: 'lookup' | 'local';
}

export interface ArbSpec {
  readonly id: string;
  /** When the opportunity was detected. */
  readonly ts: TimeMs;
  readonly buy: MarketDef;
  readonly sell: MarketDef;
  /** Base amount, on both lot steps. */
  readonly size: number;
  readonly policy: LegPolicy;
  /** Send one leg, then the other for what the first filled. */
  readonly sequential?: boolean;
  /** Which leg goes first when sequential (the less liquid one). */
  readonly first?: 'buy' | 'sell';
  /** Corrective orders at most (each only after the previous one ended); default 2. */
  readonly maxCorrections?: number;
  /** Reference prices (own quote) for the minimum-notional check of corrections: the expected VWAPs. */
  readonly buyPrice: number;
  readonly sellPrice: number;
}

/** The base left unbalanced by an arbitrage, and where it sits. */
export interface Residual {
  readonly asset: Asset;
  /** Bought − sold, base units (positive: long on `venue`). */
  readonly quantity: number;
  readonly venue: VenueId;
  readonly reason: string;
}

export class ArbLegs {
  phase: ArbPhase = 'detected';
  outcome: ArbOutcome | undefined;
  /** Why it ended as it did (corrections, dust, policy). */
  note: string | undefined;
  readonly orders: LegOrder[] = [];
  readonly buyLeg: LegOrder;
  readonly sellLeg: LegOrder;
  doneTs: TimeMs | undefined;
  private readonly byClientId = new Map<string, LegOrder>();
  private corrections = 0;
  private readonly maxCorrections: number;

  constructor(readonly spec: ArbSpec) {
    if (!(spec.size > 0)) throw new RangeError(`arbitrage ${spec.id}: size must be positive, got ${spec.size}`);
    if (spec.buy.base !== spec.sell.base) throw new RangeError(`arbitrage ${spec.id}: ${spec.buy.symbol} and ${spec.sell.symbol} differ in base`);
    this.maxCorrections = spec.maxCorrections ?? 2;
    this.buyLeg = this.newOrder('buy', 1, spec.buy, 'buy', spec.size);
    this.sellLeg = this.newOrder('sell', 1, spec.sell, 'sell', spec.size);
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  /** The orders to place now: both legs, or the first one when sequential. */
  start(ts: TimeMs): LegOrder[] {
    if (this.phase !== 'detected') throw new Error(`arbitrage ${this.spec.id}: started twice`);
    this.phase = 'sending';
    const firstLeg = this.spec.first === 'sell' ? this.sellLeg : this.buyLeg;
    const out = this.spec.sequential ? [firstLeg] : [this.buyLeg, this.sellLeg];
    for (const o of out) this.sending(o, ts);
    return out;
  }

  /** The executor placed `order` under `clientId` (journaled, sent). */
  placed(order: LegOrder, clientId: string): void {
    order.clientId = clientId;
    this.byClientId.set(clientId, order);
  }

  /** Knows this client id. */
  owns(clientId: string): boolean {
    return this.byClientId.has(clientId);
  }

  /**
   * Placing `order` was refused before anything was sent (a risk limit, a local minimum): it failed
   * with nothing filled. Returns the orders to place next.
   */
  refused(order: LegOrder, reason: string, ts: TimeMs): LegOrder[] {
    order.status = 'failed';
    order.reason = reason;
    order.doneTs = ts;
    return this.step(ts);
  }

  /** An update of one of this arbitrage's orders; returns the orders to place next. */
  onOrder(clientId: string, u: OrderUpdate): LegOrder[] {
    const o = this.byClientId.get(clientId);
    if (o === undefined || this.phase === 'done') return [];
    o.filled = u.filled;
    o.notional = u.notional;
    o.fees = u.fees;
    if (u.reason !== undefined) o.reason = u.reason;
    if (u.resolution !== undefined) o.resolution = u.resolution;
    o.status = legStatus(u.status, u.filled);
    if (FINAL.has(o.status)) o.doneTs ??= u.ts;
    return this.step(u.ts);
  }

  /** Base bought − sold over every order (exact). */
  imbalance(): Atto {
    let b = 0n;
    for (const o of this.orders) b += o.side === 'buy' ? o.filled : -o.filled;
    return b;
  }

  /** Net base change per venue (the intended inventory shift plus any residual). */
  baseByVenue(): Map<VenueId, Atto> {
    const out = new Map<VenueId, Atto>();
    for (const o of this.orders) out.set(o.venue, (out.get(o.venue) ?? 0n) + (o.side === 'buy' ? o.filled : -o.filled));
    return out;
  }

  /** The residual exposure, once done (undefined when balanced). */
  residual(): Residual | undefined {
    const imb = this.imbalance();
    if (imb === 0n) return undefined;
    // It sits on the venue whose net change has the imbalance's sign and is the largest.
    let venue = imb > 0n ? this.spec.buy.venue : this.spec.sell.venue;
    let best = 0n;
    for (const [v, q] of this.baseByVenue()) {
      const s = imb > 0n ? q : -q;
      if (s > best) {
        best = s;
        venue = v;
      }
    }
    return { asset: this.spec.buy.base, quantity: attoToNumber(imb), venue, reason: this.note ?? 'unbalanced' };
  }

  private newOrder(role: LegRole, attempt: number, market: MarketDef, side: Side, quantity: number): LegOrder {
    const o: LegOrder = { role, attempt, venue: market.venue, market, side, quantity, status: 'pending', filled: 0n, notional: 0n, fees: 0n };
    this.orders.push(o);
    return o;
  }

  private sending(o: LegOrder, ts: TimeMs): void {
    o.status = 'sending';
    o.sentTs = ts;
  }

  /** Decides what follows from the orders' statuses. */
  private step(ts: TimeMs): LegOrder[] {
    if (this.phase === 'done') return [];
    let live = false;
    let unknown = false;
    for (const o of this.orders) {
      if (o.status === 'unknown') unknown = true;
      else if (o.status === 'sending' || o.status === 'open') live = true;
    }
    if (unknown) {
      this.phase = 'resolving';
      return [];
    }
    if (live) {
      if (this.phase === 'sending' && this.orders.every((o) => o.status !== 'sending')) this.phase = 'open';
      return [];
    }
    // Every order placed so far is final. A sequential second leg goes now, for what the first filled.
    const second = this.orders.find((o) => (o.role === 'buy' || o.role === 'sell') && o.status === 'pending');
    if (second !== undefined) {
      const first = second === this.buyLeg ? this.sellLeg : this.buyLeg;
      if (first.filled === 0n) {
        second.status = 'failed';
        second.reason = 'not sent: the first leg filled nothing';
        return this.finish('nothing_filled', ts, 'the first leg filled nothing; the second was not sent');
      }
      const q = snapToStep(attoToNumber(first.filled), second.market.precision.amount, 'down');
      const price = second === this.buyLeg ? this.spec.buyPrice : this.spec.sellPrice;
      if (q > 0 && checkOrderLimits(second.market, q, price) === undefined) {
        second.quantity = q;
        this.sending(second, ts);
        this.phase = 'sending';
        return [second];
      }
      second.status = 'failed';
      second.reason = `not sent: the first leg's fill ${attoToNumber(first.filled)} is below ${second.venue}'s minimum`;
    }
    return this.correct(ts);
  }

  /** All final: balanced → done; otherwise a correction per policy, or the residual is reported. */
  private correct(ts: TimeMs): LegOrder[] {
    const imb = this.imbalance();
    if (imb === 0n) {
      const anyFill = this.orders.some((o) => o.filled > 0n);
      if (!anyFill) return this.finish('nothing_filled', ts, 'no leg filled');
      if (this.corrections === 0) return this.finish('complete', ts);
      return this.finish(this.spec.policy === 'unwind' ? 'unwound' : 'hedged', ts, `${this.corrections} corrective order(s)`);
    }
    const policy = this.spec.policy;
    if (policy === 'report') return this.finish('reported', ts, 'policy report: the imbalance is left');
    if (this.corrections >= this.maxCorrections) return this.finish('reported', ts, `imbalance left after ${this.corrections} corrective order(s)`);
    const long = imb > 0n;
    // hedge: complete the missing side where it was missing; unwind: reverse where it was taken.
    const market = policy === 'hedge' ? (long ? this.spec.sell : this.spec.buy) : long ? this.spec.buy : this.spec.sell;
    const side: Side = long ? 'sell' : 'buy';
    const price = market === this.spec.buy ? this.spec.buyPrice : this.spec.sellPrice;
    const want = attoToNumber(long ? imb : -imb);
    const q = snapToStep(want, market.precision.amount, 'down');
    const violation = q > 0 ? checkOrderLimits(market, q, price) : { code: 'LOT_SIZE', message: `${want} rounds to 0 at lot step ${market.precision.amount}` };
    if (violation !== undefined) return this.finish('reported', ts, `imbalance ${long ? '' : '-'}${want} too small to correct on ${market.venue} (${violation.code})`);
    // Rounding down may leave dust; a correction never trades more than the imbalance.
    if (toAtto(q) > (long ? imb : -imb)) return this.finish('reported', ts, 'imbalance below one lot');
    this.corrections++;
    const o = this.newOrder(policy === 'hedge' ? 'hedge' : 'unwind', this.corrections, market, side, q);
    this.sending(o, ts);
    this.phase = policy === 'hedge' ? 'hedging' : 'unwinding';
    return [o];
  }

  private finish(outcome: ArbOutcome, ts: TimeMs, note?: string): LegOrder[] {
    this.phase = 'done';
    this.outcome = outcome;
    this.doneTs = ts;
    if (note !== undefined) this.note = note;
    return [];
  }
}

/** A leg's status from its order's status and fill. */
export function legStatus(status: OrderStatus, filled: Atto): LegStatus {
  switch (status) {
    case 'new':
    case 'submitting':
      return 'sending';
    case 'open':
    case 'partially_filled':
      return 'open';
    case 'unknown':
      return 'unknown';
    case 'filled':
      return 'filled';
    case 'canceled':
    case 'rejected':
    case 'expired':
      return filled > 0n ? 'partial' : 'failed';
  }
}
