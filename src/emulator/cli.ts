/**
 * `tradeflow emulator`: flags → EmulatorOptions (every bad flag a ConfigError naming it), then run
 * until SIGINT/SIGTERM. Keys come from `--api-key/--secret` or, to keep them out of the process list,
 * from TRADEFLOW_EMULATOR_API_KEY / TRADEFLOW_EMULATOR_SECRET; they are never printed. `--fault`
 * specs (fault-spec.ts) become the fault plan, their random draws seeded by `--seed`.
 */
import { ConfigError } from '../core/errors.ts';
import { EMULATED_VENUES, startEmulator, type EmulatedVenue, type EmulatorOptions, type RunningEmulator } from './emulator.ts';
import { describeFaultSpec, faultPlanFromSpecs, parseFaultSpecs, type FaultSpec } from './fault-spec.ts';

export interface EmulatorCommandFlags {
  readonly venue: string;
  readonly port?: number;
  readonly apiKey?: string;
  readonly secret?: string;
  /** `ASSET=AMOUNT`, repeatable. */
  readonly balance?: readonly string[];
  /** `SYMBOL=FILE`, repeatable: replay FILE (any format src/market reads) as SYMBOL's market data. */
  readonly market?: readonly string[];
  /** Extra market definition files. */
  readonly marketDefs?: readonly string[];
  /** Replay speed factor (1 = real time). */
  readonly speed?: number;
  readonly seed?: number;
  /** `SYMBOL` or `SYMBOL=START_PRICE`, repeatable: a seeded random-walk book. */
  readonly symbol?: readonly string[];
  /** Start price for `--symbol` entries without one. */
  readonly startPrice?: number;
  /** Random-walk update interval, ms. */
  readonly walkMs?: number;
  /** `KIND@N` or `KIND:P`, optional `,KEY=VALUE` (fault-spec.ts), repeatable. */
  readonly fault?: readonly string[];
}

/** The options, and the fault specs they were built from (for the banner). */
export interface EmulatorCommandOptions extends EmulatorOptions {
  readonly faultSpecs: readonly FaultSpec[];
}

const bad = (flag: string, msg: string): never => {
  throw new ConfigError(`emulator: --${flag}: ${msg}`, { field: flag });
};

function pairs(flag: string, values: readonly string[] | undefined, what: string): Array<[string, string]> {
  return (values ?? []).map((v) => {
    const eq = v.indexOf('=');
    if (eq <= 0 || eq === v.length - 1) bad(flag, `expected ${what}, got ${JSON.stringify(v)}`);
    return [v.slice(0, eq).trim(), v.slice(eq + 1).trim()];
  });
}

/** Validates the flags; throws ConfigError naming the first bad one. */
export function emulatorOptionsFromFlags(flags: EmulatorCommandFlags, env: NodeJS.ProcessEnv = process.env): EmulatorCommandOptions {
  if (!(EMULATED_VENUES as readonly string[]).includes(flags.venue)) bad('venue', `expected ${EMULATED_VENUES.join(' or ')}, got ${JSON.stringify(flags.venue)}`);
  const port = flags.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) bad('port', `expected 0..65535, got ${port}`);
  const speed = flags.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) bad('speed', `expected a factor > 0 (1 = real time, 60 = a minute per second), got ${speed}`);
  const seed = flags.seed ?? 1;
  if (!Number.isInteger(seed)) bad('seed', `expected an integer, got ${seed}`);
  if (flags.walkMs !== undefined && !(Number.isInteger(flags.walkMs) && flags.walkMs >= 1)) bad('walk-ms', `expected an integer ≥ 1, got ${flags.walkMs}`);
  const apiKey = flags.apiKey ?? env.TRADEFLOW_EMULATOR_API_KEY;
  const secret = flags.secret ?? env.TRADEFLOW_EMULATOR_SECRET;
  if ((apiKey === undefined) !== (secret === undefined)) bad(apiKey === undefined ? 'api-key' : 'secret', 'give both --api-key and --secret, or neither');

  const balances: Record<string, string> = {};
  for (const [asset, amount] of pairs('balance', flags.balance, 'ASSET=AMOUNT')) {
    if (!/^\d+(\.\d+)?$/.test(amount)) bad('balance', `${asset}: expected a non-negative decimal, got ${JSON.stringify(amount)}`);
    balances[asset.toUpperCase()] = amount;
  }
  const replay = pairs('market', flags.market, 'SYMBOL=FILE').map(([symbol, file]) => ({ symbol: symbol.toUpperCase(), file }));
  const walk = (flags.symbol ?? []).map((entry) => {
    const [symbol, priceText] = entry.includes('=') ? entry.split('=', 2) : [entry, undefined];
    const startPrice = priceText !== undefined ? Number(priceText) : flags.startPrice;
    if (startPrice === undefined) bad('symbol', `${entry}: needs a start price (SYMBOL=PRICE or --start-price)`);
    if (!(startPrice! > 0) || !Number.isFinite(startPrice)) bad('symbol', `${entry}: start price must be a positive number`);
    return { symbol: symbol!.trim().toUpperCase(), startPrice: startPrice! };
  });
  const both = walk.find((w) => replay.some((r) => r.symbol === w.symbol));
  if (both) bad('symbol', `${both.symbol} has a --market file already`);
  const faultSpecs = parseFaultSpecs(flags.fault);
  return {
    venue: flags.venue as EmulatedVenue,
    port,
    ...(apiKey !== undefined && secret !== undefined ? { apiKey, secret } : {}),
    balances,
    marketDefFiles: flags.marketDefs ?? [],
    replay,
    speed,
    walk,
    ...(flags.walkMs !== undefined ? { walkOptions: { intervalMs: flags.walkMs } } : {}),
    seed,
    faultSpecs,
    ...(faultSpecs.length > 0 ? { faults: faultPlanFromSpecs(faultSpecs, seed) } : {}),
  };
}

export interface EmulatorCommandIo {
  readonly print: (line: string) => void;
  /** Resolves when the emulator should stop; default: SIGINT or SIGTERM. */
  readonly until?: Promise<unknown>;
  readonly env?: NodeJS.ProcessEnv;
}

function signalled(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: string) => () => resolve(sig);
    process.once('SIGINT', on('SIGINT'));
    process.once('SIGTERM', on('SIGTERM'));
  });
}

/** Runs the emulator until stopped; resolves after it has closed. */
export async function runEmulatorCommand(flags: EmulatorCommandFlags, io: EmulatorCommandIo = { print: (l) => process.stdout.write(`${l}\n`) }): Promise<void> {
  const opts = emulatorOptionsFromFlags(flags, io.env);
  const emu: RunningEmulator = await startEmulator({ ...opts, log: io.print });
  const feeds = [
    ...(opts.replay ?? []).map((r) => `${r.symbol} ← ${r.file} ×${opts.speed}`),
    ...(opts.walk ?? []).map((w) => `${w.symbol} random walk from ${w.startPrice} (seed ${opts.seed})`),
  ];
  io.print(`tradeflow emulator: ${emu.venue} listening on ${emu.url}`);
  io.print(`  markets: ${[...emu.state.core.markets.keys()].join(', ')}`);
  io.print(`  books:   ${feeds.length > 0 ? feeds.join('; ') : 'none (empty books)'}`);
  io.print(`  keys:    ${opts.apiKey !== undefined ? 'set (not shown)' : 'none: private endpoints refuse every request'}`);
  io.print(`  faults:  ${opts.faultSpecs.length > 0 ? opts.faultSpecs.map(describeFaultSpec).join('; ') : 'none'}`);
  io.print(`  inspect: ${emu.url}/__emulator/orders, ${emu.url}/__emulator/balances, ${emu.url}/__emulator/faults`);
  await (io.until ?? signalled());
  await emu.close();
  io.print('tradeflow emulator: stopped');
}
