import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Backtests cache parsed market files (src/market/column-cache.ts); the suite keeps its cache in a
// folder of its own, not in the repo's cache/, so every run starts from nothing cached.
const cacheDir = process.env.TRADEFLOW_CACHE_DIR ?? mkdtempSync(path.join(tmpdir(), 'tf-test-cache-'));

export default defineConfig({
  test: {
    include: ['test/**/*.{spec,test}.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { TRADEFLOW_CACHE_DIR: cacheDir },
  },
});
