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
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** Start of the cached UTC day, and its `YYYY-MM-DDT` prefix. */
let dayStart = Number.NaN;
let dayPrefix = '';

/** Event time as ISO 8601; a timestamp that is not a date is a bug upstream, named by `field`. */
export function isoTime(ts: TimeMs, field: string): string {
  const t = ts - dayStart;
  // Integers only: Date truncates fractions toward zero, which the arithmetic below would not.
  if (t >= 0 && t < DAY_MS && Number.isInteger(ts)) {
    const s = (t / 1000) | 0;
    return `${dayPrefix}${PAD2[(s / 3600) | 0]}:${PAD2[((s / 60) | 0) % 60]}:${PAD2[s % 60]}.${PAD3[t % 1000]}Z`;
  }
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) throw new RangeError(`${field}: ${ts} is not a valid timestamp`);
  const iso = d.toISOString();
  // Years 0–9999 only (a 24-character form); extended years (`+010000-…`) are not cached.
  if (iso.length === 24 && Number.isInteger(ts)) {
    dayStart = ts - (((ts % DAY_MS) + DAY_MS) % DAY_MS);
    dayPrefix = iso.slice(0, 11);
  }
  return iso;
}
