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
