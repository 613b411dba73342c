/**
 * Timestamp parsing for input files, on the hot path of every reader.
 *
 * Accepted: epoch milliseconds as plain digits; `YYYY-MM-DD[T ]HH:MM:SS[.fff…]` followed by nothing
 * (UTC), `Z`, or a numeric offset (`+00:00`, `+0900`, `-05:00`). Those layouts are decoded by hand from
 * fixed positions with `Date.UTC`, which is several times faster than `Date.parse`. Anything else that
 * still starts with a `YYYY-MM-DD` date falls back to `Date.parse` (with `Z` appended when it carries no
 * zone, so the result never depends on the machine's time zone). Strings that do not start with a date
 * are refused rather than handed to `Date.parse`, whose non-ISO forms are read in local time.
 */

/** What the error message says we accept. */
export const TIMESTAMP_EXPECTED =
  'expected an ISO 8601 time (e.g. 2025-05-26T00:00:00Z), "YYYY-MM-DD HH:MM:SS" (UTC) or epoch milliseconds';

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two decimal digits at `i`, or -1. `>>> 0` folds "below '0'" into "above 9". */
function d2(s: string, i: number): number {
  const a = (s.charCodeAt(i) - 48) >>> 0;
  const b = (s.charCodeAt(i + 1) - 48) >>> 0;
  return a > 9 || b > 9 ? -1 : a * 10 + b;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Parses a timestamp to epoch ms; returns NaN when it is not one of the accepted forms. */
export function parseTimestamp(s: string): number {
  const n = s.length;
  if (
    n >= 19 &&
    s.charCodeAt(4) === 45 && // '-'
    s.charCodeAt(7) === 45 &&
    (s.charCodeAt(10) === 84 || s.charCodeAt(10) === 32) && // 'T' or ' '
    s.charCodeAt(13) === 58 && // ':'
    s.charCodeAt(16) === 58
  ) {
    const fast = parseIsoFixed(s, n);
    return fast === TRY_SLOW ? parseSlow(s) : fast;
  }
  // Epoch milliseconds: digits only. Checked after the date layout, which is the common case.
  if (n > 0 && n <= 16) {
    let i = 0;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
    if (i === n) return Number(s);
  }
  return parseSlow(s);
}

/** Returned by the fixed decoder for a valid date-time followed by a zone form it does not know. */
const TRY_SLOW = Infinity;

/** True when y-m-d is a real calendar day (Date.UTC and Date.parse would roll Feb 30 into March). */
function isCalendarDay(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 1 : 0;
  return d <= DAYS_IN_MONTH[mo - 1]! + leap;
}

/** The fixed-position decoder: NaN for impossible values, TRY_SLOW for an unknown zone suffix. */
function parseIsoFixed(s: string, n: number): number {
  const y1 = d2(s, 0);
  const y2 = d2(s, 2);
  const mo = d2(s, 5);
  const d = d2(s, 8);
  const h = d2(s, 11);
  const mi = d2(s, 14);
  const se = d2(s, 17);
  if ((y1 | y2 | mo | d | h | mi | se) < 0) return NaN;
  const y = y1 * 100 + y2;
  if (!isCalendarDay(y, mo, d) || h > 23 || mi > 59 || se > 59) return NaN;
  let i = 19;
  let ms = 0;
  if (i < n && s.charCodeAt(i) === 46) {
    // Fraction: keep milliseconds (first three digits), truncate finer digits (µs/ns stamps).
    i++;
    const start = i;
    let scale = 100;
    while (i < n && isDigit(s.charCodeAt(i))) {
      if (scale >= 1) ms += (s.charCodeAt(i) - 48) * scale;
      scale /= 10;
      i++;
    }
    if (i === start) return NaN;
  }
  let offsetMin = 0;
  if (i < n) {
    const c = s.charCodeAt(i);
    if (c === 90 && i === n - 1) {
      // 'Z'
    } else if ((c === 43 || c === 45) && (n - i === 6 || n - i === 5)) {
      // ±HH:MM or ±HHMM
      const oh = d2(s, i + 1);
      const om = d2(s, n - 2);
      if (oh < 0 || om < 0 || (n - i === 6 && s.charCodeAt(i + 3) !== 58)) return NaN;
      offsetMin = (c === 43 ? 1 : -1) * (oh * 60 + om);
    } else {
      return TRY_SLOW;
    }
  }
  return Date.UTC(y, mo - 1, d, h, mi, se, ms) - offsetMin * 60_000;
}

const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})/;
const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;

function parseSlow(s: string): number {
  const t = s.trim();
  const m = DATE_PREFIX.exec(t);
  if (m === null || !isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]))) return NaN;
  // A date-only string is UTC for Date.parse already; a date-time without a zone would be local time.
  return Date.parse(t.length === 10 || HAS_ZONE.test(t) ? t : `${t}Z`);
}
