/**
 * The record of every fault that fired, served at `GET /__emulator/faults` so a failure report can
 * say what the venue did to the client: the triggering request (`trigger: true`) and the later
 * requests the fault changed (a window's refusals, not-found answers, altered trade listings).
 * Bounded, oldest entries dropped first, so a long run cannot grow it without limit.
 */
import type { FaultParams, RequestKind } from '../faults.ts';

export interface FaultLogEntry {
  /** 1-based, in the order the entries were written (kept across the bound). */
  readonly id: number;
  /** An issue 4 kind, or the transport action's type for hand-made plans (`error`, `delay`...). */
  readonly kind: string;
  /** True for the request the plan chose; false for a later request the same fault affected. */
  readonly trigger: boolean;
  /** Wall time (ms) and its ISO form. */
  readonly at: number;
  readonly time: string;
  /** `METHOD /path` and its kind. */
  readonly request: string;
  readonly requestKind: RequestKind;
  /** The N of "the N-th order request", on order requests. */
  readonly orderSeq?: number;
  readonly clientId?: string;
  /** The venue's id of the order the request placed or concerned (Binance orderId, Upbit uuid). */
  readonly orderId?: string;
  /** Whether the venue executed the request (orders: accepted it); absent when not applicable. */
  readonly executed?: boolean;
  readonly params?: FaultParams;
  /** What the client was shown, in words. */
  readonly effect: string;
}

export type FaultNote = Omit<FaultLogEntry, 'id' | 'at' | 'time'>;

export class FaultLog {
  private readonly items: FaultLogEntry[] = [];
  private next = 1;
  constructor(private readonly capacity = 100_000) {}

  add(note: FaultNote, at = Date.now()): FaultLogEntry {
    const entry: FaultLogEntry = { id: this.next++, ...note, at, time: new Date(at).toISOString() };
    this.items.push(entry);
    if (this.items.length > this.capacity) this.items.shift();
    return entry;
  }

  entries(): readonly FaultLogEntry[] {
    return this.items;
  }
}
