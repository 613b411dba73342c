/**
 * The one-screen summary printed at the end of a run (and by `tradeflow report`). It reads the
 * `Summary` rather than the RunResult, so it can be rebuilt from a summary.json on disk.
 *
 * Every list is capped (venues, warnings) and every line clipped, so the output stays within
 * `MAX_CONSOLE_LINES` lines whatever the run: a summary that scrolls off the screen is not one.
 */
import { formatAtto, parseAtto } from '../domain/money.ts';
import { OrderStatuses } from '../domain/types.ts';
import type { Summary } from './summary.ts';

export const MAX_CONSOLE_LINES = 25;
const MAX_VENUE_LINES = 6;
const MAX_WARNING_LINES = 3;
/** Kill-switch changes listed under `risk`, when the line budget allows (they never push it over). */
const MAX_RISK_LINES = 3;
const LABEL = 10;

export interface ConsoleSummaryOptions {
  /** Where the report files went; printed on the last line. */
  readonly outDir?: string;
  /** Lines longer than this are clipped with an ellipsis. Default 110. */
  readonly width?: number;
}

/** Plain text, no colour codes (it may go to a log file), at most MAX_CONSOLE_LINES lines. */
export function formatConsoleSummary(s: Summary, options: ConsoleSummaryOptions = {}): string {
  const width = options.width ?? 110;
  const lines: string[] = [];
  const row = (label: string, text: string): void => {
    // Values come from input files and venues; a line break in one must not add screen lines.
    lines.push(`${label.padEnd(LABEL)}${oneLine(text)}`);
  };

  lines.push(oneLine(`tradeflow ${s.mode} · ${s.scenario} · seed ${s.seed}`));
  row('period', `${s.start} → ${s.end}  (${s.events_processed.toLocaleString('en-US')} events)`);
  row(
    'equity',
    `${num(s.initial_equity)} → ${num(s.final_equity)} ${s.quote_currency}  return ${pct(s.total_return, true)}`,
  );
  const ddWhen = s.max_drawdown_peak ? `  (peak ${s.max_drawdown_peak}, trough ${s.max_drawdown_trough})` : '';
  row('drawdown', `${pct(s.max_drawdown)}${ddWhen}`);
  row(
    'ratios',
    `sharpe ${fixed(s.sharpe)}  sortino ${fixed(s.sortino)}  win rate ${pct(s.win_rate)}  ` +
      `profit factor ${fixed(s.profit_factor)}`,
  );
  row('fills', `${s.fills}  exposure ${pct(s.exposure)}  turnover ${amounts(s.turnover)}`);
  row('fees', amounts(s.fees_paid));
  const byStatus = OrderStatuses.filter((st) => s.orders[st] > 0).map((st) => `${st} ${s.orders[st]}`);
  const total = OrderStatuses.reduce((n, st) => n + s.orders[st], 0);
  row('orders', total === 0 ? '0' : `${total}: ${byStatus.join('  ')}`);
  const res = s.resolutions;
  if (res && (res.local ?? 0) + (res.lookup ?? 0) > 0) row('in doubt', `${(res.lookup ?? 0) + (res.local ?? 0)} settled: ${res.lookup ?? 0} by venue lookup, ${res.local ?? 0} locally (see orders.csv resolution)`);

  const venues = Object.keys(s.balances).sort();
  const venueWidth = Math.max(0, ...venues.map((v) => v.length)) + 2;
  venues.slice(0, MAX_VENUE_LINES).forEach((venue, i) => {
    row(i === 0 ? 'balances' : '', `${venue.padEnd(venueWidth)}${amounts(s.balances[venue] ?? {})}`);
  });
  if (venues.length > MAX_VENUE_LINES) row('', `… and ${venues.length - MAX_VENUE_LINES} more venues`);
  if (venues.length === 0) row('balances', 'none');

  const rules = Object.entries(s.refused_signals.by_rule)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([rule, n]) => `${rule} ${n}`);
  row('refused', `${s.refused_signals.count}${rules.length ? `  (${rules.join(', ')})` : ''}`);
  const firstBad = s.bad_rows.rows[0];
  const where = firstBad ? `  first: ${firstBad.file ?? '?'}${firstBad.line === undefined ? '' : `:${firstBad.line}`} ${firstBad.reason}` : '';
  row('bad rows', `${s.bad_rows.count}${where}`);
  row('risk', `${s.risk_state.state}${s.risk_state.reason ? ` — ${s.risk_state.reason}` : ''}`);
  const riskAt = lines.length;
  const lat = s.submit_to_request_ms;
  if (lat) row('latency', `signal → request p50 ${lat.p50.toFixed(2)} ms  p99 ${lat.p99.toFixed(2)} ms  (${lat.count} orders)`);
  if (s.warnings.length > 0) {
    row('warnings', String(s.warnings.length));
    for (const w of s.warnings.slice(0, MAX_WARNING_LINES)) row('', `- ${w}`);
    if (s.warnings.length > MAX_WARNING_LINES) row('', `… see summary.json`);
  }
  if (options.outDir !== undefined) row('reports', options.outDir);
  // The trips go under the risk line, as many as fit in the screen budget; the rest are in summary.json.
  const history = s.risk?.history ?? [];
  const room = Math.min(MAX_RISK_LINES, MAX_CONSOLE_LINES - lines.length);
  if (history.length > 0 && room > 0) {
    lines[riskAt - 1] = `${'risk'.padEnd(LABEL)}${s.risk_state.state}  (${history.length} change${history.length === 1 ? '' : 's'})`;
    const shown = history.length <= room ? history : history.slice(0, room - 1);
    const trips = shown.map((c) => `${''.padEnd(LABEL)}${oneLine(`${c.iso} ${c.from} → ${c.to}: ${c.reason}`)}`);
    if (shown.length < history.length) trips.push(`${''.padEnd(LABEL)}… ${history.length - shown.length} more in summary.json`);
    lines.splice(riskAt, 0, ...trips);
  }

  return `${lines.map((l) => clip(l, width)).join('\n')}\n`;
}

/** Exact decimal strings shortened to 8 decimals for the eye; the files keep every digit. */
function amounts(byAsset: Readonly<Record<string, string | number>>): string {
  const entries = Object.entries(byAsset).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '-';
  return entries.map(([asset, v]) => `${asset} ${typeof v === 'number' ? num(v) : formatAtto(parseAtto(v), 8)}`).join('  ');
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toFixed(8)));
}

function pct(x: number | null, signed = false): string {
  if (x === null) return 'n/a';
  const s = `${(x * 100).toFixed(2)}%`;
  return signed && x > 0 ? `+${s}` : s;
}

function fixed(x: number | null): string {
  return x === null ? 'n/a' : x.toFixed(2);
}

function oneLine(text: string): string {
  // Only line breaks and tabs: the double spaces that separate columns are ours and stay.
  return text.replace(/[\r\n\t\v\f\u2028\u2029]+/g, ' ');
}

function clip(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}
