/**
 * The shipped crash-recovery scenario: its `crash` faults make the command a supervisor whose child
 * runs are killed with SIGKILL after an order request and resumed with --resume; the final reports
 * list each crash with its recovery and the invariants hold against the emulator.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { liveCommand } from '../../src/engine/live-command.ts';
import { REPO, liveIO, readCsv, readJson } from '../engine/helpers.ts';
import { KEY, SECRET, binanceEmulator, tmpDir } from './helpers.ts';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await binanceEmulator(53);
});
afterAll(async () => emu?.close());

describe('scenarios/crash-recovery.yaml', () => {
  it('when the run is killed twice and resumed automatically, then every order is accounted for once and the ledger equals the venue', async () => {
    const dir = tmpDir('tf-crs-');
    const out = path.join(dir, 'out');
    const io = liveIO({ env: { ...process.env, CI: '1', TRADEFLOW_BINANCE_API_KEY: KEY, TRADEFLOW_BINANCE_SECRET: SECRET, TRADEFLOW_STATE_DIR: path.join(dir, 'state') } });
    const before = emu.state.orders().length;
    await liveCommand(path.join(REPO, 'scenarios/crash-recovery.yaml'), { live: true, yes: true, out, 'exchange-url': [`binance=${emu.url}`] }, io);
    const said = io.errors.join('\n');
    expect(said.match(/supervisor: the run crashed/g), said.slice(-3000)).toHaveLength(2);

    const report = readJson(path.join(out, 'failures.json'));
    expect(report.invariants).toMatchObject({ lostOrders: 0, duplicatedOrders: 0, positionDivergence: 0, balanceDivergence: 0 });
    const crashes = report.faults.filter((f: { kind: string }) => f.kind === 'crash');
    expect(crashes).toHaveLength(2);
    for (const c of crashes) {
      expect(c.outcome).toMatch(/^resumed; reconciliation took back/);
      expect(c.recoverMs).toBeGreaterThan(0);
    }
    // 16 signals, each sent at most once; the orders sent just before each crash were adopted.
    const atVenue = emu.state.orders().slice(before);
    const signals = new Set(readCsv(path.join(out, 'orders.csv')).map((o) => o.signal_id));
    expect(atVenue.length).toBeGreaterThanOrEqual(14);
    expect(atVenue.length).toBeLessThanOrEqual(16);
    expect(new Set(atVenue.map((o) => o.clientOrderId)).size).toBe(atVenue.length);
    expect(signals.size).toBeGreaterThan(0);
    const summary = readJson(path.join(out, 'summary.json'));
    const bal = emu.state.balances();
    for (const asset of ['BTC', 'USDT']) expect(Number(summary.balances.binance[asset]), asset).toBe(Number(bal[asset]!.total));
  }, 120_000);
});
