/**
 * Live-mode benchmark cases, each in its own process (run by bench/run.ts):
 *   emulator-throughput   signed LIMIT orders + cancels the emulator sustains on loopback
 *   live-latency N SYNC   N live market orders through ccxt against the emulator, 30 ms apart:
 *                         p50/p99 in-process latency from the signal reaching the engine to the HTTP
 *                         request handed to the transport, with the journal's intent sync SYNC
 *
 * The emulator runs in a process of its own (`tradeflow emulator`), as a venue would: in this process
 * its request handling would share the engine's event loop and show up in the engine's latency.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { measureEmulatorThroughput } from '../src/emulator/bench.ts';
import { liveCommand } from '../src/engine/live-command.ts';
import { DATA_DIR } from './generate.ts';

const [kind = 'live-latency', arg = '1000', sync = 'full'] = process.argv.slice(2);
const BIN = path.resolve(import.meta.dirname, '../bin/tradeflow.js');

/** Starts `tradeflow emulator` on a free port and resolves with its URL once it listens. */
function emulatorProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [BIN, 'emulator', '--venue', 'binance', '--port', '0', '--balance', 'USDT=100000000', '--balance', 'BTC=1000', '--symbol', 'BTC/USDT=60000', '--walk-ms', '100', '--seed', '5'],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TRADEFLOW_EMULATOR_API_KEY: 'bench-key', TRADEFLOW_EMULATOR_SECRET: 'bench-secret' } },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve({ url: m[1]!, child });
    });
    child.on('exit', (code) => reject(new Error(`emulator exited (${code}) before listening`)));
  });
}

async function main(): Promise<Record<string, unknown>> {
  if (kind === 'emulator-throughput') {
    const r = await measureEmulatorThroughput({ orders: 10_000, connections: 8 });
    return { case: 'emulator throughput', orders: r.orders, failed: r.failed, wall_s: r.seconds, orders_per_s: r.ordersPerSecond, requests_per_s: r.requestsPerSecond };
  }
  const n = Number(arg);
  const emu = await emulatorProcess();
  try {
    const signals = path.join(DATA_DIR, `live-signals-${n}.csv`);
    rmSync(path.join(DATA_DIR, 'state-live'), { recursive: true, force: true }); // a journal of this run's own
    const rows = ['timestamp,exchange,symbol,side,quantity,type,price,id'];
    // Small market orders, alternating sides: each fills at once, so no open order adds polling traffic
    // that would queue behind ccxt's rate limiter and blur what is measured.
    for (let i = 0; i < n; i++) rows.push(`${i * 30},binance,BTC/USDT,${i % 2 ? 'sell' : 'buy'},0.001,market,,m${i}`);
    writeFileSync(signals, `${rows.join('\n')}\n`);
    // The journal's intent sync decides whether an fsync sits on the submit path (see journal_sync).
    const scenario = path.join(DATA_DIR, `live-${sync}.json`);
    writeFileSync(scenario, JSON.stringify({ live: { journal_sync: sync } }));
    const { summary } = await liveCommand(
      scenario,
      { market: ['binance:BTC/USDT'], signals, out: path.join(DATA_DIR, 'out-live'), live: true, yes: true, speed: 1, 'poll-ms': 1000, 'exchange-url': [`binance=${emu.url}`] },
      {
        out: () => {}, err: () => {}, progress: false, cwd: process.cwd(), isVenue: (v) => v === 'binance', version: 'bench', argv: [],
        env: { TRADEFLOW_STATE_DIR: path.join(DATA_DIR, 'state-live'), TRADEFLOW_BINANCE_API_KEY: 'bench-key', TRADEFLOW_BINANCE_SECRET: 'bench-secret' },
        stdin: Readable.from([]) as unknown as NodeJS.ReadableStream, abort: new AbortController().signal,
      },
    );
    const lat = summary.submit_to_request_ms;
    return { case: `live signal→request (journal ${sync})`, orders: lat?.count ?? 0, p50_ms: lat?.p50 ?? NaN, p99_ms: lat?.p99 ?? NaN, max_ms: lat?.max ?? NaN };
  } finally {
    emu.child.kill();
  }
}

const fig = await main();
fig.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify(fig)}\n`);
