/**
 * The journal for backtests: the same contract as SqliteJournal (one suite tests both), kept in
 * memory because a backtest is a pure function of its inputs and is simply run again after a crash.
 * Data survives close() and a later open() on the same instance, as a file would.
 *
 * `batch` is atomic here too: writes inside it are undone when it throws, so code that relies on the
 * SQLite journal's rollback behaves the same in a backtest.
 */
import type { OrderFilled, OrderStatus, SubmitOrder, TimeMs } from '../domain/types.ts';
import {
  JournalError,
  type Journal,
  type JournalOptions,
  type JournalOrder,
  type JournalRun,
  type JournalRunEvent,
  type JournalTransition,
  type RunEventDetail,
} from './journal.ts';
import { checkRunId, checkStatus, checkTs, copyFill, decodeDetail, encodeDetail, FINAL_STATUSES, noRedaction, splitClientId } from './records.ts';

interface MemOrder {
  readonly runId: string;
  readonly intent: SubmitOrder;
  status: OrderStatus;
  exchangeId: string | undefined;
  reason: string | undefined;
  updatedTs: TimeMs;
  readonly history: JournalTransition[];
}

interface MemEvent {
  readonly runId: string;
  readonly kind: string;
  readonly ts: TimeMs;
  readonly detail: string;
}

const FINAL: ReadonlySet<OrderStatus> = new Set(FINAL_STATUSES);

export class MemoryJournal implements Journal {
  private runId: string | undefined;
  private readonly runMap = new Map<string, { firstOpenedTs: TimeMs; lastOpenedTs: TimeMs; opens: number }>();
  private readonly orders = new Map<string, MemOrder>();
  private readonly fillList: OrderFilled[] = [];
  private readonly tradeKeys = new Set<string>();
  private readonly maxSeq = new Map<string, number>();
  private readonly events: MemEvent[] = [];
  /** Undo steps of the open batch, newest last; undefined outside a batch. */
  private undo: Array<() => void> | undefined;
  private readonly now: () => TimeMs;
  private readonly redact: (s: string) => string;

  constructor(opts: JournalOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.redact = opts.redact ?? noRedaction;
  }

  open(runId: string): void {
    if (this.runId !== undefined) throw new JournalError(`memory journal is already open for run ${this.runId}`);
    checkRunId(runId);
    const ts = this.now();
    const run = this.runMap.get(runId);
    if (run) {
      run.lastOpenedTs = ts;
      run.opens += 1;
    } else {
      this.runMap.set(runId, { firstOpenedTs: ts, lastOpenedTs: ts, opens: 1 });
    }
    this.runId = runId;
  }

  recordIntent(cmd: SubmitOrder): void {
    const runId = this.live();
    checkTs(cmd.ts, `intent ${cmd.clientId}`);
    if (this.orders.has(cmd.clientId)) {
      throw new JournalError(`client id ${cmd.clientId} is already journaled: client ids are unique per attempt`, {
        clientId: cmd.clientId,
      });
    }
    // A normalised copy: the caller's object may change, and absent fields read back as absent.
    const intent: { -readonly [K in keyof SubmitOrder]: SubmitOrder[K] } = {
      clientId: cmd.clientId, venue: cmd.venue, symbol: cmd.symbol, side: cmd.side, type: cmd.type, quantity: cmd.quantity, ts: cmd.ts,
    };
    if (cmd.price !== undefined && cmd.price !== null) intent.price = cmd.price;
    if (cmd.signalId !== undefined && cmd.signalId !== null) intent.signalId = cmd.signalId;
    const order: MemOrder = {
      runId, intent, status: 'new', exchangeId: undefined, reason: undefined, updatedTs: cmd.ts,
      history: [{ clientId: cmd.clientId, status: 'new', ts: cmd.ts }],
    };
    this.orders.set(cmd.clientId, order);
    const id = splitClientId(cmd.clientId);
    const before = id && this.maxSeq.get(id.prefix);
    if (id && id.seq > (before ?? 0)) this.maxSeq.set(id.prefix, id.seq);
    this.undo?.push(() => {
      this.orders.delete(cmd.clientId);
      if (id) before === undefined ? this.maxSeq.delete(id.prefix) : this.maxSeq.set(id.prefix, before);
    });
  }

  recordTransition(clientId: string, status: OrderStatus, ts: TimeMs, reason?: string, exchangeId?: string): void {
    this.live();
    checkStatus(status, clientId);
    checkTs(ts, `order ${clientId}`);
    const o = this.orders.get(clientId);
    if (!o) throw new JournalError(`transition to ${status}: order ${clientId} has no journaled intent`, { clientId });
    const prev = { status: o.status, exchangeId: o.exchangeId, reason: o.reason, updatedTs: o.updatedTs };
    const why = reason === undefined ? undefined : this.redact(reason);
    o.status = status;
    o.updatedTs = Math.max(o.updatedTs, ts);
    if (why !== undefined) o.reason = why;
    if (exchangeId !== undefined) o.exchangeId = exchangeId;
    // Properties added only when present (not spread from temporaries): this runs once per order event.
    const entry: { -readonly [K in keyof JournalTransition]: JournalTransition[K] } = { clientId, status, ts };
    if (why !== undefined) entry.reason = why;
    if (exchangeId !== undefined) entry.exchangeId = exchangeId;
    o.history.push(entry);
    this.undo?.push(() => {
      Object.assign(o, prev);
      o.history.pop();
    });
  }

  recordFill(fill: OrderFilled): boolean {
    this.live();
    checkTs(fill.ts, `fill ${fill.tradeId}`);
    const key = `${fill.venue}\u0000${fill.tradeId}`;
    if (this.tradeKeys.has(key)) return false;
    if (!this.orders.has(fill.clientId)) {
      throw new JournalError(`fill ${fill.tradeId}: order ${fill.clientId} has no journaled intent`, { clientId: fill.clientId });
    }
    this.tradeKeys.add(key);
    this.fillList.push(copyFill(fill));
    this.undo?.push(() => {
      this.tradeKeys.delete(key);
      this.fillList.pop();
    });
    return true;
  }

  recordRunEvent(kind: string, detail?: RunEventDetail, ts?: TimeMs): void {
    const runId = this.live();
    const at = ts ?? this.now();
    checkTs(at, `run event ${kind}`);
    this.events.push({ runId, kind, ts: at, detail: encodeDetail(detail, this.redact) });
    this.undo?.push(() => void this.events.pop());
  }

  batch<T>(fn: () => T): T {
    this.live();
    const outer = this.undo === undefined;
    const steps = (this.undo ??= []);
    const mark = steps.length;
    try {
      const out = fn();
      // As better-sqlite3 does: writes after an await would escape the batch.
      if (typeof (out as { then?: unknown } | null)?.then === 'function') throw new TypeError('Transaction function cannot return a promise');
      return out;
    } catch (err) {
      while (steps.length > mark) steps.pop()!();
      throw err;
    } finally {
      if (outer) this.undo = undefined;
    }
  }

  openOrders(): JournalOrder[] {
    this.live();
    const out: JournalOrder[] = [];
    for (const [clientId, o] of this.orders) if (!FINAL.has(o.status)) out.push(view(clientId, o));
    return out;
  }

  order(clientId: string): JournalOrder | undefined {
    this.live();
    const o = this.orders.get(clientId);
    return o && view(clientId, o);
  }

  transitions(clientId: string): JournalTransition[] {
    this.live();
    return (this.orders.get(clientId)?.history ?? []).map((t) => ({ ...t }));
  }

  fills(clientId?: string): OrderFilled[] {
    this.live();
    const sel = clientId === undefined ? this.fillList : this.fillList.filter((f) => f.clientId === clientId);
    return sel.map(copyFill);
  }

  lastClientSeq(prefix: string): number {
    this.live();
    return this.maxSeq.get(prefix) ?? 0;
  }

  clientIdsOf(runId: string): string[] {
    this.live();
    return [...this.orders.values()].filter((o) => o.runId === runId).map((o) => o.intent.clientId);
  }

  signalIds(runId: string): ReadonlySet<string> {
    this.live();
    const out = new Set<string>();
    for (const o of this.orders.values()) if (o.runId === runId && o.intent.signalId !== undefined) out.add(o.intent.signalId);
    return out;
  }

  runs(): JournalRun[] {
    this.live();
    return [...this.runMap].map(([runId, r]) => ({ runId, ...r }));
  }

  runEvents(runId?: string): JournalRunEvent[] {
    this.live();
    return this.events
      .filter((e) => runId === undefined || e.runId === runId)
      .map((e) => ({ runId: e.runId, kind: e.kind, ts: e.ts, detail: decodeDetail(e.detail) }));
  }

  close(): void {
    this.runId = undefined;
  }

  private live(): string {
    if (this.runId === undefined) throw new JournalError('memory journal is not open: call open(runId) first');
    return this.runId;
  }
}

function view(clientId: string, o: MemOrder): JournalOrder {
  return {
    runId: o.runId,
    clientId,
    intent: { ...o.intent },
    status: o.status,
    ...(o.exchangeId !== undefined ? { exchangeId: o.exchangeId } : {}),
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    updatedTs: o.updatedTs,
  };
}
