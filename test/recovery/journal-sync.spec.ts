/**
 * `live.journal_sync: normal` takes the fsync off the submit path; the price is that a power loss may
 * drop the last intents, so a resumed run skips ahead in its client-id sequence and can never reuse
 * an id that may have reached the venue (Upbit refuses a reused identifier even for a failed order).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { journaledRunIds } from '../../src/journal/sqlite-journal.ts';
import { binanceEmulator, runLive, signalFile, tmpDir } from './helpers.ts';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await binanceEmulator(61);
});
afterAll(async () => emu?.close());

const seqOf = (clientId: string) => parseInt(clientId.split('-').pop()!, 36);

describe('journal_sync', () => {
  it('when intents are not fsynced, then a resumed run continues its ids 1000 past the last journaled one', async () => {
    const dir = tmpDir('tf-js-');
    const state = path.join(dir, 'state');
    const extra = { live: { journal_sync: 'normal' } };
    const first = await runLive(emu, { dir, state, extra, signals: signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.001,market,,j1']) });
    const runId = journaledRunIds(path.join(state, 'journal.sqlite'))[0]!;
    const dir2 = tmpDir('tf-js-');
    const second = await runLive(emu, {
      dir: dir2,
      state,
      extra,
      flags: { resume: runId },
      signals: signalFile(dir2, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.001,market,,j1', '2025-01-01T00:00:01Z,binance,BTC/USDT,sell,0.001,market,,j2']),
    });
    const before = first.orders[0]!.client_id!;
    // j1 was already acted on (skipped); j2 gets the first id after the gap.
    expect(second.orders.map((o) => o.signal_id)).toEqual(['j2']);
    expect(seqOf(second.orders[0]!.client_id!)).toBe(seqOf(before) + 1001);
  });

  it('when intents are fsynced (the default), then a resumed run continues right after the last journaled id', async () => {
    const dir = tmpDir('tf-js-');
    const state = path.join(dir, 'state');
    const first = await runLive(emu, { dir, state, signals: signalFile(dir, ['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.001,market,,k1']) });
    const runId = journaledRunIds(path.join(state, 'journal.sqlite'))[0]!;
    const dir2 = tmpDir('tf-js-');
    const second = await runLive(emu, { dir: dir2, state, flags: { resume: runId }, signals: signalFile(dir2, ['2025-01-01T00:00:01Z,binance,BTC/USDT,sell,0.001,market,,k2']) });
    expect(seqOf(second.orders[0]!.client_id!)).toBe(seqOf(first.orders[0]!.client_id!) + 1);
  });
});
