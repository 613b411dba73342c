/**
 * `arbitrage.json`: what the arbitrage operator saw, took and skipped (by reason), every arbitrage
 * with its expected and realized edge, P&L per venue and in total in the reference quote, residual
 * exposure, inventory drift per venue with the transfers that would restore the starting inventory
 * (reported, never executed), and the premium series (downsampled).
 *
 * Valuation. Quote amounts are turned into the reference quote at the mid rate of the moment the
 * arbitrage started; base amounts at one price for every venue — the mid of the first pair's first
 * market at the end, in the reference quote. So a balanced arbitrage's P&L is its cash edge (its base
 * legs cancel), a residual is valued at the end price, and the venues' P&L sum to the total exactly.
 *
 * Realized edge: the edge formula of the detector (edge.ts) on the legs' fill VWAPs, their actual fee
 * rates and the conversion multipliers the expected edge used — so expected − realized is execution
 * (slippage, fees, partial fills), not a move of the rate.
 */
import { attoToNumber, formatAtto } from '../domain/money.ts';
import type { BalanceSheet } from '../domain/run-result.ts';
import type { Asset, Atto, MarketDef, TimeMs, VenueId } from '../domain/types.ts';
import type { ArbExecutor, ArbRecord } from './arb-executor.ts';

export interface ArbTradeReport {
  readonly id: string;
  readonly source: 'detector' | 'signal';
  readonly signalId?: string;
  /** Started by an earlier session that crashed, finished by this one (its legs' fills may predate this run). */
  readonly recovered?: true;
  readonly detected: string;
  readonly started: string;
  readonly done?: string;
  readonly buy: { readonly venue: VenueId; readonly symbol: string };
  readonly sell: { readonly venue: VenueId; readonly symbol: string };
  readonly size: number;
  readonly expected: { readonly buyPrice: number; readonly sellPrice: number; readonly grossBps: number; readonly netBps: number; readonly rate: number };
  readonly realized: {
    readonly bought: number;
    readonly sold: number;
    readonly buyPrice?: number;
    readonly sellPrice?: number;
    readonly netBps?: number;
    readonly buySlippageBps?: number;
    readonly sellSlippageBps?: number;
  };
  readonly outcome: string;
  readonly phase: string;
  readonly note?: string;
  readonly residual?: { readonly asset: Asset; readonly quantity: number; readonly venue: VenueId };
  readonly pnl: number;
  readonly orders: ReadonlyArray<{
    readonly role: string;
    readonly attempt: number;
    readonly clientId?: string;
    readonly venue: VenueId;
    readonly symbol: string;
    readonly side: string;
    readonly quantity: number;
    readonly status: string;
    readonly filled: number;
    readonly resolution?: string;
    readonly reason?: string;
  }>;
}

export interface ArbitrageReport {
  readonly referenceQuote: Asset;
  readonly policy: string;
  readonly sequential: boolean;
  readonly thresholdBps: number;
  readonly opportunities: {
    /** Detector evaluations that cleared the threshold, and those that did not (by reason). */
    readonly detector: { readonly evaluations: number; readonly emitted: number; readonly skipped: Record<string, number> };
    /** Candidates the executor considered (one per direction and moment), took, and skipped by reason. */
    readonly fromDetector: { readonly seen: number; readonly taken: number; readonly skipped: Record<string, number> };
    readonly fromSignals: { readonly seen: number; readonly taken: number; readonly skipped: Record<string, number> };
  };
  readonly outcomes: Record<string, number>;
  readonly pnl: { readonly byVenue: Record<VenueId, number>; readonly total: number; readonly basePrice: Record<Asset, number> };
  readonly residual: { readonly byAsset: Record<Asset, number>; readonly items: ReadonlyArray<{ readonly id: string; readonly asset: Asset; readonly quantity: number; readonly venue: VenueId; readonly reason: string }> };
  readonly inventory: {
    readonly initial: Record<VenueId, Record<Asset, string>>;
    readonly final: Record<VenueId, Record<Asset, string>>;
    readonly drift: Record<VenueId, Record<Asset, string>>;
    /** Moves of one asset between venues that restore the starting inventory (not executed). */
    readonly transfers: ReadonlyArray<{ readonly asset: Asset; readonly from: VenueId; readonly to: VenueId; readonly amount: string }>;
    /** What no transfer can restore (an asset held on one venue only): a conversion is needed. */
    readonly conversions: ReadonlyArray<{ readonly venue: VenueId; readonly asset: Asset; readonly amount: string; readonly valueRef?: number }>;
  };
  readonly premium: ReadonlyArray<{
    readonly a: string;
    readonly b: string;
    readonly samples: number;
    readonly minBps?: number;
    readonly maxBps?: number;
    readonly meanBps?: number;
    /** [epoch ms, bps], at most `maxPoints`, evenly strided (the last sample always kept). */
    readonly points: ReadonlyArray<readonly [number, number]>;
  }>;
  readonly trades: readonly ArbTradeReport[];
}

export interface ArbReportInputs {
  readonly executor: ArbExecutor;
  readonly referenceQuote: Asset;
  readonly policy: string;
  readonly sequential: boolean;
  readonly thresholdBps: number;
  readonly initial: BalanceSheet;
  readonly final: BalanceSheet;
  readonly endTs: TimeMs;
  readonly maxPoints?: number;
}

const iso = (t: TimeMs | undefined) => (t !== undefined && Number.isFinite(t) ? new Date(t).toISOString() : undefined);
const round = (x: number, d = 6) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);

export function arbitrageReport(x: ArbReportInputs): ArbitrageReport {
  const ex = x.executor;
  const pairs = ex.detector.config.pairs;
  const venues = new Set<VenueId>(pairs.flatMap((p) => [p.a.market.venue, p.b.market.venue]));
  // One price per base asset, in the reference quote: the first pair market's mid at the end.
  const basePrice: Record<Asset, number> = {};
  for (const p of pairs) {
    const m = p.a.market;
    if (basePrice[m.base] !== undefined) continue;
    const book = ex.detector.books.find(m.venue, m.symbol);
    const rate = ex.pricer.midRate(m, x.endTs);
    const mid = book?.mid();
    basePrice[m.base] = mid !== undefined && mid > 0 && rate !== undefined ? mid * rate : Number.NaN;
  }
  const byVenue: Record<VenueId, number> = {};
  for (const v of [...venues].sort()) byVenue[v] = 0;
  const outcomes: Record<string, number> = {};
  const residualByAsset: Record<Asset, number> = {};
  const residualItems: ArbitrageReport['residual']['items'][number][] = [];
  const trades = ex.records.map((r) => {
    const t = tradeReport(r, basePrice);
    for (const [v, pnl] of venuePnl(r, basePrice)) byVenue[v] = (byVenue[v] ?? 0) + pnl;
    outcomes[t.outcome] = (outcomes[t.outcome] ?? 0) + 1;
    const res = r.legs.residual();
    if (res && r.legs.done) {
      residualByAsset[res.asset] = (residualByAsset[res.asset] ?? 0) + res.quantity;
      residualItems.push({ id: r.id, asset: res.asset, quantity: res.quantity, venue: res.venue, reason: res.reason });
    }
    return t;
  });
  const total = Object.values(byVenue).reduce((a, b) => a + b, 0);
  const valueOf = (asset: Asset): number | undefined => {
    if (asset === x.referenceQuote) return 1;
    if (basePrice[asset] !== undefined && Number.isFinite(basePrice[asset])) return basePrice[asset];
    for (const p of pairs) for (const l of [p.a, p.b]) if (l.market.quote === asset) return ex.pricer.midRate(l.market, x.endTs);
    return undefined;
  };
  return {
    referenceQuote: x.referenceQuote,
    policy: x.policy,
    sequential: x.sequential,
    thresholdBps: x.thresholdBps,
    opportunities: {
      detector: { evaluations: ex.detector.counts.evaluations, emitted: ex.emitted, skipped: { ...ex.detector.skips } },
      fromDetector: { ...ex.counts.detector, skipped: { ...ex.counts.detector.skipped } },
      fromSignals: { ...ex.counts.signal, skipped: { ...ex.counts.signal.skipped } },
    },
    outcomes,
    pnl: { byVenue: mapValues(byVenue, (v) => round(v)), total: round(total), basePrice: mapValues(basePrice, (v) => round(v)) },
    residual: { byAsset: mapValues(residualByAsset, (v) => round(v, 12)), items: residualItems },
    inventory: inventory(x.initial, x.final, venues, valueOf),
    premium: ex.detector.premium.map((s) => {
      const n = s.length;
      const maxPoints = x.maxPoints ?? 1000;
      const stride = Math.max(1, Math.ceil(n / maxPoints));
      const points: [number, number][] = [];
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const v = s.bpsAt(i);
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
        if (i % stride === 0 || i === n - 1) points.push([s.tsAt(i), round(v, 4)]);
      }
      return {
        a: `${s.a.venue}:${s.a.symbol}`,
        b: `${s.b.venue}:${s.b.symbol}`,
        samples: n,
        ...(n > 0 ? { minBps: round(min, 4), maxBps: round(max, 4), meanBps: round(sum / n, 4) } : {}),
        points,
      };
    }),
    trades,
  };
}

/** VWAP of an order list's fills (quote per base), undefined when nothing filled. */
function vwap(notional: Atto, filled: Atto): number | undefined {
  return filled > 0n ? attoToNumber(notional) / attoToNumber(filled) : undefined;
}

function tradeReport(r: ArbRecord, basePrice: Record<Asset, number>): ArbTradeReport {
  const { legs, expected: o } = r;
  const b = legs.buyLeg;
  const s = legs.sellLeg;
  const buyPrice = vwap(b.notional, b.filled);
  const sellPrice = vwap(s.notional, s.filled);
  let netBps: number | undefined;
  if (buyPrice !== undefined && sellPrice !== undefined) {
    // The detector's formula on the fills: fee rates as charged, conversions as expected.
    const fB = attoToNumber(b.fees) / attoToNumber(b.notional);
    const fS = attoToNumber(s.fees) / attoToNumber(s.notional);
    const buyRef = buyPrice * r.buyFactor;
    const sellRef = sellPrice * r.sellFactor;
    netBps = (1e4 * (sellRef * (1 - fS) - buyRef * (1 + fB))) / buyRef;
  }
  const res = legs.done ? legs.residual() : undefined;
  const pnl = [...venuePnl(r, basePrice).values()].reduce((a, v) => a + v, 0);
  return {
    id: r.id,
    source: r.source,
    ...(r.signalId !== undefined ? { signalId: r.signalId } : {}),
    ...(r.recovered ? { recovered: true as const } : {}),
    detected: iso(r.detectedTs)!,
    started: iso(r.startedTs)!,
    ...(legs.doneTs !== undefined ? { done: iso(legs.doneTs)! } : {}),
    buy: { venue: legs.spec.buy.venue, symbol: legs.spec.buy.symbol },
    sell: { venue: legs.spec.sell.venue, symbol: legs.spec.sell.symbol },
    size: o.size,
    expected: { buyPrice: o.expectedBuyPrice, sellPrice: o.expectedSellPrice, grossBps: round(o.grossEdgeBps), netBps: round(o.netEdgeBps), rate: o.rate },
    realized: {
      bought: attoToNumber(b.filled),
      sold: attoToNumber(s.filled),
      ...(buyPrice !== undefined ? { buyPrice: round(buyPrice, 8), buySlippageBps: round(1e4 * (buyPrice / o.expectedBuyPrice - 1)) } : {}),
      ...(sellPrice !== undefined ? { sellPrice: round(sellPrice, 8), sellSlippageBps: round(1e4 * (1 - sellPrice / o.expectedSellPrice)) } : {}),
      ...(netBps !== undefined ? { netBps: round(netBps) } : {}),
    },
    outcome: legs.outcome ?? (legs.phase === 'resolving' ? 'unresolved' : 'in_flight'),
    phase: legs.phase,
    ...(legs.note !== undefined ? { note: legs.note } : {}),
    ...(res ? { residual: { asset: res.asset, quantity: res.quantity, venue: res.venue } } : {}),
    pnl: round(pnl),
    orders: legs.orders.map((x) => ({
      role: x.role,
      attempt: x.attempt,
      ...(x.clientId !== undefined ? { clientId: x.clientId } : {}),
      venue: x.venue,
      symbol: x.market.symbol,
      side: x.side,
      quantity: x.quantity,
      status: x.status,
      filled: attoToNumber(x.filled),
      ...(x.resolution !== undefined ? { resolution: x.resolution } : {}),
      ...(x.reason !== undefined ? { reason: x.reason } : {}),
    })),
  };
}

/** P&L of one arbitrage per venue, in the reference quote (see the module comment). */
function venuePnl(r: ArbRecord, basePrice: Record<Asset, number>): Map<VenueId, number> {
  const out = new Map<VenueId, number>();
  for (const o of r.legs.orders) {
    if (o.filled === 0n && o.fees === 0n) continue;
    const m: MarketDef = o.market;
    const quoteRate = m.quote === r.legs.spec.buy.quote ? r.buyMid : m.quote === r.legs.spec.sell.quote ? r.sellMid : Number.NaN;
    const sign = o.side === 'sell' ? 1 : -1;
    const quote = (sign * attoToNumber(o.notional) - attoToNumber(o.fees)) * quoteRate;
    const base = -sign * attoToNumber(o.filled) * (basePrice[m.base] ?? Number.NaN);
    out.set(o.venue, (out.get(o.venue) ?? 0) + quote + base);
  }
  return out;
}

function inventory(initial: BalanceSheet, final: BalanceSheet, venues: ReadonlySet<VenueId>, valueOf: (a: Asset) => number | undefined): ArbitrageReport['inventory'] {
  const init: Record<VenueId, Record<Asset, string>> = {};
  const fin: Record<VenueId, Record<Asset, string>> = {};
  const drift: Record<VenueId, Record<Asset, string>> = {};
  const d = new Map<Asset, Map<VenueId, Atto>>();
  for (const v of [...venues].sort()) {
    const a = initial.get(v) ?? new Map<Asset, Atto>();
    const b = final.get(v) ?? new Map<Asset, Atto>();
    init[v] = {};
    fin[v] = {};
    drift[v] = {};
    for (const asset of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      const x0 = a.get(asset) ?? 0n;
      const x1 = b.get(asset) ?? 0n;
      init[v][asset] = formatAtto(x0);
      fin[v][asset] = formatAtto(x1);
      drift[v][asset] = formatAtto(x1 - x0);
      if (x1 !== x0) {
        if (!d.has(asset)) d.set(asset, new Map());
        d.get(asset)!.set(v, x1 - x0);
      }
    }
  }
  const transfers: { asset: Asset; from: VenueId; to: VenueId; amount: string }[] = [];
  const conversions: { venue: VenueId; asset: Asset; amount: string; valueRef?: number }[] = [];
  for (const [asset, byVenue] of [...d].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // Surplus venues send to deficit venues (largest first) until one side is used up.
    const surplus = [...byVenue].filter(([, q]) => q > 0n).sort((a, b) => (b[1] > a[1] ? 1 : -1));
    const deficit = [...byVenue].filter(([, q]) => q < 0n).sort((a, b) => (a[1] > b[1] ? 1 : -1));
    let i = 0;
    let j = 0;
    while (i < surplus.length && j < deficit.length) {
      const give = surplus[i]![1];
      const need = -deficit[j]![1];
      const q = give < need ? give : need;
      transfers.push({ asset, from: surplus[i]![0], to: deficit[j]![0], amount: formatAtto(q) });
      surplus[i]![1] -= q;
      deficit[j]![1] += q;
      if (surplus[i]![1] === 0n) i++;
      if (deficit[j]![1] === 0n) j++;
    }
    for (const [venue, q] of [...surplus, ...deficit]) {
      if (q === 0n) continue;
      const rate = valueOf(asset);
      conversions.push({ venue, asset, amount: formatAtto(q), ...(rate !== undefined && Number.isFinite(rate) ? { valueRef: round(attoToNumber(q) * rate) } : {}) });
    }
  }
  return { initial: init, final: fin, drift, transfers, conversions };
}

function mapValues<T, U>(o: Record<string, T>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

/** One screen line for the console summary. */
export function arbitrageLine(a: ArbitrageReport): string {
  const d = a.opportunities.fromDetector;
  const s = a.opportunities.fromSignals;
  const seen = d.seen + s.seen;
  const taken = d.taken + s.taken;
  const skipped: Record<string, number> = {};
  for (const [k, v] of [...Object.entries(d.skipped), ...Object.entries(s.skipped)]) skipped[k] = (skipped[k] ?? 0) + v;
  const list = (o: Record<string, number>) =>
    Object.entries(o)
      .sort((x, y) => y[1] - x[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  const residual = Object.entries(a.residual.byAsset).map(([asset, q]) => `${q} ${asset}`);
  return (
    `arbitrage: ${taken} taken of ${seen} seen (${list(a.outcomes) || 'none'})` +
    `; P&L ${a.pnl.total.toFixed(2)} ${a.referenceQuote} (${Object.entries(a.pnl.byVenue).map(([v, p]) => `${v} ${p.toFixed(2)}`).join(', ')})` +
    `; residual ${residual.length > 0 ? residual.join(', ') : 'none'}` +
    (Object.keys(skipped).length > 0 ? `; skipped: ${list(skipped)}` : '')
  );
}
