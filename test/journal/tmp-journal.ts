/** A journal file in a fresh temporary directory, removed by `cleanup`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function tempJournalFile(): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tf-journal-'));
  return { file: path.join(dir, 'state', 'journal.sqlite'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
