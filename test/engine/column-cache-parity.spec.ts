/**
 * The market data cache must not show in the results: a backtest gives byte-identical reports (but
 * run.json, which has timings) whether its market files were parsed from CSV or read from the cache,
 * and with --no-cache it reads the CSV and writes no cache at all.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.ts';
import { backtestCommand } from '../../src/engine/backtest-command.ts';
import type { RunFlags } from '../../src/engine/run-options.ts';
import { cacheStats, resetCacheStats } from '../../src/market/cached-market.ts';
import { REPO, quietIO, tmpDir } from './helpers.ts';

const savedEnv = process.env.TRADEFLOW_CACHE_DIR;
beforeEach(() => {
  delete process.env.TRADEFLOW_CACHE_DIR;
  resetCacheStats();
});
afterEach(() => {
  if (savedEnv === undefined) delete process.env.TRADEFLOW_CACHE_DIR;
  else process.env.TRADEFLOW_CACHE_DIR = savedEnv;
  vi.restoreAllMocks();
});

/** Every report file of a run but run.json, by name. */
function reports(dir: string): Record<string, string> {
  const names = readdirSync(dir).filter((f) => f !== 'run.json');
  return Object.fromEntries(names.map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
}

async function run(scenario: string, flags: RunFlags, cwd: string): Promise<Record<string, string>> {
  const out = path.join(tmpDir('tf-cache-out-'), 'run');
  await backtestCommand(scenario, { ...flags, out }, { ...quietIO(), cwd });
  return reports(out);
}

describe('market data cache does not change results', () => {
  const scenarios: Array<[string, number]> = [
    ['quickstart.yaml', 2],
    ['arb-kimchi.yaml', 2],
  ];
  for (const [name, files] of scenarios) {
    it(`when ${name} runs from CSV, then cold and warm through a fresh cache, then every report is byte-identical`, async () => {
      const scenario = path.join(REPO, 'scenarios', name);
      const cwd = tmpDir('tf-cache-cwd-');
      const envDir = path.join(tmpDir('tf-cache-env-'), 'cache');
      process.env.TRADEFLOW_CACHE_DIR = envDir;
      const csv = await run(scenario, { cache: false }, cwd);
      // --no-cache writes nothing, neither where the environment nor the default would put it.
      expect(existsSync(envDir)).toBe(false);
      expect(existsSync(path.join(cwd, 'cache'))).toBe(false);
      expect(cacheStats()).toEqual({ hits: 0, misses: 0, rejected: 0, written: 0 });

      const dir = path.join(tmpDir('tf-cache-dir-'), 'c');
      const cold = await run(scenario, { 'cache-dir': dir }, cwd);
      expect(cacheStats()).toEqual({ hits: 0, misses: files, rejected: 0, written: files });
      expect(readdirSync(dir)).toHaveLength(files);
      const warm = await run(scenario, { 'cache-dir': dir }, cwd);
      expect(cacheStats()).toEqual({ hits: files, misses: files, rejected: 0, written: files });

      expect(Object.keys(csv).sort()).toEqual(Object.keys(warm).sort());
      expect(Object.keys(csv)).toContain('trades.csv');
      for (const f of Object.keys(csv)) {
        expect(cold[f], `cold ${f}`).toBe(csv[f]);
        expect(warm[f], `warm ${f}`).toBe(csv[f]);
      }
    });
  }

  it('when no cache flag is given then the cache goes to TRADEFLOW_CACHE_DIR, else to cache/ in the working directory', async () => {
    const scenario = path.join(REPO, 'scenarios/arb-kimchi.yaml');
    const cwd = tmpDir('tf-cache-cwd-');
    await run(scenario, {}, cwd);
    expect(readdirSync(path.join(cwd, 'cache'))).toHaveLength(2);
    const envDir = path.join(tmpDir('tf-cache-env-'), 'here');
    process.env.TRADEFLOW_CACHE_DIR = envDir;
    await run(scenario, {}, cwd);
    expect(readdirSync(envDir)).toHaveLength(2);
    expect(cacheStats()).toMatchObject({ hits: 0, written: 4 });
  });

  it('when the CLI gets --no-cache or --cache-dir DIR then it writes no cache, or writes it in DIR', async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const scenario = path.join(REPO, 'scenarios/arb-kimchi.yaml');
    const base = tmpDir('tf-cache-cli-');
    process.env.TRADEFLOW_CACHE_DIR = path.join(base, 'env');
    expect(await main(['backtest', scenario, '--no-cache', '--out', path.join(base, 'a')])).toBe(0);
    expect(existsSync(path.join(base, 'env'))).toBe(false);
    mkdirSync(path.join(base, 'flag'));
    expect(await main(['backtest', scenario, '--cache-dir', path.join(base, 'flag'), '--out', path.join(base, 'b')])).toBe(0);
    expect(readdirSync(path.join(base, 'flag'))).toHaveLength(2);
    expect(existsSync(path.join(base, 'env'))).toBe(false);
  });
});
