/**
 * What each injected fault did: when and where it struck, the orders it touched, how tradeflow noticed,
 * what it did about it, how it ended and how long recovery took. Filled in by the fault-injecting
 * driver as faults strike and completed from the order updates the engine applies afterwards.
 */
import { formatAtto } from '../domain/money.ts';
import type { OrderState } from '../domain/order-registry.ts';
import type { MarketSymbol, OrderEvent, OrderStatus, TimeMs, VenueId } from '../domain/types.ts';
import { TerminalStatuses } from '../domain/types.ts';
import { describeEntry, type FaultEntry, type FaultKind } from './fault-schedule.ts';

/** When a touched order counts as recovered from this kind of fault. */
type Settles = 'leaves-unknown' | 'final' | 'fill-applied' | 'accepted' | 'at-once' | 'window-end';

const SETTLES: Record<FaultKind, Settles> = {
  'timeout-after-accept': 'leaves-unknown',
  'timeout-before-accept': 'leaves-unknown',
  'error-5xx-after-accept': 'leaves-unknown',
  'unknown-status': 'leaves-unknown',
  reject: 'at-once',
  'leg-failure': 'at-once',
  'partial-then-cancel': 'final',
  'drop-event': 'fill-applied',
  'repeat-event': 'at-once',
  'clock-skew': 'accepted',
  'rate-limit': 'accepted',
  'ip-ban': 'accepted',
  'latency-spike': 'accepted',
  'stream-silence': 'window-end',
  'stale-book': 'window-end',
  'price-gap': 'at-once',
  crash: 'final',
};

export interface FaultRecord {
  readonly id: number;
  readonly ts: TimeMs;
  readonly kind: FaultKind;
  /** The schedule entry, e.g. `timeout-after-accept @ order 3`. */
  readonly entry: string;
  readonly venue?: VenueId;
  readonly symbol?: MarketSymbol;
  /** Client ids of the orders it touched. */
  readonly orders: string[];
  /** How tradeflow noticed. */
  detected: string;
  /** What it did about it. */
  action: string;
  /** How it ended, per touched order or for the window. */
  outcome: string;
  /** Event (or wall) time at which the last touched order recovered; undefined while not recovered. */
  recoveredTs?: TimeMs;
  recoverMs?: number;
  /** End of a window fault. */
  windowEnd?: TimeMs;
}

interface Pending {
  readonly rec: FaultRecord;
  readonly settles: Settles;
  /** Touched orders not yet recovered. */
  readonly waiting: Set<string>;
  /** Trade ids whose application ends the wait (drop-event). */
  readonly tradeIds: Set<string>;
  /** When each touched order met the fault: recovery is timed from there. */
  readonly touchedAt: Map<string, TimeMs>;
  recoverMs: number;
}

export class FaultLog {
  /** @param now the run's clock: recovery is timed by when news is applied, not by the venue's stamp on it. */
  constructor(private readonly now: () => TimeMs) {}

  private readonly records: FaultRecord[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly byOrder = new Map<string, Set<number>>();

  /** Records a fault as it strikes. */
  strike(entry: FaultEntry, at: { ts: TimeMs; venue?: VenueId; symbol?: MarketSymbol }, how: { detected: string; action: string; windowEnd?: TimeMs }): FaultRecord {
    const rec: FaultRecord = {
      id: this.records.length + 1,
      ts: at.ts,
      kind: entry.kind,
      entry: describeEntry(entry),
      ...(at.venue !== undefined ? { venue: at.venue } : {}),
      ...(at.symbol !== undefined ? { symbol: at.symbol } : {}),
      orders: [],
      detected: how.detected,
      action: how.action,
      outcome: 'pending',
      ...(how.windowEnd !== undefined && Number.isFinite(how.windowEnd) ? { windowEnd: how.windowEnd } : {}),
    };
    this.records.push(rec);
    const settles = SETTLES[entry.kind];
    if (settles === 'at-once') this.recover(rec, at.ts);
    this.pending.set(rec.id, { rec, settles, waiting: new Set(), tradeIds: new Set(), touchedAt: new Map(), recoverMs: 0 });
    return rec;
  }

  /** Links an order to a fault; for drop-event, the trade id whose late application is the recovery. */
  touch(rec: FaultRecord, clientId: string, tradeId?: string, ts: TimeMs = rec.ts): void {
    if (!rec.orders.includes(clientId)) rec.orders.push(clientId);
    const p = this.pending.get(rec.id);
    // A lost fill is timed from when it was lost, not from when its order was sent.
    if (p && (!p.touchedAt.has(clientId) || tradeId !== undefined)) p.touchedAt.set(clientId, ts);
    if (p && p.settles !== 'at-once' && p.settles !== 'window-end') p.waiting.add(clientId);
    if (p && tradeId !== undefined) p.tradeIds.add(tradeId);
    let ids = this.byOrder.get(clientId);
    if (!ids) this.byOrder.set(clientId, (ids = new Set()));
    ids.add(rec.id);
  }

  /** Sets what tradeflow did, once known (e.g. how a lookup ended). */
  note(rec: FaultRecord, fields: Partial<Pick<FaultRecord, 'detected' | 'action' | 'outcome'>>): void {
    Object.assign(rec, fields);
  }

  /** An order update the engine applied (after the registry): moves the faults that touched it on. */
  observe(ev: OrderEvent, order: OrderState, before: OrderStatus, duplicate: boolean): void {
    const ids = this.byOrder.get(order.cmd.clientId);
    if (!ids) return;
    for (const id of ids) {
      const p = this.pending.get(id);
      if (!p || !p.waiting.has(order.cmd.clientId)) continue;
      const id_ = order.cmd.clientId;
      let done = false;
      switch (p.settles) {
        case 'leaves-unknown':
          done = before === 'unknown' && order.status !== 'unknown';
          break;
        case 'final':
          done = TerminalStatuses.has(order.status);
          break;
        case 'accepted':
          done = order.status !== 'submitting' && order.status !== 'new';
          break;
        case 'fill-applied':
          done = ev.kind === 'OrderFilled' && !duplicate && p.tradeIds.has(ev.tradeId);
          break;
        default:
          break;
      }
      if (!done) continue;
      p.waiting.delete(id_);
      // Venue news carries the time it happened; a fill re-reported by a later poll is recovered when
      // the poll brings it, which is the run's time, not the fill's.
      const at = p.settles === 'fill-applied' ? Math.max(ev.ts, this.now()) : ev.ts;
      p.recoverMs = Math.max(p.recoverMs, at - (p.touchedAt.get(id_) ?? p.rec.ts));
      if (p.waiting.size === 0) {
        p.rec.recoveredTs = at;
        p.rec.recoverMs = p.recoverMs;
      }
    }
  }

  /** Closes the log at the end of the run: what never recovered says so. */
  finish(endTs: TimeMs, orderNow: (clientId: string) => OrderState | undefined, extra: (rec: FaultRecord) => string | undefined = () => undefined): FaultRecord[] {
    for (const p of this.pending.values()) {
      const rec = p.rec;
      const more = extra(rec);
      if (p.settles === 'window-end') {
        const end = rec.windowEnd !== undefined ? Math.min(rec.windowEnd, endTs) : endTs;
        this.recover(rec, end);
        rec.outcome = more ?? `window ended at ${new Date(end).toISOString()}`;
        continue;
      }
      // The outcome is where the touched orders ended (at the end of the run, not at recovery).
      const states = rec.orders.map((id) => {
        const o = orderNow(id);
        return o ? describeOrder(o) : `${id}: no longer tracked`;
      });
      if (rec.recoveredTs === undefined) rec.outcome = `NOT RECOVERED by the end of the run: ${states.join('; ') || 'no order was touched'}`;
      else if (rec.outcome === 'pending' || states.length > 0) rec.outcome = `${rec.outcome !== 'pending' && p.settles === 'at-once' ? `${rec.outcome}; ` : ''}ended: ${states.join('; ') || 'no order was touched'}`;
      if (more !== undefined) rec.outcome = `${rec.outcome}; ${more}`;
    }
    return this.records;
  }

  get all(): readonly FaultRecord[] {
    return this.records;
  }

  private recover(rec: FaultRecord, ts: TimeMs): void {
    rec.recoveredTs = ts;
    rec.recoverMs = Math.max(0, ts - rec.ts);
  }
}

function describeOrder(o: OrderState): string {
  const res = o.resolution ? `, resolved by ${o.resolution === 'local' ? 'tradeflow locally' : 'venue lookup'}` : '';
  return `${o.cmd.clientId} ${o.status}${o.filled > 0n ? ` (filled ${formatAtto(o.filled)} of ${o.cmd.quantity})` : ''}${res}`;
}
