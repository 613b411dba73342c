/**
 * RELIABILITY rule 11, the crash test of issue 4: a live run against the emulator is killed with SIGKILL
 * at 30 seeded moments — a third right after an intent is journaled and before its request leaves
 * (`after-intent`), a third right after the venue took an order and before its answer is processed
 * (`after-send`), a third at a random time — and restarted each time with `--resume`. At the end the
 * venue's orders, the journal and the ledger must agree: no order sent twice for one signal, none
 * the journal does not know, none left open at the venue, fills applied exactly once, balances equal.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { journaledRunIds } from '../../src/journal/sqlite-journal.ts';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { REPO, readJson } from '../engine/helpers.ts';
import { KEY, SECRET, binanceEmulator, tmpDir } from './helpers.ts';

const KILLS = 30;

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await binanceEmulator(29);
});
afterAll(async () => emu?.close());

/** 300 small orders 80 ms apart: mostly market orders, some limits near the price that may rest. */
function writeSignals(file: string, rnd: () => number): void {
  const rows = ['timestamp,exchange,symbol,side,quantity,type,price,id'];
  for (let i = 0; i < 300; i++) {
    const side = i % 2 === 0 ? 'buy' : 'sell';
    const limit = rnd() < 0.3;
    const price = limit ? (side === 'buy' ? 99_900 : 100_100) : '';
    rows.push(`${1_700_000_000_000 + i * 80},binance,BTC/USDT,${side},0.001,${limit ? 'limit' : 'market'},${price},s${i}`);
  }
  writeFileSync(file, `${rows.join('\n')}\n`);
}

function writeScenario(file: string): void {
  writeFileSync(
    file,
    JSON.stringify({
      name: 'crash',
      live: {
        poll_interval_ms: 200,
        speed: 1,
        linger_ms: 1500,
        cancel_on_exit: true,
        request_timeout_ms: 1500,
        reconcile: { absent_lookups: 2, absent_after_ms: 300, settle_timeout_ms: 10_000, interval_ms: 1000 },
      },
    }),
  );
}

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** One process of the run: killed by its crash point, by us after `killAfterMs`, or left to finish. */
function runOnce(args: string[], env: NodeJS.ProcessEnv, killAfterMs?: number): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/tradeflow.js'), ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : undefined;
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

describe('crash recovery (rule 11)', () => {
  it(`when a live run is killed with SIGKILL ${KILLS} times and resumed each time, then venue, journal and ledger agree`, async () => {
    const dir = tmpDir('tf-crash-');
    const rnd = seededRandom(2026);
    const signals = path.join(dir, 'signals.csv');
    const scenario = path.join(dir, 'scenario.json');
    writeSignals(signals, rnd);
    writeScenario(scenario);
    const state = path.join(dir, 'state');
    const journalFile = path.join(state, 'journal.sqlite');
    const base = ['paper', scenario, '--live', '--yes', '--market', 'binance:BTC/USDT', '--signals', signals, '--exchange-url', `binance=${emu.url}`, '--state', state];
    const env = { ...process.env, CI: '1', TRADEFLOW_BINANCE_API_KEY: KEY, TRADEFLOW_BINANCE_SECRET: SECRET };

    let kills = 0;
    const byMode = { 'after-intent': 0, 'after-send': 0, random: 0 };
    for (let attempt = 0; kills < KILLS && attempt < KILLS * 2; attempt++) {
      const runId = journaledRunIds(journalFile)[0];
      const args = [...base, '--out', path.join(dir, `out-${attempt}`), ...(runId ? ['--resume', runId] : [])];
      const mode = (['after-intent', 'after-send', 'random'] as const)[attempt % 3]!;
      const n = 1 + Math.floor(rnd() * 3);
      const exit =
        mode === 'random'
          ? await runOnce(args, env, 1800 + Math.floor(rnd() * 1500))
          : await runOnce(args, { ...env, TRADEFLOW_CRASH_AT: `${mode}:${n}` });
      if (exit.signal === 'SIGKILL') {
        kills++;
        byMode[mode]++;
      } else {
        expect.fail(`run ${attempt} ended by itself (code ${exit.code}) before its kill: ${exit.stderr.slice(-2000)}`);
      }
    }
    // The last restart runs to the end: it reconciles, trades the rest, cancels what is open on exit.
    const runId = journaledRunIds(journalFile)[0]!;
    const out = path.join(dir, 'final');
    const last = await runOnce([...base, '--out', out, '--resume', runId], env);
    expect(last.code, last.stderr.slice(-3000)).toBe(0);
    process.stdout.write(`crash test: ${kills} SIGKILLs survived (${byMode['after-intent']} after intent, ${byMode['after-send']} after send, ${byMode.random} at random moments)\n`);
    expect(kills).toBe(KILLS);

    // The venue's truth against the journal's.
    const db = new Database(journalFile, { readonly: true });
    const journaled = new Map(
      (db.prepare('SELECT client_id, status, signal_id FROM orders').all() as { client_id: string; status: string; signal_id: string }[]).map((r) => [r.client_id, r]),
    );
    const fills = db.prepare('SELECT client_id, quantity FROM fills').all() as { client_id: string; quantity: number }[];
    db.close();
    const filledByJournal = new Map<string, number>();
    for (const f of fills) filledByJournal.set(f.client_id, (filledByJournal.get(f.client_id) ?? 0) + f.quantity);

    const atVenue = emu.state.orders().filter((o) => o.clientOrderId?.startsWith('tf'));
    expect(atVenue.length).toBeGreaterThan(KILLS);
    const signalsSent = new Map<string, string>();
    for (const v of atVenue) {
      const j = journaled.get(v.clientOrderId!);
      expect(j, `${v.clientOrderId} reached the venue, so its intent was journaled first`).toBeDefined();
      const other = signalsSent.get(j!.signal_id);
      expect(other, `signal ${j!.signal_id} was sent twice (${other} and ${v.clientOrderId})`).toBeUndefined();
      signalsSent.set(j!.signal_id, v.clientOrderId!);
      expect(v.status, `${v.clientOrderId}: nothing is left open at the venue`).not.toBe('open');
      expect(j!.status, `${v.clientOrderId}: the journal ends where the venue does`).toBe(v.status);
      expect(filledByJournal.get(v.clientOrderId!) ?? 0, `${v.clientOrderId}: each fill applied once`).toBeCloseTo(Number(v.filled), 12);
    }
    for (const [id, j] of journaled) {
      if (atVenue.some((v) => v.clientOrderId === id)) continue;
      expect(j.status, `${id} never reached the venue: it must be settled as rejected`).toBe('rejected');
    }
    // The ledger of the final run, which adopted the venue's balances and then traded, equals the venue.
    const summary = readJson(path.join(out, 'summary.json'));
    const bal = emu.state.balances();
    for (const asset of ['BTC', 'USDT']) expect(Number(summary.balances.binance[asset]), asset).toBe(Number(bal[asset]!.total));
  }, 600_000);
});
