/**
 * Cheap estimate of the event-time span of CSV inputs (first and last data rows only), for the
 * progress bar. Never fails a run: unknown layouts give undefined.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { parseTimestamp } from '../sources/timestamp.ts';

function readSlice(file: string, start: number, length: number): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, start);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function tsOf(line: string | undefined, col: number): number | undefined {
  const cell = line?.split(',')[col]?.trim().replace(/^"|"$/g, '');
  if (!cell) return undefined;
  const t = parseTimestamp(cell);
  return Number.isFinite(t) ? t : undefined;
}

export function csvTimeRange(file: string): { start: number; end: number } | undefined {
  try {
    if (file.endsWith('.gz') || file.endsWith('.json')) return undefined;
    const size = statSync(file).size;
    const head = readSlice(file, 0, Math.min(size, 8192)).split(/\r?\n/);
    const header = (head[0] ?? '').toLowerCase().split(',').map((h) => h.trim());
    let col = header.findIndex((h) => h === 'timestamp' || h === 'open_time' || h === 'time');
    const hasHeader = col >= 0;
    if (!hasHeader) col = 0;
    const start = tsOf(head[hasHeader ? 1 : 0], col);
    const tail = readSlice(file, Math.max(0, size - 8192), Math.min(size, 8192)).split(/\r?\n/).filter((l) => l.trim() !== '');
    const end = tsOf(tail[tail.length - 1], col);
    if (start === undefined || end === undefined || end < start) return undefined;
    return { start, end };
  } catch {
    return undefined;
  }
}

/** The union of the spans of `files`, or undefined if none could be read. */
export function spanOf(files: readonly string[]): { start: number; end: number } | undefined {
  let out: { start: number; end: number } | undefined;
  for (const f of files) {
    const r = csvTimeRange(f);
    if (!r) continue;
    out = out ? { start: Math.min(out.start, r.start), end: Math.max(out.end, r.end) } : r;
  }
  return out;
}
