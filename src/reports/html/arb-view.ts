/**
 * `arbitrage.json` as the page shows it. The file is written by the engine (src/engine/arb-report.ts),
 * which the reports layer may not import: `ArbitrageFile` declares the fields read here, every one
 * possibly missing (older files lack `recovered`) or of another type, and `arbitrageView` turns it
 * into plain rows in a fixed order, so the page is the same bytes for the same file.
 */
import { DataError } from '../../core/errors.ts';
import { DEFAULT_MAX_POINTS, MinMaxDownsampler, type SampledSeries } from './downsample.ts';

export const ARBITRAGE_FILE = 'arbitrage.json';
/** Trades listed at most (the file has them all). */
export const MAX_TRADE_ROWS = 500;

type Counts = Readonly<Record<string, number>>;
interface CountsFile {
  readonly seen?: number;
  readonly taken?: number;
  readonly skipped?: Counts;
}

/** One arbitrage as arbitrage.json lists it (the fields the page reads). */
export interface ArbTradeFile {
  readonly id?: string;
  readonly source?: string;
  readonly signalId?: string;
  readonly recovered?: boolean;
  readonly detected?: string;
  readonly buy?: { readonly venue?: string; readonly symbol?: string };
  readonly sell?: { readonly venue?: string; readonly symbol?: string };
  readonly size?: number;
  readonly expected?: { readonly netBps?: number };
  readonly realized?: { readonly netBps?: number; readonly buySlippageBps?: number; readonly sellSlippageBps?: number };
  readonly outcome?: string;
  readonly note?: string;
  readonly residual?: { readonly asset?: string; readonly quantity?: number; readonly venue?: string };
  readonly pnl?: number;
}

/** arbitrage.json (the fields the page reads). */
export interface ArbitrageFile {
  readonly referenceQuote?: string;
  readonly policy?: string;
  readonly sequential?: boolean;
  readonly thresholdBps?: number;
  readonly opportunities?: {
    readonly detector?: { readonly evaluations?: number; readonly emitted?: number; readonly skipped?: Counts };
    readonly fromDetector?: CountsFile;
    readonly fromSignals?: CountsFile;
  };
  readonly outcomes?: Counts;
  readonly pnl?: { readonly byVenue?: Counts; readonly total?: number; readonly basePrice?: Counts };
  readonly residual?: { readonly byAsset?: Counts };
  readonly inventory?: {
    readonly initial?: Readonly<Record<string, Readonly<Record<string, string>>>>;
    readonly final?: Readonly<Record<string, Readonly<Record<string, string>>>>;
    readonly drift?: Readonly<Record<string, Readonly<Record<string, string>>>>;
    readonly transfers?: ReadonlyArray<{ readonly asset?: string; readonly from?: string; readonly to?: string; readonly amount?: string }>;
    readonly conversions?: ReadonlyArray<{ readonly venue?: string; readonly asset?: string; readonly amount?: string; readonly valueRef?: number }>;
  };
  readonly premium?: ReadonlyArray<{
    readonly a?: string;
    readonly b?: string;
    readonly samples?: number;
    readonly minBps?: number;
    readonly maxBps?: number;
    readonly meanBps?: number;
    readonly points?: ReadonlyArray<readonly [number, number]>;
  }>;
  readonly trades?: readonly ArbTradeFile[];
}

export type Pair<T> = readonly [string, T];

/** Seen, taken and skipped (by reason, largest first) of one source of opportunities. */
export interface ArbCounts {
  readonly seen: number | null;
  readonly taken: number | null;
  readonly skipped: readonly Pair<number>[];
}

export interface ArbTradeView {
  readonly id: string;
  readonly signalId?: string;
  readonly recovered: boolean;
  readonly detected: string;
  readonly buy: string;
  readonly sell: string;
  readonly size: number | null;
  readonly expectedNetBps: number | null;
  readonly realizedNetBps: number | null;
  readonly buySlippageBps: number | null;
  readonly sellSlippageBps: number | null;
  readonly outcome: string;
  readonly note?: string;
  readonly residual?: { readonly asset: string; readonly quantity: number | null; readonly venue: string };
  readonly pnl: number | null;
}

export interface InventoryRow {
  readonly venue: string;
  readonly asset: string;
  /** Exact decimal strings as the file holds them ('' when absent). */
  readonly initial: string;
  readonly final: string;
  readonly drift: string;
}

export interface PremiumView {
  /** `venue:symbol` of the market the premium is measured against, and of the one whose premium it is. */
  readonly a: string;
  readonly b: string;
  readonly samples: number | null;
  readonly minBps: number | null;
  readonly maxBps: number | null;
  readonly meanBps: number | null;
  readonly series: SampledSeries;
}

export interface ArbitrageView {
  readonly referenceQuote: string;
  readonly policy: string;
  readonly sequential: boolean | null;
  readonly thresholdBps: number | null;
  /** Detector evaluations (seen), those that cleared the threshold (taken), and the rest by reason. */
  readonly detector: ArbCounts;
  /** The executor's candidates from the detector and from signal rows. */
  readonly fromDetector: ArbCounts;
  readonly fromSignals: ArbCounts;
  /** The five outcomes always, in-flight/unresolved when present, then any other, by name. */
  readonly outcomes: readonly Pair<number>[];
  /** Trades finished by this session after an earlier one crashed. */
  readonly recovered: number;
  readonly pnlByVenue: readonly Pair<number | null>[];
  readonly pnlTotal: number | null;
  readonly basePrice: readonly Pair<number | null>[];
  readonly residualByAsset: readonly Pair<number | null>[];
  readonly inventory: readonly InventoryRow[];
  readonly transfers: readonly { readonly asset: string; readonly from: string; readonly to: string; readonly amount: string }[];
  readonly conversions: readonly { readonly venue: string; readonly asset: string; readonly amount: string; readonly valueRef: number | null }[];
  readonly premium: readonly PremiumView[];
  /** The first MAX_TRADE_ROWS trades, in the file's order. */
  readonly trades: readonly ArbTradeView[];
  /** Trades in the file. */
  readonly tradeCount: number;
  /** Set when the file could not be read or understood: what is wrong with it (the rest is empty). */
  readonly problem?: string;
}

const OUTCOMES = ['complete', 'hedged', 'unwound', 'reported', 'nothing_filled'] as const;
const UNFINISHED = ['in_flight', 'unresolved'] as const;

/** arbitrage.json as the page shows it. Only a non-object, or `trades` that is not a list, is refused. */
export function arbitrageView(raw: unknown, maxPoints = DEFAULT_MAX_POINTS, file = ARBITRAGE_FILE): ArbitrageView {
  if (!isObject(raw)) throw DataError.at(file, undefined, 'expected a JSON object');
  const f = raw as ArbitrageFile;
  if (f.trades !== undefined && !Array.isArray(f.trades)) throw DataError.at(file, undefined, 'expected a list', 'trades');
  const trades = f.trades ?? [];
  const opp = record(f.opportunities);
  const det = record(opp.detector);
  const pnl = record(f.pnl);
  const inv = record(f.inventory);
  return {
    referenceQuote: text(f.referenceQuote, ''),
    policy: text(f.policy, '?'),
    sequential: typeof f.sequential === 'boolean' ? f.sequential : null,
    thresholdBps: numOrNull(f.thresholdBps),
    detector: { seen: numOrNull(det.evaluations), taken: numOrNull(det.emitted), skipped: reasons(det.skipped) },
    fromDetector: counts(opp.fromDetector),
    fromSignals: counts(opp.fromSignals),
    outcomes: outcomes(record(f.outcomes)),
    recovered: trades.filter((t) => isObject(t) && t.recovered === true).length,
    pnlByVenue: numbersByKey(pnl.byVenue),
    pnlTotal: numOrNull(pnl.total),
    basePrice: numbersByKey(pnl.basePrice),
    residualByAsset: numbersByKey(record(f.residual).byAsset),
    inventory: inventoryRows(inv),
    transfers: list(inv.transfers).map((x) => ({ asset: text(x.asset), from: text(x.from), to: text(x.to), amount: text(x.amount) })),
    conversions: list(inv.conversions).map((x) => ({ venue: text(x.venue), asset: text(x.asset), amount: text(x.amount), valueRef: numOrNull(x.valueRef) })),
    premium: list(f.premium).map((p) => premiumView(p, maxPoints)),
    trades: trades.slice(0, MAX_TRADE_ROWS).map((t) => tradeView(isObject(t) ? (t as ArbTradeFile) : {})),
    tradeCount: trades.length,
  };
}

/** Candidates the executor considered and took, from the detector and from signal rows together. */
export function executorTotals(v: ArbitrageView): { readonly seen: number | null; readonly taken: number | null } {
  const add = (x: number | null, y: number | null) => (x === null && y === null ? null : (x ?? 0) + (y ?? 0));
  return { seen: add(v.fromDetector.seen, v.fromSignals.seen), taken: add(v.fromDetector.taken, v.fromSignals.taken) };
}

/** The view of a file that could not be read: empty, with what went wrong. */
export function unreadableArbitrage(problem: string): ArbitrageView {
  return { ...arbitrageView({}), problem };
}

function counts(v: unknown): ArbCounts {
  const c = record(v);
  return { seen: numOrNull(c.seen), taken: numOrNull(c.taken), skipped: reasons(c.skipped) };
}

/** Skip reasons with a count, largest first (ties by name). */
function reasons(v: unknown): Pair<number>[] {
  return Object.entries(record(v))
    .filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1]) && e[1] !== 0)
    .sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]));
}

function outcomes(o: Record<string, unknown>): Pair<number>[] {
  const n = (k: string) => numOrNull(o[k]) ?? 0;
  const known = new Set<string>([...OUTCOMES, ...UNFINISHED]);
  return [
    ...OUTCOMES.map((k): Pair<number> => [k, n(k)]),
    ...UNFINISHED.filter((k) => n(k) !== 0).map((k): Pair<number> => [k, n(k)]),
    ...Object.keys(o)
      .filter((k) => !known.has(k))
      .sort(cmp)
      .map((k): Pair<number> => [k, n(k)]),
  ];
}

function numbersByKey(v: unknown): Pair<number | null>[] {
  const o = record(v);
  return Object.keys(o)
    .sort(cmp)
    .map((k) => [k, numOrNull(o[k])]);
}

/** One row per venue and asset, from initial, final and drift together (sorted). */
function inventoryRows(inv: Record<string, unknown>): InventoryRow[] {
  const [initial, final, drift] = [record(inv.initial), record(inv.final), record(inv.drift)];
  const rows: InventoryRow[] = [];
  for (const venue of [...new Set([...Object.keys(initial), ...Object.keys(final), ...Object.keys(drift)])].sort(cmp)) {
    const [i, f, d] = [record(initial[venue]), record(final[venue]), record(drift[venue])];
    for (const asset of [...new Set([...Object.keys(i), ...Object.keys(f), ...Object.keys(d)])].sort(cmp)) {
      rows.push({ venue, asset, initial: text(i[asset], ''), final: text(f[asset], ''), drift: text(d[asset], '') });
    }
  }
  return rows;
}

/** The premium's points cut down as the page's other series are; points out of time order are dropped. */
function premiumView(p: Record<string, unknown>, maxPoints: number): PremiumView {
  const ds = new MinMaxDownsampler(maxPoints);
  let prev = Number.NEGATIVE_INFINITY;
  for (const pt of Array.isArray(p.points) ? (p.points as unknown[]) : []) {
    if (!Array.isArray(pt)) continue;
    const [t, v] = pt as unknown[];
    if (typeof t !== 'number' || typeof v !== 'number' || !Number.isFinite(t) || !Number.isFinite(v) || t < prev) continue;
    prev = t;
    ds.push(t, v);
  }
  return {
    a: text(p.a),
    b: text(p.b),
    samples: numOrNull(p.samples),
    minBps: numOrNull(p.minBps),
    maxBps: numOrNull(p.maxBps),
    meanBps: numOrNull(p.meanBps),
    series: ds.result(),
  };
}

function tradeView(t: ArbTradeFile): ArbTradeView {
  const leg = (x: unknown) => {
    const l = record(x);
    return `${text(l.venue)} ${text(l.symbol)}`;
  };
  const realized = record(t.realized);
  const res = isObject(t.residual) ? t.residual : undefined;
  return {
    id: text(t.id),
    ...(typeof t.signalId === 'string' ? { signalId: t.signalId } : {}),
    recovered: t.recovered === true,
    detected: text(t.detected),
    buy: leg(t.buy),
    sell: leg(t.sell),
    size: numOrNull(t.size),
    expectedNetBps: numOrNull(record(t.expected).netBps),
    realizedNetBps: numOrNull(realized.netBps),
    buySlippageBps: numOrNull(realized.buySlippageBps),
    sellSlippageBps: numOrNull(realized.sellSlippageBps),
    outcome: text(t.outcome),
    ...(typeof t.note === 'string' ? { note: t.note } : {}),
    ...(res ? { residual: { asset: text(res.asset), quantity: numOrNull(res.quantity), venue: text(res.venue) } } : {}),
    pnl: numOrNull(t.pnl),
  };
}

// ---- loose reading -----------------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function record(v: unknown): Record<string, unknown> {
  return isObject(v) ? v : {};
}

/** The objects of a list (anything else in it, or a non-list, is left out). */
function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

function numOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function text(v: unknown, fallback = '?'): string {
  return typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : fallback;
}

/** Code-unit order, not locale order: the same on every machine. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
