/**
 * Writing pages to disk: `rebuildReport` (report.html of a run folder, rebuilt in place) and
 * `writeComparison` (two runs on one page). A page is written to a temp file beside its target and
 * renamed over it, so a reader never sees half a page and a failure leaves the old one.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { readRunDir } from './read-run-dir.ts';
import type { ReportLimits } from './report-data.ts';
import { renderCompare } from './render-compare.ts';
import { renderReport } from './render-report.ts';

export const REPORT_HTML = 'report.html';

/** Rebuilds `dir/report.html` from the folder's files; returns its path. */
export async function rebuildReport(dir: string, limits: ReportLimits = {}): Promise<string> {
  const html = renderReport(await readRunDir(dir, limits));
  const file = path.join(dir, REPORT_HTML);
  writeFileAtomic(file, html);
  return file;
}

/** Where `tradeflow report DIR1 DIR2` writes by default: `DIR1/compare-<basename DIR2>.html`. */
export function defaultComparePath(dirA: string, dirB: string): string {
  const name = path.basename(path.resolve(dirB)).replace(/[^A-Za-z0-9._-]/g, '_');
  return path.join(dirA, `compare-${name}.html`);
}

/** Writes the comparison page of two run folders to `out` (default: see defaultComparePath). */
export async function writeComparison(dirA: string, dirB: string, out?: string, limits: ReportLimits = {}): Promise<string> {
  const [a, b] = [await readRunDir(dirA, limits), await readRunDir(dirB, limits)];
  const label = (d: string) => path.basename(path.resolve(d));
  const html = renderCompare({ label: label(dirA), data: a }, { label: label(dirB), data: b });
  const file = out ?? defaultComparePath(dirA, dirB);
  writeFileAtomic(file, html);
  return file;
}

/** `text` to `file` through a temp file in the same folder and a rename. */
export function writeFileAtomic(file: string, text: string, fsync = true): void {
  const suffix = threadId === 0 ? `${process.pid}` : `${process.pid}-${threadId}`;
  const tmp = `${file}.tmp-${suffix}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      const bytes = Buffer.from(text, 'utf8');
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      if (fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
