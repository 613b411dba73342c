/**
 * Helpers for the one-test-per-rule suite (rule-*.spec.ts): a request log of everything that reached
 * the emulator, an emulator with a still book the tests move by hand, the run's journal and output
 * read back after (or during) a run.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startEmulator, type FaultAction, type FaultPlan, type FaultRequest, type RunningEmulator } from '../../src/emulator/index.ts';
import { SqliteJournal } from '../../src/journal/sqlite-journal.ts';
import { readCsv } from '../engine/helpers.ts';
import { book } from '../emulator/helpers.ts';
import { KEY, SECRET, type LiveRun } from './helpers.ts';

export const SYM = 'BTC/USDT';
/** The still book: best bid 99,990, best ask 100,010, deep on both sides. */
export const BID = 99_990;
export const ASK = 100_010;

/** A Binance emulator whose book moves only when a test says so (no random walk). */
export async function stillEmulator(balances: Record<string, string> = { USDT: '10000', BTC: '1' }): Promise<RunningEmulator> {
  const emu = await startEmulator({ venue: 'binance', port: 0, apiKey: KEY, secret: SECRET, balances, seed: 3 });
  resetBook(emu);
  return emu;
}

export function resetBook(emu: RunningEmulator): void {
  emu.state.applyMarket(book('binance', SYM, [[BID, 5], [BID - 10, 5]], [[ASK, 5], [ASK + 10, 5]]));
}

/**
 * Someone sells `qty` at `price` (below our resting buy at a higher price): the book gets an ask level
 * there, which the matching engine trades against resting bids at or above it; then the book goes back.
 */
export function sellInto(emu: RunningEmulator, price: number, qty: number): void {
  emu.state.applyMarket(book('binance', SYM, [[BID, 5]], [[price, qty], [ASK, 5]]));
  resetBook(emu);
}

export interface LoggedRequest {
  readonly kind: FaultRequest['kind'];
  readonly method: string;
  readonly path: string;
  readonly clientId?: string;
  readonly orderSeq?: number;
  readonly now: number;
  /** What the inner plan answered (undefined: answered normally). */
  readonly action?: FaultAction;
}

/** Wraps `inner` so that every request the emulator sees (faulted or not, refused or not) is logged. */
export function recording(inner?: FaultPlan, onRequest?: (req: FaultRequest) => void): FaultPlan & { readonly log: LoggedRequest[] } {
  const log: LoggedRequest[] = [];
  return {
    log,
    decide(req) {
      onRequest?.(req);
      const action = inner?.decide(req);
      log.push({
        kind: req.kind, method: req.method, path: req.path, now: req.now,
        ...(req.clientId !== undefined ? { clientId: req.clientId } : {}),
        ...(req.orderSeq !== undefined ? { orderSeq: req.orderSeq } : {}),
        ...(action !== undefined ? { action } : {}),
      });
      return action;
    },
  };
}

/**
 * Like `faultsByOrderSeq`, but N counts the order requests this plan has seen (the emulator's own
 * `orderSeq` runs over its whole life, across tests sharing it).
 */
export function nthOrder(actions: Record<number, FaultAction>): FaultPlan {
  let n = 0;
  return { decide: (req) => (req.kind === 'order.create' ? actions[++n] : undefined) };
}

/** Order-create requests in the log. */
export const creates = (log: readonly LoggedRequest[]) => log.filter((r) => r.kind === 'order.create');

/** The journal of a finished run, opened for reading (under a run id of its own); close it after. */
export function openJournal(state: string): SqliteJournal {
  const j = new SqliteJournal(path.join(state, 'journal.sqlite'));
  j.open(`inspect-${Math.random().toString(36).slice(2, 8)}`);
  return j;
}

/**
 * Whether `clientId` has a committed intent in the journal right now: read through a second,
 * read-only connection, as another process would see the file (so only what is really on disk counts).
 */
export function journaledNow(state: string, clientId: string): boolean {
  const file = path.join(state, 'journal.sqlite');
  if (!existsSync(file)) return false;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT 1 FROM orders WHERE client_id = ?').get(clientId) !== undefined;
  } finally {
    db.close();
  }
}

/** Sum of filled quantity journaled for `clientId` so far (read-only, while a run writes). */
export function journaledFilled(state: string, clientId: string): number {
  const file = path.join(state, 'journal.sqlite');
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT quantity FROM fills WHERE client_id = ?').all(clientId) as { quantity: number }[];
    return round8(rows.reduce((s, r) => s + r.quantity, 0));
  } catch {
    return 0; // the schema may not be there yet
  } finally {
    db.close();
  }
}

export const round8 = (x: number): number => Math.round(x * 1e8) / 1e8;

export function trades(run: LiveRun): Record<string, string>[] {
  return readCsv(path.join(run.out, 'trades.csv'));
}

export function reconciliation(run: LiveRun): {
  journalOrders: { clientId: string; status: string; journalStatus: string; resolution?: string; filledAfter: string }[];
  foreignOrders: { clientId: string; action: string }[];
  balances: { asset: string; kind: string }[];
  sweeps: number;
  problems: string[];
} {
  return JSON.parse(readFileSync(path.join(run.out, 'reconciliation.json'), 'utf8'));
}

/** Polls `probe` until it is truthy or `ms` pass (then throws, naming `what`). */
export async function waitFor<T>(what: string, probe: () => T | undefined | false, ms = 5000, every = 20): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** The venue's order with client id `cid`, once it exists. */
export const venueOrder = (emu: RunningEmulator, cid: string) => emu.state.orders().find((o) => o.clientOrderId === cid);

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** The client id tradeflow gives the N-th order (1-based) of a run with `prefix`. */
export const nthClientId = (prefix: string, n: number): string => `${prefix}-${n.toString(36)}`;
