/**
 * An arbitrage cut short by a crash (RELIABILITY rules 10 and 11): a live run against two emulators
 * is SIGKILLed right after the venue took the buy leg, while the sell leg's request hangs at the other
 * venue (never executed, never answered). The restart with `--resume` reconciles both legs — the buy
 * found filled, the sell proven absent — and the arbitrage's leg machine, rebuilt from the journal,
 * hedges the naked buy on the sell venue. Nothing is sent twice and no base is left unbalanced.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleFaults, type RunningEmulator } from '../../src/emulator/index.ts';
import type { ArbitrageReport } from '../../src/engine/arb-report.ts';
import { journaledRunIds } from '../../src/journal/sqlite-journal.ts';
import { REPO } from '../engine/helpers.ts';
import { arbEmulators, arbRunFiles, type ArbEmulators, type ArbRunFiles } from './emulator-rig.ts';

let emus: ArbEmulators;
let binance: RunningEmulator;
let upbit: RunningEmulator;
beforeAll(async () => {
  emus = await arbEmulators('crash-arb', { seeds: [15, 16] });
  ({ binance, upbit } = emus);
});
afterAll(async () => emus?.close());

function setup(): ArbRunFiles {
  return arbRunFiles(
    'tf-arb-crash-',
    [
      '2025-01-01T00:00:00Z,,,resume,,start,,,',
      '2025-01-01T00:00:01Z,,BTC/USDT,arb,0.004,crash-arb,binance,upbit,BTC/KRW',
      '2025-01-01T00:00:02Z,,,resume,,keep-alive,,,',
    ],
    { arbitrage: { detect: false }, live: { request_timeout_ms: 1500, reconcile: { interval_ms: 0, settle_timeout_ms: 8000, absent_lookups: 2, absent_after_ms: 300 } } },
  );
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin/tradeflow.js'), ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('an arbitrage cut short by a crash', () => {
  it('when the run dies after one leg filled and the other never executed, then the resumed run hedges it once and both venues end balanced', async () => {
    const { dir, scenario, signals } = setup();
    const state = path.join(dir, 'state');
    const base = ['paper', scenario, '--live', '--yes', '--signals', signals, '--state', state, '--exchange-url', `binance=${binance.url}`, '--exchange-url', `upbit=${upbit.url}`];
    const env = { ...process.env, CI: '1', ...emus.keys };
    // The sell leg's request reaches Upbit and hangs there, never executed.
    upbit.state.setFaultPlan(ruleFaults([{ when: (r) => r.kind === 'order.create', action: { type: 'timeout-before-accept' }, times: 1 }]));
    const first = await run([...base, '--out', path.join(dir, 'out-1')], { ...env, TRADEFLOW_CRASH_AT: 'after-send:1' });
    upbit.state.setFaultPlan(undefined);
    expect(first.signal, first.stderr.slice(-2000)).toBe('SIGKILL');
    const filledBuy = binance.state.orders().filter((o) => o.clientOrderId?.startsWith('tf'));
    expect(filledBuy.map((o) => o.status), 'the buy leg filled before the crash').toEqual(['filled']);
    expect(upbit.state.orders().filter((o) => o.clientOrderId?.startsWith('tf')), 'the sell leg never executed').toHaveLength(0);

    const runId = journaledRunIds(path.join(state, 'journal.sqlite'))[0]!;
    const out = path.join(dir, 'out-2');
    const second = await run([...base, '--out', out, '--resume', runId], env);
    expect(second.code, second.stderr.slice(-3000)).toBe(0);

    const arb = JSON.parse(readFileSync(path.join(out, 'arbitrage.json'), 'utf8')) as ArbitrageReport;
    expect(arb.trades.map((t) => t.id), 'the row is not executed again; its arbitrage is resumed').toEqual(['crash-arb']);
    const t = arb.trades[0]!;
    expect(t.recovered).toBe(true);
    expect(t.outcome, JSON.stringify(t)).toBe('hedged');
    expect(t.residual).toBeUndefined();
    expect(t.orders.map((o) => [o.role, o.status])).toEqual([
      ['buy', 'filled'],
      ['sell', 'failed'],
      ['hedge', 'filled'],
    ]);
    expect(t.orders[1]!.resolution, 'the sell leg was proven absent by lookups, not seen refused').toBe('local');
    // The venues' truth: one buy at Binance, one sell (the hedge) at Upbit, for the same base.
    const buys = binance.state.orders().filter((o) => o.clientOrderId?.startsWith('tf'));
    const sells = upbit.state.orders().filter((o) => o.clientOrderId?.startsWith('tf'));
    expect(buys).toHaveLength(1);
    expect(sells).toHaveLength(1);
    expect(sells[0]!.clientOrderId).toBe(t.orders[2]!.clientId);
    expect(Number(sells[0]!.filled)).toBeCloseTo(Number(buys[0]!.filled), 12);
    expect(second.stderr).toMatch(/arbitrage crash-arb from an earlier session resumed/);
  }, 90_000);
});
