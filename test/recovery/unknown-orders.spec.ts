/**
 * RELIABILITY rule 2 through the real command: an order whose submit has an unknown outcome is never
 * resent; it is looked up by client id with backoff, adopted when found, and settled locally (and
 * reported so) only once it is proven absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fault, ruleFaults, type RunningEmulator } from '../../src/emulator/index.ts';
import { binanceEmulator, expectReconciled, runLive, signalFile, tmpDir, venueOrders } from './helpers.ts';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await binanceEmulator();
});
afterAll(async () => emu?.close());

const firstOrder = (kind: Parameters<typeof fault>[0], params = {}) =>
  ruleFaults([{ when: (r) => r.kind === 'order.create', action: fault(kind, params), times: 1 }]);

describe('unknown outcomes of a submit (rule 2)', () => {
  it('when the venue takes the order but the answer times out, then the lookup adopts it: one order, filled, resolved by lookup', async () => {
    const dir = tmpDir('tf-rec-');
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,market,,u1']);
    const run = await runLive(emu, { dir, signals, plan: firstOrder('timeout-after-accept') });
    const [o] = run.orders;
    expect(o).toMatchObject({ status: 'filled', resolution: 'lookup' });
    expect(venueOrders(emu, (id) => id === o!.client_id)).toHaveLength(1);
    expectReconciled(emu, run);
  });

  it('when the request times out before the venue takes it, then lookups prove it absent: rejected, resolved locally, never resent', async () => {
    const dir = tmpDir('tf-rec-');
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,market,,u2']);
    const before = emu.state.orders().length;
    const run = await runLive(emu, { dir, signals, plan: firstOrder('timeout-before-accept') });
    const [o] = run.orders;
    expect(o).toMatchObject({ status: 'rejected', resolution: 'local' });
    expect(o!.reason).toMatch(/proven absent, resolved locally/);
    expect(emu.state.orders().length, 'nothing reached the venue, nothing was resent').toBe(before);
    expectReconciled(emu, run);
  });

  it('when the venue answers -1007 (execution status unknown) after taking a limit order, then the lookup adopts it and it rests until canceled on exit', async () => {
    const dir = tmpDir('tf-rec-');
    const signals = signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,limit,50000,u3']);
    const run = await runLive(emu, {
      dir,
      signals,
      plan: ruleFaults([{ when: (r) => r.kind === 'order.create', action: fault('unknown-status'), times: 1 }]),
    });
    const [o] = run.orders;
    expect(o).toMatchObject({ status: 'canceled', resolution: 'lookup' }); // rested, then canceled on exit
    expect(venueOrders(emu, (id) => id === o!.client_id)).toHaveLength(1);
    expectReconciled(emu, run);
  });
});
