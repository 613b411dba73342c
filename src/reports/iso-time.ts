/**
 * Event time as ISO 8601 (`2024-01-01T00:03:00.000Z`), the format of every time in the reports.
 *
 * It runs three times per fill/order pair on a million-order run, and `new Date(ts).toISOString()`
 * costs ~0.5 µs. Event times come in order, so consecutive calls nearly always fall on the same UTC
 * day: the day's prefix is cached and the time of day is built from integer arithmetic (~0.1 µs).
 * The output is the same as `toISOString()` for every input (checked against it in the tests).
 */
import type { TimeMs } from '../domain/types.ts';

const DAY_MS = 86_400_000;
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
/** `.mmmZ` for every millisecond: the end of every result is one table lookup. */
const MS_Z = Array.from({ length: 1000 }, (_, i) => `.${String(i).padStart(3, '0')}Z`);

/** Start of the cached UTC day, and its `YYYY-MM-DDT` prefix. */
let dayStart = Number.NaN;
let dayPrefix = '';
/** Start of the cached second (within the cached day), and its `YYYY-MM-DDTHH:MM:SS` prefix. */
let secStart = Number.NaN;
let secPrefix = '';

/** Event time as ISO 8601; a timestamp that is not a date is a bug upstream, named by `field`. */
export function isoTime(ts: TimeMs, field: string): string {
  // Consecutive times mostly fall in the same second: one concatenation.
  const inSec = ts - secStart;
  if (inSec >= 0 && inSec < 1000 && Number.isInteger(ts)) return secPrefix + MS_Z[inSec]!;
  const t = ts - dayStart;
  // Integers only: Date truncates fractions toward zero, which the arithmetic below would not.
  if (t >= 0 && t < DAY_MS && Number.isInteger(ts)) {
    const s = (t / 1000) | 0;
    secStart = dayStart + s * 1000;
    secPrefix = `${dayPrefix}${PAD2[(s / 3600) | 0]}:${PAD2[((s / 60) | 0) % 60]}:${PAD2[s % 60]}`;
    return secPrefix + MS_Z[t % 1000]!;
  }
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) throw new RangeError(`${field}: ${ts} is not a valid timestamp`);
  const iso = d.toISOString();
  // Years 0–9999 only (a 24-character form); extended years (`+010000-…`) are not cached.
  if (iso.length === 24 && Number.isInteger(ts)) {
    dayStart = ts - (((ts % DAY_MS) + DAY_MS) % DAY_MS);
    dayPrefix = iso.slice(0, 11);
    secStart = ts - (((ts % 1000) + 1000) % 1000);
    secPrefix = iso.slice(0, 19);
  }
  return iso;
}

/**
 * `isoTime(ts, field)` written as bytes into `buf` at `at` (the caller guarantees 27 bytes of room,
 * the longest form); returns the position after it. The common case — a time on the cached day —
 * writes digits straight from integer arithmetic and builds no string.
 */
export function isoTimeInto(buf: Uint8Array, at: number, ts: TimeMs, field: string): number {
  const t = ts - dayStart;
  if (t >= 0 && t < DAY_MS && Number.isInteger(ts)) {
    const prefix = dayPrefix;
    let u = at;
    for (let i = 0; i < prefix.length; i++) buf[u++] = prefix.charCodeAt(i);
    const s = (t / 1000) | 0;
    const h = (s / 3600) | 0;
    const m = ((s / 60) | 0) % 60;
    const sec = s % 60;
    const ms = t % 1000;
    buf[u++] = 48 + ((h / 10) | 0);
    buf[u++] = 48 + (h % 10);
    buf[u++] = 58; // ':'
    buf[u++] = 48 + ((m / 10) | 0);
    buf[u++] = 48 + (m % 10);
    buf[u++] = 58;
    buf[u++] = 48 + ((sec / 10) | 0);
    buf[u++] = 48 + (sec % 10);
    buf[u++] = 46; // '.'
    buf[u++] = 48 + ((ms / 100) | 0);
    buf[u++] = 48 + (((ms / 10) | 0) % 10);
    buf[u++] = 48 + (ms % 10);
    buf[u++] = 90; // 'Z'
    return u;
  }
  // Not on the cached day: the string form (which also moves the cache to this day).
  const iso = isoTime(ts, field);
  let u = at;
  for (let i = 0; i < iso.length; i++) buf[u++] = iso.charCodeAt(i);
  return u;
}
