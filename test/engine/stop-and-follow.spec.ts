import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { liveCommand } from '../../src/engine/live-command.ts';
import { REPO, liveIO, readCsv, tmpDir } from './helpers.ts';

const KEY = 'stop-key-0123';
const SECRET = 'stop-secret-4567';
let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({
    venue: 'binance', port: 0, apiKey: KEY, secret: SECRET,
    balances: { USDT: '10000' }, walk: [{ symbol: 'BTC/USDT', startPrice: 100_000 }], walkOptions: { intervalMs: 50 }, seed: 3,
  });
});
afterAll(async () => emu?.close());

describe('stopping and live signal input', () => {
  it('when a live run gets SIGINT then no new order is sent, the open one is cancelled at the venue, and reports are written', async () => {
    const dir = tmpDir('tf-stop-');
    const signals = path.join(dir, 'signals.csv');
    // A resting limit far below the market, then a second signal an hour later that must never be sent.
    writeFileSync(signals, 'timestamp,exchange,symbol,side,quantity,type,price,id\n2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,limit,50000,rest\n2025-01-01T01:00:00Z,binance,BTC/USDT,buy,0.01,market,,never\n');
    const out = path.join(dir, 'out');
    const child = spawn(
      process.execPath,
      [path.join(REPO, 'bin/tradeflow.js'), 'paper', '--live', '--yes', '--market', 'binance:BTC/USDT', '--signals', signals, '--out', out, '--exchange-url', `binance=${emu.url}`, '--poll-ms', '100'],
      { env: { ...process.env, CI: '1', TRADEFLOW_STATE_DIR: path.join(dir, 'state'), TRADEFLOW_BINANCE_API_KEY: KEY, TRADEFLOW_BINANCE_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    // Wait until the resting order is at the venue, then interrupt.
    const deadline = Date.now() + 20_000;
    while (!emu.state.orders().some((o) => o.status === 'open') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/stopping: no new orders/);
    const orders = readCsv(path.join(out, 'orders.csv'));
    expect(orders.map((o) => [o.signal_id, o.status])).toEqual([['rest', 'canceled']]);
    const atVenue = emu.state.orders().filter((o) => o.clientOrderId === orders[0]!.client_id);
    expect(atVenue.length).toBe(1);
    expect(String(atVenue[0]!.status).toLowerCase()).toMatch(/cancel/);
    expect(stdout + stderr).not.toContain(SECRET);
    expect(existsSync(path.join(out, 'summary.json'))).toBe(true);
  }, 40_000);

  it('when --follow is given then lines appended to the signal file are acted on until stopped', async () => {
    const dir = tmpDir('tf-follow-');
    const file = path.join(dir, 'signals.jsonl');
    writeFileSync(file, '{"timestamp":"2025-01-01T00:00:00Z","exchange":"binance","symbol":"BTC/USDT","side":"buy","quantity":0.001,"id":"f1"}\n');
    const stop = new AbortController();
    const out = path.join(dir, 'out');
    const run = liveCommand(
      undefined,
      { market: ['binance:BTC/USDT'], balance: ['binance:USDT=1000'], signals: file, follow: true, out, 'poll-ms': 100, 'exchange-url': [`binance=${emu.url}`] },
      liveIO({ abort: stop.signal }),
    );
    await new Promise((r) => setTimeout(r, 1500));
    appendFileSync(file, '{"timestamp":"2025-01-01T00:00:05Z","exchange":"binance","symbol":"BTC/USDT","side":"buy","quantity":0.002,"id":"f2"}\n');
    await new Promise((r) => setTimeout(r, 1500));
    stop.abort();
    const { summary } = await run;
    expect(summary.orders.filled).toBe(2);
    expect(readFileSync(path.join(out, 'trades.csv'), 'utf8')).toMatch(/f2/);
  }, 30_000);
});
