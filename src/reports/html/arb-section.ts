/**
 * The page's Arbitrage section, from arbitrage.json: headline cards; opportunities seen, taken and
 * skipped by reason; outcomes; P&L per venue; inventory drift with the transfers that would restore
 * it; the premium chart; the trades. Every text is escaped (through `table`, `card` or `esc`).
 */
import { MAX_TRADE_ROWS, executorTotals, type ArbCounts, type ArbTradeView, type ArbitrageView } from './arb-view.ts';
import { escapeHtml as esc } from './escape.ts';
import { COLORS, card, chartBox, fmtAmount, fmtFloat, fmtNumber, pointsCaption, table, type ChartSpec, type SeriesSpec, type Tone } from './page-parts.ts';

/** The section's body; pushes the premium chart onto `charts` when there is a series to draw. */
export function arbitrageSection(a: ArbitrageView, charts: ChartSpec[]): string {
  if (a.problem !== undefined) return `<p class="bad-text">${esc(a.problem)}</p>`;
  const ref = a.referenceQuote;
  const out: string[] = [];
  out.push(`<div class="meta">${esc(metaLine(a))}</div>`);
  out.push(`<div class="cards">\n${cards(a).join('\n')}\n</div>`);

  out.push('<h3>Opportunities</h3>');
  const sources: [string, ArbCounts][] = [
    ['detector evaluations', a.detector],
    ['detector → executor', a.fromDetector],
    ['signal rows → executor', a.fromSignals],
  ];
  out.push(
    table(
      ['source', 'seen', 'taken', 'skipped'],
      sources.map(([name, c]) => [name, count(c.seen), count(c.taken), count(skippedTotal(c))]),
      [1, 2, 3],
      'arb-opportunities',
    ),
  );
  out.push(
    '<p class="note">Detector evaluations: each pair, direction and moment checked; taken = cleared the threshold. ' +
      'Executor rows: the candidates it considered (from the detector, or <code>side: arb</code> signal rows), took, and skipped.</p>',
  );
  const reasons = [...new Set(sources.flatMap(([, c]) => c.skipped.map(([r]) => r)))];
  if (reasons.length > 0) {
    const of = (c: ArbCounts, r: string) => count(c.skipped.find(([k]) => k === r)?.[1] ?? 0);
    out.push('<h3>Skipped by reason</h3>');
    out.push(table(['reason', ...sources.map(([n]) => n)], reasons.map((r) => [r, ...sources.map(([, c]) => of(c, r))]), [1, 2, 3], 'arb-skipped'));
  }

  out.push('<h3>Outcomes</h3>');
  out.push(table(['outcome', 'arbitrages'], a.outcomes.map(([k, n]) => [k, count(n)]), [1], 'arb-outcomes'));

  out.push(`<h3>P&amp;L per venue (${esc(ref || 'reference quote')})</h3>`);
  out.push(table(['venue', 'P&L'], [...a.pnlByVenue.map(([v, p]) => [v, money(p)]), ['total', money(a.pnlTotal)]], [1], 'arb-pnl'));
  if (a.basePrice.length > 0) {
    const prices = a.basePrice.map(([asset, p]) => `${asset} at ${money(p)} ${ref}`.trim()).join(', ');
    out.push(`<p class="note">${esc(`Base assets valued at one end price for every venue (${prices}); quote amounts at the rate when each arbitrage started.`)}</p>`);
  }
  if (a.residualByAsset.length > 0) {
    out.push(`<p>${esc(`Residual exposure: ${a.residualByAsset.map(([asset, q]) => `${fmtFloat(q)} ${asset}`).join(', ')}.`)}</p>`);
  }

  out.push('<h3>Inventory drift</h3>');
  out.push(
    a.inventory.length > 0
      ? table(['venue', 'asset', 'initial', 'final', 'drift'], a.inventory.map((r) => [r.venue, r.asset, fmtAmount(r.initial), fmtAmount(r.final), fmtAmount(r.drift)]), [2, 3, 4], 'arb-inventory')
      : '<p class="note">No inventory reported.</p>',
  );
  out.push('<h3>Transfers that would restore it (not executed)</h3>');
  out.push(
    a.transfers.length > 0
      ? table(['asset', 'from', 'to', 'amount'], a.transfers.map((t) => [t.asset, t.from, t.to, fmtAmount(t.amount)]), [3], 'arb-transfers')
      : '<p class="note">None needed.</p>',
  );
  if (a.conversions.length > 0) {
    out.push('<h3>Left for a conversion (the asset is held on one venue only)</h3>');
    out.push(table(['venue', 'asset', 'amount', `value (${ref})`], a.conversions.map((c) => [c.venue, c.asset, fmtAmount(c.amount), money(c.valueRef)]), [2, 3], 'arb-conversions'));
  }

  out.push('<h3>Premium</h3>');
  out.push(premiumChart(a, charts));

  out.push(`<h3>Trades (${esc(count(a.tradeCount))})</h3>`);
  out.push(tradesTable(a, ref));
  return out.join('\n');
}

function metaLine(a: ArbitrageView): string {
  return [
    `policy ${a.policy}`,
    a.sequential === null ? '' : a.sequential ? 'legs one after the other' : 'legs at once',
    a.thresholdBps === null ? '' : `threshold ${fmtFloat(a.thresholdBps)} bps`,
    a.referenceQuote === '' ? '' : `reference quote ${a.referenceQuote}`,
  ]
    .filter((x) => x !== '')
    .join(' · ');
}

function cards(a: ArbitrageView): string[] {
  const { seen, taken } = executorTotals(a);
  const byOutcome = new Map(a.outcomes);
  const troubled = a.outcomes.filter(([k]) => k !== 'complete').reduce((t, [, n]) => t + n, 0);
  const tone: Tone = a.pnlTotal === null || a.pnlTotal === 0 ? 'plain' : a.pnlTotal > 0 ? 'good' : 'bad';
  const residual = a.residualByAsset.map(([asset, q]) => `${fmtFloat(q)} ${asset}`).join(' · ');
  return [
    card('Arbitrages taken', count(taken), `of ${count(seen)} seen`),
    card('Arbitrage P&L', `${money(a.pnlTotal)} ${a.referenceQuote}`.trim(), a.pnlByVenue.map(([v, p]) => `${v} ${money(p)}`).join(' · '), tone),
    card('Complete', count(byOutcome.get('complete') ?? 0), `${count(troubled)} not complete`, troubled > 0 ? 'warn' : 'plain'),
    card('Residual', residual === '' ? 'none' : residual, '', residual === '' ? 'plain' : 'warn'),
    card('Recovered', count(a.recovered), 'trades finished after a crash', a.recovered > 0 ? 'warn' : 'plain'),
  ];
}

const PREMIUM_COLORS = [COLORS.premium, COLORS.equityB, COLORS.drawdownB, COLORS.equity] as const;

function premiumChart(a: ArbitrageView, charts: ChartSpec[]): string {
  const drawn = a.premium.filter((p) => p.series.t.length > 0);
  if (drawn.length === 0) return '<p class="note">No premium samples (no moment had both books and the rate fresh).</p>';
  const series: SeriesSpec[] = drawn.map((p, i) => ({
    name: `${p.b} over ${p.a}`,
    style: 'line',
    color: PREMIUM_COLORS[i % PREMIUM_COLORS.length]!,
    precision: 2,
    t: p.series.t,
    v: p.series.v,
  }));
  charts.push({ id: 'premium', format: 'number', series });
  const captions = drawn.map(
    (p) =>
      `${p.b} over ${p.a}: ${pointsCaption(p.series)} of ${count(p.samples)} samples; ` +
      `min ${fmtNumber(p.minBps)}, mean ${fmtNumber(p.meanBps)}, max ${fmtNumber(p.maxBps)} bps`,
  );
  return chartBox('premium', `Premium, bps (10⁴ × (B / A − 1) at the mids, converted to one quote). ${captions.join('. ')}.`, 280);
}

function tradesTable(a: ArbitrageView, ref: string): string {
  if (a.tradeCount === 0) return '<p class="note">No arbitrage was taken.</p>';
  const head = ['id', 'detected', 'buy → sell', 'size', 'expected net bps', 'realized net bps', 'buy slippage bps', 'sell slippage bps', 'outcome', 'residual', `P&L ${ref}`.trim()];
  const rows = a.trades.map((t) => tradeRow(t));
  const left = a.tradeCount - a.trades.length;
  const note = left > 0 ? `<p class="note">${esc(`The first ${MAX_TRADE_ROWS} of ${count(a.tradeCount)} trades; ${count(left)} more are in arbitrage.json.`)}</p>\n` : '';
  return `${note}<div class="scroll-x">${table(head, rows, [3, 4, 5, 6, 7, 10], 'arb-trades')}</div>`;
}

function tradeRow(t: ArbTradeView): string[] {
  const id = [t.id, t.signalId !== undefined ? `signal ${t.signalId}` : '', t.recovered ? 'recovered' : ''].filter((x) => x !== '').join(' · ');
  const r = t.residual;
  return [
    id,
    t.detected,
    `${t.buy} → ${t.sell}`,
    fmtFloat(t.size),
    bps(t.expectedNetBps),
    bps(t.realizedNetBps),
    bps(t.buySlippageBps),
    bps(t.sellSlippageBps),
    t.note !== undefined ? `${t.outcome} (${t.note})` : t.outcome,
    r === undefined ? '' : `${fmtFloat(r.quantity)} ${r.asset} on ${r.venue}`,
    money(t.pnl),
  ];
}

// ---- figures -----------------------------------------------------------------------------------

function count(x: number | null): string {
  return fmtNumber(x, 0);
}

function money(x: number | null): string {
  return fmtNumber(x, 2);
}

/** Basis points, or a dash when there is none (a leg that filled nothing has no price). */
function bps(x: number | null): string {
  return x === null ? '—' : fmtNumber(x, 2);
}

function skippedTotal(c: ArbCounts): number {
  return c.skipped.reduce((t, [, n]) => t + n, 0);
}
