/**
 * Field converters shared by every reader (signal CSV and JSON lines, market data files).
 *
 * Each one takes the raw value (a CSV string, or whatever JSON held), returns the converted value or
 * throws `DataError.at(file, line, reason, field)` whose reason says what was expected and what was
 * found. They are plain functions with no closures so V8 can inline them into the per-row loops.
 */
import { DataError } from '../core/errors.ts';
import { parseTimestamp, TIMESTAMP_EXPECTED } from './timestamp.ts';

/** How a raw value is shown in an error: strings quoted, long ones cut. */
export function describeValue(v: unknown): string {
  if (v === undefined || v === null) return 'nothing';
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s);
}

function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

/**
 * `Number()` without its traps: `Number('')` and `Number('  ')` are 0, which would turn an empty
 * cell into a zero price. Only the (rare) zero result pays for the digit check.
 */
export function toNumber(v: unknown): number {
  if (typeof v === 'string') {
    const n = Number(v);
    return n !== 0 || hasDigit(v) ? n : NaN;
  }
  return typeof v === 'number' ? v : NaN;
}

export function expectFinite(v: unknown, file: string, line: number, field: string): number {
  const n = toNumber(v);
  if (Number.isFinite(n)) return n;
  throw DataError.at(file, line, `expected a finite number, got ${describeValue(v)}`, field);
}

export function expectPositive(v: unknown, file: string, line: number, field: string): number {
  const n = toNumber(v);
  if (n > 0 && n !== Infinity) return n;
  throw DataError.at(file, line, `expected a positive number, got ${describeValue(v)}`, field);
}

export function expectNonNegative(v: unknown, file: string, line: number, field: string): number {
  const n = toNumber(v);
  if (n >= 0 && n !== Infinity) return n;
  throw DataError.at(file, line, `expected a number ≥ 0, got ${describeValue(v)}`, field);
}

export function expectInRange(v: unknown, lo: number, hi: number, file: string, line: number, field: string): number {
  const n = toNumber(v);
  if (n >= lo && n <= hi) return n;
  throw DataError.at(file, line, `expected a number from ${lo} to ${hi}, got ${describeValue(v)}`, field);
}

/** Epoch ms from a number (JSON) or any string form `parseTimestamp` accepts. */
export function expectTimestamp(v: unknown, file: string, line: number, field: string): number {
  const t = typeof v === 'string' ? parseTimestamp(v) : typeof v === 'number' && Number.isInteger(v) ? v : NaN;
  if (t === t) return t;
  throw DataError.at(file, line, `${TIMESTAMP_EXPECTED}, got ${describeValue(v)}`, field);
}

/** One of `allowed`, matched case-insensitively (files say `BUY` as often as `buy`). */
export function expectOneOf<T extends string>(
  v: unknown,
  allowed: readonly T[],
  file: string,
  line: number,
  field: string,
): T {
  if (typeof v === 'string') {
    // Exact match first: the lower-casing allocation is only paid by files that need it.
    for (let i = 0; i < allowed.length; i++) if (allowed[i] === v) return v as T;
    const low = v.trim().toLowerCase();
    for (let i = 0; i < allowed.length; i++) if (allowed[i] === low) return low as T;
  }
  throw DataError.at(file, line, `expected ${allowed.map((a) => `"${a}"`).join(' or ')}, got ${describeValue(v)}`, field);
}

/** An empty CSV cell, a missing JSON key and `null` all mean "not given" for optional fields. */
export function isAbsent(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}
