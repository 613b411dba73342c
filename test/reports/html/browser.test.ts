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

interface Visit<T = undefined> {
  readonly problems: string[];
  readonly requests: string[];
  readonly series: DrawnSeries[];
  /** What `inspect` read from the drawn page. */
  readonly extra: T;
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

/**
 * Opens `file`, waits for the page script, and reads what each chart drew through the library's API
 * (and whatever `inspect` reads from the page, once drawn).
 */
async function visit<T = undefined>(file: string, screenshot: string, inspect?: (page: Page) => Promise<T>): Promise<Visit<T>> {
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
    const extra = (inspect ? await inspect(page) : undefined) as T;
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, screenshot), fullPage: true });
    return { problems, requests, series, extra };
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

  it('when_the_run_has_arbitrage_then_the_premium_chart_is_painted_and_the_trades_are_listed', async () => {
    const arb = path.join(root, 'arb-usdc');
    await runBacktestCli(path.join(REPO, 'scenarios/arb-usdc.yaml'), { out: arb });
    const file = path.join(arb, 'report.html');
    const { problems, requests, series, extra } = await visit(file, 'report-arbitrage.png', async (page) => {
      const section = page.locator('#arbitrage');
      await section.scrollIntoViewIfNeeded();
      return {
        tradeRows: await page.locator('#arb-trades tbody tr').count(),
        firstTrade: await page.locator('#arb-trades tbody tr').first().locator('td').first().textContent(),
        // Pixels of the premium line's colour (#0d9488) on the chart's canvases: the line was painted.
        linePixels: await page.evaluate(() => {
          type Ctx = { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
          type Canvas = { width: number; height: number; getContext(kind: '2d'): Ctx | null };
          const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<Canvas> } }).document;
          let hits = 0;
          for (const c of doc.querySelectorAll('#chart-premium canvas')) {
            const ctx = c.width > 0 && c.height > 0 ? c.getContext('2d') : null;
            if (ctx === null) continue;
            const d = ctx.getImageData(0, 0, c.width, c.height).data;
            for (let i = 0; i < d.length; i += 4) {
              if (Math.abs(d[i]! - 0x0d) < 24 && Math.abs(d[i + 1]! - 0x94) < 24 && Math.abs(d[i + 2]! - 0x88) < 24 && d[i + 3]! > 200) hits++;
            }
          }
          return hits;
        }),
      };
    });
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    const embedded = embeddedCounts(readFileSync(file, 'utf8'));
    const premium = series.filter((s) => s.chart === 'premium');
    expect(premium.map((s) => s.name)).toEqual(['kraken:BTC/USDC over binanceus:BTC/USDC']);
    expect(premium[0]!.drawn, 'every embedded premium point drawn').toBe(embedded.get('premium')![0]);
    expect(premium[0]!.drawn).toBeGreaterThan(500);
    expect(extra.linePixels, 'the premium line painted on the canvas').toBeGreaterThan(300);
    expect(extra.tradeRows).toBeGreaterThan(100);
    expect(extra.firstTrade).toBe('arb-1');
  });
});
