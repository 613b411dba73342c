/**
 * The journal: the durable record of what tradeflow asked for and what it learned, so that a restart
 * after `kill -9` knows every order that may be at a venue (RELIABILITY rules 1, 3 and 11).
 *
 * Write path, in the order the engine calls it:
 *   recordIntent (in `placeOrders`' `beforeSend`, before the request leaves; durable on return)
 *   → recordTransition (acks, unknown, cancels…) → recordFill (once per venue trade id).
 * Read path, on restart: openOrders() to resolve by client-id lookup, lastClientSeq() so a resumed run
 * never reuses a client id, fills() to rebuild positions.
 *
 * The journal records what it is told; it does not run the order state machine (the registry does).
 * It checks only what would corrupt the record: an unknown status, an intent whose client id was
 * already used, a transition or fill for an order that has no intent.
 *
 * Reads cover the whole journal, not just the open run: an order left open by an earlier run that
 * crashed still has to be resolved. Every order carries the run that created it.
 *
 * Nothing here takes credentials. Free text (reasons, run-event details) passes through the optional
 * `redact` function of the implementations, because a venue may echo a key back in an error message.
 */
import { TradeflowError } from '../core/errors.ts';
import type { OrderFilled, OrderStatus, SubmitOrder, TimeMs } from '../domain/types.ts';

/** Bumped by every schema change; a journal written by a newer tradeflow is refused. */
export const JOURNAL_SCHEMA_VERSION = 1;

/** The journal is unusable or was misused (wrong schema, unknown order, reused client id…). */
export class JournalError extends TradeflowError {
  override readonly kind = 'journal';
}

/** One order as the journal knows it: its intent plus its last recorded status. */
export interface JournalOrder {
  readonly runId: string;
  readonly clientId: string;
  /** Exactly what was (or was about to be) sent. */
  readonly intent: SubmitOrder;
  /** The last status recorded, whatever its timestamp. */
  readonly status: OrderStatus;
  readonly exchangeId?: string;
  /** The reason given with the last transition that had one. */
  readonly reason?: string;
  /** Latest event time seen for this order (never moves backwards). */
  readonly updatedTs: TimeMs;
}

/** One recorded status change. The intent itself is the first entry, with status `new`. */
export interface JournalTransition {
  readonly clientId: string;
  readonly status: OrderStatus;
  readonly ts: TimeMs;
  readonly reason?: string;
  readonly exchangeId?: string;
}

export interface JournalRun {
  readonly runId: string;
  /** Clock time of the first and latest `open` of this run id (a resume opens it again). */
  readonly firstOpenedTs: TimeMs;
  readonly lastOpenedTs: TimeMs;
  readonly opens: number;
}

/** Structured detail of a run event; bigints are stored as decimal strings, so they read back as strings. */
export type RunEventDetail = Readonly<Record<string, unknown>>;

export interface JournalRunEvent {
  readonly runId: string;
  readonly kind: string;
  readonly ts: TimeMs;
  readonly detail: RunEventDetail;
}

export interface JournalOptions {
  /** Clock for run registration and run events without a timestamp. Default `Date.now`. */
  readonly now?: () => TimeMs;
  /** Applied to reasons and run-event details before they are stored (e.g. `makeRedactor(secrets)`). */
  readonly redact?: (text: string) => string;
  /**
   * `full` (default): each intent is fsynced before the request may leave — it survives a power loss.
   * `normal`: intents commit to the WAL without fsync — they survive a process crash (kill -9), not an
   * OS crash, and the submit path loses the fsync's latency. See sqlite-journal.ts.
   */
  readonly intentSync?: 'full' | 'normal';
}

export interface Journal {
  /** Opens (or resumes) a run: writes stamp it with this id. Throws when already open. */
  open(runId: string): void;
  /**
   * Records an order about to be sent, with status `new`. Returns once the record is durable (for the
   * SQLite journal: fsynced); inside `batch` it is durable when the batch returns.
   * Throws JournalError when the client id is already journaled (ids are unique per attempt).
   */
  recordIntent(cmd: SubmitOrder): void;
  /** Records a status change of a journaled order. Throws JournalError for an order without an intent. */
  recordTransition(clientId: string, status: OrderStatus, ts: TimeMs, reason?: string, exchangeId?: string): void;
  /**
   * Records a fill once per (venue, trade id). Returns false, storing nothing, when that trade id is
   * already recorded. Throws JournalError for an order without an intent.
   */
  recordFill(fill: OrderFilled): boolean;
  /** Records something that happened to the run: kill-switch trips, reconciliation findings… */
  recordRunEvent(kind: string, detail?: RunEventDetail, ts?: TimeMs): void;
  /**
   * Runs `fn` as one transaction: every record written inside commits together (durably) or not at
   * all. For bulk writes such as a reconciliation adopting many fills. Nests. `fn` must be synchronous
   * (a TypeError otherwise, and nothing is written): writes after an `await` would escape the batch.
   */
  batch<T>(fn: () => T): T;

  /** Orders whose last status is not final (new, submitting, open, partially_filled, unknown), oldest first. */
  openOrders(): JournalOrder[];
  order(clientId: string): JournalOrder | undefined;
  /** Status history of one order, oldest first, starting with the intent (`new`). */
  transitions(clientId: string): JournalTransition[];
  /** Fills in the order they were recorded, of one order or of all. */
  fills(clientId?: string): OrderFilled[];
  /**
   * Highest sequence number journaled for client ids `<prefix>-<base36 seq>` (the ClientIdFactory
   * format), 0 when none: `new ClientIdFactory(prefix, journal.lastClientSeq(prefix))` continues it.
   */
  lastClientSeq(prefix: string): number;
  /**
   * Signal ids of every order journaled by `runId`: a resumed run skips these signals, since each
   * already produced an order (sent, or at least intended) before the restart.
   */
  signalIds(runId: string): ReadonlySet<string>;
  /** Client ids of every order journaled by `runId`, oldest first. */
  clientIdsOf(runId: string): string[];
  runs(): JournalRun[];
  /** Run events in the order recorded, of one run or of all. */
  runEvents(runId?: string): JournalRunEvent[];
  /** Ends the run's session. The journal may be opened again afterwards. */
  close(): void;
}
