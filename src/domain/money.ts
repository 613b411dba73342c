/**
 * Exact fixed-point money: every accumulated amount is a bigint of atto-units (1e-18 of the asset).
 * Conversions from numbers go through their shortest decimal representation, so a price that was
 * rounded to its market's precision (e.g. 0.1) converts to exactly 1e17 atto, not 0.1000000000000000055.
 */
import type { Atto } from './types.ts';

export const ATTO_DECIMALS = 18;
export const ATTO_PER_UNIT = 10n ** 18n;
const POW10: bigint[] = Array.from({ length: 40 }, (_, i) => 10n ** BigInt(i));

export const ZERO: Atto = 0n;

/** Parses a decimal string (`-12.345`, `1e-8`) into atto-units; throws on anything else. */
export function parseAtto(text: string): Atto {
  const s = text.trim();
  const m = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) {
    throw new RangeError(`not a decimal number: "${text}"`);
  }
  const sign = m[1] === '-' ? -1n : 1n;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  const exp = m[4] ? Number(m[4]) : 0;
  const digits = (intPart + fracPart).replace(/^0+(?=\d)/, '') || '0';
  // value = digits × 10^(exp − fracLen); in atto: × 10^18
  const shift = exp - fracPart.length + ATTO_DECIMALS;
  let v = BigInt(digits);
  if (shift >= 0) v *= POW10[shift] ?? 10n ** BigInt(shift);
  else {
    const d = POW10[-shift] ?? 10n ** BigInt(-shift);
    // Half-up rounding below 1e-18; only reachable with absurd precision.
    v = (v + d / 2n) / d;
  }
  return sign * v;
}

/** Converts a finite number to atto-units via its shortest round-trip decimal form. */
export function toAtto(value: number): Atto {
  // Fast paths (hot in matching). Integers convert directly. Below 4e7 doubles are finer than 1e-8, so
  // a value that round-trips through an integer of 1e-8 units has exactly that decimal form.
  if (Number.isSafeInteger(value)) return BigInt(value) * ATTO_PER_UNIT;
  if (value < 4e7 && value > -4e7) {
    const scaled = Math.round(value * 1e8);
    if (scaled / 1e8 === value) return BigInt(scaled) * ATTO_PER_1E8;
  }
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return parseAtto(String(value));
}
const ATTO_PER_1E8 = 10n ** 10n;

/** Formats atto-units as a plain decimal string with trailing zeros trimmed (`-0.5`, `12`). */
export function formatAtto(value: Atto, maxDecimals = ATTO_DECIMALS): string {
  let v = value;
  if (maxDecimals < ATTO_DECIMALS) {
    const d = POW10[ATTO_DECIMALS - maxDecimals]!;
    v = roundHalfAwayDiv(v, d) * d;
  }
  if (v === 0n) return '0';
  // One bigint → decimal conversion, then the point is placed by slicing: no bigint division, no
  // padding or regex (this runs several times per fill on the report path).
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString();
  const n = digits.length;
  // Trailing zeros of the fraction (the last 18 digits) are dropped.
  let end = n;
  const fracStart = n - ATTO_DECIMALS;
  while (end > fracStart && end > 0 && digits.charCodeAt(end - 1) === 48) end--;
  let body: string;
  if (fracStart > 0) body = end === fracStart ? digits.slice(0, fracStart) : `${digits.slice(0, fracStart)}.${digits.slice(fracStart, end)}`;
  else body = `0.${ZEROS.slice(0, -fracStart)}${digits.slice(0, end)}`;
  return neg ? `-${body}` : body;
}
const ZEROS = '0'.repeat(ATTO_DECIMALS);

/**
 * A double close to an atto amount, for valuation, statistics and charts — never for balances. Exact
 * (the nearest double) whenever the amount has at most 15 significant digits, else within 1 ulp.
 */
export function attoToNumber(value: Atto): number {
  // Integer and fraction apart: each converts exactly for ordinary amounts, so the sum is the nearest
  // double (Number(1e23n) / 1e18 alone would give 99999.99999999999 for 100000).
  const int = value / ATTO_PER_UNIT;
  const frac = value - int * ATTO_PER_UNIT;
  return frac === 0n ? Number(int) : Number(int) + Number(frac) / 1e18;
}

/** a × b where both are atto-denominated; result in atto (truncated toward zero). */
export function mulAtto(a: Atto, b: Atto): Atto {
  return (a * b) / ATTO_PER_UNIT;
}

/**
 * `amount × rate` rounded half away from zero to atto, where `rate` is a number such as a fee rate
 * (0.001). Used for fees: exact whenever the rate has ≤ 18 decimals, which every real fee schedule has.
 */
export function mulRate(amount: Atto, rate: number): Atto {
  return roundHalfAwayDiv(amount * toAtto(rate), ATTO_PER_UNIT);
}

/** Integer division rounding half away from zero. */
export function roundHalfAwayDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= (d < 0n ? -d : d)) return q + ((n < 0n) !== (d < 0n) ? -1n : 1n);
  return q;
}

/** Exact notional of price × quantity in quote atto-units. */
export function notionalAtto(price: number, quantity: number): Atto {
  return mulAtto(toAtto(price), toAtto(quantity));
}

export function minAtto(a: Atto, b: Atto): Atto {
  return a < b ? a : b;
}

export function absAtto(a: Atto): Atto {
  return a < 0n ? -a : a;
}
