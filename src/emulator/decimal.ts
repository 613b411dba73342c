/**
 * Decimal strings for API responses and parsing of decimal request parameters.
 *
 * Binance prints every price and quantity with 8 decimals ("0.00100000"); Upbit prints plain decimals
 * ("0.01", "100000000"). Both are strings on the wire so that clients parse them exactly; exponent
 * forms ("1e-8") must never leak out, which `String(n)` would produce for small numbers.
 */
import { formatAtto } from '../domain/money.ts';
import type { Atto } from '../domain/types.ts';

/** `n` with exactly `decimals` decimals (Binance style). */
export function fixed(n: number, decimals = 8): string {
  const s = n.toFixed(decimals);
  return s.startsWith('-') && Number(s) === 0 ? s.slice(1) : s;
}

/** An atto amount with exactly `decimals` decimals, rounded half away from zero. */
export function fixedAtto(a: Atto, decimals = 8): string {
  const s = formatAtto(a, decimals);
  const dot = s.indexOf('.');
  if (decimals === 0) return s;
  if (dot < 0) return `${s}.${'0'.repeat(decimals)}`;
  return s + '0'.repeat(decimals - (s.length - dot - 1));
}

/**
 * An exact atto amount written with at least `decimals` decimals (Binance style), never rounded: the
 * emulated venue charges fees to the atto, so it must report them to the atto too, or a client's
 * ledger and the venue's balances would drift apart by the rounding.
 */
export function exactAtto(a: Atto, decimals = 8): string {
  const s = formatAtto(a);
  const dot = s.indexOf('.');
  const have = dot < 0 ? 0 : s.length - dot - 1;
  if (have >= decimals) return s;
  return (dot < 0 ? `${s}.` : s) + '0'.repeat(decimals - have);
}

/** Shortest plain decimal form of `n`, never with an exponent (Upbit style). */
export function plain(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

/** Plain decimal form of an atto amount. */
export function plainAtto(a: Atto): string {
  return formatAtto(a);
}

const DECIMAL = /^(\d{1,20})(\.\d{1,20})?$/;

/** A non-negative decimal parameter, or undefined when it is not one (the caller names the error). */
export function parseDecimal(v: string | undefined): number | undefined {
  if (v === undefined || !DECIMAL.test(v)) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** The number of decimals needed to write `step` exactly (0.01 → 2), capped at 18. */
export function decimalsFor(step: number): number {
  for (let d = 0; d <= 18; d++) {
    const x = step * 10 ** d;
    if (Math.abs(x - Math.round(x)) < 1e-9 * Math.max(1, x)) return d;
  }
  return 18;
}
