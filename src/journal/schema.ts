/**
 * The SQLite journal's schema and its migrations. The version lives in the `meta` table; each
 * migration runs in its own transaction together with the version bump, so a crash mid-migration leaves
 * the previous version intact. A journal written by a newer tradeflow is refused rather than guessed at.
 */
import type Database from 'better-sqlite3';
import { OrderStatuses } from '../domain/types.ts';
import { JOURNAL_SCHEMA_VERSION, JournalError } from './journal.ts';
import { FINAL_STATUSES } from './records.ts';

/** Marks the file as a tradeflow journal ('tfjl'), so another SQLite file is not mistaken for one. */
export const APPLICATION_ID = 0x74666a6c;

const list = (xs: readonly string[]): string => xs.map((s) => `'${s}'`).join(',');

/**
 * Version 1. Money (atto bigints) is TEXT: it overflows SQLite's 64-bit integers beyond ~9.2 units.
 * Prices and quantities are REAL, which round-trips a JS number exactly.
 * `orders.status` repeats the last row of `transitions` (written in the same transaction) so that
 * `openOrders` is one indexed scan instead of a group-by over the history.
 */
const V1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
  run_id TEXT PRIMARY KEY,
  first_opened_ts INTEGER NOT NULL,
  last_opened_ts INTEGER NOT NULL,
  opens INTEGER NOT NULL
);
CREATE TABLE orders (
  client_id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  venue TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy','sell')),
  type TEXT NOT NULL CHECK (type IN ('market','limit')),
  quantity REAL NOT NULL,
  price REAL,
  ts INTEGER NOT NULL,
  signal_id TEXT,
  id_prefix TEXT,
  id_seq INTEGER,
  status TEXT NOT NULL CHECK (status IN (${list(OrderStatuses)})),
  exchange_id TEXT,
  reason TEXT,
  updated_ts INTEGER NOT NULL
);
CREATE INDEX orders_open ON orders(status) WHERE status NOT IN (${list(FINAL_STATUSES)});
CREATE INDEX orders_seq ON orders(id_prefix, id_seq);
CREATE TABLE transitions (
  seq INTEGER PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES orders(client_id),
  status TEXT NOT NULL CHECK (status IN (${list(OrderStatuses)})),
  ts INTEGER NOT NULL,
  reason TEXT,
  exchange_id TEXT
);
CREATE INDEX transitions_order ON transitions(client_id, seq);
CREATE TABLE fills (
  seq INTEGER PRIMARY KEY,
  venue TEXT NOT NULL,
  trade_id TEXT NOT NULL,
  client_id TEXT NOT NULL REFERENCES orders(client_id),
  symbol TEXT NOT NULL,
  exchange_id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  side TEXT NOT NULL CHECK (side IN ('buy','sell')),
  price REAL NOT NULL,
  quantity REAL NOT NULL,
  notional TEXT NOT NULL,
  fee TEXT NOT NULL,
  fee_asset TEXT NOT NULL,
  liquidity TEXT NOT NULL CHECK (liquidity IN ('maker','taker'))
);
CREATE UNIQUE INDEX fills_trade ON fills(venue, trade_id);
CREATE INDEX fills_order ON fills(client_id, seq);
CREATE TABLE run_events (
  seq INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs(run_id),
  ts INTEGER NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL
);
`;

/** MIGRATIONS[n] takes a journal from version n to n + 1. */
const MIGRATIONS: readonly string[] = [V1];

if (MIGRATIONS.length !== JOURNAL_SCHEMA_VERSION) throw new Error('journal: one migration per schema version');

/** Reads the schema version of an open database: 0 for an empty file. Refuses foreign files. */
export function schemaVersion(db: Database.Database, file: string): number {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[];
  if (tables.length === 0) return 0;
  const appId = db.pragma('application_id', { simple: true }) as number;
  if (!tables.includes('meta') || appId !== APPLICATION_ID) {
    throw new JournalError(`${file} is an SQLite file but not a tradeflow journal; refusing to write to it`, { file });
  }
  const raw = db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get() as string | undefined;
  const version = Number(raw);
  if (raw === undefined || !Number.isInteger(version) || version < 1) {
    throw new JournalError(`${file}: journal has no valid schema_version in its meta table (got ${raw})`, { file });
  }
  return version;
}

/** Brings the journal to JOURNAL_SCHEMA_VERSION, or throws for a journal from a newer tradeflow. */
export function migrate(db: Database.Database, file: string): void {
  const from = schemaVersion(db, file);
  if (from > JOURNAL_SCHEMA_VERSION) {
    throw new JournalError(
      `${file}: journal schema version ${from} is newer than this tradeflow understands (${JOURNAL_SCHEMA_VERSION}); ` +
        `upgrade tradeflow or point it at another state file`,
      { file, version: from, supported: JOURNAL_SCHEMA_VERSION },
    );
  }
  for (let v = from; v < JOURNAL_SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      if (v === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
      db.prepare(`INSERT INTO meta(key, value) VALUES ('schema_version', ?)
                  ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(String(v + 1));
    })();
  }
}
