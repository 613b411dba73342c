import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiCredentials } from '../../src/config/api-keys.ts';
import { makeRedactor } from '../../src/drivers/live/redact.ts';
import { JOURNAL_SCHEMA_VERSION, JournalError } from '../../src/journal/journal.ts';
import { SqliteJournal } from '../../src/journal/sqlite-journal.ts';
import { fill, intent } from './fixtures.ts';
import { journalContract } from './journal-contract.ts';
import { tempJournalFile } from './tmp-journal.ts';

journalContract('SqliteJournal', (opts) => {
  const { file, cleanup } = tempJournalFile();
  return { journal: new SqliteJournal(file, opts), reopen: () => new SqliteJournal(file, opts), cleanup };
});

describe('sqlite journal file', () => {
  const temps: Array<() => void> = [];
  const temp = (): string => {
    const t = tempJournalFile();
    temps.push(t.cleanup);
    return t.file;
  };
  afterEach(() => temps.splice(0).forEach((c) => c()));

  const rawSet = (file: string, sql: string): void => {
    const db = new Database(file);
    db.exec(sql);
    db.close();
  };

  it('when opened then the file (and its state/ directory) exists in WAL mode at the current schema version', () => {
    const file = temp();
    const j = new SqliteJournal(file);
    j.open('run-1');
    j.recordIntent(intent('w-1'));
    expect(existsSync(`${file}-wal`)).toBe(true);
    j.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get()).toBe(String(JOURNAL_SCHEMA_VERSION));
    db.close();
  });

  it('when the journal was written by a newer schema then opening it is refused with a clear error', () => {
    const file = temp();
    const j = new SqliteJournal(file);
    j.open('run-1');
    j.recordIntent(intent('v-1'));
    j.close();
    rawSet(file, `UPDATE meta SET value = '${JOURNAL_SCHEMA_VERSION + 1}' WHERE key = 'schema_version'`);
    const again = new SqliteJournal(file);
    expect(() => again.open('run-2')).toThrow(JournalError);
    expect(() => again.open('run-2')).toThrow(/schema version 2 is newer than this tradeflow understands \(1\)/);
    expect(() => again.openOrders()).toThrow(/not open/); // nothing was left half-open
  });

  it('when the file is another SQLite database, or has lost its version, then it is refused', () => {
    const foreign = temp();
    new SqliteJournal(foreign).open('mk'); // creates state/ …
    rawSet(`${foreign}.other`, 'CREATE TABLE t(x)');
    expect(() => new SqliteJournal(`${foreign}.other`).open('run-1')).toThrow(/not a tradeflow journal/);
    const noVersion = temp();
    const j = new SqliteJournal(noVersion);
    j.open('run-1');
    j.close();
    rawSet(noVersion, `DELETE FROM meta`);
    expect(() => new SqliteJournal(noVersion).open('run-1')).toThrow(/no valid schema_version/);
    writeFileSync(`${noVersion}.txt`, 'not sqlite at all');
    expect(() => new SqliteJournal(`${noVersion}.txt`).open('run-1')).toThrow();
  });

  it('when a run carries API keys around then no key byte reaches the journal files', () => {
    const file = temp();
    const KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
    const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
    process.env.TRADEFLOW_BINANCE_API_KEY = KEY;
    process.env.TRADEFLOW_BINANCE_SECRET = SECRET;
    try {
      const creds = new ApiCredentials('binance', KEY, SECRET);
      const j = new SqliteJournal(file, { redact: makeRedactor([KEY, SECRET]) });
      j.open('live-1');
      j.recordRunEvent('start', { venue: 'binance', credentials: creds, env: { TRADEFLOW_BINANCE_API_KEY: process.env.TRADEFLOW_BINANCE_API_KEY } });
      j.recordIntent(intent('k-1'));
      j.recordTransition('k-1', 'submitting', 1_001);
      j.recordTransition('k-1', 'rejected', 1_002, `AuthenticationError: binance {"msg":"Invalid API-key ${KEY}"} signature=${SECRET}`);
      j.recordIntent(intent('k-2'));
      j.recordTransition('k-2', 'open', 1_003, undefined, 'ex-2');
      j.recordFill(fill('k-2', 't-1'));
      j.recordRunEvent('error', { message: `request failed: ${creds.reveal().secret}` });
      const scan = (): string[] =>
        [file, `${file}-wal`, `${file}-shm`].filter(existsSync).flatMap((f) => {
          const bytes = readFileSync(f);
          return [KEY, SECRET].filter((s) => bytes.includes(s)).map((s) => `${f} holds ${s.slice(0, 4)}…`);
        });
      // The scan can see what is written: the client id is there.
      expect(readFileSync(`${file}-wal`).includes('k-2')).toBe(true);
      expect(scan()).toEqual([]);
      j.close();
      expect(scan()).toEqual([]);
      // And it would catch a leak: the same reason through a journal without a redactor.
      const leaky = new SqliteJournal(`${file}.leak`);
      leaky.open('x');
      leaky.recordIntent(intent('k-1'));
      leaky.recordTransition('k-1', 'rejected', 1, `Invalid API-key ${KEY}`);
      leaky.close();
      expect(readFileSync(`${file}.leak`).includes(KEY)).toBe(true);
    } finally {
      delete process.env.TRADEFLOW_BINANCE_API_KEY;
      delete process.env.TRADEFLOW_BINANCE_SECRET;
    }
  });
});

describe('sqlite journal durability policy', () => {
  it('when an intent is recorded then it commits under synchronous=FULL and the connection returns to NORMAL', () => {
    const { file, cleanup } = tempJournalFile();
    const j = new SqliteJournal(file);
    try {
      j.open('run-1');
      // White-box: spy on the prepared statements to see the order of pragma switches and writes.
      const st = (j as unknown as { session: { st: Record<string, { run: (...a: unknown[]) => unknown }> } }).session.st;
      const db = (j as unknown as { session: { db: Database.Database } }).session.db;
      const log: string[] = [];
      for (const name of ['syncFull', 'syncNormal', 'insertOrder', 'updateOrder', 'insertFill']) {
        const stmt = st[name]!;
        const run = stmt.run.bind(stmt);
        stmt.run = (...a: unknown[]) => (log.push(name), run(...a));
      }
      j.recordIntent(intent('s-1'));
      expect(log.splice(0)).toEqual(['syncFull', 'insertOrder', 'syncNormal']);
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      j.recordTransition('s-1', 'open', 1_001);
      j.recordFill(fill('s-1', 't-1'));
      expect(log.splice(0)).toEqual(['updateOrder', 'insertFill']);
      j.batch(() => {
        expect(db.pragma('synchronous', { simple: true })).toBe(2); // the batch commits with FULL
        j.recordIntent(intent('s-2')); // inside a batch: no switch of its own
      });
      expect(log.splice(0)).toEqual(['syncFull', 'insertOrder', 'syncNormal']);
      expect(db.pragma('synchronous', { simple: true })).toBe(1);
    } finally {
      j.close();
      cleanup();
    }
  });
});

describe('SqliteJournal WAL checkpoints', () => {
  it('when intents are written, then no checkpoint runs inside them; transitions and fills take them, so the WAL stays bounded', () => {
    const { file, cleanup } = tempJournalFile();
    const j = new SqliteJournal(file, { intentSync: 'normal' });
    try {
      j.open('wal-run');
      const wal = () => statSync(`${file}-wal`).size;
      // 3,000 intents and nothing else: no checkpoint, so every page stays in the WAL.
      for (let i = 1; i <= 3000; i++) j.recordIntent(intent(`w-${i.toString(36)}`));
      const afterIntents = wal();
      expect(afterIntents).toBeGreaterThan(1_000 * 4096); // more than SQLite's 1000-page auto-checkpoint
      // Transitions checkpoint every few hundred writes: the WAL file is reused from its start, not grown.
      for (let round = 0; round < 4; round++) {
        for (let i = 1; i <= 3000; i++) j.recordTransition(`w-${i.toString(36)}`, round % 2 ? 'open' : 'submitting', 2_000 + round, undefined, `x${i}`);
      }
      expect(wal()).toBeLessThan(afterIntents * 2);
    } finally {
      j.close();
      cleanup();
    }
  });
});
