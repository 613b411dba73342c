/**
 * The comparison page's figure tables: one row per figure with run A, run B and the difference
 * (B − A), coloured by whether the change is for the better.
 */
import { escapeHtml as esc } from './escape.ts';

export interface FigureRow {
  readonly label: string;
  readonly a: string;
  readonly b: string;
  readonly delta: string;
  /** Sign of the change for colouring: better, worse, or neither. */
  readonly tone: 'good' | 'bad' | 'plain';
}

/** `+` in front of a positive difference (a negative one carries its own sign). */
export function signed(text: string, d: number): string {
  return d > 0 ? `+${text}` : text;
}

/**
 * A row of two numbers and their difference, formatted by `fmt` and `deltaFmt`. `higher`: whether a
 * higher value is better (for colour), or undefined for neither.
 */
export function numericRow(
  label: string,
  x: number | null,
  y: number | null,
  fmt: (v: number | null) => string,
  deltaFmt: (d: number) => string,
  higher?: boolean,
): FigureRow {
  const d = x !== null && y !== null ? y - x : null;
  const tone = d === null || d === 0 || higher === undefined ? 'plain' : d > 0 === higher ? 'good' : 'bad';
  return { label, a: fmt(x), b: fmt(y), delta: d === null ? 'n/a' : deltaFmt(d), tone };
}

export function figuresTable(rs: readonly FigureRow[], id?: string): string {
  const body = rs
    .map(
      (r) =>
        `<tr><td>${esc(r.label)}</td><td class="num">${esc(r.a)}</td><td class="num">${esc(r.b)}</td>` +
        `<td class="num${r.tone === 'good' ? ' good-text' : r.tone === 'bad' ? ' bad-text' : ''}">${esc(r.delta)}</td></tr>`,
    )
    .join('\n');
  const attr = id === undefined ? '' : ` id="${esc(id)}"`;
  return `<table${attr}><thead><tr><th>figure</th><th class="num">A</th><th class="num">B</th><th class="num">B − A</th></tr></thead><tbody>\n${body}\n</tbody></table>`;
}
