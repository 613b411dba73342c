/**
 * Two runs side by side: their headline figures with the difference (B − A), both equity curves on
 * one chart and both drawdowns on another, and the arbitrage figures when both runs have them. A pure
 * function of the two runs' ReportData.
 */
import { arbitrageComparison } from './arb-compare.ts';
import { figuresTable, numericRow, signed, type FigureRow } from './compare-table.ts';
import { escapeHtml as esc } from './escape.ts';
import type { ReportData, SummaryJson } from './report-data.ts';
import {
  COLORS,
  asRecord,
  chartBox,
  equityDecimals,
  fmtAmounts,
  fmtFloat,
  fmtNumber,
  fmtPct,
  num,
  orderCounts,
  page,
  pointsCaption,
  riskState,
  section,
  str,
  warnings,
  type ChartSpec,
} from './page-parts.ts';

export interface ComparedRun {
  /** How the page names the run (its folder). */
  readonly label: string;
  readonly data: ReportData;
}

export function renderCompare(a: ComparedRun, b: ComparedRun): string {
  const sa = a.data.summary;
  const sb = b.data.summary;
  const title = `tradeflow · compare ${a.label} vs ${b.label}`;
  const charts: ChartSpec[] = [
    {
      id: 'equity',
      format: 'number',
      series: [
        { name: `A ${a.label}`, style: 'line', color: COLORS.equity, precision: equityDecimals([...a.data.equity.v, ...b.data.equity.v]), t: a.data.equity.t, v: a.data.equity.v },
        { name: `B ${b.label}`, style: 'line', color: COLORS.equityB, precision: equityDecimals([...a.data.equity.v, ...b.data.equity.v]), t: b.data.equity.t, v: b.data.equity.v },
      ],
    },
    {
      id: 'drawdown',
      format: 'percent',
      series: [
        { name: `A ${a.label}`, style: 'line', color: COLORS.drawdown, precision: 2, t: a.data.drawdown.t, v: a.data.drawdown.v, scale: -100 },
        { name: `B ${b.label}`, style: 'line', color: COLORS.drawdownB, precision: 2, t: b.data.drawdown.t, v: b.data.drawdown.v, scale: -100 },
      ],
    },
  ];
  const quoteA = str(sa, 'quote_currency', '');
  const quoteB = str(sb, 'quote_currency', '');
  const quoteNote = quoteA === quoteB ? `in ${quoteA}` : `A in ${quoteA}, B in ${quoteB}: not the same currency, compare returns instead`;
  const parts: string[] = [];
  parts.push(`<header><h1>${esc(title)}</h1></header>`);
  parts.push(
    `<div class="cols">${[['A', a] as const, ['B', b] as const]
      .map(([k, r]) => `<div class="card"><div class="label">${k}</div><div class="value">${esc(r.label)}</div><div class="sub">${esc(runLine(r.data.summary))}</div></div>`)
      .join('')}</div>`,
  );
  parts.push(section('figures', 'Headline figures', figuresTable(rows(sa, sb))));
  parts.push(
    section(
      'equity',
      'Equity and drawdown',
      [
        chartBox('equity', `Equity ${quoteNote}. A: ${pointsCaption(a.data.equity)}; B: ${pointsCaption(b.data.equity)}`, 340),
        chartBox('drawdown', `Drawdown from the running peak, %. A: ${pointsCaption(a.data.drawdown)}; B: ${pointsCaption(b.data.drawdown)}`, 220),
      ].join('\n'),
    ),
  );
  const arb = arbitrageComparison(a.data.arbitrage, b.data.arbitrage);
  if (arb !== undefined) parts.push(section('arbitrage', 'Arbitrage', arb));
  return page(title, parts.join('\n'), charts);
}

function runLine(s: SummaryJson): string {
  return `${str(s, 'scenario')} · ${str(s, 'mode')} · seed ${str(s, 'seed')} · ${str(s, 'start')} → ${str(s, 'end')}`;
}

function rows(a: SummaryJson, b: SummaryJson): FigureRow[] {
  const out: FigureRow[] = [];
  const numeric = (...args: Parameters<typeof numericRow>) => out.push(numericRow(...args));
  const money = (v: number | null) => fmtNumber(v);
  const pp = (d: number) => signed(`${fmtNumber(d * 100, 2)} pp`, d);
  const pct = (v: number | null) => fmtPct(v);
  numeric('final equity', num(a, 'final_equity'), num(b, 'final_equity'), money, (d) => signed(fmtNumber(d), d), true);
  numeric('total return', num(a, 'total_return'), num(b, 'total_return'), (v) => fmtPct(v, true), pp, true);
  numeric('max drawdown', num(a, 'max_drawdown'), num(b, 'max_drawdown'), pct, pp, false);
  numeric('Sharpe', num(a, 'sharpe'), num(b, 'sharpe'), (v) => fmtNumber(v), (d) => signed(fmtNumber(d), d), true);
  numeric('Sortino', num(a, 'sortino'), num(b, 'sortino'), (v) => fmtNumber(v), (d) => signed(fmtNumber(d), d), true);
  numeric('win rate', num(a, 'win_rate'), num(b, 'win_rate'), pct, pp, true);
  numeric('profit factor', num(a, 'profit_factor'), num(b, 'profit_factor'), (v) => fmtFloat(v), (d) => signed(fmtFloat(d), d), true);
  numeric('exposure', num(a, 'exposure'), num(b, 'exposure'), pct, pp);
  numeric('trades (fills)', num(a, 'fills'), num(b, 'fills'), (v) => fmtNumber(v, 0), (d) => signed(fmtNumber(d, 0), d));
  numeric('orders', orderCounts(a).total, orderCounts(b).total, (v) => fmtNumber(v, 0), (d) => signed(fmtNumber(d, 0), d));
  numeric('warnings', warnings(a).length, warnings(b).length, (v) => fmtNumber(v, 0), (d) => signed(fmtNumber(d, 0), d), false);
  out.push({ label: 'fees', a: fmtAmounts(a.fees_paid), b: fmtAmounts(b.fees_paid), delta: '', tone: 'plain' });
  out.push({ label: 'turnover', a: fmtAmounts(a.turnover), b: fmtAmounts(b.turnover), delta: '', tone: 'plain' });
  const ra = riskState(a);
  const rb = riskState(b);
  out.push({ label: 'kill switch', a: ra.state, b: rb.state, delta: ra.state === rb.state ? 'same' : 'differs', tone: 'plain' });
  const refused = (s: SummaryJson) => {
    const c = asRecord(s.refused_signals).count;
    return typeof c === 'number' ? c : null;
  };
  numeric('refused signals', refused(a), refused(b), (v) => fmtNumber(v, 0), (d) => signed(fmtNumber(d, 0), d));
  return out;
}
