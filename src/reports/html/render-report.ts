/**
 * report.html of one run: headline cards, equity and drawdown charts, one price chart per market with
 * its buys and sells marked, the arbitrage section (when the run has arbitrage.json), per-venue and
 * per-symbol tables, and the fault timeline. A pure function of ReportData: the same run folder gives
 * the same bytes (no clock, no locale, no environment).
 */
import { arbitrageSection } from './arb-section.ts';
import type { FailuresView } from './side-files.ts';
import { escapeHtml as esc } from './escape.ts';
import type { MarketData, ReportData, SummaryJson } from './report-data.ts';
import {
  COLORS,
  asRecord,
  card,
  chartBox,
  equityDecimals,
  fmtAmount,
  fmtAmounts,
  fmtFloat,
  fmtNumber,
  fmtPct,
  markerSpecs,
  num,
  orderCounts,
  page,
  pointsCaption,
  priceDecimals,
  riskState,
  section,
  str,
  table,
  warnings,
  type ChartSpec,
  type MarkerSpec,
  type Tone,
} from './page-parts.ts';

/** Warnings listed on the page at most (summary.json has them all). */
const MAX_WARNINGS = 20;

export function renderReport(data: ReportData): string {
  const s = data.summary;
  const charts: ChartSpec[] = [];
  const parts: string[] = [];
  const title = `tradeflow · ${str(s, 'scenario', 'run')} · ${str(s, 'mode', '?')}`;
  parts.push(`<header><h1>${esc(title)}</h1><div class="meta">${esc(metaLine(s))}</div></header>`);
  parts.push(`<div class="cards">\n${cards(s).join('\n')}\n</div>`);
  const w = warnings(s);
  if (w.length > 0) {
    const items = w.slice(0, MAX_WARNINGS).map((x) => `<li>${esc(x)}</li>`);
    if (w.length > MAX_WARNINGS) items.push(`<li>… and ${w.length - MAX_WARNINGS} more (see summary.json)</li>`);
    parts.push(`<ul class="warnings">\n${items.join('\n')}\n</ul>`);
  }

  const quote = str(s, 'quote_currency', '');
  const faultMarkers = faultMarkerSpecs(data.failures);
  charts.push({
    id: 'equity',
    format: 'number',
    series: [
      {
        name: 'equity',
        style: 'line',
        color: COLORS.equity,
        precision: equityDecimals(data.equity.v),
        t: data.equity.t,
        v: data.equity.v,
        ...(faultMarkers.length > 0 ? { markers: faultMarkers } : {}),
      },
    ],
  });
  charts.push({
    id: 'drawdown',
    format: 'percent',
    series: [
      { name: 'drawdown', style: 'area', color: COLORS.drawdown, fill: COLORS.drawdownFill, precision: 2, t: data.drawdown.t, v: data.drawdown.v, scale: -100 },
    ],
  });
  const faultNote = faultMarkers.length > 0 ? `; orange squares: injected faults` : '';
  parts.push(
    section(
      'equity',
      'Equity and drawdown',
      [
        chartBox('equity', `Equity in ${quote || 'the reporting currency'}: ${pointsCaption(data.equity)}${faultNote}`, 320),
        chartBox('drawdown', `Drawdown from the running peak, %: ${pointsCaption(data.drawdown)}`, 200),
      ].join('\n'),
    ),
  );

  const history = riskHistory(s);
  if (history.length > 0) parts.push(section('kill-switch', 'Kill switch', table(['time', 'from', 'to', 'reason'], history)));
  if (data.arbitrage !== undefined) parts.push(section('arbitrage', 'Arbitrage', arbitrageSection(data.arbitrage, charts)));
  parts.push(section('prices', 'Prices and trades', priceSection(data, charts)));
  parts.push(section('breakdowns', 'Per venue and symbol', breakdowns(s)));
  parts.push(section('faults', 'Faults', faultSection(data.failures)));
  if (data.reconciliation !== undefined) {
    parts.push(section('reconciliation', 'Reconciliation', table(['key', 'value'], data.reconciliation.map((r) => [r.key, r.value]))));
  }
  return page(title, parts.join('\n'), charts);
}

function metaLine(s: SummaryJson): string {
  const events = num(s, 'events_processed');
  return [
    `${str(s, 'start')} → ${str(s, 'end')}`,
    `seed ${str(s, 'seed')}`,
    `quote ${str(s, 'quote_currency')}`,
    events === null ? '' : `${fmtNumber(events, 0)} events`,
    `${fmtNumber(num(s, 'equity_samples'), 0)} equity samples`,
  ]
    .filter((x) => x !== '')
    .join(' · ');
}

function cards(s: SummaryJson): string[] {
  const quote = str(s, 'quote_currency', '');
  const ret = num(s, 'total_return');
  const dd = num(s, 'max_drawdown');
  const orders = orderCounts(s);
  const risk = riskState(s);
  const w = warnings(s);
  const refused = asRecord(s.refused_signals);
  const badRows = asRecord(s.bad_rows);
  const toneOf = (x: number | null): Tone => (x === null || x === 0 ? 'plain' : x > 0 ? 'good' : 'bad');
  return [
    card('Final equity', `${fmtNumber(num(s, 'final_equity'))} ${quote}`.trim(), `from ${fmtNumber(num(s, 'initial_equity'))}`),
    card('Return', fmtPct(ret, true), `exposure ${fmtPct(s.exposure)}`, toneOf(ret)),
    card(
      'Max drawdown',
      fmtPct(dd),
      s.max_drawdown_peak ? `peak ${str(s, 'max_drawdown_peak')} → trough ${str(s, 'max_drawdown_trough')}` : '',
      dd !== null && dd > 0.1 ? 'bad' : 'plain',
    ),
    card('Trades', fmtNumber(num(s, 'fills'), 0), `fills · turnover ${fmtAmounts(s.turnover)}`),
    card('Fees', fmtAmounts(s.fees_paid)),
    card(
      'Win rate',
      fmtPct(s.win_rate),
      `profit factor ${fmtFloat(num(s, 'profit_factor'))} · Sharpe ${fmtNumber(num(s, 'sharpe'))} · Sortino ${fmtNumber(num(s, 'sortino'))}`,
    ),
    card('Orders', fmtNumber(orders.total, 0), orders.byStatus.map(([k, n]) => `${k} ${n}`).join(' · ') || 'none'),
    card(
      'Kill switch',
      risk.state,
      [risk.reason, risk.ts].filter((x) => x !== undefined).join(' · '),
      risk.state === 'active' ? 'good' : risk.state === 'unknown' ? 'plain' : 'bad',
    ),
    card(
      'Warnings',
      String(w.length),
      `refused signals ${fmtNumber(typeof refused.count === 'number' ? refused.count : null, 0)} · bad rows ${fmtNumber(typeof badRows.count === 'number' ? badRows.count : null, 0)}`,
      w.length > 0 ? 'warn' : 'plain',
    ),
  ];
}

/** Every change of the kill switch's state (summary.json `risk.history`), at most 200 listed. */
function riskHistory(s: SummaryJson): string[][] {
  const history = asRecord(s.risk).history;
  if (!Array.isArray(history)) return [];
  const rows = history.slice(0, 200).map((h) => {
    const c = asRecord(h);
    const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '—');
    return [text(c.iso ?? c.ts), text(c.from), text(c.to), text(c.reason)];
  });
  if (history.length > 200) rows.push(['…', '', '', `${history.length - 200} more (see summary.json)`]);
  return rows;
}

function priceSection(data: ReportData, charts: ChartSpec[]): string {
  if (data.markets.length === 0) return '<p class="note">No market had a price or a trade in this run.</p>';
  const out: string[] = [];
  if (!data.hasPrices) {
    out.push('<p class="note">This run folder has no prices.csv (it was recorded before runs wrote one): trades are listed, but there is no price line to mark them on. Run the scenario again for the charts.</p>');
  }
  data.markets.forEach((m, i) => {
    const name = `${m.venue} ${m.symbol}`;
    out.push(`<h3>${esc(name)}</h3>`);
    if (m.prices.t.length === 0) {
      out.push(`<p class="note">${esc(`${m.fills} fills; no prices recorded for this market.`)}</p>`);
      return;
    }
    const id = `price-${i}`;
    charts.push({
      id,
      format: 'number',
      series: [
        {
          name,
          style: 'line',
          color: COLORS.price,
          precision: priceDecimals(m.prices.v),
          t: m.prices.t,
          v: m.prices.v,
          ...(m.markers.length > 0 ? { markers: markerSpecs(m.markers) } : {}),
        },
      ],
    });
    out.push(chartBox(id, priceCaption(m), 300));
  });
  return out.join('\n');
}

function priceCaption(m: MarketData): string {
  const grouped = m.markers.length < m.fills ? `, grouped into ${m.markers.length} markers (×n: fills per marker)` : '';
  // prices.csv already holds the kept marks (at most 5000 per market), so the count of samples taken is
  // not known when the page is rebuilt from it: the caption says what the rows are instead.
  return (
    `Mark price (last trade or mid) at the equity samples, ${m.prices.t.length} points (beyond 5000 samples, each stretch keeps its lowest and highest). ` +
    `▲ buys, ▼ sells at their fill price: ${m.fills} fills${grouped}.`
  );
}

function breakdowns(s: SummaryJson): string {
  const perVenue = asRecord(s.per_venue);
  const perSymbol = asRecord(s.per_symbol);
  const balances = asRecord(s.balances);
  const venueRows = Object.keys(perVenue)
    .sort()
    .map((venue) => {
      const v = asRecord(perVenue[venue]);
      return [venue, fmtNumber(typeof v.fills === 'number' ? v.fills : null, 0), fmtAmounts(v.buy_volume), fmtAmounts(v.sell_volume), fmtAmounts(v.notional), fmtAmounts(v.fees), fmtAmounts(v.realized_pnl)];
    });
  const symbolRows: string[][] = [];
  for (const venue of Object.keys(perSymbol).sort()) {
    const bySymbol = asRecord(perSymbol[venue]);
    for (const symbol of Object.keys(bySymbol).sort()) {
      const x = asRecord(bySymbol[symbol]);
      const n = (k: string) => (typeof x[k] === 'number' ? (x[k] as number) : null);
      symbolRows.push([venue, symbol, fmtNumber(n('fills'), 0), fmtFloat(n('buy_volume')), fmtFloat(n('sell_volume')), fmtFloat(n('notional')), fmtAmounts(x.fees), fmtFloat(n('realized_pnl'))]);
    }
  }
  const balanceRows: string[][] = [];
  for (const venue of Object.keys(balances).sort()) {
    const assets = asRecord(balances[venue]);
    for (const asset of Object.keys(assets).sort()) balanceRows.push([venue, asset, fmtAmount(assets[asset])]);
  }
  const out: string[] = [];
  out.push('<h3>Per venue</h3>');
  out.push(venueRows.length > 0 ? table(['venue', 'fills', 'bought', 'sold', 'notional', 'fees', 'realized P&L'], venueRows, [1]) : '<p class="note">No fills.</p>');
  out.push('<h3>Per symbol</h3>');
  out.push(
    symbolRows.length > 0
      ? table(['venue', 'symbol', 'fills', 'bought', 'sold', 'notional', 'fees', 'realized P&L'], symbolRows, [2, 3, 4, 5, 7])
      : '<p class="note">No fills.</p>',
  );
  out.push('<h3>Final balances</h3>');
  out.push(balanceRows.length > 0 ? table(['venue', 'asset', 'balance'], balanceRows, [2]) : '<p class="note">None.</p>');
  const refused = asRecord(asRecord(s.refused_signals).by_rule);
  const refusedRows = Object.keys(refused)
    .sort()
    .map((rule) => [rule, String(refused[rule])]);
  if (refusedRows.length > 0) {
    out.push('<h3>Refused signals by rule</h3>');
    out.push(table(['rule', 'signals'], refusedRows, [1]));
  }
  return out.join('\n');
}

/** Faults as orange squares on the equity chart, at most 500 (the timeline lists them all). */
function faultMarkerSpecs(f: FailuresView | undefined): MarkerSpec[] {
  if (f === undefined) return [];
  const out: MarkerSpec[] = [];
  for (const x of f.faults) {
    if (x.tsMs !== null && out.length < 500) out.push({ t: x.tsMs, kind: 'fault', text: x.kind });
  }
  return out.sort((a, b) => a.t - b.t);
}

function faultSection(f: FailuresView | undefined): string {
  if (f === undefined) return '<p class="note">No faults injected (this run folder has no failures.json).</p>';
  if (f.problem !== undefined) return `<p class="bad-text">${esc(f.problem)}</p>`;
  const out: string[] = [];
  out.push('<h3>Invariants</h3>');
  out.push(
    `<table><thead><tr><th>invariant</th><th>value</th></tr></thead><tbody>\n${f.invariants
      .map((i) => `<tr><td>${esc(i.name)}</td><td class="${i.ok ? 'good-text' : 'bad-text'}">${esc(i.value)}</td></tr>`)
      .join('\n')}\n</tbody></table>`,
  );
  if (f.findings.length > 0) out.push(`<ul class="warnings">\n${f.findings.map((x) => `<li>${esc(x)}</li>`).join('\n')}\n</ul>`);
  out.push(`<p>P&amp;L cost of the faults: <strong>${esc(f.pnlCost)}</strong></p>`);
  out.push(`<h3>Timeline (${f.faults.length} faults)</h3>`);
  if (f.faults.length === 0) {
    out.push('<p class="note">failures.json lists no fault.</p>');
  } else {
    // In time order (the file's order among equal or missing times).
    const ordered = [...f.faults].sort((a, b) => (a.tsMs ?? Number.POSITIVE_INFINITY) - (b.tsMs ?? Number.POSITIVE_INFINITY) || 0);
    const items = ordered.map(
      (x) =>
        `<li><div class="when">${esc([x.ts, x.market, x.entry].filter((p) => p !== '').join(' · '))}</div><strong>${esc(x.kind)}</strong>` +
        `${x.orders.length > 0 ? ` — orders ${esc(x.orders.join(', '))}` : ''}<br>` +
        `detected: ${esc(x.detected)} · action: ${esc(x.action)} · outcome: ${esc(x.outcome)} · recovered in ${esc(x.recover)}</li>`,
    );
    out.push(`<ol class="timeline">\n${items.join('\n')}\n</ol>`);
  }
  return out.join('\n');
}
