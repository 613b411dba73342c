/**
 * The `summary.json` object: every headline figure of a run, as plain data.
 *
 * Exact money (fees, turnover, balances) is a decimal string formatted from atto; statistics are
 * numbers or null. Field names are snake_case because this is a file format, read by other tools.
 * `summaryJson` writes it with sorted keys and rounded numbers so identical runs give identical bytes.
 */
import type { RefusedSignal, RunResult } from '../domain/run-result.ts';
import { OrderStatuses, type Asset, type Atto, type OrderStatus, type VenueId } from '../domain/types.ts';
import { formatAtto } from '../domain/money.ts';
import { computeBreakdowns, type Breakdowns, type SymbolBreakdown, type VenueBreakdown } from './breakdowns.ts';
import { maxDrawdown, profitFactorByQuote, sharpe, sortino, totalReturn, winRate } from './metrics.ts';
import { pointsOf } from './equity-points.ts';
import { isoTime } from './iso-time.ts';
import { stableStringify } from './stable-json.ts';

export interface BadRowEntry {
  readonly file?: string;
  readonly line?: number;
  readonly reason: string;
  readonly rule: string;
  readonly signal_id?: string;
}

export interface Summary {
  readonly scenario: string;
  readonly mode: RunResult['mode'];
  readonly seed: number;
  readonly quote_currency: Asset;
  readonly start: string;
  readonly end: string;
  readonly initial_equity: number;
  readonly final_equity: number;
  readonly total_return: number | null;
  readonly max_drawdown: number;
  readonly max_drawdown_peak: string | null;
  readonly max_drawdown_trough: string | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly win_rate: number | null;
  /** Over fills quoted in `quote_currency`; other quotes are in `profit_factor_by_quote`. */
  readonly profit_factor: number | null;
  readonly profit_factor_by_quote: Record<Asset, number | null>;
  readonly fees_paid: Record<Asset, string>;
  readonly turnover: Record<Asset, string>;
  readonly exposure: number | null;
  readonly equity_samples: number;
  readonly orders: Record<OrderStatus, number>;
  /** Orders whose outcome was in doubt, by how they were settled: `lookup` (the venue showed it) or `local`. */
  readonly resolutions?: Record<string, number>;
  readonly fills: number;
  readonly balances: Record<VenueId, Record<Asset, string>>;
  readonly per_venue: Record<VenueId, VenueBreakdown>;
  readonly per_symbol: Record<VenueId, Record<string, SymbolBreakdown>>;
  readonly refused_signals: { readonly count: number; readonly by_rule: Record<string, number> };
  /** `rows` lists at most `maxBadRowsListed` entries; `count` is always the full number. */
  readonly bad_rows: { readonly count: number; readonly rows: readonly BadRowEntry[] };
  /** The final state and its last reason (kept for older readers; `risk` has the whole story). */
  readonly risk_state: { readonly state: string; readonly reason?: string; readonly ts?: string };
  /** Kill-switch state at the end and every change of the run, in order (absent in older summaries). */
  readonly risk?: { readonly state: string; readonly history: readonly RiskChangeEntry[] };
  readonly events_processed: number;
  readonly warnings: readonly string[];
  /** Live runs only: submit → HTTP request inside the process, in ms. */
  /**
   * Paper/live: in-process latency from a signal reaching the engine (risk gate, order building, the
   * journal's fsync of the intent, the driver) to the HTTP request handed to the transport; ms.
   */
  readonly submit_to_request_ms?: { readonly count: number; readonly p50: number; readonly p99: number; readonly max: number };
}

/** One kill-switch change: a trip (the reason names the rule, figure and limit) or a person's command. */
export interface RiskChangeEntry {
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  /** Epoch ms (event time in backtests) and the same as ISO 8601. */
  readonly ts: number;
  readonly iso: string;
}

export interface SummaryOptions {
  /** Cap on listed bad rows, so a file of garbage cannot make summary.json huge. Default 1000. */
  readonly maxBadRowsListed?: number;
}

/** Computes the breakdowns (loading danfojs if there are fills) and builds the summary. */
export async function computeSummary(result: RunResult, options: SummaryOptions = {}): Promise<Summary> {
  return buildSummary(result, await computeBreakdowns(result.fillStats), options);
}

/** Builds the summary from a run and its already computed breakdowns. Pure. */
export function buildSummary(result: RunResult, breakdowns: Breakdowns, options: SummaryOptions = {}): Summary {
  const dd = maxDrawdown(result.equity);
  const stats = result.fillStats;
  const pfByQuote = profitFactorByQuote(stats);
  const maxListed = options.maxBadRowsListed ?? 1000;
  return {
    scenario: result.scenario,
    mode: result.mode,
    seed: result.seed,
    quote_currency: result.quoteCurrency,
    start: isoTime(result.startTs, 'startTs'),
    end: isoTime(result.endTs, 'endTs'),
    initial_equity: result.initialEquity,
    final_equity: result.finalEquity,
    total_return: totalReturn(result.initialEquity, result.finalEquity),
    max_drawdown: dd.maxDrawdown,
    max_drawdown_peak: dd.peakTs === null ? null : isoTime(dd.peakTs, 'equity.ts'),
    max_drawdown_trough: dd.troughTs === null ? null : isoTime(dd.troughTs, 'equity.ts'),
    sharpe: sharpe(result.equity),
    sortino: sortino(result.equity),
    win_rate: winRate(stats),
    profit_factor: pfByQuote.get(result.quoteCurrency) ?? null,
    profit_factor_by_quote: Object.fromEntries(pfByQuote),
    fees_paid: formatAmounts(stats.fees),
    turnover: formatAmounts(stats.turnover),
    exposure: result.exposure,
    equity_samples: pointsOf(result.equity).count,
    orders: orderCounts(result.orderCounts),
    ...(result.resolutions && result.resolutions.size > 0 ? { resolutions: Object.fromEntries([...result.resolutions].filter(([, n]) => n > 0).sort()) } : {}),
    fills: stats.count,
    balances: Object.fromEntries([...result.finalBalances].map(([venue, assets]) => [venue, formatAmounts(assets)])),
    per_venue: breakdowns.perVenue,
    per_symbol: breakdowns.perSymbol,
    refused_signals: { count: result.refused.length, by_rule: countBy(result.refused, (r) => r.rule) },
    bad_rows: { count: result.badRows.length, rows: result.badRows.slice(0, maxListed).map(badRowEntry) },
    risk_state: {
      state: result.riskState.state,
      reason: result.riskState.reason,
      ts: result.riskState.ts === undefined ? undefined : isoTime(result.riskState.ts, 'riskState.ts'),
    },
    risk: {
      state: result.riskState.state,
      history: (result.riskState.history ?? []).map((c) => ({ from: c.from, to: c.to, reason: c.reason, ts: c.ts, iso: isoTime(c.ts, 'riskState.history.ts') })),
    },
    events_processed: result.eventsProcessed,
    warnings: [...result.warnings],
    ...(result.submitLatency
      ? { submit_to_request_ms: { count: result.submitLatency.count, p50: result.submitLatency.p50Ms, p99: result.submitLatency.p99Ms, max: result.submitLatency.maxMs } }
      : {}),
  };
}

/** The summary as deterministic JSON text (sorted keys, rounded numbers). */
export function summaryJson(summary: Summary): string {
  return stableStringify(summary);
}

function formatAmounts(amounts: ReadonlyMap<Asset, Atto>): Record<Asset, string> {
  return Object.fromEntries([...amounts].map(([asset, v]) => [asset, formatAtto(v)]));
}

/** Every status present, with 0 for those no order ended in, so readers need no defaults. */
function orderCounts(byStatus: ReadonlyMap<OrderStatus, number>): Record<OrderStatus, number> {
  return Object.fromEntries(OrderStatuses.map((s) => [s, byStatus.get(s) ?? 0])) as Record<OrderStatus, number>;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

function badRowEntry(r: RefusedSignal): BadRowEntry {
  return { file: r.file, line: r.line, reason: r.reason, rule: r.rule, signal_id: r.signalId };
}
