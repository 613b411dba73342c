import { Readable } from 'node:stream';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.ts';
import { liveCommand, type LiveFlags } from '../../src/engine/live-command.ts';
import { liveIO, readCsv, readJson, tmpDir } from './helpers.ts';

const KEY = 'test-key-3f9a1c7e5b2d4f60';
const SECRET = 'test-secret-9c1e7a3b5d2f4a68b0e6';


function signalFile(rows: string[]): string {
  const f = path.join(tmpDir(), 'signals.csv');
  writeFileSync(f, ['timestamp,exchange,symbol,side,quantity,type,price,id', ...rows].join('\n') + '\n');
  return f;
}

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({
    venue: 'binance',
    port: 0,
    apiKey: KEY,
    secret: SECRET,
    balances: { USDT: '10000', BTC: '1' },
    walk: [{ symbol: 'BTC/USDT', startPrice: 100_000 }],
    walkOptions: { intervalMs: 20 },
    seed: 7,
  });
});
afterAll(async () => emu?.close());

const base = (out: string, signals: string): LiveFlags => ({
  market: ['binance:BTC/USDT'],
  balance: ['binance:USDT=5000'],
  signals,
  out,
  speed: 0,
  'poll-ms': 100,
  'exchange-url': [`binance=${emu.url}`],
});

describe('paper and live runs against the emulator (real ccxt over HTTP on 127.0.0.1)', () => {
  it('when paper runs a CSV then orders fill on the live book, nothing reaches the venue, and reports are written', async () => {
    const out = path.join(tmpDir(), 'paper');
    const signals = signalFile(['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,market,,p1', '2025-01-01T00:00:01Z,binance,BTC/USDT,sell,0.01,market,,p2']);
    const before = emu.state.orders().length;
    const { summary } = await liveCommand(undefined, base(out, signals), liveIO());
    expect(summary.mode).toBe('paper');
    expect(summary.orders.filled).toBe(2);
    expect(emu.state.orders().length, 'paper orders never reach the venue').toBe(before);
    const trades = readCsv(path.join(out, 'trades.csv'));
    expect(trades.length).toBeGreaterThanOrEqual(2);
    expect(summary.balances.binance!.BTC).toBe('0');
  });

  it('when --live is given without keys then it refuses and names the missing variables', async () => {
    const out = path.join(tmpDir(), 'nokeys');
    const signals = signalFile(['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,market,,k1']);
    await expect(liveCommand(undefined, { ...base(out, signals), live: true, yes: true }, liveIO())).rejects.toThrow(
      /TRADEFLOW_BINANCE_API_KEY, TRADEFLOW_BINANCE_SECRET/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('when --live is not confirmed (no terminal, no --yes) then nothing is traded', async () => {
    const out = path.join(tmpDir(), 'noconfirm');
    const signals = signalFile(['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,market,,c1']);
    const before = emu.state.orders().length;
    const env = { TRADEFLOW_BINANCE_API_KEY: KEY, TRADEFLOW_BINANCE_SECRET: SECRET };
    await expect(liveCommand(undefined, { ...base(out, signals), live: true }, liveIO({ env }))).rejects.toBeInstanceOf(ConfigError);
    expect(emu.state.orders().length).toBe(before);
  });

  it('when --live runs then orders reach the venue with our client ids, balances match it, and the key and secret appear nowhere', async () => {
    const out = path.join(tmpDir(), 'live');
    const signals = signalFile(['2025-01-01T00:00:00Z,binance,BTC/USDT,buy,0.01,market,,l1', '2025-01-01T00:00:01Z,binance,BTC/USDT,sell,0.004,market,,l2']);
    const env = { TRADEFLOW_BINANCE_API_KEY: KEY, TRADEFLOW_BINANCE_SECRET: SECRET };
    const io = liveIO({ env });
    const { summary } = await liveCommand(undefined, { ...base(out, signals), live: true, yes: true }, io);
    expect(summary.mode).toBe('live');
    expect(summary.orders.filled).toBe(2);
    const ours = readCsv(path.join(out, 'orders.csv')).map((o) => o.client_id);
    const atVenue = emu.state.orders().map((o) => o.clientOrderId);
    for (const id of ours) expect(atVenue, `${id} reached the venue`).toContain(id);
    // The venue is the truth: the ledger ends where the emulator's account is.
    const venue = emu.state.balances();
    expect(summary.balances.binance!.BTC).toBe(String(venue.BTC!.total));
    expect(summary.balances.binance!.USDT).toBe(String(venue.USDT!.total));
    // Keys are never printed, logged or written.
    const outputs = [...io.lines, ...io.errors, ...readdirSync(out).map((f) => readFileSync(path.join(out, f), 'utf8'))].join('\n');
    expect(outputs).not.toContain(KEY);
    expect(outputs).not.toContain(SECRET);
    expect(io.errors.join('\n')).toMatch(/LIVE TRADING[\s\S]*binance balances[\s\S]*risk limits/);
    // Positions are valued with the venue's live prices: equity is more than the quote balance alone.
    expect(summary.final_equity).toBeGreaterThan(Number(summary.balances.binance!.USDT) + 0.5 * 0.006 * 90_000);
    expect(summary.warnings.join(' ')).not.toMatch(/no price/);
    // The in-process latency from submit to the HTTP request is measured and reported.
    expect(summary.submit_to_request_ms?.count).toBe(2);
    expect(summary.submit_to_request_ms!.p99).toBeGreaterThan(0);
    expect(io.lines.join('\n')).toMatch(/latency +signal → request p50/);
  });

  it('when signals arrive as JSON lines on stdin then each is acted on', async () => {
    const out = path.join(tmpDir(), 'stdin');
    const stdin = Readable.from([
      '{"timestamp":"2025-01-01T00:00:00Z","exchange":"binance","symbol":"BTC/USDT","side":"buy","quantity":0.002}\n',
      '{"timestamp":"2025-01-01T00:00:01Z","exchange":"binance","symbol":"BTC/USDT","side":"buy","quantity":0.003}\n',
    ]) as unknown as NodeJS.ReadableStream;
    const { summary } = await liveCommand(undefined, { ...base(out, '-'), signals: '-' }, liveIO({ stdin }));
    expect(summary.orders.filled).toBe(2);
    expect(readJson(path.join(out, 'summary.json')).balances.binance.BTC).toBe('0.005');
  });
});
