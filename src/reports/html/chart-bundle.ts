/**
 * TradingView's lightweight-charts, inlined into every page so it opens offline: the standalone
 * production bundle (it defines `window.LightweightCharts`), read from node_modules once per process.
 * Its licence header stays in the page; the page's footer carries the attribution the licence asks for.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface ChartBundle {
  readonly version: string;
  readonly source: string;
}

let cached: ChartBundle | undefined;

export function chartBundle(): ChartBundle {
  if (cached !== undefined) return cached;
  const pkgFile = createRequire(import.meta.url).resolve('lightweight-charts/package.json');
  const { version } = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string };
  const file = path.join(path.dirname(pkgFile), 'dist', 'lightweight-charts.standalone.production.js');
  const source = readFileSync(file, 'utf8');
  // Inlined as is inside <script>: text that would end the element early must not be in it.
  if (/<\/script|<!--/i.test(source)) throw new Error(`${file}: contains "</script" or "<!--"; it cannot be inlined as is`);
  cached = { version, source };
  return cached;
}
