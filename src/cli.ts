/**
 * The command line: `tradeflow backtest | report`. Exit codes: 0 the run completed, 2 bad input
 * (config, data), 3 an invariant broke, 1 anything else. Messages go to stderr, one line per problem.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import yargs, { type Argv } from 'yargs';
import { ConfigError, DataError, InvariantError, TradeflowError } from './core/errors.ts';
import { backtestCommand } from './engine/backtest-command.ts';
import type { RunFlags } from './engine/run-options.ts';
import { liveCommand, type LiveFlags } from './engine/live-command.ts';
import { writeControlRequest } from './engine/control-file.ts';
import { runEmulatorCommand, type EmulatorCommandFlags } from './emulator/cli.ts';
import { formatConsoleSummary, type Summary } from './reports/index.ts';
import { rebuildReport, writeComparison } from './reports/html/index.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** ccxt's exchange ids, loaded once (ccxt itself is heavy, so lazily). */
async function ccxtVenues(): Promise<(id: string) => boolean> {
  const ccxt = (await import('ccxt')).default as unknown as { exchanges: string[] };
  const ids = new Set(ccxt.exchanges);
  return (id) => ids.has(id);
}

function runFlags(y: Argv): Argv<RunFlags> {
  return y
    .option('signals', { type: 'string', describe: 'signal CSV file', requiresArg: true })
    .option('market', { type: 'string', array: true, describe: 'market data VENUE:SYMBOL=FILE (repeatable)', requiresArg: true })
    .option('markets', { type: 'string', array: true, describe: 'market definitions JSON (precision, limits) (repeatable)', requiresArg: true })
    .option('fill-model', { choices: ['book', 'bar'] as const, describe: 'book: walk the L2 book; bar: next candle open' })
    .option('fee-bps', { type: 'number', describe: 'maker and taker fee in basis points for every venue', requiresArg: true })
    .option('latency-ms', { type: 'number', describe: 'order latency in event time', requiresArg: true })
    .option('slippage-bps', { type: 'number', describe: 'adverse slippage for the bar model', requiresArg: true })
    .option('balance', { type: 'string', array: true, describe: 'starting balance VENUE:ASSET=AMOUNT (repeatable)', requiresArg: true })
    .option('seed', { type: 'number', describe: 'random seed', requiresArg: true })
    .option('out', { type: 'string', describe: 'report folder (default reports/<run-id>)', requiresArg: true })
    .option('quote', { type: 'string', describe: 'reporting currency (default: quote of the first market)', requiresArg: true })
    .option('skip-bad-rows', { type: 'boolean', describe: 'skip malformed signal rows and list them in the report' })
    .option('max-position', { type: 'number', describe: 'max |position| per market, base units', requiresArg: true })
    .option('max-order-notional', { type: 'number', describe: 'max notional per order, reporting currency', requiresArg: true })
    .option('max-open-orders', { type: 'number', describe: 'max live orders', requiresArg: true })
    .option('max-drawdown', { type: 'number', describe: 'drawdown fraction that halts trading', requiresArg: true })
    .option('max-signal-risk', { type: 'number', describe: 'refuse signals whose risk is above this (0..1)', requiresArg: true }) as Argv<RunFlags>;
}

export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const io = {
    out: (t: string) => process.stdout.write(`${t}\n`),
    err: (t: string) => process.stderr.write(`${t}\n`),
    progress: Boolean(process.stderr.isTTY) && !process.env.CI,
    cwd: process.cwd(),
    version: VERSION,
    argv,
  };
  const fail = (err: unknown): number => {
    if (err instanceof TradeflowError) {
      io.err(`error: ${err.message}`);
      return err instanceof ConfigError || err instanceof DataError ? 2 : err instanceof InvariantError ? 3 : 1;
    }
    io.err(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  };
  try {
    await yargs([...argv])
      .scriptName('tradeflow')
      .usage('$0 <command> [options]')
      .command(
        'backtest [scenario]',
        'replay signals against the simulated exchange and write reports',
        (y) =>
          runFlags(y.positional('scenario', { type: 'string', describe: 'scenario YAML file' }))
            .option('cache-dir', { type: 'string', describe: 'folder of the parsed market data cache (default TRADEFLOW_CACHE_DIR, else cache/)', requiresArg: true })
            .option('cache', { type: 'boolean', describe: 'read market files parsed before from the cache; --no-cache parses every file and writes no cache' }),
        async (args) => {
          const isVenue = await ccxtVenues();
          await backtestCommand(args.scenario as string | undefined, args as RunFlags, { ...io, isVenue });
        },
      )
      .command(
        'paper [scenario]',
        'trade the scenario against live prices (paper); with --live, on the venue itself',
        (y) =>
          runFlags(y.positional('scenario', { type: 'string', describe: 'scenario YAML file' }))
            .option('live', { type: 'boolean', describe: 'trade for real through ccxt (needs keys)' })
            .option('yes', { type: 'boolean', describe: 'do not ask for confirmation before live trading' })
            .option('sandbox', { type: 'boolean', describe: "use the venues' testnets" })
            .option('exchange-url', { type: 'string', array: true, describe: 'point a venue at a URL, VENUE=URL (e.g. the emulator)', requiresArg: true })
            .option('key-file', { type: 'string', describe: 'YAML/JSON file of venue → {apiKey, secret}, mode 600', requiresArg: true })
            .option('speed', { type: 'number', describe: 'signal file replay speed (1 = its own pace, 0 = no waiting)', requiresArg: true })
            .option('follow', { type: 'boolean', describe: 'follow the signal file (JSON lines) as it grows' })
            .option('poll-ms', { type: 'number', describe: 'poll interval for books and orders', requiresArg: true })
            .option('timeout-ms', { type: 'number', describe: 'request timeout: unanswered for this long, an order is unknown and looked up', requiresArg: true })
            .option('resume', { type: 'string', describe: 'continue run RUN_ID (after a crash or a stop): reconcile, then go on', requiresArg: true })
            .option('state', { type: 'string', describe: 'folder of the journal (default state/)', requiresArg: true }),
        async (args) => {
          const isVenue = await ccxtVenues();
          const stop = new AbortController();
          const onSignal = () => {
            io.err('stopping: no new orders; cancelling open orders and writing reports (Ctrl-C again to force)');
            if (stop.signal.aborted) process.exit(130);
            stop.abort();
          };
          process.on('SIGINT', onSignal);
          process.on('SIGTERM', onSignal);
          try {
            await liveCommand(args.scenario as string | undefined, args as LiveFlags, {
              ...io,
              isVenue,
              env: process.env,
              stdin: process.stdin,
              abort: stop.signal,
            });
          } finally {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
          }
        },
      )
      .command(
        'emulator',
        'run a local exchange (Binance or Upbit REST on 127.0.0.1) backed by the matching engine',
        (y) =>
          y
            .option('venue', { choices: ['binance', 'upbit'] as const, demandOption: true, describe: 'which REST dialect to speak' })
            .option('port', { type: 'number', describe: 'port on 127.0.0.1 (0 = any free port)', requiresArg: true })
            .option('api-key', { type: 'string', describe: 'key private endpoints accept (or TRADEFLOW_EMULATOR_API_KEY)', requiresArg: true })
            .option('secret', { type: 'string', describe: 'secret signatures are checked with (or TRADEFLOW_EMULATOR_SECRET)', requiresArg: true })
            .option('balance', { type: 'string', array: true, describe: 'account balance ASSET=AMOUNT (repeatable)', requiresArg: true })
            .option('market', { type: 'string', array: true, describe: 'replay market data SYMBOL=FILE in wall time (repeatable)', requiresArg: true })
            .option('market-defs', { type: 'string', array: true, describe: 'extra market definitions JSON', requiresArg: true })
            .option('speed', { type: 'number', describe: 'replay speed (1 = real time, 60 = a minute per second)', requiresArg: true })
            .option('seed', { type: 'number', describe: 'seed of the random-walk books', requiresArg: true })
            .option('symbol', { type: 'string', array: true, describe: 'random-walk book SYMBOL[=START_PRICE] (repeatable)', requiresArg: true })
            .option('start-price', { type: 'number', describe: 'start price for --symbol entries without one', requiresArg: true })
            .option('walk-ms', { type: 'number', describe: 'random-walk update interval', requiresArg: true })
            .option('fault', {
              type: 'string',
              array: true,
              describe: 'inject a fault: KIND@N (the N-th order request) or KIND:P (probability P per order request, seeded by --seed), optional ,KEY=VALUE (repeatable)',
              requiresArg: true,
            }),
        async (args) => {
          await runEmulatorCommand(args as unknown as EmulatorCommandFlags, { print: io.out });
        },
      )
      .command(
        'halt <run>',
        'ask a running paper or live run to halt (cancels only); --reduce: only position-shrinking orders; --resume: trade again',
        (y) =>
          y
            .positional('run', { type: 'string', demandOption: true, describe: 'the run id the paper or live run printed at start' })
            .option('reduce', { type: 'boolean', describe: 'reducing-only instead of halted' })
            .option('resume', { type: 'boolean', describe: "back to active (a person's reset of the kill switch)" })
            .option('state', { type: 'string', describe: "the run's state folder (default TRADEFLOW_STATE_DIR, else state/)", requiresArg: true })
            .conflicts('reduce', 'resume'),
        async (args) => {
          const action = args.resume ? 'resume' : args.reduce ? 'reduce' : 'halt';
          // The run's own rule: --state, else TRADEFLOW_STATE_DIR, else state/ here.
          const stateDir = path.resolve(io.cwd, args.state ?? (process.env.TRADEFLOW_STATE_DIR || 'state'));
          const { file } = await writeControlRequest(stateDir, args.run, action);
          io.out(`${action} requested for run ${args.run}: ${file} (a running paper or live run applies it within a second)`);
        },
      )
      .command(
        'report <dir> [dir2]',
        'rebuild report.html of a finished run and print its summary; with a second run, write a page comparing the two',
        (y) =>
          y
            .positional('dir', { type: 'string', demandOption: true, describe: 'run folder (reports/<run-id>)' })
            .positional('dir2', { type: 'string', describe: 'a second run folder to compare with the first' })
            .option('out', { type: 'string', describe: 'comparison page (default DIR/compare-<name of DIR2>.html)', requiresArg: true }),
        async (args) => {
          if (args.dir2 !== undefined) {
            const page = await writeComparison(args.dir, args.dir2, args.out);
            io.out(`comparison of ${args.dir} (A) and ${args.dir2} (B) written to ${page}`);
            return;
          }
          if (args.out !== undefined) throw new ConfigError('--out names the comparison page: give two run folders (report DIR1 DIR2 --out FILE)');
          // Reads and checks every file of the folder (a missing one is named) before anything is printed.
          const page = await rebuildReport(args.dir);
          const text = await readFile(path.join(args.dir, 'summary.json'), 'utf8');
          io.out(formatConsoleSummary(JSON.parse(text) as Summary, { outDir: args.dir }));
          io.out(`report.html rebuilt: ${page}`);
        },
      )
      .demandCommand(1, 'name a command: backtest, paper, emulator or report')
      .strict()
      .version(VERSION)
      .help()
      .fail((msg, err) => {
        throw err ?? new ConfigError(msg);
      })
      .parseAsync();
  } catch (err) {
    code = fail(err);
  }
  return code;
}
