/**
 * Deterministic JSON: object keys sorted, non-integer numbers rounded to a fixed number of significant
 * digits, and anything JSON cannot represent faithfully (NaN, ±Infinity, bigint, undefined in an array,
 * functions) rejected with the path to it — a NaN in a report is a bug upstream, not a value to hide.
 *
 * Rounding makes the file byte-stable against float noise in the last bits (a sum taken in another
 * order); integers are left alone so counts and millisecond timestamps stay exact.
 */

export const SIGNIFICANT_DIGITS = 12;

/** Rounds a finite non-integer to `digits` significant digits; integers and -0 come back as is (−0 → 0). */
export function roundSignificant(x: number, digits = SIGNIFICANT_DIGITS): number {
  if (Number.isInteger(x)) return x === 0 ? 0 : x;
  return Number(x.toPrecision(digits));
}

/**
 * `String(roundSignificant(x, digits))` written as bytes into `buf` at `at` (the caller guarantees 32
 * bytes of room); returns the position after it. It writes every equity.csv row, twice, so it skips
 * the two slow conversions in between: the digits of `x.toPrecision(digits)` are laid out as Number's
 * toString lays out that value (a decimal of at most 15 significant digits round-trips through a
 * double, so its shortest form is the same digits with trailing zeros dropped).
 */
export function significantInto(buf: Uint8Array, at: number, x: number, digits = SIGNIFICANT_DIGITS): number {
  let u = at;
  // Integers print as they are; subnormals carry fewer than 15 digits of precision, so the premise
  // fails there; both (and anything odd) take the plain path.
  if (Number.isInteger(x) || !Number.isFinite(x) || digits > 15 || Math.abs(x) < 1e-290) {
    const str = String(roundSignificant(x, digits));
    for (let i = 0; i < str.length; i++) buf[u++] = str.charCodeAt(i);
    return u;
  }
  const p = x.toPrecision(digits);
  let i = 0;
  if (p.charCodeAt(0) === 45) {
    buf[u++] = 45; // '-'
    i = 1;
  }
  // The significant digits of p (no point, no leading zeros) into DIGITS, and `n`: where the
  // decimal point sits relative to the first of them (Number's `n`).
  let k = 0;
  let n = 0;
  let seenDot = false;
  let leading = true;
  for (; i < p.length; i++) {
    const c = p.charCodeAt(i);
    if (c === 46) {
      seenDot = true;
      continue;
    }
    if (c === 101) {
      // 'e': the exponent fixes n.
      n = Number(p.slice(i + 1)) + 1;
      seenDot = true; // digits after this point are not counted into n below
      break;
    }
    if (leading && c === 48) {
      if (seenDot) n--; // 0.00ddd: each zero after the point moves it left
      continue;
    }
    leading = false;
    DIGITS[k++] = c;
    if (!seenDot) n++;
  }
  while (k > 1 && DIGITS[k - 1] === 48) k--;
  if (k <= n && n <= 21) {
    for (let j = 0; j < k; j++) buf[u++] = DIGITS[j]!;
    for (let j = k; j < n; j++) buf[u++] = 48;
  } else if (0 < n && n <= 21) {
    for (let j = 0; j < n; j++) buf[u++] = DIGITS[j]!;
    buf[u++] = 46;
    for (let j = n; j < k; j++) buf[u++] = DIGITS[j]!;
  } else if (-6 < n && n <= 0) {
    buf[u++] = 48;
    buf[u++] = 46;
    for (let j = 0; j < -n; j++) buf[u++] = 48;
    for (let j = 0; j < k; j++) buf[u++] = DIGITS[j]!;
  } else {
    buf[u++] = DIGITS[0]!;
    if (k > 1) {
      buf[u++] = 46;
      for (let j = 1; j < k; j++) buf[u++] = DIGITS[j]!;
    }
    const exp = n - 1;
    buf[u++] = 101;
    buf[u++] = exp < 0 ? 45 : 43;
    const e = String(Math.abs(exp));
    for (let j = 0; j < e.length; j++) buf[u++] = e.charCodeAt(j);
  }
  return u;
}
const DIGITS = new Uint8Array(32);

/** `String(roundSignificant(x, digits))`, through `significantInto` (for tests and one-off use). */
export function significantText(x: number, digits = SIGNIFICANT_DIGITS): string {
  const buf = new Uint8Array(48);
  const end = significantInto(buf, 0, x, digits);
  return Buffer.from(buf.buffer, 0, end).toString('latin1');
}

/** Serializes `value` with sorted keys and rounded numbers, two-space indented, newline-terminated. */
export function stableStringify(value: unknown, digits = SIGNIFICANT_DIGITS): string {
  return `${JSON.stringify(normalize(value, digits, '$'), null, 2)}\n`;
}

/** A plain-data copy of `value` with sorted keys and rounded numbers; throws on what JSON cannot hold. */
export function normalize(value: unknown, digits: number, path: string): unknown {
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} cannot be written as JSON`);
      return roundSignificant(value, digits);
    case 'string':
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) return value.map((v, i) => normalize(v, digits, `${path}[${i}]`));
      // A Map, Date or class instance would be written as {} or by its own toJSON: say so instead.
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`${path}: a ${value.constructor?.name ?? 'non-plain object'} is not plain JSON data`);
      }
      // (Integer-like keys such as "10" still come first in numeric order: JS objects keep them so.
      // That order is as deterministic as the sort.)
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) {
        const v = (value as Record<string, unknown>)[key];
        // Like JSON.stringify, an undefined property is omitted (optional fields simply absent).
        if (v !== undefined) out[key] = normalize(v, digits, `${path}.${key}`);
      }
      return out;
    }
    default:
      throw new TypeError(`${path}: a ${typeof value} cannot be written as JSON`);
  }
}
