/**
 * The page in a real browser: Debian's chromium driven by playwright-core (no browser download), the
 * page opened from disk. Checks that it loads without a console error, requests nothing but itself,
 * draws every series with every point the page embedded, and shows the trade markers; saves
 * screenshots to test-artifacts/.
 *
 * Chromium missing is a failure, not a skip: CI installs it (.ci/run).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildReport, writeComparison } from '../../../src/reports/html/index.ts';
import { REPO, runBacktestCli, tmpDir } from '../../engine/helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(REPO, 'test-artifacts');

interface DrawnSeries {
  readonly chart: string;
  readonly name: string;
  readonly embedded: number;
  readonly drawn: number;
  readonly embeddedMarkers: number;
  readonly drawnMarkers: number;
}

interface Visit {
  readonly problems: string[];
  readonly requests: string[];
  readonly series: DrawnSeries[];
}

let root: string;
let run: string;
let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium); .ci/run does it on CI`);
  }
  root = tmpDir('tf-browser-');
  run = path.join(root, 'quickstart');
  await runBacktestCli(path.join(REPO, 'scenarios/quickstart.yaml'), { out: run });
  profile = mkdtempSync(path.join(os.tmpdir(), 'tf-chromium-profile-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
});

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Opens `file`, waits for the page script, and reads what each chart drew through the library's API. */
async function visit(file: string, screenshot: string): Promise<Visit> {
  const page: Page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    // These functions run in the page; the test's tsconfig has no DOM types, hence `globalThis` casts.
    await page.waitForFunction(() => (globalThis as unknown as { __tradeflowReport?: { ready: boolean } }).__tradeflowReport?.ready === true, undefined, { timeout: 20_000 });
    // Lightweight-charts paints on the next animation frames.
    await page.evaluate(() => {
      const raf = (globalThis as unknown as { requestAnimationFrame: (f: () => void) => void }).requestAnimationFrame;
      return new Promise<void>((r) => raf(() => raf(r)));
    });
    const series = await page.evaluate(() => {
      type Api = { data(): unknown[] };
      type Markers = { markers(): unknown[] } | null;
      const report = (globalThis as unknown as {
        __tradeflowReport: { charts: Record<string, { series: { name: string; api: Api; markers: Markers; embedded: number; embeddedMarkers: number }[] }> };
      }).__tradeflowReport;
      return Object.entries(report.charts).flatMap(([chart, c]) =>
        c.series.map((s) => ({
          chart,
          name: s.name,
          embedded: s.embedded,
          drawn: s.api.data().length,
          embeddedMarkers: s.embeddedMarkers,
          drawnMarkers: s.markers === null ? 0 : s.markers.markers().length,
        })),
      );
    });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, screenshot), fullPage: true });
    return { problems, requests, series };
  } finally {
    await page.close();
  }
}

/** The chart data embedded in the page, as the page script reads it. */
function embeddedCounts(html: string): Map<string, number[]> {
  const json = /<script id="tf-data" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1];
  const data = JSON.parse(json!) as { charts: { id: string; series: { t: number[] }[] }[] };
  return new Map(data.charts.map((c) => [c.id, c.series.map((s) => s.t.length)]));
}

describe('report.html in headless chromium', () => {
  it('when_opened_from_disk_then_no_error_no_request_and_every_point_and_marker_is_drawn', async () => {
    const file = path.join(run, 'report.html');
    const { problems, requests, series } = await visit(file, 'report.png');
    expect(problems, 'console errors and page errors').toEqual([]);
    expect(requests, 'the page itself and nothing else').toEqual([pathToFileURL(file).href]);

    const embedded = embeddedCounts(readFileSync(file, 'utf8'));
    const charts = [...new Set(series.map((s) => s.chart))].sort();
    expect(charts).toEqual(['drawdown', 'equity', 'price-0', 'price-1']);
    for (const s of series) {
      expect(s.drawn, `${s.chart}/${s.name}: points drawn = points embedded`).toBe(s.embedded);
      expect(s.drawn, `${s.chart}/${s.name}: the embedded data`).toBe(embedded.get(s.chart)![0]);
      expect(s.drawnMarkers, `${s.chart}/${s.name}: markers`).toBe(s.embeddedMarkers);
    }
    const equity = series.find((s) => s.chart === 'equity')!;
    expect(equity.drawn, 'a sample per minute over two days (less repeated values)').toBeGreaterThan(2500);
    const prices = series.filter((s) => s.chart.startsWith('price-'));
    expect(prices.map((s) => s.name)).toEqual(['binance BTC/USDT', 'binance ETH/USDT']);
    for (const p of prices) {
      expect(p.drawn).toBeGreaterThan(2500);
      expect(p.drawnMarkers, `${p.name}: trades marked`).toBeGreaterThan(0);
    }
    expect(existsSync(path.join(ARTIFACTS, 'report.png'))).toBe(true);
  });

  it('when_the_run_has_faults_then_the_timeline_and_the_fault_markers_load_cleanly', async () => {
    writeFileSync(
      path.join(run, 'failures.json'),
      JSON.stringify({ faults: [{ ts: '2025-06-01T12:00:00.000Z', kind: 'timeout', orders: ['x'], recoverMs: 800 }], invariants: { lost: 0, duplicated: 0 } }),
    );
    const file = await rebuildReport(run);
    const { problems, series } = await visit(file, 'report-faults.png');
    expect(problems).toEqual([]);
    const equity = series.find((s) => s.chart === 'equity')!;
    expect(equity.drawnMarkers, 'the fault on the equity chart').toBe(1);
    rmSync(path.join(run, 'failures.json'));
  });

  it('when_two_runs_are_compared_then_both_equity_curves_are_drawn_on_one_chart', async () => {
    const other = path.join(root, 'fees');
    await runBacktestCli(path.join(REPO, 'scenarios/quickstart.yaml'), { out: other, 'fee-bps': 25 });
    const file = await writeComparison(run, other);
    const { problems, requests, series } = await visit(file, 'compare.png');
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    const equity = series.filter((s) => s.chart === 'equity');
    expect(equity).toHaveLength(2);
    for (const s of series) expect(s.drawn, `${s.chart}/${s.name}`).toBe(s.embedded);
    expect(equity.every((s) => s.drawn > 2500)).toBe(true);
  });
});
