/**
 * Checks and encodings shared by every Journal implementation, so that the SQLite and the memory
 * journal accept, refuse and return exactly the same things (one contract suite runs against both).
 */
import { OrderStatuses, TerminalStatuses, type OrderFilled, type OrderStatus } from '../domain/types.ts';
import { JournalError, type RunEventDetail } from './journal.ts';

const STATUSES: ReadonlySet<string> = new Set(OrderStatuses);

/** Statuses after which nothing is left to resolve; the SQL schema lists the same ones. */
export const FINAL_STATUSES: readonly OrderStatus[] = [...TerminalStatuses];

export function checkStatus(status: string, clientId: string): OrderStatus {
  if (!STATUSES.has(status)) throw new JournalError(`order ${clientId}: unknown status "${status}"`, { clientId, status });
  return status as OrderStatus;
}

export function checkRunId(runId: string): void {
  if (typeof runId !== 'string' || runId.length === 0 || runId.length > 200) {
    throw new JournalError(`run id must be a non-empty string of at most 200 characters, got ${JSON.stringify(runId)}`);
  }
}

export function checkTs(ts: number, what: string): void {
  if (!Number.isFinite(ts)) throw new JournalError(`${what}: timestamp must be a finite number, got ${ts}`);
}

/**
 * Splits a ClientIdFactory id `<prefix>-<base36 seq>` (prefix `[A-Za-z0-9_]{1,20}`). Ids of another
 * shape (adopted from elsewhere) have no sequence and never move `lastClientSeq`.
 */
export function splitClientId(clientId: string): { prefix: string; seq: number } | undefined {
  const m = /^([A-Za-z0-9_]{1,20})-([0-9a-z]{1,10})$/.exec(clientId);
  if (!m) return undefined;
  return { prefix: m[1]!, seq: parseInt(m[2]!, 36) };
}

/** JSON of a run-event detail; bigints (atto amounts) become decimal strings. */
export function encodeDetail(detail: RunEventDetail | undefined, redact: (s: string) => string): string {
  const json = JSON.stringify(detail ?? {}, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return redact(json);
}

export function decodeDetail(json: string): RunEventDetail {
  return JSON.parse(json) as RunEventDetail;
}

/** A fill with exactly the fields the journal keeps (a driver's event may carry more). */
export function copyFill(f: OrderFilled): OrderFilled {
  return {
    kind: 'OrderFilled', clientId: f.clientId, venue: f.venue, symbol: f.symbol, ts: f.ts, exchangeId: f.exchangeId,
    tradeId: f.tradeId, side: f.side, price: f.price, quantity: f.quantity, notional: f.notional, fee: f.fee,
    feeAsset: f.feeAsset, liquidity: f.liquidity,
  };
}

export const noRedaction = (s: string): string => s;
