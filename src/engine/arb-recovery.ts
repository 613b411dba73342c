/**
 * What the journal keeps of an arbitrage, so that one cut short by a crash is finished by the next
 * session (RELIABILITY rules 10 and 11) instead of leaving a naked leg:
 *  - `arb-started`, a run event written before either leg's intent: the leg machine's spec (markets,
 *    size, policy, order of legs, reference prices) and what was expected (the report's figures);
 *  - the legs and corrections themselves are ordinary journaled orders whose signal id is
 *    `<arbitrage id>:<role>` (`buy`, `sell`, `hedge-1`, `unwind-2`, …);
 *  - `arb-done`, a run event written when the machine ends, with its outcome.
 * On restart the executor replays each arbitrage started and not done through a fresh leg machine:
 * the orders the journal has are re-attached in the order the machine asks for them, with their
 * state as reconciliation left it; an order the machine asks for that was never journaled was never
 * sent, and counts as refused — the policy then hedges, unwinds or reports what the others filled.
 */
import type { LegOrder, LegPolicy, OrderUpdate } from '../arb/legs.ts';
import { LegPolicies } from '../arb/legs.ts';
import type { Opportunity } from '../arb/opportunity.ts';
import { toAtto } from '../domain/money.ts';
import type { OrderFilled, TimeMs } from '../domain/types.ts';
import type { Journal, JournalOrder, RunEventDetail } from '../journal/journal.ts';

export const ARB_STARTED = 'arb-started';
export const ARB_DONE = 'arb-done';

/** One arbitrage as the `arb-started` event records it. */
export interface ArbStart {
  readonly id: string;
  readonly source: 'detector' | 'signal';
  readonly signalId?: string;
  readonly detectedTs: TimeMs;
  readonly startedTs: TimeMs;
  /** `venue:symbol` of each leg's market. */
  readonly buy: string;
  readonly sell: string;
  readonly size: number;
  readonly policy: LegPolicy;
  readonly sequential: boolean;
  readonly first?: 'buy' | 'sell';
  readonly maxCorrections: number;
  readonly buyPrice: number;
  readonly sellPrice: number;
  readonly expected: Opportunity;
  readonly buyFactor: number;
  readonly sellFactor: number;
  /** NaN when unknown at the start (JSON keeps it as null). */
  readonly buyMid: number;
  readonly sellMid: number;
}

/** The signal id an arbitrage's order carries (and the journal keeps with its intent). */
export function legSignalId(arbId: string, o: Pick<LegOrder, 'role' | 'attempt'>): string {
  return `${arbId}:${o.role}${o.role === 'hedge' || o.role === 'unwind' ? `-${o.attempt}` : ''}`;
}

export function arbStartedDetail(s: ArbStart): RunEventDetail {
  return { ...s };
}

/** The arbitrages the journal says were started and never done, oldest first; malformed records are named in `bad`. */
export function unfinishedArbs(journal: Journal): { readonly arbs: ArbStart[]; readonly bad: string[] } {
  const events = journal.runEvents();
  const done = new Set(events.filter((e) => e.kind === ARB_DONE).map((e) => String(e.detail.id)));
  const arbs: ArbStart[] = [];
  const bad: string[] = [];
  for (const e of events) {
    if (e.kind !== ARB_STARTED || done.has(String(e.detail.id))) continue;
    const s = parseStart(e.detail);
    if (s) arbs.push(s);
    else bad.push(`run ${e.runId}: ${JSON.stringify(e.detail).slice(0, 200)}`);
  }
  return { arbs, bad };
}

/** Ids of the arb signal rows run `runId` acted on: each started an arbitrage (taken, whatever came of it). */
export function arbSignalIds(journal: Journal, runId: string): string[] {
  return journal
    .runEvents(runId)
    .filter((e) => e.kind === ARB_STARTED && typeof e.detail.signalId === 'string')
    .map((e) => e.detail.signalId as string);
}

/**
 * The journaled orders that may be arbitrage legs (signal id `<arbitrage id>:<role>`), by signal id,
 * across every run (a recovery may have added some). Read once for all the arbitrages being resumed.
 */
export function journaledLegs(journal: Journal): Map<string, JournalOrder> {
  const out = new Map<string, JournalOrder>();
  for (const run of journal.runs()) {
    for (const cid of journal.clientIdsOf(run.runId)) {
      const jo = journal.order(cid);
      const sig = jo?.intent.signalId;
      if (jo && sig !== undefined && sig.includes(':')) out.set(sig, jo);
    }
  }
  return out;
}

/** A finished order's state from the journal alone (the registry holds only orders still open). */
export function journalUpdate(jo: JournalOrder, fills: readonly OrderFilled[], ts: TimeMs): OrderUpdate {
  let filled = 0n;
  let notional = 0n;
  let fees = 0n;
  for (const f of fills) {
    filled += toAtto(f.quantity);
    notional += f.notional;
    fees += f.fee;
  }
  return { status: jo.status, filled, notional, fees, ts, ...(jo.reason !== undefined ? { reason: jo.reason } : {}) };
}

function parseStart(d: RunEventDetail): ArbStart | undefined {
  const num = (k: string): number | undefined => (typeof d[k] === 'number' ? (d[k] as number) : d[k] === null ? Number.NaN : undefined);
  const str = (k: string): string | undefined => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  const id = str('id');
  const buy = str('buy');
  const sell = str('sell');
  const policy = str('policy') as LegPolicy | undefined;
  const source = str('source');
  const [detectedTs, startedTs, size, maxCorrections, buyPrice, sellPrice] = ['detectedTs', 'startedTs', 'size', 'maxCorrections', 'buyPrice', 'sellPrice'].map(num);
  const expected = d.expected;
  if (
    id === undefined || buy === undefined || sell === undefined || policy === undefined || !LegPolicies.includes(policy) ||
    (source !== 'detector' && source !== 'signal') || detectedTs === undefined || startedTs === undefined || !(size! > 0) ||
    maxCorrections === undefined || buyPrice === undefined || sellPrice === undefined || typeof expected !== 'object' || expected === null
  ) {
    return undefined;
  }
  const first = str('first');
  const signalId = str('signalId');
  return {
    id, source, buy, sell, policy, detectedTs, startedTs, size: size!, maxCorrections, buyPrice, sellPrice,
    sequential: d.sequential === true,
    ...(first === 'buy' || first === 'sell' ? { first } : {}),
    ...(signalId !== undefined ? { signalId } : {}),
    expected: expected as Opportunity,
    buyFactor: num('buyFactor') ?? Number.NaN,
    sellFactor: num('sellFactor') ?? Number.NaN,
    buyMid: num('buyMid') ?? Number.NaN,
    sellMid: num('sellMid') ?? Number.NaN,
  };
}
