/**
 * RELIABILITY rule 11 for the journal: a writer killed with SIGKILL at seeded random moments loses
 * nothing the journal had promised (every call that returned is on disk), leaves no half-written
 * order, and a restart continues the client-id sequence without reusing an id.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { SqliteJournal } from '../../src/journal/sqlite-journal.ts';
import { splitClientId } from '../../src/journal/records.ts';
import { tempJournalFile } from './tmp-journal.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
const WRITER = path.join(HERE, 'crash-writer.ts');
const KILLS = 12;
const SEED = 1107;
const PREFIX = 'crash';

interface Round {
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly lines: string[];
  readonly stderr: string;
}

/** Runs the writer; once it reports `ready`, waits `delayMs` and kills it with SIGKILL. */
function runAndKill(file: string, seed: number, delayMs: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file, PREFIX, String(seed)], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let armed = false;
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000); // never hang the suite
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!armed && out.includes('ready\n')) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      // A line cut by the kill is not an acknowledgement.
      const lines = out.split('\n');
      lines.pop();
      resolve({ signal, code, lines, stderr: err });
    });
  });
}

/** Structural checks straight on the file: nothing half-written, history and summary agree. */
function structuralFindings(file: string): Record<string, unknown> {
  const db = new Database(file);
  try {
    const rows = (sql: string): unknown[] => db.prepare(sql).all();
    return {
      integrity: db.pragma('integrity_check', { simple: true }),
      foreignKeys: rows('PRAGMA foreign_key_check'),
      intentWithoutNew: rows(`SELECT o.client_id FROM orders o WHERE (SELECT status FROM transitions t
        WHERE t.client_id = o.client_id ORDER BY seq LIMIT 1) IS NOT 'new'`),
      statusDisagrees: rows(`SELECT o.client_id FROM orders o WHERE o.status IS NOT (SELECT status FROM transitions t
        WHERE t.client_id = o.client_id ORDER BY seq DESC LIMIT 1)`),
      exchangeIdDisagrees: rows(`SELECT o.client_id FROM orders o WHERE o.exchange_id IS NOT (SELECT exchange_id
        FROM transitions t WHERE t.client_id = o.client_id AND exchange_id IS NOT NULL ORDER BY seq DESC LIMIT 1)`),
      badSequence: rows(`SELECT client_id FROM orders WHERE id_prefix IS NOT '${PREFIX}' OR id_seq IS NULL`),
    };
  } finally {
    db.close();
  }
}

describe('journal under SIGKILL', () => {
  const { file, cleanup } = tempJournalFile();
  afterAll(cleanup);

  it(`when the writer is killed ${KILLS} times at seeded random moments then every acknowledged record survives`, async () => {
    const rnd = seededRandom(SEED);
    const intents = new Set<string>();
    const transitions: Array<[string, string]> = [];
    const fills = new Set<string>();
    const summary: string[] = [];
    let maxSeq = 0;

    for (let round = 0; round < KILLS; round++) {
      const delay = round === 0 ? 0 : Math.floor(rnd() * 80);
      const r = await runAndKill(file, SEED + round, delay);
      expect(r.signal, `round ${round} ended by itself: code ${r.code}\n${r.stderr}`).toBe('SIGKILL');
      expect(r.lines).toContain('ready');
      for (const line of r.lines) {
        const [tag, a, b] = line.split(' ');
        if (tag === 'I') {
          expect(intents.has(a!), `client id ${a} issued twice`).toBe(false);
          intents.add(a!);
          maxSeq = Math.max(maxSeq, splitClientId(a!)!.seq);
        } else if (tag === 'T') transitions.push([a!, b!]);
        else if (tag === 'F') fills.add(a!);
      }

      // The restart path: open the journal as the engine would and read it back.
      const j = new SqliteJournal(file);
      j.open(`verify-${round}`);
      try {
        const missing = [...intents].filter((id) => j.order(id) === undefined);
        expect(missing, `round ${round}: acknowledged intents lost`).toEqual([]);
        const stored = new Map<string, number>();
        // Every order that has an acknowledged transition: its intent may have been committed with the
        // kill landing before the "I" line went out, then resolved and acknowledged by the next start.
        const ids = new Set([...intents, ...transitions.map(([id]) => id)]);
        for (const id of ids) for (const t of j.transitions(id)) stored.set(`${id} ${t.status}`, (stored.get(`${id} ${t.status}`) ?? 0) + 1);
        const acked = new Map<string, number>();
        for (const [id, s] of transitions) acked.set(`${id} ${s}`, (acked.get(`${id} ${s}`) ?? 0) + 1);
        const lostTransitions = [...acked].filter(([k, n]) => (stored.get(k) ?? 0) < n);
        expect(lostTransitions, `round ${round}: acknowledged transitions lost`).toEqual([]);
        const storedFills = new Set(j.fills().map((f) => f.tradeId));
        expect([...fills].filter((t) => !storedFills.has(t)), `round ${round}: acknowledged fills lost`).toEqual([]);
        expect(j.lastClientSeq(PREFIX)).toBeGreaterThanOrEqual(maxSeq);
        const open = j.openOrders();
        const last = r.lines.at(-1) ?? '';
        summary.push(`kill ${round}: +${delay}ms, last ack "${last}", ${intents.size} intents acked, ${open.length} open on restart`);
      } finally {
        j.close();
      }
      expect(structuralFindings(file)).toEqual({
        integrity: 'ok', foreignKeys: [], intentWithoutNew: [], statusDisagrees: [], exchangeIdDisagrees: [], badSequence: [],
      });
    }
    console.log(`journal crash test: ${KILLS} kills survived\n  ${summary.join('\n  ')}`);
    expect(intents.size).toBeGreaterThan(KILLS);
  }, 180_000);
});
