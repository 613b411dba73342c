/**
 * The comparison page's arbitrage figures, when both runs have arbitrage.json: opportunities seen and
 * taken, each outcome, trades recovered after a crash, and total P&L, with the difference (B − A).
 */
import { executorTotals, type ArbitrageView } from './arb-view.ts';
import { figuresTable, numericRow, signed, type FigureRow } from './compare-table.ts';
import { escapeHtml as esc } from './escape.ts';
import { fmtNumber } from './page-parts.ts';

/** The section's body, or undefined when either run has no arbitrage.json. */
export function arbitrageComparison(a: ArbitrageView | undefined, b: ArbitrageView | undefined): string | undefined {
  if (a === undefined || b === undefined) return undefined;
  const problems = [a.problem && `A: ${a.problem}`, b.problem && `B: ${b.problem}`].filter((x): x is string => typeof x === 'string' && x !== '');
  if (problems.length > 0) return problems.map((p) => `<p class="bad-text">${esc(p)}</p>`).join('\n');
  const sameQuote = a.referenceQuote === b.referenceQuote;
  const note = sameQuote
    ? `<p class="note">${esc(`P&L in ${a.referenceQuote || 'the reference quote'}.`)}</p>`
    : `<p class="note">${esc(`P&L: A in ${a.referenceQuote}, B in ${b.referenceQuote}: not the same currency, no difference given.`)}</p>`;
  return `${figuresTable(rows(a, b, sameQuote), 'arb-compare')}\n${note}`;
}

function rows(a: ArbitrageView, b: ArbitrageView, sameQuote: boolean): FigureRow[] {
  const count = (v: number | null) => fmtNumber(v, 0);
  const countDelta = (d: number) => signed(fmtNumber(d, 0), d);
  const money = (v: number | null) => fmtNumber(v, 2);
  const [ta, tb] = [executorTotals(a), executorTotals(b)];
  const out: FigureRow[] = [
    numericRow('opportunities seen', ta.seen, tb.seen, count, countDelta),
    numericRow('arbitrages taken', ta.taken, tb.taken, count, countDelta),
  ];
  const outcomeOf = (v: ArbitrageView, k: string) => v.outcomes.find(([x]) => x === k)?.[1] ?? 0;
  // A's outcomes in its order, then any only B has.
  const names = [...new Set([...a.outcomes.map(([k]) => k), ...b.outcomes.map(([k]) => k)])];
  for (const k of names) out.push(numericRow(`outcome ${k}`, outcomeOf(a, k), outcomeOf(b, k), count, countDelta, k === 'complete' ? true : undefined));
  out.push(numericRow('recovered after a crash', a.recovered, b.recovered, count, countDelta));
  out.push(
    sameQuote
      ? numericRow('total P&L', a.pnlTotal, b.pnlTotal, money, (d) => signed(fmtNumber(d, 2), d), true)
      : { label: 'total P&L', a: `${money(a.pnlTotal)} ${a.referenceQuote}`, b: `${money(b.pnlTotal)} ${b.referenceQuote}`, delta: 'n/a', tone: 'plain' },
  );
  return out;
}
