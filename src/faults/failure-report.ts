/**
 * `failures.json`: every injected fault (when, what, the orders it touched, how it was detected, what
 * was done, how it ended, time to recover) and the four invariants checked against the venue's truth:
 *  - lost orders: orders the venue has that tradeflow lost track of (unknown to it, or believed in
 *    another status or with another filled quantity), and orders tradeflow believes placed that the
 *    venue does not have;
 *  - duplicated orders: more than one venue order for one signal, or one client id twice;
 *  - position divergence: base-asset balances of traded markets that differ from the venue's;
 *  - balance divergence: any asset balance that differs from the venue's.
 * Plus the P&L cost of the faults: final equity without them minus final equity with them.
 */
import { formatAtto } from '../domain/money.ts';
import type { OrderRecord } from '../domain/run-result.ts';
import type { Asset, Atto, MarketDef, OrderSnapshot, OrderStatus, TimeMs, VenueId } from '../domain/types.ts';
import type { FaultRecord } from './fault-log.ts';

/** What tradeflow believed about one order at the end. */
export interface BelievedOrder {
  readonly status: OrderStatus;
  readonly filled: number;
  readonly signalId?: string;
  readonly resolution?: string;
}

/** What tradeflow believed of each order at the end, from the run's order records (latest wins). */
export function believedOf(records: Iterable<OrderRecord>): Map<string, BelievedOrder> {
  const out = new Map<string, BelievedOrder>();
  for (const r of records) {
    out.set(r.clientId, { status: r.status, filled: r.filled, ...(r.signalId !== undefined ? { signalId: r.signalId } : {}), ...(r.resolution !== undefined ? { resolution: r.resolution } : {}) });
  }
  return out;
}

export interface InvariantCheck {
  readonly lostOrders: number;
  readonly duplicatedOrders: number;
  readonly positionDivergence: number;
  readonly balanceDivergence: number;
  /** One line per finding, naming the order or the balance. */
  readonly details: string[];
}

export interface FailureReport {
  readonly faults: (Omit<FaultRecord, 'ts' | 'recoveredTs' | 'windowEnd'> & { time: string; recovered?: string; windowEnds?: string })[];
  readonly invariants: InvariantCheck;
  /** Order news that the order's state could not take (a misbehaving venue or driver), skipped. */
  readonly anomalies: string[];
  readonly pnlCost?: { readonly currency: string; readonly finalEquity: number; readonly finalEquityWithoutFaults: number; readonly cost: number };
  /** True when every invariant is zero and nothing anomalous happened. */
  readonly ok: boolean;
}

export interface InvariantInputs {
  /** Every order each venue accepted. */
  readonly venueOrders: ReadonlyMap<VenueId, Iterable<OrderSnapshot>>;
  /** What tradeflow believed, by client id (every order it created). */
  readonly believed: ReadonlyMap<string, BelievedOrder>;
  readonly ledger: ReadonlyMap<VenueId, ReadonlyMap<Asset, Atto>>;
  readonly venueBalances: ReadonlyMap<VenueId, ReadonlyMap<Asset, Atto>>;
  readonly markets: Iterable<MarketDef>;
}

const PLACED: ReadonlySet<OrderStatus> = new Set(['open', 'partially_filled', 'filled', 'canceled', 'expired']);

export function checkInvariants(x: InvariantInputs): InvariantCheck {
  const details: string[] = [];
  let lost = 0;
  let duplicated = 0;
  const seen = new Set<string>();
  const bySignal = new Map<string, string>();
  for (const [venue, orders] of x.venueOrders) {
    for (const v of orders) {
      const id = v.clientId;
      if (id === undefined) continue;
      if (seen.has(id)) {
        duplicated++;
        details.push(`duplicated: client id ${id} reached ${venue} twice`);
        continue;
      }
      seen.add(id);
      const ours = x.believed.get(id);
      if (!ours) {
        lost++;
        details.push(`lost: ${venue} has ${id} (${v.status}, filled ${v.filled}) and tradeflow does not know it`);
        continue;
      }
      if (ours.signalId !== undefined) {
        const first = bySignal.get(ours.signalId);
        if (first !== undefined) {
          duplicated++;
          details.push(`duplicated: signal ${ours.signalId} reached ${venue} as ${first} and ${id}`);
        } else bySignal.set(ours.signalId, id);
      }
      if (ours.status !== v.status || Math.abs(ours.filled - v.filled) > 1e-12 * Math.max(1, Math.abs(v.filled))) {
        lost++;
        details.push(`lost: ${id} is ${v.status} with ${v.filled} filled at ${venue}; tradeflow believes ${ours.status} with ${ours.filled}`);
      }
    }
  }
  for (const [id, ours] of x.believed) {
    // Settled locally as gone with nothing filled (never placed, or unseen after a cancel), and indeed
    // not at the venue: consistent. Anything else believed placed must be at a venue.
    const settledGone = ours.resolution === 'local' && ours.filled === 0;
    if (!seen.has(id) && !settledGone && (PLACED.has(ours.status) || ours.status === 'unknown')) {
      lost++;
      details.push(`lost: tradeflow believes ${id} is ${ours.status}; no venue has it`);
    }
  }
  const bases = new Map<VenueId, Set<Asset>>();
  for (const m of x.markets) {
    let s = bases.get(m.venue);
    if (!s) bases.set(m.venue, (s = new Set()));
    s.add(m.base);
  }
  let positions = 0;
  let balances = 0;
  for (const venue of new Set([...x.ledger.keys(), ...x.venueBalances.keys()])) {
    const mine = x.ledger.get(venue) ?? new Map<Asset, Atto>();
    const theirs = x.venueBalances.get(venue) ?? new Map<Asset, Atto>();
    for (const asset of [...new Set([...mine.keys(), ...theirs.keys()])].sort()) {
      const a = mine.get(asset) ?? 0n;
      const b = theirs.get(asset) ?? 0n;
      if (a === b) continue;
      balances++;
      const isBase = bases.get(venue)?.has(asset) ?? false;
      if (isBase) positions++;
      details.push(`${isBase ? 'position' : 'balance'} divergence: ${venue} ${asset} ledger ${formatAtto(a)} vs venue ${formatAtto(b)}`);
    }
  }
  return { lostOrders: lost, duplicatedOrders: duplicated, positionDivergence: positions, balanceDivergence: balances, details };
}

const iso = (ts: TimeMs | undefined) => (ts !== undefined && Number.isFinite(ts) ? new Date(ts).toISOString() : undefined);

export function failureReport(faults: readonly FaultRecord[], invariants: InvariantCheck, anomalies: readonly string[] = [], pnl?: FailureReport['pnlCost']): FailureReport {
  return {
    faults: faults.map(({ ts, recoveredTs, windowEnd, ...rest }) => ({
      ...rest,
      time: iso(ts)!,
      ...(recoveredTs !== undefined ? { recovered: iso(recoveredTs)! } : {}),
      ...(windowEnd !== undefined ? { windowEnds: iso(windowEnd)! } : {}),
    })),
    invariants,
    anomalies: [...anomalies],
    ...(pnl ? { pnlCost: pnl } : {}),
    ok: anomalies.length === 0 && invariants.lostOrders === 0 && invariants.duplicatedOrders === 0 && invariants.positionDivergence === 0 && invariants.balanceDivergence === 0,
  };
}
