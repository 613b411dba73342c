/**
 * Pieces both pages (one run, two runs compared) are made of: number formatting, cards, tables, chart
 * specs and the page shell that inlines the style, the chart library, the data and the script.
 * Everything here is a pure function of its arguments: no clock, no locale, no environment, so the
 * same run folder always gives the same bytes.
 */
import { formatAtto, parseAtto } from '../../domain/money.ts';
import { chartBundle } from './chart-bundle.ts';
import { CLIENT_SCRIPT } from './client-script.ts';
import type { SampledSeries } from './downsample.ts';
import { escapeHtml as esc, jsonForScript } from './escape.ts';
import type { SummaryJson } from './report-data.ts';
import type { TradeMarker } from './trade-markers.ts';

export const COLORS = {
  equity: '#2563eb',
  equityB: '#9333ea',
  drawdown: '#dc2626',
  drawdownFill: 'rgba(220, 38, 38, 0.18)',
  drawdownB: '#ea580c',
  price: '#475569',
  premium: '#0d9488',
} as const;

/** One series of a chart, as the page script reads it (`client-script.ts`). */
export interface SeriesSpec {
  readonly name: string;
  readonly style: 'line' | 'step' | 'area';
  readonly color: string;
  readonly fill?: string;
  /** Decimals on the price scale. */
  readonly precision: number;
  /** Times in ms and values; the script plots `v × scale`. */
  readonly t: readonly number[];
  readonly v: readonly number[];
  readonly scale?: number;
  readonly markers?: readonly MarkerSpec[];
}

export interface MarkerSpec {
  readonly t: number;
  readonly kind: 'buy' | 'sell' | 'fault';
  readonly price?: number;
  readonly n?: number;
  readonly text?: string;
}

export interface ChartSpec {
  readonly id: string;
  readonly format: 'number' | 'percent';
  readonly series: readonly SeriesSpec[];
}

// ---- numbers -----------------------------------------------------------------------------------

/** `1234567.891` → `1,234,567.89`; fixed decimals, grouping by hand (no locale). */
export function fmtNumber(x: number | null | undefined, decimals = 2): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return 'n/a';
  const [int = '', frac] = Math.abs(x).toFixed(decimals).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = x < 0 && Number(Math.abs(x).toFixed(decimals)) !== 0 ? '−' : '';
  return `${sign}${grouped}${frac === undefined ? '' : `.${frac}`}`;
}

/** A float for reading: 2 decimals from 1000 up, 4 from 1, else 8; trailing zeros dropped. */
export function fmtFloat(x: number | null | undefined): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return 'n/a';
  const a = Math.abs(x);
  const text = fmtNumber(x, a >= 1000 ? 2 : a >= 1 ? 4 : 8);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** A fraction as a percentage: 0.0123 → `1.23%` (`+1.23%` when signed and positive). */
export function fmtPct(x: unknown, signed = false): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return 'n/a';
  const s = fmtNumber(x * 100, 2);
  return `${signed && x > 0 ? '+' : ''}${s}%`;
}

/** An exact decimal string from summary.json, shortened to 8 decimals for the eye. */
export function fmtAmount(value: unknown): string {
  if (typeof value === 'number') return fmtFloat(value);
  if (typeof value !== 'string') return 'n/a';
  try {
    return formatAtto(parseAtto(value), 8);
  } catch {
    return value;
  }
}

/** `{USDT: "1.5", BTC: "0.01"}` → `BTC 0.01 · USDT 1.5` (sorted by asset). */
export function fmtAmounts(byAsset: unknown): string {
  const o = asRecord(byAsset);
  const keys = Object.keys(o).sort();
  return keys.length === 0 ? '—' : keys.map((k) => `${k} ${fmtAmount(o[k])}`).join(' · ');
}

/** Decimals a price scale needs: from the values' own decimals (ticks), between 2 and 8. */
export function priceDecimals(values: readonly number[]): number {
  let d = 2;
  const step = Math.max(1, Math.floor(values.length / 500));
  for (let i = 0; i < values.length && d < 8; i += step) {
    const s = String(values[i]);
    const dot = s.indexOf('.');
    if (s.includes('e')) d = 8;
    else if (dot >= 0) d = Math.max(d, Math.min(8, s.length - dot - 1));
  }
  return d;
}

/** Decimals for an equity scale: fewer for large values, more for small ones. */
export function equityDecimals(values: readonly number[]): number {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  if (!(max > 0)) return 2;
  return Math.max(2, Math.min(8, 5 - Math.floor(Math.log10(max))));
}

// ---- summary fields ----------------------------------------------------------------------------

export function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function num(s: SummaryJson, key: string): number | null {
  const v = s[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function str(s: SummaryJson, key: string, fallback = 'n/a'): string {
  const v = s[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : fallback;
}

/** Kill-switch state: `risk_state` (summary.json), or `riskState` / `risk` in other writers' files. */
export function riskState(s: SummaryJson): { state: string; reason?: string; ts?: string } {
  const r = asRecord(s.risk_state ?? s.riskState ?? s.risk);
  const state = typeof r.state === 'string' ? r.state : 'unknown';
  return {
    state,
    ...(typeof r.reason === 'string' ? { reason: r.reason } : {}),
    ...(typeof r.ts === 'string' || typeof r.ts === 'number' ? { ts: String(r.ts) } : {}),
  };
}

/** Orders by final status with their total; statuses with no order are left out. */
export function orderCounts(s: SummaryJson): { total: number; byStatus: [string, number][] } {
  const o = asRecord(s.orders);
  const byStatus = Object.keys(o)
    .sort()
    .map((k) => [k, typeof o[k] === 'number' ? (o[k] as number) : 0] as [string, number])
    .filter(([, n]) => n > 0);
  return { total: byStatus.reduce((t, [, n]) => t + n, 0), byStatus };
}

export function warnings(s: SummaryJson): string[] {
  return Array.isArray(s.warnings) ? s.warnings.map((w) => (typeof w === 'string' ? w : JSON.stringify(w))) : [];
}

// ---- HTML pieces -------------------------------------------------------------------------------

export type Tone = 'good' | 'bad' | 'warn' | 'plain';

export function card(label: string, value: string, sub = '', tone: Tone = 'plain'): string {
  return `<div class="card ${tone}"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div>${
    sub === '' ? '' : `<div class="sub">${esc(sub)}</div>`
  }</div>`;
}

/** A table of text cells (all escaped); `numeric` columns are right-aligned; `id` names it for tests and links. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], numeric: readonly number[] = [], id?: string): string {
  const cls = (i: number) => (numeric.includes(i) ? ' class="num"' : '');
  const th = head.map((h, i) => `<th${cls(i)}>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table${id === undefined ? '' : ` id="${esc(id)}"`}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}"><h2>${esc(title)}</h2>\n${body}\n</section>`;
}

/** The element a chart is drawn into, with a caption (what it shows, how many points of how many). */
export function chartBox(id: string, caption: string, height = 300): string {
  return `<figure class="chart-box"><div class="chart" id="chart-${esc(id)}" style="height:${height}px"></div><figcaption>${esc(caption)}</figcaption></figure>`;
}

export function pointsCaption(s: SampledSeries): string {
  return s.t.length === s.total
    ? `${s.total} points`
    : `${s.t.length} of ${s.total} points (each stretch keeps its lowest and highest point)`;
}

export function markerSpecs(markers: readonly TradeMarker[]): MarkerSpec[] {
  return markers.map((m) => ({ t: m.t, kind: m.side, price: m.price, n: m.n }));
}

/** The page: inline style, the chart library, the chart data, the script. No external reference. */
export function page(title: string, body: string, charts: readonly ChartSpec[]): string {
  const lib = chartBundle();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
<footer>Charts: TradingView Lightweight Charts™ v${esc(lib.version)}, Copyright (c) TradingView, Inc., Apache License 2.0 —
<a href="https://www.tradingview.com/" rel="noopener noreferrer">tradingview.com</a> (inlined: this page loads nothing from the network).</footer>
<script>${lib.source}</script>
<script id="tf-data" type="application/json">${jsonForScript({ charts })}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1280px; padding: 20px 24px 40px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #0f172a; background: #f8fafc; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #e2e8f0; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.meta { color: #475569; margin-bottom: 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; }
.card { background: #fff; border: 1px solid #e2e8f0; border-left: 4px solid #94a3b8; border-radius: 6px; padding: 10px 12px; }
.card.good { border-left-color: #16a34a; } .card.bad { border-left-color: #dc2626; } .card.warn { border-left-color: #d97706; }
.card .label { color: #64748b; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 20px; font-weight: 600; margin-top: 2px; overflow-wrap: anywhere; }
.card .sub { color: #475569; font-size: 12px; margin-top: 2px; overflow-wrap: anywhere; }
.chart-box { margin: 0 0 14px; background: #fff; border: 1px solid #e2e8f0; border-radius: 6px; padding: 8px; }
.chart { width: 100%; }
figcaption { color: #64748b; font-size: 12px; margin-top: 4px; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid #e2e8f0; font-size: 13px; margin-bottom: 10px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #f1f5f9; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f1f5f9; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.bad-text { color: #b91c1c; } .good-text { color: #15803d; }
ul.warnings { margin: 8px 0 0; padding-left: 20px; color: #92400e; }
ol.timeline { list-style: none; margin: 0; padding: 0 0 0 14px; border-left: 2px solid #fdba74; }
ol.timeline li { position: relative; margin: 0 0 10px; padding: 6px 10px; background: #fff; border: 1px solid #e2e8f0; border-radius: 6px; }
ol.timeline li::before { content: ""; position: absolute; left: -21px; top: 11px; width: 10px; height: 10px; border-radius: 50%; background: #f97316; }
ol.timeline .when { color: #64748b; font-size: 12px; }
.note { color: #64748b; }
.legend-buy { color: #16a34a; } .legend-sell { color: #dc2626; }
footer { margin-top: 32px; color: #94a3b8; font-size: 12px; }
footer a { color: inherit; }
/* Wide tables scroll rather than break numbers, times and words mid-way. */
.scroll-x { overflow-x: auto; margin-bottom: 10px; }
.scroll-x table { margin-bottom: 0; }
#arb-trades th, #arb-trades td { overflow-wrap: normal; }
#arb-trades td.num, #arb-trades td:nth-child(-n+2) { white-space: nowrap; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
@media (max-width: 800px) { .cols { grid-template-columns: 1fr; } }
`;
