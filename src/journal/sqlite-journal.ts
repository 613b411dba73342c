/**
 * The durable journal for paper and live runs: one SQLite file (default `state/journal.sqlite`) in
 * WAL mode, written through better-sqlite3's synchronous API so that `recordIntent` can sit in
 * `placeOrders`' synchronous `beforeSend` hook and return only once the intent is on disk.
 *
 * Durability. Every call is its own transaction, so a row is written whole or not at all. In WAL mode
 * a committed transaction survives a *process* crash (SIGKILL) whatever `synchronous` says: it is in
 * the WAL file, which the OS holds. What `synchronous` decides is survival of an *OS* crash or power
 * loss:
 *   - intents (and batches, run registration, migrations) commit with `synchronous=FULL`: the WAL is
 *     fsynced before `recordIntent` returns. An intent is the only record nothing else can rebuild —
 *     if it were lost after the request left, a restart could not know the order exists, and the
 *     resumed client-id sequence could reuse its id (Upbit forbids that even for failed orders).
 *     `intentSync: 'normal'` trades that for latency (no fsync on the submit path): intents still
 *     survive kill -9, and a resumed run then skips ahead in its id sequence (see `lastClientSeq`'s
 *     callers) so a lost tail of intents cannot lead to an id being reused;
 *   - transitions, fills and run events commit with `synchronous=NORMAL` (no fsync, ~14× faster
 *     here). A power loss can lose the latest of them, never an intent or anything before it: the next
 *     FULL commit fsyncs the whole WAL, earlier NORMAL commits included. What is lost is exactly what
 *     the restart reconciliation re-reads from the venue, which is the truth anyway (rule 6).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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
import { checkRunId, checkStatus, checkTs, encodeDetail, FINAL_STATUSES, noRedaction, splitClientId } from './records.ts';
import { migrate } from './schema.ts';
import * as rows from './sqlite-rows.ts';

export const DEFAULT_JOURNAL_FILE = 'state/journal.sqlite';

/** Non-intent writes between WAL checkpoints (~ SQLite's 1000-page default for these rows). */
const CHECKPOINT_EVERY = 500;

/** Prepared once per open: a statement is compiled once, not per order. */
function prepare(db: Database.Database) {
  const finals = FINAL_STATUSES.map((s) => `'${s}'`).join(',');
  return {
    syncFull: db.prepare('PRAGMA synchronous = FULL'),
    syncNormal: db.prepare('PRAGMA synchronous = NORMAL'),
    openRun: db.prepare(`INSERT INTO runs(run_id, first_opened_ts, last_opened_ts, opens) VALUES (?, ?, ?, 1)
      ON CONFLICT(run_id) DO UPDATE SET last_opened_ts = excluded.last_opened_ts, opens = opens + 1`),
    insertOrder: db.prepare(`INSERT INTO orders(client_id, run_id, venue, symbol, side, type, quantity, price, ts,
      signal_id, id_prefix, id_seq, status, updated_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?)`),
    updateOrder: db.prepare(`UPDATE orders SET status = ?, updated_ts = MAX(updated_ts, ?),
      reason = COALESCE(?, reason), exchange_id = COALESCE(?, exchange_id) WHERE client_id = ?`),
    insertTransition: db.prepare('INSERT INTO transitions(client_id, status, ts, reason, exchange_id) VALUES (?, ?, ?, ?, ?)'),
    insertFill: db.prepare(`INSERT INTO fills(venue, trade_id, client_id, symbol, exchange_id, ts, side, price, quantity,
      notional, fee, fee_asset, liquidity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(venue, trade_id) DO NOTHING`),
    insertRunEvent: db.prepare('INSERT INTO run_events(run_id, ts, kind, detail) VALUES (?, ?, ?, ?)'),
    openOrders: db.prepare(`SELECT * FROM orders WHERE status NOT IN (${finals}) ORDER BY rowid`),
    order: db.prepare('SELECT * FROM orders WHERE client_id = ?'),
    transitions: db.prepare('SELECT * FROM transitions WHERE client_id = ? ORDER BY seq'),
    fillsOf: db.prepare('SELECT * FROM fills WHERE client_id = ? ORDER BY seq'),
    fillsAll: db.prepare('SELECT * FROM fills ORDER BY seq'),
    lastSeq: db.prepare('SELECT MAX(id_seq) FROM orders WHERE id_prefix = ?').pluck(),
    clientIdsOf: db.prepare('SELECT client_id FROM orders WHERE run_id = ? ORDER BY rowid').pluck(),
    signalIds: db.prepare('SELECT DISTINCT signal_id FROM orders WHERE run_id = ? AND signal_id IS NOT NULL').pluck(),
    runs: db.prepare('SELECT * FROM runs ORDER BY rowid'),
    eventsOf: db.prepare('SELECT * FROM run_events WHERE run_id = ? ORDER BY seq'),
    eventsAll: db.prepare('SELECT * FROM run_events ORDER BY seq'),
  };
}

type Statements = ReturnType<typeof prepare>;

interface Session {
  readonly db: Database.Database;
  readonly st: Statements;
  readonly runId: string;
  readonly intentTx: (cmd: SubmitOrder) => void;
  readonly transitionTx: (clientId: string, status: OrderStatus, ts: TimeMs, reason: string | null, exchangeId: string | null) => void;
  /** Transitions, fills and events written since the last checkpoint. */
  writes: number;
}

/**
 * Run ids recorded in the journal at `file`, read without opening a session (nothing is written);
 * empty when there is no journal there yet. For `--resume`, which must name a run that exists.
 */
export function journaledRunIds(file: string): string[] {
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT run_id FROM runs ORDER BY rowid').pluck().all() as string[];
  } finally {
    db.close();
  }
}

export class SqliteJournal implements Journal {
  private session: Session | undefined;
  private readonly now: () => TimeMs;
  private readonly redact: (s: string) => string;
  private readonly intentSync: 'full' | 'normal';

  constructor(readonly file: string = DEFAULT_JOURNAL_FILE, opts: JournalOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.redact = opts.redact ?? noRedaction;
    this.intentSync = opts.intentSync ?? 'full';
  }

  open(runId: string): void {
    if (this.session) throw new JournalError(`journal ${this.file} is already open for run ${this.session.runId}`);
    checkRunId(runId);
    mkdirSync(dirname(this.file), { recursive: true });
    const db = new Database(this.file);
    try {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new JournalError(`${this.file}: could not switch the journal to WAL mode (got ${String(mode)})`);
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      // SQLite checkpoints inside whichever commit crosses `wal_autocheckpoint` pages, and a checkpoint
      // fsyncs: measured, 2–4 ms in the intent write of about one order in 60 — on the submit path.
      // So checkpoints are taken by hand, after transitions and fills (see `afterWrite`), never in an intent.
      db.pragma('wal_autocheckpoint = 0');
      migrate(db, this.file);
      const st = prepare(db);
      const ts = this.now();
      st.openRun.run(runId, ts, ts);
      st.syncNormal.run();
      this.session = { db, st, runId, ...transactions(db, st, runId), writes: 0 };
    } catch (err) {
      db.close();
      throw err;
    }
  }

  recordIntent(cmd: SubmitOrder): void {
    const s = this.live();
    checkTs(cmd.ts, `intent ${cmd.clientId}`);
    // Outside a batch this commit is the intent's own: make it fsync. Inside, the batch's commit does.
    const own = !s.db.inTransaction && this.intentSync === 'full';
    if (own) s.st.syncFull.run();
    try {
      s.intentTx(cmd);
    } catch (err) {
      if (sqliteCode(err) === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new JournalError(`client id ${cmd.clientId} is already journaled: client ids are unique per attempt`, {
          clientId: cmd.clientId,
        });
      }
      throw err;
    } finally {
      if (own) s.st.syncNormal.run();
    }
  }

  recordTransition(clientId: string, status: OrderStatus, ts: TimeMs, reason?: string, exchangeId?: string): void {
    const s = this.live();
    checkStatus(status, clientId);
    checkTs(ts, `order ${clientId}`);
    s.transitionTx(clientId, status, ts, reason === undefined ? null : this.redact(reason), exchangeId ?? null);
    this.afterWrite(s);
  }

  recordFill(fill: OrderFilled): boolean {
    const s = this.live();
    checkTs(fill.ts, `fill ${fill.tradeId}`);
    try {
      const stored = s.st.insertFill.run(...rows.fillParams(fill)).changes === 1;
      this.afterWrite(s);
      return stored;
    } catch (err) {
      if (sqliteCode(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw unknownOrder(fill.clientId, `fill ${fill.tradeId}`);
      throw err;
    }
  }

  recordRunEvent(kind: string, detail?: RunEventDetail, ts?: TimeMs): void {
    const s = this.live();
    const at = ts ?? this.now();
    checkTs(at, `run event ${kind}`);
    s.st.insertRunEvent.run(s.runId, at, kind, encodeDetail(detail, this.redact));
    this.afterWrite(s);
  }

  batch<T>(fn: () => T): T {
    const s = this.live();
    if (s.db.inTransaction) return s.db.transaction(fn)();
    s.st.syncFull.run();
    try {
      return s.db.transaction(fn)();
    } finally {
      s.st.syncNormal.run();
    }
  }

  openOrders(): JournalOrder[] {
    return (this.live().st.openOrders.all() as rows.OrderRow[]).map(rows.toOrder);
  }

  order(clientId: string): JournalOrder | undefined {
    const r = this.live().st.order.get(clientId) as rows.OrderRow | undefined;
    return r && rows.toOrder(r);
  }

  transitions(clientId: string): JournalTransition[] {
    return (this.live().st.transitions.all(clientId) as rows.TransitionRow[]).map(rows.toTransition);
  }

  fills(clientId?: string): OrderFilled[] {
    const st = this.live().st;
    const all = clientId === undefined ? st.fillsAll.all() : st.fillsOf.all(clientId);
    return (all as rows.FillRow[]).map(rows.toFill);
  }

  lastClientSeq(prefix: string): number {
    return (this.live().st.lastSeq.get(prefix) as number | null) ?? 0;
  }

  clientIdsOf(runId: string): string[] {
    return this.live().st.clientIdsOf.all(runId) as string[];
  }

  signalIds(runId: string): ReadonlySet<string> {
    return new Set(this.live().st.signalIds.all(runId) as string[]);
  }

  runs(): JournalRun[] {
    return (this.live().st.runs.all() as rows.RunRow[]).map(rows.toRun);
  }

  runEvents(runId?: string): JournalRunEvent[] {
    const st = this.live().st;
    const all = runId === undefined ? st.eventsAll.all() : st.eventsOf.all(runId);
    return (all as rows.RunEventRow[]).map(rows.toRunEvent);
  }

  close(): void {
    const s = this.session;
    if (!s) return;
    this.session = undefined;
    s.db.close(); // checkpoints the WAL into the main file and removes it
  }

  /**
   * Counts a write that is not an intent; every CHECKPOINT_EVERY of them, checkpoints the WAL
   * (PASSIVE: it never waits for readers). Transitions and fills follow a venue's answer, not a
   * signal, so the checkpoint's fsync never sits between a signal and its request.
   */
  private afterWrite(s: Session): void {
    if (++s.writes < CHECKPOINT_EVERY || s.db.inTransaction) return;
    s.writes = 0;
    s.db.pragma('wal_checkpoint(PASSIVE)');
  }

  private live(): Session {
    if (!this.session) throw new JournalError(`journal ${this.file} is not open: call open(runId) first`);
    return this.session;
  }
}

/** The multi-statement writes, each one transaction so that no order is ever half-recorded. */
function transactions(db: Database.Database, st: Statements, runId: string) {
  const intentTx = db.transaction((cmd: SubmitOrder) => {
    const id = splitClientId(cmd.clientId);
    st.insertOrder.run(
      cmd.clientId, runId, cmd.venue, cmd.symbol, cmd.side, cmd.type, cmd.quantity, cmd.price ?? null, cmd.ts,
      cmd.signalId ?? null, id?.prefix ?? null, id?.seq ?? null, cmd.ts,
    );
    st.insertTransition.run(cmd.clientId, 'new', cmd.ts, null, null);
  });
  const transitionTx = db.transaction(
    (clientId: string, status: OrderStatus, ts: TimeMs, reason: string | null, exchangeId: string | null) => {
      if (st.updateOrder.run(status, ts, reason, exchangeId, clientId).changes === 0) {
        throw unknownOrder(clientId, `transition to ${status}`);
      }
      st.insertTransition.run(clientId, status, ts, reason, exchangeId);
    },
  );
  return { intentTx, transitionTx };
}

function unknownOrder(clientId: string, what: string): JournalError {
  return new JournalError(`${what}: order ${clientId} has no journaled intent`, { clientId });
}

function sqliteCode(err: unknown): string | undefined {
  return err instanceof Database.SqliteError ? err.code : undefined;
}
