/**
 * Recovery tests run `tradeflow paper --live` against the emulator on 127.0.0.1 and then compare what
 * tradeflow believes (its reports and journal) with what really reached the venue (the emulator's
 * orders and balances) — RELIABILITY.md's invariants: no lost order, no duplicated order, ledger
 * balances equal to the venue's.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { startEmulator, type FaultPlan, type RunningEmulator } from '../../src/emulator/index.ts';
import { liveCommand, type LiveFlags } from '../../src/engine/live-command.ts';
import type { Summary } from '../../src/reports/index.ts';
import { liveIO, readCsv, tmpDir } from '../engine/helpers.ts';

export const KEY = 'recovery-key-5e8d2c41a9b7';
export const SECRET = 'recovery-secret-7f3b9d1e6a2c4b80';

export async function binanceEmulator(seed = 11): Promise<RunningEmulator> {
  return startEmulator({
    venue: 'binance',
    port: 0,
    apiKey: KEY,
    secret: SECRET,
    balances: { USDT: '10000', BTC: '1' },
    walk: [{ symbol: 'BTC/USDT', startPrice: 100_000 }],
    walkOptions: { intervalMs: 20 },
    seed,
  });
}

/** A scenario whose recovery settings suit a test: short timeouts and lookups, no periodic sweep unless asked. */
export function recoveryScenario(dir: string, extra: Record<string, unknown> = {}): string {
  const file = path.join(dir, 'scenario.json');
  const live = {
    poll_interval_ms: 100,
    speed: 0,
    linger_ms: 3000,
    request_timeout_ms: 400,
    reconcile: { absent_lookups: 3, absent_after_ms: 600, settle_timeout_ms: 8000, interval_ms: 0, ...(extra.reconcile as object | undefined) },
    ...(extra.live as object | undefined),
  };
  writeFileSync(file, JSON.stringify({ name: 'recovery', live, ...(extra.risk ? { risk: extra.risk } : {}) }));
  return file;
}

export function signalFile(dir: string, rows: string[]): string {
  const f = path.join(dir, 'signals.csv');
  writeFileSync(f, ['timestamp,exchange,symbol,side,quantity,type,price,id', ...rows].join('\n') + '\n');
  return f;
}

export interface LiveRun {
  readonly out: string;
  readonly state: string;
  readonly summary: Summary;
  readonly orders: Record<string, string>[];
  readonly log: string[];
}

/** Runs `paper --live` with `plan` installed on the emulator for the run's duration. */
export async function runLive(emu: RunningEmulator, o: { dir: string; signals: string; plan?: FaultPlan; state?: string; extra?: Record<string, unknown>; flags?: Partial<LiveFlags> }): Promise<LiveRun> {
  const out = path.join(o.dir, `out-${Math.random().toString(36).slice(2, 8)}`);
  const state = o.state ?? path.join(o.dir, 'state');
  const io = liveIO({ env: { TRADEFLOW_BINANCE_API_KEY: KEY, TRADEFLOW_BINANCE_SECRET: SECRET, TRADEFLOW_STATE_DIR: state } });
  emu.state.setFaultPlan(o.plan);
  try {
    const flags: LiveFlags = { market: ['binance:BTC/USDT'], signals: o.signals, out, live: true, yes: true, 'exchange-url': [`binance=${emu.url}`], ...o.flags };
    const { summary } = await liveCommand(recoveryScenario(o.dir, o.extra), flags, io);
    return { out, state, summary, orders: readCsv(path.join(out, 'orders.csv')), log: io.errors };
  } finally {
    emu.state.setFaultPlan(undefined);
  }
}

/** Client ids tradeflow sent, by the emulator's own record. */
export function venueOrders(emu: RunningEmulator, prefixOf: (id: string) => boolean = () => true) {
  return emu.state.orders().filter((o) => o.clientOrderId !== undefined && prefixOf(o.clientOrderId));
}

/**
 * The invariants: every order at the venue appears once in our orders.csv with the venue's status and
 * filled quantity (no lost, no duplicated order), and our final balances equal the venue's.
 */
export function expectReconciled(emu: RunningEmulator, run: LiveRun): void {
  const ours = new Map(run.orders.map((r) => [r.client_id!, r]));
  const atVenue = venueOrders(emu, (id) => ours.has(id));
  const ids = atVenue.map((o) => o.clientOrderId!);
  expect(new Set(ids).size, 'no client id reached the venue twice').toBe(ids.length);
  for (const v of atVenue) {
    const r = ours.get(v.clientOrderId!)!;
    expect(r.status, `${v.clientOrderId} status`).toBe(v.status);
    expect(Number(r.filled), `${v.clientOrderId} filled`).toBe(Number(v.filled));
  }
  for (const r of run.orders) {
    const there = atVenue.some((v) => v.clientOrderId === r.client_id);
    if (!there) expect(['rejected'], `${r.client_id} is not at the venue, so it must be rejected`).toContain(r.status);
  }
  const bal = emu.state.balances();
  const summary = JSON.parse(readFileSync(path.join(run.out, 'summary.json'), 'utf8')) as Summary;
  for (const [asset, amount] of Object.entries(summary.balances.binance ?? {})) {
    expect(Number(amount), `ledger ${asset} equals the venue's`).toBe(Number(bal[asset]?.total ?? 0));
  }
}

export { tmpDir };
