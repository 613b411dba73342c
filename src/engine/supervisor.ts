/**
 * The `crash` fault of paper/live runs, and the automatic resume after it: the command runs as a
 * supervisor that starts the run in a child process, which kills itself with SIGKILL right after its
 * N-th order request left (a crash point: the venue has the order, its answer is not processed yet).
 * The supervisor restarts it with `--resume RUN_ID` — journal, reconciliation and all — until a child
 * finishes. Each crash is recorded (time, restart, when the resumed run had reconciled) in a log the
 * last child turns into failures.json entries.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../core/errors.ts';
import type { FaultRecord } from '../faults/fault-log.ts';
import { journaledRunIds } from '../journal/sqlite-journal.ts';

/** Set in a supervised child: it runs the scenario instead of supervising it. */
export const SUPERVISED_ENV = 'TRADEFLOW_SUPERVISED';
/** A file of JSON lines: the supervisor's crashes and each resumed child's reconciliation. */
export const SUPERVISOR_LOG_ENV = 'TRADEFLOW_SUPERVISOR_LOG';

export interface SupervisorOptions {
  /** The node executable and the CLI script. */
  readonly node: string;
  readonly script: string;
  /** The command's own arguments (without --resume; --out is set by the supervisor). */
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** The order request after which each child in turn crashes (one entry per crash). */
  readonly crashAfterOrders: readonly number[];
  readonly journalFile: string;
  readonly logFile: string;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

type LogLine = { t: 'crash'; n: number; at: number; order: number; signal: string | null; runId?: string } | { t: 'reconciled'; at: number; runId: string; restored: number; foreign: number };

/** Runs children until one finishes; resolves with its exit code. */
export async function supervise(o: SupervisorOptions): Promise<number> {
  let runId: string | undefined;
  for (let n = 0; ; n++) {
    const crashAt = o.crashAfterOrders[n];
    const args = [o.script, ...o.args, ...(runId ? ['--resume', runId] : [])];
    const env = { ...o.env, [SUPERVISED_ENV]: '1', [SUPERVISOR_LOG_ENV]: o.logFile, ...(crashAt !== undefined ? { TRADEFLOW_CRASH_AT: `after-send:${crashAt}` } : { TRADEFLOW_CRASH_AT: '' }) };
    const { code, signal } = await runChild(o.node, args, env, o.out, o.err);
    if (signal !== 'SIGKILL' && code !== 137) return code ?? 1;
    runId = journaledRunIds(o.journalFile).at(-1);
    appendFileSync(o.logFile, `${JSON.stringify({ t: 'crash', n: n + 1, at: Date.now(), order: crashAt ?? 0, signal, ...(runId ? { runId } : {}) } satisfies LogLine)}\n`);
    o.err(`supervisor: the run crashed (${signal ?? `exit ${code}`}${crashAt !== undefined ? `, after order request ${crashAt}` : ''}); restarting${runId ? ` with --resume ${runId}` : ''}`);
    if (n >= o.crashAfterOrders.length + 3) throw new ConfigError(`supervisor: the run crashed ${n + 1} times, more than its schedule asks: giving up`);
  }
}

function runChild(node: string, args: string[], env: NodeJS.ProcessEnv, out: (l: string) => void, err: (l: string) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const child = spawn(node, args, { env, stdio: ['inherit', 'pipe', 'pipe'] });
    const lines = (sink: (l: string) => void) => {
      let buf = '';
      return (d: Buffer) => {
        buf += d.toString();
        const parts = buf.split('\n');
        buf = parts.pop()!;
        for (const p of parts) sink(p);
      };
    };
    child.stdout.on('data', lines(out));
    child.stderr.on('data', lines(err));
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Called by a supervised child once its start-up reconciliation is done. */
export function noteReconciled(env: NodeJS.ProcessEnv, runId: string, restored: number, foreign: number): void {
  const file = env[SUPERVISOR_LOG_ENV];
  if (file) appendFileSync(file, `${JSON.stringify({ t: 'reconciled', at: Date.now(), runId, restored, foreign } satisfies LogLine)}\n`);
}

/** The crashes so far as fault records: each recovered when the next child had reconciled. */
export function crashRecords(env: NodeJS.ProcessEnv): FaultRecord[] {
  const file = env[SUPERVISOR_LOG_ENV];
  if (!file || !existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine);
  const out: FaultRecord[] = [];
  lines.forEach((l, i) => {
    if (l.t !== 'crash') return;
    const next = lines.slice(i + 1).find((x): x is Extract<LogLine, { t: 'reconciled' }> => x.t === 'reconciled');
    out.push({
      id: 0,
      ts: l.at,
      kind: 'crash',
      entry: `crash @ order ${l.order}`,
      orders: [],
      detected: `process killed (${l.signal ?? 'exit'}) right after order request ${l.order} left`,
      action: `supervisor restarted the run with --resume ${l.runId ?? '(no run yet)'}; the journal and the venue were reconciled before any signal`,
      outcome: next ? `resumed; reconciliation took back ${next.restored} order(s) the crashed process had left open and found ${next.foreign} unknown to the journal` : 'NOT RECOVERED: no resumed run reconciled',
      ...(next ? { recoveredTs: next.at, recoverMs: next.at - l.at } : {}),
    });
  });
  return out;
}
