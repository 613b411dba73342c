/**
 * Settles orders whose outcome is unknown (RELIABILITY rule 2): a submit that timed out, met a 5xx or
 * -1007, or an order a previous session sent before it died. Such an order is never resent: it is
 * looked up by client id, with a bounded exponential backoff, until the venue shows it or it is proven
 * absent.
 *  - Found: the driver reports what the lookup showed (ack, fills, end) on its event stream; for a
 *    driver that only answers the query, the ack is synthesized from the snapshot.
 *  - Absent in `lookups` lookups spread over at least `minAbsentMs` (Binance may not show an order
 *    right after its create): settled locally, marked `resolution: local` — rejected if the venue
 *    never acknowledged it, canceled (filled part kept) if it did.
 *  - Lookups that fail (network, ban) do not count as absence; after `giveUpMs` of them the order is
 *    left `unknown` for the next reconciliation sweep, and `onGiveUp` says so.
 */
import type { Scheduled, Scheduler } from '../core/clock.ts';
import type { ExchangeDriver, OrderQuery } from '../drivers/exchange-driver.ts';
import type { OrderRegistry, OrderState } from '../domain/order-registry.ts';
import type { OrderEvent, OrderSnapshot, VenueId } from '../domain/types.ts';

export interface ResolvePolicy {
  /** Wait before the first lookup; doubles per lookup up to `maxDelayMs`. */
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** "Not found" answers needed before absence is accepted... */
  readonly lookups: number;
  /** ...and the least time they must span since the order went unknown. */
  readonly minAbsentMs: number;
  /** Failed lookups (no answer at all) are retried for this long, then the order is left unknown. */
  readonly giveUpMs: number;
}

export const DEFAULT_RESOLVE_POLICY: ResolvePolicy = { firstDelayMs: 250, maxDelayMs: 4_000, lookups: 6, minAbsentMs: 5_000, giveUpMs: 120_000 };

export interface ResolverDeps {
  readonly orders: OrderRegistry;
  readonly driver: (venue: VenueId) => ExchangeDriver;
  /** Where a locally made event (ack from a snapshot, local resolution) goes: the core's event stream. */
  readonly emit: (ev: OrderEvent) => void;
  readonly scheduler: Scheduler;
  readonly policy?: Partial<ResolvePolicy>;
  /** A lookup that got no answer (it will be retried). */
  readonly onLookupError?: (order: OrderState, err: unknown) => void;
  readonly onGiveUp?: (order: OrderState, reason: string) => void;
}

interface Pending {
  readonly since: number;
  lookups: number;
  absent: number;
  timer: Scheduled | undefined;
}

export class UnknownResolver {
  private readonly policy: ResolvePolicy;
  private readonly pending = new Map<string, Pending>();
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly deps: ResolverDeps) {
    this.policy = { ...DEFAULT_RESOLVE_POLICY, ...deps.policy };
  }

  /** Starts resolving `order` (status `unknown`); a second call while it is pending does nothing. */
  watch(order: OrderState): void {
    const id = order.cmd.clientId;
    if (this.closed || this.pending.has(id)) return;
    const p: Pending = { since: this.deps.scheduler.now(), lookups: 0, absent: 0, timer: undefined };
    this.pending.set(id, p);
    this.schedule(order, p);
  }

  /** Orders still being resolved. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Resolves when nothing is pending (immediately if nothing is). */
  idle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) p.timer?.cancel();
    this.pending.clear();
    this.notifyIdle();
  }

  private schedule(order: OrderState, p: Pending): void {
    const delay = Math.min(this.policy.firstDelayMs * 2 ** p.lookups, this.policy.maxDelayMs);
    p.timer = this.deps.scheduler.after(delay, () => void this.lookUp(order, p));
  }

  private done(order: OrderState): void {
    this.pending.delete(order.cmd.clientId);
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.pending.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private lookUp(order: OrderState, p: Pending): void | Promise<void> {
    if (this.closed) return;
    if (order.status !== 'unknown') return this.done(order);
    const { cmd } = order;
    const driver = this.deps.driver(cmd.venue) as ExchangeDriver & { lookupNow?: (q: OrderQuery) => OrderSnapshot | undefined };
    p.lookups += 1;
    const query: OrderQuery = { symbol: cmd.symbol, clientId: cmd.clientId, ...(order.exchangeId ? { exchangeId: order.exchangeId } : {}) };
    // A driver that can answer at once (the simulated venue, in event time) is asked synchronously, so
    // the answer lands at the event time the lookup was made, whatever the batching of the input.
    if (driver.lookupNow !== undefined) return this.settle(order, p, driver, driver.lookupNow(query));
    return driver.fetchOrder(query).then(
      (snap) => this.settle(order, p, driver, snap),
      (err: unknown) => this.failed(order, p, err),
    );
  }

  private failed(order: OrderState, p: Pending, err: unknown): void {
    if (this.closed) return;
    this.deps.onLookupError?.(order, err);
    const elapsed = this.deps.scheduler.now() - p.since;
    if (elapsed >= this.policy.giveUpMs) {
      this.deps.onGiveUp?.(order, `no answer to ${p.lookups} lookups in ${elapsed} ms: left unknown for the next reconciliation`);
      return this.done(order);
    }
    this.schedule(order, p);
  }

  private settle(order: OrderState, p: Pending, driver: ExchangeDriver, snap: OrderSnapshot | undefined): void {
    const { cmd } = order;
    if (this.closed) return;
    if (order.status !== 'unknown') return this.done(order); // the driver reported what it found
    const now = this.deps.scheduler.now();
    if (snap) {
      // A driver that does not track the order answered without events: take its ack from the snapshot.
      this.deps.emit({ kind: 'OrderAccepted', clientId: cmd.clientId, venue: cmd.venue, symbol: cmd.symbol, ts: now, exchangeId: snap.exchangeId });
      return this.done(order);
    }
    p.absent += 1;
    const elapsed = now - p.since;
    if (p.absent < this.policy.lookups || elapsed < this.policy.minAbsentMs) return this.schedule(order, p);
    const reason = `not at the venue in ${p.absent} lookups over ${elapsed} ms: proven absent, resolved locally`;
    const base = { clientId: cmd.clientId, venue: cmd.venue, symbol: cmd.symbol, ts: now, resolution: 'local' as const };
    driver.forget?.(cmd.clientId);
    // Never acknowledged: the attempt did not reach the book. Acknowledged once: whatever filled stays.
    this.deps.emit(order.exchangeId === undefined ? { kind: 'OrderRejected', ...base, code: 'ABSENT', reason } : { kind: 'OrderCanceled', ...base, reason });
    this.done(order);
  }
}
